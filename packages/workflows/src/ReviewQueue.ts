/**
 * People in the loop: the queue of links and merges the rules send to a person, and their
 * decisions.
 *
 * Every decision the approver defers becomes a pending {@link ReviewItem}: the kind, the Hero and
 * EHR ids, the rule codes, score and grade, and the differing fields (names and change kinds, no
 * values). The records themselves — what a reviewer compares side by side — are kept apart as
 * the item's {@link ReviewEvidence}, read only through {@link Service.evidence} (an authorised
 * reviewer's view). A person approves, rejects (with a {@link RejectReason} and a note) or
 * defers; every decision records who and when.
 *
 * - **Resuming the waiting work.** {@link approver} wraps an approver: a pair a person approved
 *   is `Approved` (with the item's id), one rejected is `Rejected`, one still open is `Undecided`.
 *   The durable workflow (`ProcessPatient`) with a queue in context does not end on a pending
 *   item: it waits on a `DurableDeferred` that {@link layerResumer} completes once a person has
 *   decided, then runs the patient's pipeline again — fresh reads, a fresh preview (a new merge
 *   token), the guard again (a refusal still wins) — and the write, journaled and verified as
 *   any write. The journal pipeline ends with `NeedsReview` (and the item's id); the next run
 *   finds the decision.
 * - **The same records, the same question.** An item is keyed by its pair and a fingerprint of
 *   the records it shows (SHA-256 of their API form). A rejected pair is not proposed again while
 *   its records stay the same; once they change, a new item is proposed and the older open one
 *   is `superseded`. An approval applies only to the records it was given.
 * - **Storage**: {@link layerMemory} (tests), {@link layerSql} (the workflows' SQLite file or
 *   PostgreSQL: tables `hero_review_items` and `hero_review_waiters`). The evidence is patient
 *   data: protect the database as such; decided items can be purged with {@link Service.purge}.
 *
 * @example
 * ```ts
 * import { Approver, ReviewQueue } from "@hero-effect/workflows"
 * import { Effect, Layer } from "effect"
 *
 * // The automatic approver, with the cases it defers sent to people.
 * const approvals = ReviewQueue.layerApprover(Approver.automatic).pipe(
 *   Layer.provideMerge(ReviewQueue.layerMemory)
 * )
 *
 * const pending = Effect.gen(function*() {
 *   const queue = yield* ReviewQueue.ReviewQueue
 *   const page = yield* queue.list({ status: ["pending"], limit: 20 })
 *   return page.items.map((item) => `${item.kind} ${item.id} ${item.codes.join(",")}`)
 * })
 * ```
 *
 * @since 0.3.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Approver from "./Approver.js"
import * as internal from "./internal/reviewQueue.js"
import * as Scoring from "./Scoring.js"

/**
 * What a review item is about: a link (a Hero patient to an EHR record) or a merge.
 *
 * @since 0.3.0
 * @category models
 */
export const ReviewItemKind = Schema.Literal("link", "merge")

/**
 * @since 0.3.0
 * @category models
 */
export type ReviewItemKind = typeof ReviewItemKind.Type

/**
 * Where an item stands: `pending` (nobody has looked), `deferred` (a person looked and put it
 * off: still open), `approved`, `rejected` (final), `superseded` (the records changed; a newer
 * item asks about them).
 *
 * @since 0.3.0
 * @category models
 */
export const ReviewStatus = Schema.Literal("pending", "deferred", "approved", "rejected", "superseded")

/**
 * @since 0.3.0
 * @category models
 */
export type ReviewStatus = typeof ReviewStatus.Type

/**
 * Why a person rejected a pair (a code: free text goes in the note).
 *
 * - `different-people`: two people (twins, namesakes, a common name).
 * - `related-people`: relatives (a parent and child with one name, siblings at one address).
 * - `wrong-record`: one record carries someone else's identifier (a miskeyed NHS number).
 * - `placeholder-identity`: a placeholder or test identity, not a person.
 * - `insufficient-evidence`: cannot tell from what is shown.
 * - `other`: see the note.
 *
 * @since 0.3.0
 * @category models
 */
export const RejectReason = Schema.Literal(
  "different-people",
  "related-people",
  "wrong-record",
  "placeholder-identity",
  "insufficient-evidence",
  "other"
)

/**
 * @since 0.3.0
 * @category models
 */
export type RejectReason = typeof RejectReason.Type

/**
 * A person's decision as recorded: what, who, when (ISO 8601), and for a rejection or deferral
 * the reason code and note.
 *
 * @since 0.3.0
 * @category models
 */
export class ReviewDecision extends Schema.Class<ReviewDecision>("ReviewDecision")({
  decision: Schema.Literal("approve", "reject", "defer"),
  by: Schema.String,
  at: Schema.String,
  reason: Schema.optionalWith(RejectReason, { exact: true }),
  note: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A field that differs between the two records: its name and how (`changed`, `gained`, `lost`
 * for a merge — what the main record would become; `differs` for a link). No values.
 *
 * @since 0.3.0
 * @category models
 */
export const FieldChange = Schema.Struct({
  field: Schema.String,
  change: Schema.String
})

/**
 * @since 0.3.0
 * @category models
 */
export interface FieldChange extends Schema.Schema.Type<typeof FieldChange> {}

/**
 * A pending (or decided) review: everything a list shows, and no patient values — ids, codes,
 * score, grade, differing field names. `fingerprint` identifies the records it is about.
 *
 * @since 0.3.0
 * @category models
 */
export class ReviewItem extends Schema.Class<ReviewItem>("ReviewItem")({
  id: Schema.String,
  kind: ReviewItemKind,
  /** The write decided about: `merge:<main>:<incoming>` or `connect:<patient>:<ehrPartnerId>`. */
  pairKey: Schema.String,
  fingerprint: Schema.String,
  /** The run that first proposed it, and the patient whose processing did. */
  runId: Schema.String,
  patientId: PatientId,
  mainPatientId: Schema.optionalWith(PatientId, { exact: true }),
  incomingPatientId: Schema.optionalWith(PatientId, { exact: true }),
  ehrPartnerId: Schema.optionalWith(EhrPartnerId, { exact: true }),
  codes: Schema.Array(Schema.String),
  score: Schema.Number,
  grade: Scoring.Grade,
  fields: Schema.Array(FieldChange),
  /** Why the approver sent it to a person (codes and grades only). */
  reason: Schema.String,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  status: ReviewStatus,
  decision: Schema.optionalWith(ReviewDecision, { exact: true })
}) {}

/**
 * The records a reviewer compares (patient data — the authorised view only): for a merge the two
 * records and what the main one becomes, for a link the Hero patient and the EHR candidate.
 *
 * @since 0.3.0
 * @category models
 */
export const ReviewEvidence = Schema.Union(
  Schema.TaggedStruct("MergeEvidence", { main: PatientV1, incoming: PatientV1, result: PatientV1 }),
  Schema.TaggedStruct("LinkEvidence", { patient: PatientV1, candidate: PatientV2 })
).annotations({ identifier: "ReviewEvidence" })

/**
 * @since 0.3.0
 * @category models
 */
export type ReviewEvidence = typeof ReviewEvidence.Type

/**
 * What a person decides: approve, reject (a reason code and an optional note), or defer (stays
 * open).
 *
 * @since 0.3.0
 * @category models
 */
export const Decision = Schema.Union(
  Schema.TaggedStruct("Approve", { note: Schema.optionalWith(Schema.String, { exact: true }) }),
  Schema.TaggedStruct("Reject", {
    reason: RejectReason,
    note: Schema.optionalWith(Schema.String, { exact: true })
  }),
  Schema.TaggedStruct("Defer", { note: Schema.optionalWith(Schema.String, { exact: true }) })
).annotations({ identifier: "ReviewDecisionInput" })

/**
 * @since 0.3.0
 * @category models
 */
export type Decision = typeof Decision.Type

/**
 * A filter and a page of {@link Service.list}: statuses (default the open ones, `pending` and
 * `deferred`), kind, run, and where the previous page ended.
 *
 * @since 0.3.0
 * @category models
 */
export interface ListQuery {
  readonly status?: ReadonlyArray<ReviewStatus> | undefined
  readonly kind?: ReviewItemKind | undefined
  readonly runId?: string | undefined
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined
  /** Items per page, 1 to 100 (default 50). */
  readonly limit?: number | undefined
}

/**
 * A page of items, oldest first; `nextCursor` when there are more.
 *
 * @since 0.3.0
 * @category models
 */
export interface ListPage {
  readonly items: ReadonlyArray<ReviewItem>
  readonly nextCursor?: string | undefined
}

/**
 * A proposal: what the approver was asked and why it deferred.
 *
 * @since 0.3.0
 * @category models
 */
export interface Proposal {
  readonly runId: string
  readonly patientId: PatientId
  readonly request: Approver.ApprovalRequest
  readonly reason: string
}

/**
 * A waiting workflow to resume: the item it waits on and its deferred's token.
 *
 * @since 0.3.0
 * @category models
 */
export interface Waiter {
  readonly itemId: string
  readonly token: string
}

/**
 * No item has this id.
 *
 * @since 0.3.0
 * @category errors
 */
export class ReviewNotFound extends Schema.TaggedError<ReviewNotFound>()("ReviewNotFound", {
  id: Schema.String
}) {
  override get message() {
    return `no review item ${this.id}`
  }
}

/**
 * The item is no longer open (approved, rejected or superseded): a decision stands.
 *
 * @since 0.3.0
 * @category errors
 */
export class ReviewClosed extends Schema.TaggedError<ReviewClosed>()("ReviewClosed", {
  id: Schema.String,
  status: ReviewStatus
}) {
  override get message() {
    return `review item ${this.id} is ${this.status}: it cannot be decided again`
  }
}

/**
 * The request cannot be a review: no records to show (an approver asked without them), or an
 * invalid decision (a note over 2,000 characters, a reviewer name that is empty).
 *
 * @since 0.3.0
 * @category errors
 */
export class ReviewInvalid extends Schema.TaggedError<ReviewInvalid>()("ReviewInvalid", {
  reason: Schema.String
}) {
  override get message() {
    return `invalid review request: ${this.reason}`
  }
}

/**
 * The queue's storage failed (the message names the operation, never the data).
 *
 * @since 0.3.0
 * @category errors
 */
export class ReviewStorageError extends Schema.TaggedError<ReviewStorageError>()("ReviewStorageError", {
  operation: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message() {
    return `review queue storage failed during ${this.operation}`
  }
}

/**
 * @since 0.3.0
 * @category models
 */
export interface Service {
  /**
   * Records a proposal and returns its item: the open item of the same pair and records if there
   * is one (proposing is idempotent), else a new pending item — superseding the pair's open items
   * about other records. An `approved` or `rejected` item of the same records is returned as it
   * is (the decision stands).
   */
  readonly propose: (proposal: Proposal) => Effect.Effect<ReviewItem, ReviewInvalid | ReviewStorageError>
  /** The latest item of a pair about these records (see {@link fingerprint}). */
  readonly find: (
    pairKey: string,
    fingerprint: string
  ) => Effect.Effect<Option.Option<ReviewItem>, ReviewStorageError>
  readonly get: (id: string) => Effect.Effect<ReviewItem, ReviewNotFound | ReviewStorageError>
  /** The records of the item: patient data, for an authorised reviewer only. */
  readonly evidence: (id: string) => Effect.Effect<ReviewEvidence, ReviewNotFound | ReviewStorageError>
  readonly list: (query?: ListQuery) => Effect.Effect<ListPage, ReviewInvalid | ReviewStorageError>
  /** How many items are in each status. */
  readonly counts: Effect.Effect<Readonly<Record<ReviewStatus, number>>, ReviewStorageError>
  /**
   * Records a person's decision (`by`: who; the time is the `Clock`'s). Approve and reject close
   * the item and wake what waits on it; defer keeps it open.
   */
  readonly decide: (
    id: string,
    decision: Decision,
    by: string
  ) => Effect.Effect<ReviewItem, ReviewNotFound | ReviewClosed | ReviewInvalid | ReviewStorageError>
  /**
   * Registers a waiting workflow: `"waiting"` when the item is open (the waiter is woken once it
   * closes), `"closed"` when it already is (nothing to wait for).
   */
  readonly wait: (waiter: Waiter) => Effect.Effect<"waiting" | "closed", ReviewNotFound | ReviewStorageError>
  /** Waiters whose item has closed and who have not been woken yet, oldest first. */
  readonly toWake: Effect.Effect<ReadonlyArray<Waiter>, ReviewStorageError>
  /** Marks a waiter woken. */
  readonly woken: (token: string) => Effect.Effect<void, ReviewStorageError>
  /** Completes when a decision closes an item in this process (what {@link layerResumer} waits on). */
  readonly closedSignal: Effect.Effect<void>
  /** Deletes closed items (and their evidence) last updated before `beforeMillis`; returns how many. */
  readonly purge: (beforeMillis: number) => Effect.Effect<number, ReviewStorageError>
}

/**
 * @since 0.3.0
 * @category tags
 */
export class ReviewQueue extends Context.Tag("@hero-effect/workflows/ReviewQueue")<ReviewQueue, Service>() {}

/**
 * The fingerprint of the records a request is about: SHA-256 (hex) of their API form. The same
 * records give the same fingerprint; any change to either gives another.
 *
 * @since 0.3.0
 * @category fingerprints
 */
export const fingerprint: (request: Approver.ApprovalRequest) => string | undefined = internal.fingerprint

/**
 * The key of the write a request decides about (`merge:<main>:<incoming>`,
 * `connect:<patient>:<ehrPartnerId>`).
 *
 * @since 0.3.0
 * @category fingerprints
 */
export const pairKey: (request: Approver.ApprovalRequest) => string = internal.pairKey

/**
 * A queue in memory (for tests and one-off runs).
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = internal.makeMemory

/**
 * A queue in SQL tables beside the workflow engine's (`hero_review_items`, `hero_review_waiters`),
 * created if missing; the same statements on SQLite and PostgreSQL.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeSql: Effect.Effect<Service, SqlError, SqlClient.SqlClient> = internal.makeSql

/**
 * @since 0.3.0
 * @category layers
 */
export const layerMemory: Layer.Layer<ReviewQueue> = Layer.effect(ReviewQueue, makeMemory)

/**
 * @since 0.3.0
 * @category layers
 */
export const layerSql: Layer.Layer<ReviewQueue, SqlError, SqlClient.SqlClient> = Layer.effect(ReviewQueue, makeSql)

/**
 * An approver that lets people decide what `inner` defers: a pair with an approved item about the
 * same records is `Approved` (by the reviewer), a rejected one `Rejected`, an open one `Undecided`;
 * otherwise `inner` decides, and what it defers is proposed to the queue (`Undecided` with the
 * item's id). A request without records goes to `inner` alone. A queue that fails defers (fail
 * safe; logged by code only).
 *
 * @since 0.3.0
 * @category approvers
 */
export const approver: (queue: Service, inner: Approver.Service) => Approver.Service = internal.approver

/**
 * {@link approver} over the queue in context.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerApprover = (inner: Approver.Service): Layer.Layer<Approver.Approver, never, ReviewQueue> =>
  Layer.effect(Approver.Approver, Effect.map(ReviewQueue, (queue) => approver(queue, inner)))

/**
 * Options of {@link layerResumer}.
 *
 * @since 0.3.0
 * @category models
 */
export interface ResumerOptions {
  /**
   * How often to look for decisions taken elsewhere (another process, the CLI) whose workflows
   * wait here (default 2 seconds). Decisions taken in this process wake at once.
   */
  readonly pollInterval?: Duration.DurationInput | undefined
}

/**
 * Wakes the workflows waiting on items a person closed: for each, completes its `DurableDeferred`
 * through the engine (idempotent: a second completion is ignored), then marks it woken. Runs in
 * every engine process: after a crash between a decision and the wake-up, the next start wakes
 * what was left.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerResumer = (
  options: ResumerOptions = {}
): Layer.Layer<never, never, ReviewQueue | WorkflowEngine> =>
  Layer.scopedDiscard(Effect.flatMap(ReviewQueue, (queue) => internal.resumer(queue, options)))

/**
 * Inside a workflow: waits until the item closes (a person approved or rejected it, or newer
 * records superseded it) on a `DurableDeferred` woken by {@link layerResumer} — `true` then, or
 * at once if it is already closed. `false` when the queue could not register the wait (the
 * workflow should end with its review outcome rather than hang). `occurrence` numbers the waits
 * of one execution.
 *
 * @since 0.3.0
 * @category workflows
 */
export const awaitDecision: (
  queue: Service,
  itemId: string,
  occurrence: number
) => Effect.Effect<boolean, never, WorkflowEngine | WorkflowInstance> = internal.awaitDecision
