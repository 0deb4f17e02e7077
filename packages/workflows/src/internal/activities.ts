import * as Activity from "@effect/workflow/Activity"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import type { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import type { HeroHealthError } from "@hero-effect/client/HeroHealthError"
import type { PatientId } from "@hero-effect/schema/Ids"
import type { MergeToken } from "@hero-effect/schema/MergeToken"
import type { PatientV1 } from "@hero-effect/schema/Patient"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Approver from "../Approver.js"
import * as Durable from "../Durable.js"
import * as Verify from "../Verify.js"
import type * as WriteAttempts from "../WriteAttempts.js"
import { classify, pairKey } from "./durable.js"
import { deepEqual } from "./equal.js"

/**
 * Merge tokens of this process, per execution and pair, with the time they were obtained. They
 * are never stored: after a crash (or on another runner) the merge previews again.
 * @internal
 */
export interface Tokens {
  readonly put: (executionId: string, pair: string, token: MergeToken, at: number) => void
  readonly take: (executionId: string, pair: string) => { readonly token: MergeToken; readonly at: number } | undefined
  readonly forget: (executionId: string) => void
}

/** @internal */
export const makeTokens = (): Tokens => {
  const byExecution = new Map<string, Map<string, { readonly token: MergeToken; readonly at: number }>>()
  return {
    put: (executionId, pair, token, at) => {
      let pairs = byExecution.get(executionId)
      if (pairs === undefined) byExecution.set(executionId, pairs = new Map())
      pairs.set(pair, { token, at })
    },
    take: (executionId, pair) => {
      const pairs = byExecution.get(executionId)
      const entry = pairs?.get(pair)
      pairs?.delete(pair)
      return entry
    },
    forget: (executionId) => void byExecution.delete(executionId)
  }
}

const encodePreview = Schema.encodeSync(Durable.Preview)

/** Whether two previews show the same records (compared in their stored form). @internal */
export const samePreview = (a: Durable.Preview, b: Durable.Preview): boolean =>
  deepEqual(encodePreview(a), encodePreview(b))

const staleToken = new Set(["merge_token_expired", "merge_token_stale"])

/**
 * The seam as activities of one workflow execution. Each call, decision, preview and write is an
 * `Activity` named by its kind and ids and its occurrence in the execution (`read:123#2`): the
 * pipeline is deterministic given the answers, so a replay asks for the same names and gets the
 * stored answers back.
 * @internal
 */
export const make = (deps: {
  readonly executionId: string
  readonly context: Context.Context<WorkflowEngine | WorkflowInstance>
  readonly client: HeroHealthClient["Type"]
  readonly attempts: WriteAttempts.Service
  readonly tokens: Tokens
  readonly tokenMaxAgeMillis: number
}): Durable.Service => {
  const { attempts, client, executionId, tokens } = deps
  const seen = new Map<string, number>()
  const nameOf = (label: string) => {
    const n = (seen.get(label) ?? 0) + 1
    seen.set(label, n)
    return `${label}#${n}`
  }
  const activity = <A, I, E, EI, R>(
    name: string,
    success: Schema.Schema<A, I>,
    error: Schema.Schema<E, EI>,
    execute: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, Exclude<R, WorkflowEngine | WorkflowInstance>> =>
    Effect.provide(Activity.make({ name, success, error, execute }), deps.context) as any

  // On a write's first execution nothing is read; on a re-execution the records are. The log
  // names the activity (kind and ids) only.
  const firstExecution = (name: string) =>
    Effect.flatMap(Activity.idempotencyKey(name), (key) => attempts.claim(executionId, key)).pipe(
      Effect.tap((first) =>
        first ? Effect.void : Effect.logInfo("write activity executed again: verifying before writing").pipe(
          Effect.annotateLogs({ activity: name })
        )
      )
    )

  const readOrMissing = (patientId: PatientId): Effect.Effect<PatientV1 | undefined, HeroHealthError> =>
    client.getPatientById(patientId).pipe(
      Effect.map((p): PatientV1 | undefined => p),
      Effect.catchTag("PatientNotFound", () => Effect.succeed(undefined))
    )

  // A re-executed write: `undefined` when it certainly did not apply (write it), else the result.
  const reexecuted = (verify: Effect.Effect<Verify.Verification, HeroHealthError>) =>
    Effect.map(Effect.either(verify), (verified): Durable.WriteResult | undefined => {
      if (verified._tag === "Left") return new Durable.Unknown({ error: verified.left })
      const { evidence, reason } = verified.right
      if (evidence === "applied") return new Durable.AlreadyApplied({ reason })
      if (evidence === "unclear") return new Durable.Unclear({ reason })
      return undefined
    })

  const previewRecords = (main: PatientId, incoming: PatientId) =>
    Effect.map(client.previewPatientMerge(main, { incomingPatientId: incoming }), (p) => ({
      records: { mainPatient: p.mainPatient, incomingPatient: p.incomingPatient, resultPatient: p.resultPatient },
      token: p.mergeToken
    }))

  return {
    // The engine keeps the calls inside a stage: the stage itself needs no record.
    step: (_input, effect) => effect,
    call: (input, effect) => activity(nameOf(input.name), input.success, Durable.ClientError, effect),
    decision: (input, ask) => activity(nameOf(`decision:${input.key}`), Approver.ApprovalDecision, Schema.Never, ask),
    preview: (input) =>
      activity(
        nameOf(`preview:${input.main}:${input.incoming}`),
        Durable.Preview,
        Durable.ClientError,
        Effect.gen(function*() {
          const { records, token } = yield* previewRecords(input.main, input.incoming)
          tokens.put(executionId, pairKey(input.main, input.incoming), token, yield* Clock.currentTimeMillis)
          return records
        })
      ),
    connect: (input) => {
      const name = nameOf(`connect:${input.patientId}:${input.ehrPartnerId}`)
      return activity(
        name,
        Durable.WriteResult,
        Schema.Never,
        Effect.gen(function*() {
          if (!(yield* firstExecution(name))) {
            const known = yield* reexecuted(
              Effect.map(readOrMissing(input.patientId), (patient) =>
                patient === undefined
                  ? { evidence: "unclear" as const, reason: "patient-missing" }
                  : Verify.link(patient, input.ehrPartnerId))
            )
            if (known !== undefined) return known
          }
          const sent = yield* Effect.either(
            client.connectPatientEhr(input.patientId, { ehrPartnerId: input.ehrPartnerId })
          )
          return sent._tag === "Right" ? new Durable.Written() : classify(sent.left)
        })
      )
    },
    merge: (input) => {
      const name = nameOf(`merge:${input.main}:${input.incoming}`)
      const pair = pairKey(input.main, input.incoming)
      return activity(
        name,
        Durable.WriteResult,
        Schema.Never,
        Effect.gen(function*() {
          if (!(yield* firstExecution(name))) {
            const known = yield* reexecuted(Effect.gen(function*() {
              const main = yield* readOrMissing(input.main)
              const incoming = yield* readOrMissing(input.incoming)
              return Verify.merge({ main, incoming })
            }))
            if (known !== undefined) return known
          }
          // A new token, from a new preview that must show what was approved.
          const previewAgain = Effect.map(
            Effect.either(previewRecords(input.main, input.incoming)),
            (again): Either.Either<MergeToken, Durable.WriteResult> => {
              if (again._tag === "Left") return Either.left(new Durable.PreviewFailed({ error: again.left }))
              if (!samePreview(again.right.records, input.preview)) return Either.left(new Durable.PreviewChanged())
              return Either.right(again.right.token)
            }
          )
          const now = yield* Clock.currentTimeMillis
          const held = tokens.take(executionId, pair)
          // The preview's token, unless this process no longer holds it (a crash, another runner)
          // or it may have expired meanwhile (a long outage between preview and merge).
          let previewed = held === undefined || now - held.at >= deps.tokenMaxAgeMillis
          let token = previewed ? yield* previewAgain : Either.right(held!.token)
          while (true) {
            if (token._tag === "Left") return token.left
            const sent = yield* Effect.either(
              client.mergePatient(input.main, { mergeToken: token.right, incomingPatientId: input.incoming })
            )
            if (sent._tag === "Right") return new Durable.Written()
            const error = sent.left
            // Refused as expired or stale: nothing was merged; one new preview, if it shows the same.
            if (!previewed && error._tag === "Conflict" && error.code !== undefined && staleToken.has(error.code)) {
              previewed = true
              token = yield* previewAgain
              continue
            }
            return classify(error)
          }
        })
      )
    }
  }
}
