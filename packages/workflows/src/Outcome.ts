/**
 * What the pipeline did for one patient: one serialisable tagged union for reports and the
 * journal.
 *
 * @since 0.1.0
 */
import type { HeroHealthError } from "@hero-effect/client/HeroHealthError"
import { isOutcomeUnknown } from "@hero-effect/client/HeroHealthError"
import type { PatientId } from "@hero-effect/schema/Ids"
import { EhrPartnerId, ReceivedPatientId } from "@hero-effect/schema/Ids"
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Scoring from "./Scoring.js"
import { Step } from "./Step.js"

// Ids use the lenient `ReceivedPatientId` (any string, branded): an outcome must be recordable for
// every id the API handed out, and its constructor must never throw on one.

/**
 * The patient was linked to an EHR record.
 *
 * @since 0.1.0
 * @category models
 */
export class Linked extends Schema.TaggedClass<Linked>()("Linked", {
  patientId: ReceivedPatientId,
  ehrPartnerId: EhrPartnerId
}) {}

/**
 * The incoming patient was merged into the main one.
 *
 * @since 0.1.0
 * @category models
 */
export class Merged extends Schema.TaggedClass<Merged>()("Merged", {
  mainPatientId: ReceivedPatientId,
  incomingPatientId: ReceivedPatientId,
  ehrPartnerId: Schema.optionalWith(EhrPartnerId, { exact: true })
}) {}

/**
 * The patient was already linked to the EHR record; nothing was done.
 *
 * @since 0.1.0
 * @category models
 */
export class AlreadyLinked extends Schema.TaggedClass<AlreadyLinked>()("AlreadyLinked", {
  patientId: ReceivedPatientId,
  ehrPartnerId: Schema.optionalWith(EhrPartnerId, { exact: true })
}) {}

/**
 * No EHR candidate was good enough.
 *
 * @since 0.1.0
 * @category models
 */
export class NoCandidate extends Schema.TaggedClass<NoCandidate>()("NoCandidate", {
  patientId: ReceivedPatientId
}) {}

/**
 * What a review item is about:
 *
 * - `link`: connecting the Hero patient `patientId` to the EHR record `ehrPartnerId`;
 * - `merge`: merging `patientId` with the other Hero record `otherPatientId` (`mainPatientId`
 *   is the one that would stay);
 * - `candidates`: choosing among EHR candidates (`candidateEhrPartnerIds`, best first).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReviewKind = Schema.Literal("link", "merge", "candidates")

/**
 * @since 0.1.0
 * @category models
 */
export type ReviewKind = typeof ReviewKind.Type

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

// What a person needs to act on an item: ids, codes, score and grade, and the names (never the
// values) of the fields that differ.
const itemFields = {
  kind: optional(ReviewKind),
  patientId: optional(ReceivedPatientId),
  otherPatientId: optional(ReceivedPatientId),
  mainPatientId: optional(ReceivedPatientId),
  ehrPartnerId: optional(EhrPartnerId),
  candidateEhrPartnerIds: optional(Schema.Array(EhrPartnerId)),
  score: optional(Schema.Number),
  grade: optional(Scoring.Grade),
  fields: optional(Schema.Array(Schema.String)),
  reviewId: optional(Schema.String)
}

/**
 * What a review or refusal is about (see {@link ReviewKind}).
 *
 * @since 0.1.0
 * @category models
 */
export interface ItemContext {
  readonly kind?: ReviewKind | undefined
  readonly patientId?: PatientId | undefined
  readonly otherPatientId?: PatientId | undefined
  readonly mainPatientId?: PatientId | undefined
  readonly ehrPartnerId?: EhrPartnerId | undefined
  readonly candidateEhrPartnerIds?: ReadonlyArray<EhrPartnerId> | undefined
  readonly score?: number | undefined
  readonly grade?: Scoring.Grade | undefined
  readonly fields?: ReadonlyArray<string> | undefined
  /** The `ReviewQueue` item a person decides (or decided) this on. */
  readonly reviewId?: string | undefined
}

/**
 * A person must decide; `reasons` are codes (`several-matches`, `only-possible`, guard codes,
 * `deferred` …), each once, never patient values; the other fields say what the item is about
 * (ids, score, grade, the names of the fields that differ) so a person can act on it.
 *
 * @since 0.1.0
 * @category models
 */
export class NeedsReview extends Schema.TaggedClass<NeedsReview>()("NeedsReview", {
  reasons: Schema.Array(Schema.String),
  ...itemFields
}) {}

/**
 * The safety rules (or the approver) refused; `codes` are the guard codes, each once, with what
 * the refusal is about.
 *
 * @since 0.1.0
 * @category models
 */
export class Refused extends Schema.TaggedClass<Refused>()("Refused", {
  codes: Schema.Array(Schema.String),
  ...itemFields
}) {}

const unique = (codes: ReadonlyArray<string>): ReadonlyArray<string> => [...new Set(codes)]

type Defined<A> = { readonly [K in keyof A]?: Exclude<A[K], undefined> }

const defined = <A extends object>(o: A): Defined<A> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<A>

/**
 * A review item: reasons de-duplicated (first occurrence kept), undefined context left out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const needsReview = (reasons: ReadonlyArray<string>, context: ItemContext = {}): NeedsReview =>
  new NeedsReview({ reasons: unique(reasons), ...defined(context) })

/**
 * A refusal: codes de-duplicated, undefined context left out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refused = (codes: ReadonlyArray<string>, context: ItemContext = {}): Refused =>
  new Refused({ codes: unique(codes), ...defined(context) })

/**
 * The context of a score for an item: its total, grade and the names of the fields that differ.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoreContext = (score: Scoring.ScoreResult): Pick<ItemContext, "score" | "grade" | "fields"> => ({
  score: score.score,
  grade: score.grade,
  fields: Scoring.differingFields(score.vector)
})

/**
 * A step failed. `error` is the failure's tag, `message` its (privacy-safe) message;
 * `outcomeUnknown` tells that a write may or may not have been applied (verify before repeating).
 *
 * @since 0.1.0
 * @category models
 */
export class Failed extends Schema.TaggedClass<Failed>()("Failed", {
  error: Schema.String,
  message: Schema.String,
  step: Step,
  outcomeUnknown: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/**
 * The patient's record is archived: it was merged into another record (by this run, from the
 * other side of the pair, or earlier). Nothing to do.
 *
 * @since 0.1.0
 * @category models
 */
export class AlreadyMerged extends Schema.TaggedClass<AlreadyMerged>()("AlreadyMerged", {
  patientId: ReceivedPatientId
}) {}

/**
 * The outcome of one patient.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Schema.Union(
  Linked,
  Merged,
  AlreadyLinked,
  AlreadyMerged,
  NoCandidate,
  NeedsReview,
  Refused,
  Failed
)
  .annotations({ identifier: "Outcome" })

/**
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

/**
 * The JSON form of an outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded = typeof Outcome.Encoded

/**
 * A failed step from a client error. The client's messages are free of patient data and secrets.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClientError = (step: Step, error: HeroHealthError): Failed =>
  new Failed({ error: error._tag, message: error.message, step, outcomeUnknown: isOutcomeUnknown(error) })

/**
 * Encodes an outcome to its JSON form (never throws; an outcome built with its constructors
 * always encodes).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (outcome: Outcome) => Either.Either<Encoded, ParseResult.ParseError> = Schema.encodeEither(
  Outcome
)

/**
 * Decodes an outcome from its JSON form, without throwing.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeUnknown = Schema.decodeUnknownEither(Outcome)

/**
 * Whether the patient needs nothing more from the pipeline (linked, merged, already linked, or
 * no candidate).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSuccess = (outcome: Outcome): boolean =>
  outcome._tag === "Linked" || outcome._tag === "Merged" || outcome._tag === "AlreadyLinked" ||
  outcome._tag === "AlreadyMerged" || outcome._tag === "NoCandidate"
