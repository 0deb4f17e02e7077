/**
 * Who approves a merge. The pipeline asks the {@link Approver} service with everything that is
 * known about the pair (ids, value-free diff, score, guard result) and gets `Approved`,
 * `Rejected` or `Undecided` (a person must decide; its `_tag` is `"Deferred"`).
 *
 * @since 0.1.0
 */
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Guard from "./Guard.js"
import type * as MergeDiff from "./MergeDiff.js"
import type * as Scoring from "./Scoring.js"

/**
 * A merge to approve: main (stays) and incoming, the diff, score and guard result.
 *
 * @since 0.1.0
 * @category models
 */
export interface MergeApprovalRequest {
  readonly kind?: "merge" | undefined
  /** The run asking (for the review queue's record). */
  readonly runId?: string | undefined
  readonly mainPatientId: PatientId
  readonly incomingPatientId: PatientId
  readonly diff: MergeDiff.MergeDiff
  readonly score: Scoring.ScoreResult
  readonly guard: Guard.GuardResult
  /**
   * The previewed records the decision is about — for an approver that shows them to a person
   * (`ReviewQueue.approver`). Patient data: an approver must not log them.
   */
  readonly records?: {
    readonly main: PatientV1
    readonly incoming: PatientV1
    readonly result: PatientV1
  } | undefined
}

/**
 * A link to approve: the Hero patient, the EHR record, the score and the link rules' result.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkApprovalRequest {
  readonly kind: "link"
  /** The run asking (for the review queue's record). */
  readonly runId?: string | undefined
  readonly patientId: PatientId
  readonly ehrPartnerId: EhrPartnerId
  readonly score: Scoring.ScoreResult
  readonly guard: Guard.GuardResult
  /**
   * The patient and the EHR candidate's record the decision is about — for an approver that shows
   * them to a person (`ReviewQueue.approver`). Patient data: an approver must not log them.
   */
  readonly records?: {
    readonly patient: PatientV1
    readonly candidate: PatientV2
  } | undefined
}

/**
 * What the approver is asked about: a merge or a link. Links go through the same approver as
 * merges — attaching a patient to someone else's GP record is as serious as a wrong merge.
 *
 * @since 0.1.0
 * @category models
 */
export type ApprovalRequest = MergeApprovalRequest | LinkApprovalRequest

// The review item a decision came from (or waits on), when a person decides through the
// `ReviewQueue`. Optional: decisions stored before reviews existed decode unchanged.
const reviewId = Schema.optionalWith(Schema.String, { exact: true })

/**
 * The write may go ahead; `by` names who approved it (`reviewId`: the review item, when a person
 * approved it through the `ReviewQueue`).
 *
 * @since 0.1.0
 * @category decisions
 */
export class Approved extends Schema.TaggedClass<Approved>()("Approved", {
  by: Schema.String,
  reviewId
}) {}

/**
 * The write must not happen (`reviewId`: the review item, when a person rejected it).
 *
 * @since 0.1.0
 * @category decisions
 */
export class Rejected extends Schema.TaggedClass<Rejected>()("Rejected", {
  by: Schema.String,
  reason: Schema.String,
  reviewId
}) {}

/**
 * No decision yet: a person must decide (`reviewId`: the review item waiting for them, when the
 * decision went to the `ReviewQueue`).
 *
 * Its `_tag` stays `"Deferred"` (the class's name before 0.2.0): decisions are persisted with
 * it — the durable engine stores each decision activity's result encoded with
 * {@link ApprovalDecision}, and replays decode it — and the pipeline, the review queue and the
 * journal's `decision: "deferred"` entries recognise the tag. A new tag would make stored
 * decisions undecodable.
 *
 * @since 0.2.0
 * @category decisions
 */
export class Undecided extends Schema.TaggedClass<Undecided>()("Deferred", {
  reason: Schema.String,
  reviewId
}) {}

/**
 * @since 0.1.0
 * @category decisions
 * @deprecated Use {@link Undecided} (the same class; `Deferred` shadowed `effect/Deferred`).
 */
export const Deferred = Undecided

/**
 * @since 0.1.0
 * @category decisions
 * @deprecated Use {@link Undecided}.
 */
export type Deferred = Undecided

/**
 * @since 0.1.0
 * @category decisions
 */
export const ApprovalDecision = Schema.Union(Approved, Rejected, Undecided).annotations({
  identifier: "ApprovalDecision"
})

/**
 * @since 0.1.0
 * @category decisions
 */
export type ApprovalDecision = typeof ApprovalDecision.Type

/**
 * The approver's interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly decide: (request: ApprovalRequest) => Effect.Effect<ApprovalDecision>
}

/**
 * The approver service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Approver extends Context.Tag("@hero-effect/workflows/Approver")<Approver, Service>() {}

/**
 * An approver from a function (synchronous or effectful). A function that throws or dies
 * defers the decision instead (fail safe).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFunction = (
  f: (request: ApprovalRequest) => ApprovalDecision | Effect.Effect<ApprovalDecision>
): Service => ({
  decide: (request) =>
    Effect.suspend(() => {
      const out = f(request)
      return Effect.isEffect(out) ? out : Effect.succeed(out)
    }).pipe(
      Effect.catchAllDefect(() => Effect.succeed(new Undecided({ reason: "the approver failed" })))
    )
})

/**
 * Approves only when the score grades `match` and the guard is `clear`; rejects when the guard
 * refuses; defers everything else to a person.
 *
 * @since 0.1.0
 * @category approvers
 */
export const automatic: Service = fromFunction((request): ApprovalDecision => {
  if (request.guard.verdict === "refuse") {
    return new Rejected({
      by: "automatic",
      reason: `guard refused: ${
        request.guard.findings.filter((f) => f.severity === "refuse").map((f) => f.code).join(", ")
      }`
    })
  }
  if (request.guard.verdict === "review") {
    return new Undecided({
      reason: `guard asks for review: ${
        request.guard.findings.filter((f) => f.severity === "review").map((f) => f.code).join(", ")
      }`
    })
  }
  if (request.score.grade !== "match") {
    return new Undecided({ reason: `score grade is ${request.score.grade}, not match` })
  }
  return new Approved({ by: "automatic" })
})

/**
 * Defers every merge: a person must decide each one.
 *
 * @since 0.1.0
 * @category approvers
 */
export const alwaysAsk: Service = fromFunction(() => new Undecided({ reason: "a person must decide" }))

/**
 * Rejects every merge (a dry run: everything up to the decision happens, no merge does).
 *
 * @since 0.1.0
 * @category approvers
 */
export const denyAll: Service = fromFunction(() => new Rejected({ by: "dry-run", reason: "dry-run" }))

/**
 * A layer with the given approver.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (service: Service): Layer.Layer<Approver> => Layer.succeed(Approver, service)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerAutomatic: Layer.Layer<Approver> = layer(automatic)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerAlwaysAsk: Layer.Layer<Approver> = layer(alwaysAsk)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerDenyAll: Layer.Layer<Approver> = layer(denyAll)

/**
 * Asks the approver in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const decide = (request: ApprovalRequest): Effect.Effect<ApprovalDecision, never, Approver> =>
  Effect.flatMap(Approver, (approver) => approver.decide(request))
