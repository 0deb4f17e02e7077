/**
 * The durability seam of the pipeline: everything the pipeline does that must not be repeated
 * blindly after a crash goes through this one service — the Hero answers its decisions rest on
 * ({@link Service.call}), the approver's decisions ({@link Service.decision}), the preview and the
 * two writes ({@link Service.preview}, {@link Service.connect}, {@link Service.merge}) — and the
 * stages it reports ({@link Service.step}). The pipeline reads as its steps; where the record of
 * them lives is this service's business.
 *
 * Two implementations:
 *
 * - {@link makeJournal} (the default of `Pipeline.processPatient`, `connect`, `merge`): the JSON
 *   Lines `Journal` — the same entries as ever, a write's intent durable before it is sent; a
 *   resumed run verifies an unknown write instead of repeating it (`Pipeline.processPatient`).
 * - `ProcessPatient` (a durable workflow): every call, decision and write is an `Activity` of
 *   `@effect/workflow`, replayed from the engine's storage after a crash. Activities run at least
 *   once, so a write re-executed after a crash first establishes whether it already applied.
 *
 * Neither implementation decides anything: the identity decisions stay pure functions the
 * pipeline calls.
 *
 * @since 0.2.0
 */
import type { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import {
  Conflict,
  Forbidden,
  type HeroHealthError,
  InvalidInput,
  InvalidRequest,
  NetworkError,
  PatientNotFound,
  RateLimited,
  ServerError,
  Timeout,
  Unauthorised,
  UnexpectedResponse
} from "@hero-effect/client/HeroHealthError"
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import { PatientV1 } from "@hero-effect/schema/Patient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Approver from "./Approver.js"
import * as internal from "./internal/durable.js"
import type * as Journal from "./Journal.js"
import type * as Step from "./Step.js"

/**
 * Every failure of the Hero client, as a schema (what a call's stored failure decodes with).
 *
 * @since 0.2.0
 * @category schemas
 */
export const ClientError: Schema.Schema<HeroHealthError, any> = Schema.Union(
  InvalidInput,
  InvalidRequest,
  Unauthorised,
  Forbidden,
  PatientNotFound,
  Conflict,
  RateLimited,
  ServerError,
  NetworkError,
  Timeout,
  UnexpectedResponse
)

/**
 * Where the pipeline stands, for the record: the run, the patient being processed, the step and
 * its journal key (see `Step.key`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StepInput {
  readonly runId: string
  readonly patientId: PatientId
  readonly step: Step.Step
  readonly key: string
}

/**
 * How a stage ended, for the journal.
 *
 * @since 0.2.0
 * @category models
 */
export interface Finish {
  readonly outcome: Journal.StepOutcome
  readonly details?: Journal.Details | undefined
}

/**
 * A stage: its place, whether its start is recorded (default `true`; a verification records only
 * its end), and what its end records (nothing when `finish` returns `undefined`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StageInput<A, E> extends StepInput {
  readonly started?: boolean | undefined
  readonly finish: (result: Either.Either<A, E>) => Finish | undefined
}

/**
 * A Hero answer the decisions rest on: its name (ids and a kind only, never patient values —
 * engines use it in span names and storage keys) and the schema of its value.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallInput<A, I> {
  readonly name: string
  readonly success: Schema.Schema<A, I>
}

/**
 * A decision to ask and record.
 *
 * @since 0.2.0
 * @category models
 */
export interface DecisionInput {
  readonly runId: string
  readonly patientId: PatientId
  /** The journal key of the write decided about (`connect:…`, `merge:…`). */
  readonly key: string
  readonly request: Approver.ApprovalRequest
}

/**
 * A link to write.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConnectInput {
  readonly runId: string
  readonly patientId: PatientId
  readonly ehrPartnerId: EhrPartnerId
}

/**
 * A merge pair, for the preview and the merge: `incoming` into `main`, while processing
 * `patientId`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PairInput {
  readonly runId: string
  readonly patientId: PatientId
  readonly main: PatientId
  readonly incoming: PatientId
}

/**
 * What a preview showed: the two records and what the main one becomes. The merge token is not
 * here: it stays inside the implementation (never journaled, never stored) until the merge.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Preview = Schema.Struct({
  mainPatient: PatientV1,
  incomingPatient: PatientV1,
  resultPatient: PatientV1
})

/**
 * @since 0.2.0
 * @category models
 */
export interface Preview extends Schema.Schema.Type<typeof Preview> {}

/**
 * The server confirmed the write.
 *
 * @since 0.2.0
 * @category write results
 */
export class Written extends Schema.TaggedClass<Written>()("Written", {}) {}

/**
 * The write was re-executed (at least once) after a crash, and the records show it had applied:
 * nothing was sent again.
 *
 * @since 0.2.0
 * @category write results
 */
export class AlreadyApplied extends Schema.TaggedClass<AlreadyApplied>()("AlreadyApplied", {
  reason: Schema.String
}) {}

/**
 * The write certainly did not apply: the server refused it (a `Conflict` and its code) or failed
 * in a way that leaves nothing applied.
 *
 * @since 0.2.0
 * @category write results
 */
export class NotWritten extends Schema.TaggedClass<NotWritten>()("NotWritten", {
  error: ClientError
}) {}

/**
 * The write may or may not have applied (a lost response, a timeout): verify before anything
 * else.
 *
 * @since 0.2.0
 * @category write results
 */
export class Unknown extends Schema.TaggedClass<Unknown>()("Unknown", {
  error: ClientError
}) {}

/**
 * The write was re-executed after a crash and the records do not tell whether it applied
 * (`reason` is a `Verify` reason code): a person must look; nothing was sent again.
 *
 * @since 0.2.0
 * @category write results
 */
export class Unclear extends Schema.TaggedClass<Unclear>()("Unclear", {
  reason: Schema.String
}) {}

/**
 * A merge needed a new preview (its token was gone, too old, or refused as expired or stale) and
 * the preview failed: nothing was merged.
 *
 * @since 0.2.0
 * @category write results
 */
export class PreviewFailed extends Schema.TaggedClass<PreviewFailed>()("PreviewFailed", {
  error: ClientError
}) {}

/**
 * A merge needed a new preview and it differs from the one that was approved: nothing was merged
 * (the approval was for other records).
 *
 * @since 0.2.0
 * @category write results
 */
export class PreviewChanged extends Schema.TaggedClass<PreviewChanged>()("PreviewChanged", {}) {}

/**
 * What a write did.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteResult = Schema.Union(
  Written,
  AlreadyApplied,
  NotWritten,
  Unknown,
  Unclear,
  PreviewFailed,
  PreviewChanged
)

/**
 * @since 0.2.0
 * @category models
 */
export type WriteResult = typeof WriteResult.Type

/**
 * The seam.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * A stage of the pipeline, for the record: the journal has its start before it runs and its
   * end as `finish` says; an engine records nothing (the calls inside are what it keeps).
   */
  readonly step: <A, E, R>(input: StageInput<A, E>, effect: Effect.Effect<A, E, R>) => Effect.Effect<
    A,
    E | Journal.JournalError,
    R
  >
  /**
   * A Hero answer the decisions rest on (a read, a search). The journal does not keep it; an
   * engine does, and gives the same answer back when the workflow is replayed.
   */
  readonly call: <A, I, R>(
    input: CallInput<A, I>,
    effect: Effect.Effect<A, HeroHealthError, R>
  ) => Effect.Effect<A, HeroHealthError, R>
  /** Asks for a decision and records it: a person's decision is never asked twice by an engine. */
  readonly decision: <R>(
    input: DecisionInput,
    ask: Effect.Effect<Approver.ApprovalDecision, never, R>
  ) => Effect.Effect<Approver.ApprovalDecision, Journal.JournalError, R>
  /** Previews a merge; the token stays inside, for {@link Service.merge}. */
  readonly preview: (input: PairInput) => Effect.Effect<Preview, HeroHealthError | Journal.JournalError>
  /** Links the patient to the EHR record, at most once. */
  readonly connect: (input: ConnectInput) => Effect.Effect<WriteResult, Journal.JournalError>
  /** Merges the pair with the token of its {@link Service.preview} (`preview` is what it showed), at most once. */
  readonly merge: (input: PairInput & { readonly preview: Preview }) => Effect.Effect<
    WriteResult,
    Journal.JournalError
  >
}

/**
 * The seam's tag.
 *
 * @since 0.2.0
 * @category tags
 */
export class Durable extends Context.Tag("@hero-effect/workflows/Durable")<Durable, Service>() {}

/**
 * The seam over the `Journal` in context, with the client in context: `StepStarted` before a
 * stage or write, `StepFinished` after, `Decision` entries — the pipeline's journal as it always
 * was. Merge tokens live in this value's memory only; make one per patient's processing.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeJournal: Effect.Effect<Service, never, Journal.Journal | HeroHealthClient> = Effect.suspend(
  // The implementation imports this module's classes: read it when used, not while loading.
  () => internal.makeJournal
)

/**
 * {@link makeJournal} as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerJournal: Layer.Layer<Durable, never, Journal.Journal | HeroHealthClient> = Layer.effect(
  Durable,
  makeJournal
)

/**
 * The schema of a read patient (`undefined` when it was not found).
 *
 * @since 0.2.0
 * @category schemas
 */
export const PatientOrMissing = Schema.UndefinedOr(PatientV1)
