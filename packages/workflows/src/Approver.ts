/**
 * Who approves a merge. The pipeline asks the {@link Approver} service with everything that is
 * known about the pair (ids, value-free diff, score, guard result) and gets `Approved`,
 * `Rejected` or `Deferred` (a person must decide).
 *
 * @since 0.1.0
 */
import type { EhrPartnerId, PatientId } from "@hero-effect/schema"
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
  readonly mainPatientId: PatientId
  readonly incomingPatientId: PatientId
  readonly diff: MergeDiff.MergeDiff
  readonly score: Scoring.ScoreResult
  readonly guard: Guard.GuardResult
}

/**
 * A link to approve: the Hero patient, the EHR record, the score and the link rules' result.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkApprovalRequest {
  readonly kind: "link"
  readonly patientId: PatientId
  readonly ehrPartnerId: EhrPartnerId
  readonly score: Scoring.ScoreResult
  readonly guard: Guard.GuardResult
}

/**
 * What the approver is asked about: a merge or a link. Links go through the same approver as
 * merges — attaching a patient to someone else's GP record is as serious as a wrong merge.
 *
 * @since 0.1.0
 * @category models
 */
export type ApprovalRequest = MergeApprovalRequest | LinkApprovalRequest

/**
 * The merge may go ahead; `by` names who approved it.
 *
 * @since 0.1.0
 * @category decisions
 */
export class Approved extends Schema.TaggedClass<Approved>()("Approved", {
  by: Schema.String
}) {}

/**
 * The merge must not happen.
 *
 * @since 0.1.0
 * @category decisions
 */
export class Rejected extends Schema.TaggedClass<Rejected>()("Rejected", {
  by: Schema.String,
  reason: Schema.String
}) {}

/**
 * No decision yet: a person must decide.
 *
 * @since 0.1.0
 * @category decisions
 */
export class Deferred extends Schema.TaggedClass<Deferred>()("Deferred", {
  reason: Schema.String
}) {}

/**
 * @since 0.1.0
 * @category decisions
 */
export const ApprovalDecision = Schema.Union(Approved, Rejected, Deferred).annotations({
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
      Effect.catchAllDefect(() => Effect.succeed(new Deferred({ reason: "the approver failed" })))
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
    return new Deferred({
      reason: `guard asks for review: ${
        request.guard.findings.filter((f) => f.severity === "review").map((f) => f.code).join(", ")
      }`
    })
  }
  if (request.score.grade !== "match") {
    return new Deferred({ reason: `score grade is ${request.score.grade}, not match` })
  }
  return new Approved({ by: "automatic" })
})

/**
 * Defers every merge: a person must decide each one.
 *
 * @since 0.1.0
 * @category approvers
 */
export const alwaysAsk: Service = fromFunction(() => new Deferred({ reason: "a person must decide" }))

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
