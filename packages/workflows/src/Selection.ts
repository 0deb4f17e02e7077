/**
 * Choosing the EHR candidate to link from scored candidates: exactly one `match` is selected;
 * anything ambiguous goes to a person. Pure.
 *
 * @since 0.1.0
 */
import type { EhrPartnerId } from "@hero-effect/schema/Ids"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import * as Guard from "./Guard.js"
import * as Lookalike from "./Lookalike.js"
import type * as Placeholder from "./Placeholder.js"
import * as Scoring from "./Scoring.js"

/**
 * A candidate with its score.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scored<A> {
  readonly candidate: A
  readonly result: Scoring.ScoreResult
}

/**
 * Why a selection needs a person:
 *
 * - `several-matches`: more than one candidate grades `match`;
 * - `only-possible`: no `match`, at least one `possible`;
 * - `linked-to-another-patient`: the only match is an EHR record already linked to a different
 *   Hero patient (likely a duplicate Hero record: a merge case, not a link);
 * - `NHS_NUMBER_DEMOGRAPHICS_CONFLICT`: no candidate matches, but one carries the patient's
 *   verified NHS number — one of the two records carries another person's number.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReviewReason = Schema.Literal(
  "several-matches",
  "only-possible",
  "linked-to-another-patient",
  "NHS_NUMBER_DEMOGRAPHICS_CONFLICT"
)

/**
 * @since 0.1.0
 * @category models
 */
export type ReviewReason = typeof ReviewReason.Type

/**
 * The result of {@link select}, a `Data.TaggedEnum` (values compare by structure with `Equal`):
 *
 * - `Selected`: exactly one candidate grades `match`;
 * - `NeedsReview`: a person must choose; `candidates` are the ones worth showing (matches or
 *   possibles), best first;
 * - `NoCandidate`: no candidate grades better than `no-match` (or there were none).
 *
 * Build one with {@link Selected}, {@link NeedsReview} and {@link NoCandidate}; tell the cases
 * apart with {@link $is} and {@link $match} (or a `switch` on `_tag`).
 *
 * @since 0.1.0
 * @category models
 */
export type Selection<A> = Data.TaggedEnum<{
  Selected: {
    readonly candidate: A
    readonly result: Scoring.ScoreResult
  }
  NeedsReview: {
    readonly reason: ReviewReason
    readonly candidates: ReadonlyArray<Scored<A>>
  }
  NoCandidate: {}
}>

/**
 * The type-level definition of {@link Selection} for `Data.taggedEnum` (its one generic is the
 * candidate's type).
 *
 * @since 0.2.0
 * @category models
 */
export interface SelectionDefinition extends Data.TaggedEnum.WithGenerics<1> {
  readonly taggedEnum: Selection<this["A"]>
}

const SelectionEnum = Data.taggedEnum<SelectionDefinition>()

/**
 * The result of {@link selectCandidate}: a {@link Selection}, or `AlreadyLinked` (one of the
 * candidates is already linked to this very patient: nothing to do).
 *
 * @since 0.1.0
 * @category models
 */
export type CandidateSelection<A> = Selection<A> | Data.TaggedEnum<{ AlreadyLinked: { readonly candidate: A } }>

/**
 * The type-level definition of {@link CandidateSelection} for `Data.taggedEnum`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CandidateSelectionDefinition extends Data.TaggedEnum.WithGenerics<1> {
  readonly taggedEnum: CandidateSelection<this["A"]>
}

/**
 * Constructors and matchers of {@link CandidateSelection}: `CandidateSelection.$is("AlreadyLinked")`,
 * `CandidateSelection.$match(selection, { Selected, NeedsReview, NoCandidate, AlreadyLinked })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const CandidateSelection = Data.taggedEnum<CandidateSelectionDefinition>()

/**
 * Exactly one candidate grades `match`.
 *
 * @since 0.1.0
 * @category models
 */
export type Selected<A> = Data.TaggedEnum.Value<Selection<A>, "Selected">

/**
 * A person must choose; `candidates` are the ones worth showing (matches or possibles), best
 * first.
 *
 * @since 0.1.0
 * @category models
 */
export type NeedsReview<A> = Data.TaggedEnum.Value<Selection<A>, "NeedsReview">

/**
 * No candidate grades better than `no-match` (or there were none).
 *
 * @since 0.1.0
 * @category models
 */
export type NoCandidate = Data.TaggedEnum.Value<Selection<never>, "NoCandidate">

/**
 * One of the candidates is already linked to this very patient: nothing to do.
 *
 * @since 0.1.0
 * @category models
 */
export type AlreadyLinked<A> = Data.TaggedEnum.Value<CandidateSelection<A>, "AlreadyLinked">

/**
 * Builds a {@link Selected}: `Selected({ candidate, result })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const Selected = SelectionEnum.Selected

/**
 * Builds a {@link NeedsReview}: `NeedsReview({ reason, candidates })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const NeedsReview = SelectionEnum.NeedsReview

/**
 * Builds a {@link NoCandidate}: `NoCandidate()` (or use the constant {@link noCandidate}).
 *
 * @since 0.2.0
 * @category constructors
 */
export const NoCandidate = SelectionEnum.NoCandidate

/**
 * Builds an {@link AlreadyLinked}: `AlreadyLinked({ candidate })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const AlreadyLinked = CandidateSelection.AlreadyLinked

/**
 * Whether a value is the given case of a {@link Selection}: `Selection.$is("Selected")(selection)`.
 *
 * @since 0.2.0
 * @category guards
 */
export const $is = SelectionEnum.$is

/**
 * Matches a {@link Selection} exhaustively, one function per case:
 * `Selection.$match(selection, { Selected, NeedsReview, NoCandidate })`.
 *
 * @since 0.2.0
 * @category pattern matching
 */
export const $match = SelectionEnum.$match

/**
 * @since 0.1.0
 * @category constructors
 */
export const selected = <A>(candidate: A, result: Scoring.ScoreResult): Selected<A> => Selected({ candidate, result })

/**
 * @since 0.1.0
 * @category constructors
 */
export const needsReview = <A>(reason: ReviewReason, candidates: ReadonlyArray<Scored<A>>): NeedsReview<A> =>
  NeedsReview({ reason, candidates })

/**
 * The one {@link NoCandidate} value ({@link select} and {@link proposeLink} return this very one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const noCandidate: NoCandidate = NoCandidate()

/**
 * @since 0.1.0
 * @category constructors
 */
export const alreadyLinked = <A>(candidate: A): AlreadyLinked<A> => AlreadyLinked({ candidate })

const idOf = (candidate: unknown): string => {
  const c = candidate as { readonly ehrPartnerId?: unknown } | null
  return typeof c === "object" && c !== null && typeof c.ehrPartnerId === "string" ? c.ehrPartnerId : ""
}

/**
 * Sorts scored candidates best first. Equal scores are ordered by EHR id (when the candidates
 * carry one), then by their position, so the ranking of EHR records does not depend on the order
 * the server listed them in.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rank = <A>(scored: ReadonlyArray<Scored<A>>): ReadonlyArray<Scored<A>> =>
  scored.map((s, i) => [s, i] as const).sort(([a, ia], [b, ib]) =>
    b.result.score - a.result.score || idOf(a.candidate).localeCompare(idOf(b.candidate)) || ia - ib
  ).map(([s]) => s)

/**
 * Chooses from scored candidates: exactly one `match` → {@link Selected}; several → review
 * (`several-matches`); none but some `possible` → review (`only-possible`); otherwise
 * {@link NoCandidate}.
 *
 * @since 0.1.0
 * @category selection
 */
export const select = <A>(scored: ReadonlyArray<Scored<A>>): Selection<A> => {
  const ranked = rank(scored)
  const matches = ranked.filter((s) => s.result.grade === "match")
  if (matches.length === 1) return selected(matches[0]!.candidate, matches[0]!.result)
  if (matches.length > 1) return needsReview("several-matches", matches)
  const possibles = ranked.filter((s) => s.result.grade === "possible")
  if (possibles.length > 0) return needsReview("only-possible", possibles)
  return noCandidate
}

/**
 * Scores EHR candidates against a Hero patient.
 *
 * @since 0.1.0
 * @category selection
 */
export const scoreCandidates = (
  patient: PatientV1,
  candidates: ReadonlyArray<PatientV2>,
  config: Scoring.ScoringConfig = Scoring.defaultConfig
): ReadonlyArray<Scored<PatientV2>> =>
  rank(candidates.map((candidate) => ({ candidate, result: Scoring.scoreCandidate(patient, candidate, config) })))

/**
 * The whole candidate step for a Hero patient: if a candidate is already linked to this patient
 * (its `heroId` is the patient's id, or it is the EHR record the patient's `ehrPartnerId` names) →
 * {@link AlreadyLinked}; otherwise score and {@link select}, and
 * send a selected candidate that is linked to a different Hero patient to review
 * (`linked-to-another-patient`).
 *
 * @since 0.1.0
 * @category selection
 */
export const selectCandidate = (
  patient: PatientV1,
  candidates: ReadonlyArray<PatientV2>,
  config: Scoring.ScoringConfig = Scoring.defaultConfig
): CandidateSelection<PatientV2> => {
  const linked = candidates.find((c) =>
    (c.heroId !== undefined && c.heroId === patient.id) ||
    (c.ehrPartnerId !== undefined && c.ehrPartnerId === patient.ehrPartnerId)
  )
  if (linked !== undefined) return alreadyLinked(linked)
  const selection = select(scoreCandidates(patient, candidates, config))
  if (
    selection._tag === "Selected" && selection.candidate.heroId !== undefined &&
    selection.candidate.heroId !== patient.id
  ) {
    return needsReview("linked-to-another-patient", [{ candidate: selection.candidate, result: selection.result }])
  }
  return selection
}

/**
 * How {@link proposeLink} decides.
 *
 * - `margin`: points by which the best candidate must beat the runner-up (the next one grading at
 *   least `possible`) unless strong identity holds (default 6);
 * - `lookalikes`: see `Lookalike.Mode` (default `distinguishable`);
 * - `placeholders`: the placeholder lists (default `Placeholder.defaultConfig`);
 * - `rules`: the link rules (default `Guard.defaultLinkRules`).
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkOptions {
  readonly scoring?: Scoring.ScoringConfig | undefined
  readonly margin?: number | undefined
  readonly lookalikes?: Lookalike.Mode | undefined
  readonly placeholders?: Placeholder.Config | undefined
  readonly rules?: ReadonlyArray<Guard.LinkRule> | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultMargin = 6

/**
 * The result of {@link proposeLink}, a `Data.TaggedEnum`:
 *
 * - `Proposed`: a link worth proposing: the best candidate, its score, the runner-up, the
 *   blocking look-alikes and the link rules' result over them (`context`, `guard`). Whether it
 *   is written is for the approver (with the guard's verdict);
 * - `NhsNumberMismatch`: the candidate's record is someone else's: its verified NHS number
 *   differs from the patient's, yet everything else agrees (`match` without the NHS number). One
 *   record carries a wrong number: a person must correct it (PCSE), nothing is linked;
 * - `NeedsReview`, `NoCandidate`, `AlreadyLinked`: as in {@link CandidateSelection}.
 *
 * @since 0.1.0
 * @category models
 */
export type LinkProposal =
  | Data.TaggedEnum<{
    Proposed: {
      readonly candidate: PatientV2
      readonly result: Scoring.ScoreResult
      readonly context: Guard.LinkContext
      readonly guard: Guard.GuardResult
    }
    NhsNumberMismatch: {
      readonly candidate: PatientV2
      readonly result: Scoring.ScoreResult
    }
  }>
  | NeedsReview<PatientV2>
  | NoCandidate
  | AlreadyLinked<PatientV2>

/**
 * Constructors and matchers of {@link LinkProposal}: `LinkProposal.$is("Proposed")`,
 * `LinkProposal.$match(proposal, { Proposed, NhsNumberMismatch, NeedsReview, NoCandidate, AlreadyLinked })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const LinkProposal = Data.taggedEnum<LinkProposal>()

/**
 * A link worth proposing: the best candidate, its score, the runner-up, the blocking look-alikes
 * and the link rules' result over them. Whether it is written is for the approver (with the
 * guard's verdict).
 *
 * @since 0.1.0
 * @category models
 */
export type Proposed = Data.TaggedEnum.Value<LinkProposal, "Proposed">

/**
 * The candidate's record is someone else's: its verified NHS number differs from the patient's,
 * yet everything else agrees (`match` without the NHS number). One record carries a wrong
 * number: a person must correct it (PCSE), nothing is linked.
 *
 * @since 0.1.0
 * @category models
 */
export type NhsNumberMismatch = Data.TaggedEnum.Value<LinkProposal, "NhsNumberMismatch">

/**
 * Builds a {@link Proposed}: `Proposed({ candidate, result, context, guard })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const Proposed = LinkProposal.Proposed

/**
 * Builds an {@link NhsNumberMismatch}: `NhsNumberMismatch({ candidate, result })`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const NhsNumberMismatch = LinkProposal.NhsNumberMismatch

/**
 * Decides over the whole candidate set for a Hero patient, with the records seen around it
 * (`others`: Hero patients found by date of birth or NHS number, as look-alike evidence):
 *
 * 1. a candidate already linked to this patient → {@link AlreadyLinked};
 * 2. candidates ranked (order-free); several `match`es → review (`several-matches`), only
 *    `possible` ones → review (`only-possible`), none → {@link NoCandidate} — unless a candidate
 *    agrees on everything but a differing verified NHS number ({@link NhsNumberMismatch});
 * 3. the one `match` → {@link Proposed}, with the runner-up, the look-alikes that still block
 *    automation, and the link rules' verdict.
 *
 * Pure: the same records give the same answer in any order.
 *
 * @since 0.1.0
 * @category selection
 */
export const proposeLink = (
  patient: PatientV1,
  candidates: ReadonlyArray<PatientV2>,
  others: ReadonlyArray<Lookalike.Seen>,
  options: LinkOptions = {}
): LinkProposal => {
  const config = options.scoring ?? Scoring.defaultConfig
  const linked = [...candidates].sort((a, b) => idOf(a).localeCompare(idOf(b))).find((c) =>
    (c.heroId !== undefined && c.heroId === patient.id) ||
    (c.ehrPartnerId !== undefined && c.ehrPartnerId === patient.ehrPartnerId)
  )
  if (linked !== undefined) return alreadyLinked(linked)
  const ranked = scoreCandidates(patient, candidates, config)
  const matches = ranked.filter((s) => s.result.grade === "match")
  const possibles = ranked.filter((s) => s.result.grade === "possible")
  if (matches.length > 1) return needsReview("several-matches", matches)
  if (matches.length === 0) {
    const subject = Scoring.fromV1(patient)
    const elsewhere = ranked.find((s) =>
      s.result.vector.nhsNumber === "different" &&
      Scoring.scoreWithoutNhsNumber(subject, Scoring.fromV2(s.candidate), config).grade === "match"
    )
    if (elsewhere !== undefined) {
      return NhsNumberMismatch({ candidate: elsewhere.candidate, result: elsewhere.result })
    }
    // The patient's own verified NHS number on a record that does not match it: never silent.
    const sameNumber = ranked.filter((s) => s.result.vector.nhsNumber === "exact")
    if (sameNumber.length > 0) return needsReview("NHS_NUMBER_DEMOGRAPHICS_CONFLICT", sameNumber)
    return possibles.length > 0 ? needsReview("only-possible", possibles) : noCandidate
  }
  const best = matches[0]!
  const runnerUp = possibles[0]
  const subject = Scoring.fromV1(patient)
  const chosen = Scoring.fromV2(best.candidate)
  const seen: ReadonlyArray<Lookalike.Seen> = [
    ...ranked.filter((s) => s !== best).map((s): Lookalike.Seen => ({
      source: "ehr",
      heroId: s.candidate.heroId,
      ehrPartnerId: s.candidate.ehrPartnerId,
      demographics: Scoring.fromV2(s.candidate)
    })),
    ...others
  ]
  const found = Lookalike.find({
    subject,
    subjectHeroId: patient.id,
    chosen,
    chosenIds: { heroId: best.candidate.heroId, ehrPartnerId: best.candidate.ehrPartnerId },
    others: seen,
    scoring: config
  })
  const lookalikes = Lookalike.blocking({
    subject,
    chosen,
    found,
    others: seen,
    mode: options.lookalikes,
    scoring: config
  })
  const strong = Lookalike.isStrongIdentity(best.result.vector)
  const context: Guard.LinkContext = {
    patient,
    candidate: best.candidate,
    score: best.result,
    // With strong identity (one verified NHS number) a runner-up is another person, not a rival.
    runnerUp: runnerUp === undefined || strong
      ? undefined
      : { ehrPartnerId: runnerUp.candidate.ehrPartnerId, score: runnerUp.result },
    margin: options.margin ?? defaultMargin,
    evidence: { lookalikes, placeholders: options.placeholders }
  }
  return Proposed({
    candidate: best.candidate,
    result: best.result,
    context,
    guard: Guard.evaluate(options.rules ?? Guard.defaultLinkRules, context)
  })
}

/**
 * The EHR ids of candidates (best first) for a review item.
 *
 * @since 0.1.0
 * @category getters
 */
export const candidateIds = (scored: ReadonlyArray<Scored<PatientV2>>): ReadonlyArray<EhrPartnerId> =>
  scored.flatMap((s) => (s.candidate.ehrPartnerId === undefined ? [] : [s.candidate.ehrPartnerId]))
