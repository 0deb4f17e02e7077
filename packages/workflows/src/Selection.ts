/**
 * Choosing the EHR candidate to link from scored candidates: exactly one `match` is selected;
 * anything ambiguous goes to a person. Pure.
 *
 * @since 0.1.0
 */
import type { PatientV1, PatientV2 } from "@hero-effect/schema"
import * as Schema from "effect/Schema"
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
 *   Hero patient (likely a duplicate Hero record: a merge case, not a link).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReviewReason = Schema.Literal("several-matches", "only-possible", "linked-to-another-patient")

/**
 * @since 0.1.0
 * @category models
 */
export type ReviewReason = typeof ReviewReason.Type

/**
 * Exactly one candidate grades `match`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Selected<A> {
  readonly _tag: "Selected"
  readonly candidate: A
  readonly result: Scoring.ScoreResult
}

/**
 * A person must choose; `candidates` are the ones worth showing (matches or possibles), best
 * first.
 *
 * @since 0.1.0
 * @category models
 */
export interface NeedsReview<A> {
  readonly _tag: "NeedsReview"
  readonly reason: ReviewReason
  readonly candidates: ReadonlyArray<Scored<A>>
}

/**
 * No candidate grades better than `no-match` (or there were none).
 *
 * @since 0.1.0
 * @category models
 */
export interface NoCandidate {
  readonly _tag: "NoCandidate"
}

/**
 * One of the candidates is already linked to this very patient: nothing to do.
 *
 * @since 0.1.0
 * @category models
 */
export interface AlreadyLinked<A> {
  readonly _tag: "AlreadyLinked"
  readonly candidate: A
}

/**
 * The result of {@link select}.
 *
 * @since 0.1.0
 * @category models
 */
export type Selection<A> = Selected<A> | NeedsReview<A> | NoCandidate

/**
 * The result of {@link selectCandidate}.
 *
 * @since 0.1.0
 * @category models
 */
export type CandidateSelection<A> = Selection<A> | AlreadyLinked<A>

/**
 * @since 0.1.0
 * @category constructors
 */
export const selected = <A>(candidate: A, result: Scoring.ScoreResult): Selected<A> => ({
  _tag: "Selected",
  candidate,
  result
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const needsReview = <A>(reason: ReviewReason, candidates: ReadonlyArray<Scored<A>>): NeedsReview<A> => ({
  _tag: "NeedsReview",
  reason,
  candidates
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const noCandidate: NoCandidate = { _tag: "NoCandidate" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const alreadyLinked = <A>(candidate: A): AlreadyLinked<A> => ({ _tag: "AlreadyLinked", candidate })

/**
 * Sorts scored candidates best first (stable for equal scores).
 *
 * @since 0.1.0
 * @category combinators
 */
export const rank = <A>(scored: ReadonlyArray<Scored<A>>): ReadonlyArray<Scored<A>> =>
  scored.map((s, i) => [s, i] as const).sort(([a, ia], [b, ib]) => b.result.score - a.result.score || ia - ib).map((
    [s]
  ) => s)

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
