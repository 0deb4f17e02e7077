import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { type HeroHealthError, isOutcomeUnknown } from "@hero-effect/client/HeroHealthError"
import type { MergeToken } from "@hero-effect/schema/MergeToken"
import * as Effect from "effect/Effect"
import * as Durable from "../Durable.js"
import * as Journal from "../Journal.js"
import * as Step from "../Step.js"

/**
 * How a write's failure is journaled and what it means: a `Conflict` or any failure that leaves
 * nothing applied is `NotWritten`; a lost response or a timeout is `Unknown`.
 * @internal
 */
export const classify = (error: HeroHealthError): Durable.WriteResult =>
  error._tag === "Conflict" || !isOutcomeUnknown(error)
    ? new Durable.NotWritten({ error })
    : new Durable.Unknown({ error })

/** @internal */
export const pairKey = (main: string, incoming: string): string => `${main}:${incoming}`

/**
 * The seam over the journal: the entries the pipeline always wrote, in the same order.
 * @internal
 */
export const makeJournal: Effect.Effect<Durable.Service, never, Journal.Journal | HeroHealthClient> = Effect.gen(
  function*() {
    const journal = yield* Journal.Journal
    const client = yield* HeroHealthClient
    // Tokens never leave this value: the journal records only that one was obtained.
    const tokens = new Map<string, MergeToken>()
    const withJournal = Effect.provideService(Journal.Journal, journal)

    const service: Durable.Service = {
      step: (input, effect) =>
        Effect.gen(function*() {
          const base = { runId: input.runId, patientId: input.patientId, step: input.step, key: input.key }
          if (input.started !== false) yield* withJournal(Journal.stepStarted(base))
          const result = yield* Effect.either(effect)
          const finish = input.finish(result)
          if (finish !== undefined) yield* withJournal(Journal.stepFinished({ ...base, ...finish }))
          return yield* result
        }),
      call: (_input, effect) => effect,
      decision: (input, ask) =>
        Effect.gen(function*() {
          const decision = yield* ask
          yield* withJournal(Journal.decision({ ...input, decision }))
          return decision
        }),
      preview: (input) =>
        Effect.gen(function*() {
          const base = {
            runId: input.runId,
            patientId: input.patientId,
            step: "preview" as const,
            key: Step.key("preview", input.main, input.incoming)
          }
          yield* withJournal(Journal.stepStarted(base))
          const result = yield* Effect.either(
            client.previewPatientMerge(input.main, { incomingPatientId: input.incoming })
          )
          if (result._tag === "Left") {
            yield* withJournal(
              Journal.stepFinished({ ...base, outcome: "failed", details: { error: result.left._tag } })
            )
            return yield* Effect.fail(result.left)
          }
          yield* withJournal(Journal.stepFinished({ ...base, outcome: "succeeded", details: { tokenObtained: true } }))
          tokens.set(pairKey(input.main, input.incoming), result.right.mergeToken)
          const { incomingPatient, mainPatient, resultPatient } = result.right
          return { mainPatient, incomingPatient, resultPatient }
        }),
      connect: (input) =>
        Effect.gen(function*() {
          const base = {
            runId: input.runId,
            patientId: input.patientId,
            step: "connect" as const,
            key: Step.key("connect", input.patientId, input.ehrPartnerId)
          }
          yield* withJournal(Journal.stepStarted(base))
          const sent = yield* Effect.either(
            client.connectPatientEhr(input.patientId, { ehrPartnerId: input.ehrPartnerId })
          )
          if (sent._tag === "Right") {
            yield* withJournal(Journal.stepFinished({ ...base, outcome: "succeeded" }))
            return new Durable.Written()
          }
          const error = sent.left
          const result = classify(error)
          yield* withJournal(Journal.stepFinished({
            ...base,
            outcome: result._tag === "Unknown" ? "unknown" : "failed",
            details: error._tag === "Conflict" ? { code: error.code ?? "conflict" } : { error: error._tag }
          }))
          return result
        }),
      merge: (input) =>
        Effect.gen(function*() {
          const base = {
            runId: input.runId,
            patientId: input.patientId,
            step: "merge" as const,
            key: Step.key("merge", input.main, input.incoming)
          }
          const token = tokens.get(pairKey(input.main, input.incoming))
          if (token === undefined) return yield* Effect.dieMessage("a merge without a preview")
          yield* withJournal(Journal.stepStarted(base))
          const sent = yield* Effect.either(
            client.mergePatient(input.main, { mergeToken: token, incomingPatientId: input.incoming })
          )
          if (sent._tag === "Right") {
            // The server said the merge was done: no read-back (it could not undo that, and no
            // decision waits on it).
            yield* withJournal(Journal.stepFinished({ ...base, outcome: "succeeded" }))
            return new Durable.Written()
          }
          const result = classify(sent.left)
          yield* withJournal(Journal.stepFinished({
            ...base,
            outcome: result._tag === "Unknown" ? "unknown" : "failed",
            details: { error: sent.left._tag }
          }))
          return result
        }).pipe(Effect.ensuring(Effect.sync(() => tokens.delete(pairKey(input.main, input.incoming)))))
    }
    return service
  }
)
