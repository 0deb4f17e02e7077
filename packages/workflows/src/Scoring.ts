/**
 * Explainable record-linkage scoring: compare two people field by field (a Hero patient with an
 * EHR candidate, or two Hero patients), give each field a level, add up configurable
 * Splink-style points and grade the total as `match`, `possible` or `no-match`.
 *
 * The explanation names fields, levels and points only, never a value, so it may go to logs and
 * to the journal.
 *
 * @since 0.1.0
 */
import type { DateOfBirth, PatientV1, PatientV2, ReceivedNhsNumber, Sex } from "@hero-effect/schema"
import { jaroWinkler } from "@hero-effect/schema/NameSimilarity"
import * as Schema from "effect/Schema"
import * as N from "./internal/normalise.js"

/**
 * The fields compared, in the order they are reported.
 *
 * @since 0.1.0
 * @category constants
 */
export const fields = [
  "nhsNumber",
  "dateOfBirth",
  "lastName",
  "firstName",
  "sex",
  "postcode",
  "addressLine1",
  "town"
] as const

/**
 * @since 0.1.0
 * @category schemas
 */
export const Field = Schema.Literal(...fields)

/**
 * A compared field.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = typeof Field.Type

/**
 * How one field compares:
 *
 * - `exact`: equal after normalisation;
 * - `close`: similar (a typo, transposed day and month, the same outward postcode …);
 * - `different`;
 * - `missing`: at least one side has no (known) value;
 * - `invalid`: NHS number only — at least one side carries a number that fails validation.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Level = Schema.Literal("exact", "close", "different", "missing", "invalid")

/**
 * @since 0.1.0
 * @category models
 */
export type Level = typeof Level.Type

/**
 * The grade of a total score.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Grade = Schema.Literal("match", "possible", "no-match")

/**
 * @since 0.1.0
 * @category models
 */
export type Grade = typeof Grade.Type

/**
 * The level of every field.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MatchVector = Schema.Struct({
  nhsNumber: Level,
  dateOfBirth: Level,
  lastName: Level,
  firstName: Level,
  sex: Level,
  postcode: Level,
  addressLine1: Level,
  town: Level
}).annotations({ identifier: "MatchVector" })

/**
 * @since 0.1.0
 * @category models
 */
export interface MatchVector extends Schema.Schema.Type<typeof MatchVector> {}

/**
 * The demographics both patient shapes share, the common ground of a comparison.
 *
 * @since 0.1.0
 * @category models
 */
export interface Demographics {
  readonly nhsNumber?: ReceivedNhsNumber | undefined
  readonly dateOfBirth?: DateOfBirth | null | undefined
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly sex?: Sex | undefined
  readonly postcode?: string | undefined
  readonly addressLine1?: string | undefined
  readonly town?: string | undefined
}

/**
 * The demographics of a Hero patient (v1 shape).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromV1 = (patient: PatientV1): Demographics => fromPatient(patient)

/**
 * The demographics of a v2 patient or EHR candidate.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromV2 = (patient: PatientV2): Demographics => fromPatient(patient)

// v1 and v2 carry these fields under the same domain names.
const fromPatient = (patient: PatientV1 | PatientV2): Demographics => ({
  nhsNumber: patient.nhsNumber,
  dateOfBirth: patient.dateOfBirth,
  firstName: patient.firstName,
  lastName: patient.lastName,
  sex: patient.sex,
  postcode: patient.postcode,
  addressLine1: patient.addressLine1,
  town: patient.town
})

/**
 * Points per level of one field.
 *
 * @since 0.1.0
 * @category models
 */
export type LevelWeights = { readonly [L in Level]: number }

/**
 * The scoring configuration.
 *
 * - `weights`: points per field and level (think log2(m/u) of Splink: positive when agreement is
 *   evidence for the same person, negative when disagreement is evidence against);
 * - `thresholds`: a total at or above `match` grades `match`, at or above `possible` grades
 *   `possible`, anything lower `no-match`;
 * - `nameCloseThreshold`: Jaro-Winkler similarity from which two different names are `close`;
 * - `addressCloseThreshold`, `townCloseThreshold`: the same for the first address line and town;
 * - `caps`: the grade is at most `grade` when `field` compares at `level` (on top of the fixed
 *   rule that differing verified NHS numbers always grade `no-match`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ScoringConfig {
  readonly weights: { readonly [F in Field]: LevelWeights }
  readonly thresholds: { readonly match: number; readonly possible: number }
  readonly nameCloseThreshold: number
  readonly addressCloseThreshold: number
  readonly townCloseThreshold: number
  readonly caps: ReadonlyArray<{ readonly field: Field; readonly level: Level; readonly grade: Grade }>
}

const w = (exact: number, close: number, different: number, missing = 0, invalid = 0): LevelWeights => ({
  exact,
  close,
  different,
  missing,
  invalid
})

/**
 * The default configuration. With it, the same person with all fields equal scores 44 (28 without
 * an NHS number); `match` needs 22, `possible` 7. Twins without NHS numbers (same date of birth,
 * surname and address, different forename) score 18: `possible`, never `match`. A date of birth
 * that differs caps the grade at `possible` (a person must look at it), whatever else agrees.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConfig: ScoringConfig = {
  weights: {
    nhsNumber: w(16, 0, -10),
    dateOfBirth: w(7, 2, -6),
    lastName: w(6, 4, -3),
    firstName: w(5, 3, -5),
    sex: w(1, 0, -4),
    postcode: w(5, 1.5, -1),
    addressLine1: w(3, 1.5, -0.5),
    town: w(1, 0.5, -0.5)
  },
  thresholds: { match: 22, possible: 7 },
  nameCloseThreshold: 0.88,
  addressCloseThreshold: 0.9,
  townCloseThreshold: 0.9,
  caps: [{ field: "dateOfBirth", level: "different", grade: "possible" }]
}

/**
 * Overrides for {@link makeConfig}: any part of the configuration, weights per field and level.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOverrides {
  readonly weights?: { readonly [F in Field]?: Partial<LevelWeights> }
  readonly thresholds?: Partial<ScoringConfig["thresholds"]>
  readonly nameCloseThreshold?: number
  readonly addressCloseThreshold?: number
  readonly townCloseThreshold?: number
  readonly caps?: ScoringConfig["caps"]
}

/**
 * A configuration from the defaults (or `base`) with some parts replaced.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConfig = (overrides: ConfigOverrides, base: ScoringConfig = defaultConfig): ScoringConfig => {
  const weights = { ...base.weights } as { [F in Field]: LevelWeights }
  for (const field of fields) {
    const o = overrides.weights?.[field]
    if (o !== undefined) weights[field] = { ...base.weights[field], ...o }
  }
  return {
    weights,
    thresholds: { ...base.thresholds, ...overrides.thresholds },
    nameCloseThreshold: overrides.nameCloseThreshold ?? base.nameCloseThreshold,
    addressCloseThreshold: overrides.addressCloseThreshold ?? base.addressCloseThreshold,
    townCloseThreshold: overrides.townCloseThreshold ?? base.townCloseThreshold,
    caps: overrides.caps ?? base.caps
  }
}

/**
 * Jaro-Winkler similarity of two names after normalisation (case, accents, punctuation and spaces
 * removed), or `undefined` when either is missing.
 *
 * @since 0.1.0
 * @category comparisons
 */
export const nameSimilarity = (a: string | undefined, b: string | undefined): number | undefined => {
  const na = N.name(a)
  const nb = N.name(b)
  return na.length === 0 || nb.length === 0 ? undefined : jaroWinkler(na, nb)
}

/**
 * Jaro-Winkler similarity of two strings as given (no normalisation), with the standard prefix
 * scale 0.1.
 *
 * @since 0.1.0
 * @category comparisons
 */
export const jaroWinklerSimilarity = (a: string, b: string): number => jaroWinkler(a, b)

const compareNhsNumber = (a: ReceivedNhsNumber | undefined, b: ReceivedNhsNumber | undefined): Level => {
  if (a?._tag === "UnverifiedNhsNumber" || b?._tag === "UnverifiedNhsNumber") return "invalid"
  if (a === undefined || b === undefined) return "missing"
  return a.value === b.value ? "exact" : "different"
}

const compareDateOfBirth = (a: DateOfBirth | null | undefined, b: DateOfBirth | null | undefined): Level => {
  if (a == null || b == null) return "missing"
  if (a === b) return "exact"
  const [ya, ma, da] = a.split("-")
  const [yb, mb, db] = b.split("-")
  if (ya === yb && ma === db && da === mb) return "close"
  const da8 = a.replace(/-/g, "")
  const db8 = b.replace(/-/g, "")
  if (da8.length === db8.length) {
    let differences = 0
    for (let i = 0; i < da8.length; i++) if (da8[i] !== db8[i]) differences++
    if (differences === 1) return "close"
  }
  return "different"
}

const compareName = (a: string | undefined, b: string | undefined, threshold: number): Level => {
  const na = N.name(a)
  const nb = N.name(b)
  if (na.length === 0 || nb.length === 0) return "missing"
  if (na === nb) return "exact"
  if (jaroWinkler(na, nb) >= threshold) return "close"
  // A double-barrelled or multi-part name that contains the other (SMITH-JONES / SMITH).
  const pa = N.nameParts(a)
  const pb = N.nameParts(b)
  const [shorter, longer] = pa.length <= pb.length ? [pa, pb] : [pb, pa]
  if (longer.length > 1 && shorter.length > 0 && shorter.every((p) => longer.includes(p))) return "close"
  return "different"
}

const unknownSexes: ReadonlyArray<string> = ["Not known", "Not specified"]

/**
 * Whether a sex value says something: present, not blank, not `Not known` or `Not specified`. A
 * value Hero adds later counts as known (two different values are a disagreement).
 *
 * @since 0.1.0
 * @category comparisons
 */
export const isKnownSex = (sex: Sex | undefined): boolean =>
  sex !== undefined && sex.trim().length > 0 && !unknownSexes.includes(sex)

const compareSex = (a: Sex | undefined, b: Sex | undefined): Level => {
  if (!isKnownSex(a) || !isKnownSex(b)) return "missing"
  return a === b ? "exact" : "different"
}

const comparePostcode = (a: string | undefined, b: string | undefined): Level => {
  const na = N.postcode(a)
  const nb = N.postcode(b)
  if (na.length === 0 || nb.length === 0) return "missing"
  if (na === nb) return "exact"
  const oa = N.outwardCode(na)
  return oa !== undefined && oa === N.outwardCode(nb) ? "close" : "different"
}

const compareAddress = (a: string | undefined, b: string | undefined, threshold: number): Level => {
  const wa = N.addressWords(a)
  const wb = N.addressWords(b)
  if (wa.length === 0 || wb.length === 0) return "missing"
  const ja = wa.join(" ")
  const jb = wb.join(" ")
  if (ja === jb) return "exact"
  const numbersA = wa.filter((x) => /\d/.test(x)).join(" ")
  const numbersB = wb.filter((x) => /\d/.test(x)).join(" ")
  if (numbersA.length > 0 && numbersB.length > 0 && numbersA !== numbersB) return "different"
  return jaroWinkler(ja, jb) >= threshold ? "close" : "different"
}

const compareTown = (a: string | undefined, b: string | undefined, threshold: number): Level => {
  const ta = N.town(a)
  const tb = N.town(b)
  if (ta.length === 0 || tb.length === 0) return "missing"
  if (ta === tb) return "exact"
  return jaroWinkler(ta, tb) >= threshold ? "close" : "different"
}

/**
 * The match vector of two people: the level of every field.
 *
 * @since 0.1.0
 * @category comparisons
 */
export const compare = (a: Demographics, b: Demographics, config: ScoringConfig = defaultConfig): MatchVector => ({
  nhsNumber: compareNhsNumber(a.nhsNumber, b.nhsNumber),
  dateOfBirth: compareDateOfBirth(a.dateOfBirth, b.dateOfBirth),
  lastName: compareName(a.lastName, b.lastName, config.nameCloseThreshold),
  firstName: compareName(a.firstName, b.firstName, config.nameCloseThreshold),
  sex: compareSex(a.sex, b.sex),
  postcode: comparePostcode(a.postcode, b.postcode),
  addressLine1: compareAddress(a.addressLine1, b.addressLine1, config.addressCloseThreshold),
  town: compareTown(a.town, b.town, config.townCloseThreshold)
})

/**
 * One field's share of the score.
 *
 * @since 0.1.0
 * @category models
 */
export interface Contribution {
  readonly field: Field
  readonly level: Level
  readonly points: number
}

/**
 * The result of a comparison. `explanation` has one line per field (`lastName: close (+4.0)`),
 * then the total and the grade, with the rule that capped it if one did; it never contains a
 * value.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScoreResult {
  readonly vector: MatchVector
  readonly contributions: ReadonlyArray<Contribution>
  readonly score: number
  readonly grade: Grade
  readonly explanation: ReadonlyArray<string>
}

/**
 * The serialisable part of a {@link ScoreResult} (for the journal and reports).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ScoreSummary = Schema.Struct({
  score: Schema.Number,
  grade: Grade,
  vector: MatchVector
}).annotations({ identifier: "ScoreSummary" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ScoreSummary extends Schema.Schema.Type<typeof ScoreSummary> {}

/**
 * The serialisable summary of a result.
 *
 * @since 0.1.0
 * @category getters
 */
export const summary = (result: ScoreResult): ScoreSummary => ({
  score: result.score,
  grade: result.grade,
  vector: result.vector
})

const gradeRank: Record<Grade, number> = { "no-match": 0, possible: 1, match: 2 }

/**
 * Orders grades: `match` > `possible` > `no-match`. Negative when `a` is weaker than `b`.
 *
 * @since 0.1.0
 * @category comparisons
 */
export const compareGrades = (a: Grade, b: Grade): number => gradeRank[a] - gradeRank[b]

/**
 * Formats points as in the explanation: `+4.0`, `-3.0`, `0.0`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatPoints = (points: number): string =>
  points > 0 ? `+${points.toFixed(1)}` : points < 0 ? `-${Math.abs(points).toFixed(1)}` : "0.0"

const finite = (n: number): number => (Number.isFinite(n) ? n : 0)

/**
 * Grades a match vector with a configuration.
 *
 * @since 0.1.0
 * @category scoring
 */
export const scoreVector = (vector: MatchVector, config: ScoringConfig = defaultConfig): ScoreResult => {
  const contributions = fields.map((field): Contribution => {
    const level = vector[field]
    return { field, level, points: finite(config.weights[field][level]) }
  })
  const total = Math.round(contributions.reduce((sum, c) => sum + c.points, 0) * 1000) / 1000
  let grade: Grade = total >= config.thresholds.match
    ? "match"
    : total >= config.thresholds.possible
    ? "possible"
    : "no-match"
  const explanation = contributions.map((c) => `${c.field}: ${c.level} (${formatPoints(c.points)})`)
  explanation.push(
    `score: ${total.toFixed(1)} (match >= ${config.thresholds.match.toFixed(1)}, possible >= ${
      config.thresholds.possible.toFixed(1)
    })`
  )
  const capNotes: Array<string> = []
  for (const cap of config.caps) {
    if (vector[cap.field] === cap.level && compareGrades(grade, cap.grade) > 0) {
      grade = cap.grade
      capNotes.push(`capped at ${cap.grade}: ${cap.field} is ${cap.level}`)
    }
  }
  if (vector.nhsNumber === "different" && grade !== "no-match") {
    grade = "no-match"
    capNotes.push("capped at no-match: verified NHS numbers differ (hard rule)")
  }
  explanation.push(`grade: ${grade}`)
  for (const note of capNotes) explanation.push(note)
  return { vector, contributions, score: total, grade, explanation }
}

/**
 * Compares two people and grades them. Pure; never throws.
 *
 * @since 0.1.0
 * @category scoring
 */
export const score = (a: Demographics, b: Demographics, config: ScoringConfig = defaultConfig): ScoreResult =>
  scoreVector(compare(a, b, config), config)

/**
 * Scores an EHR candidate (v2 shape) against a Hero patient (v1 shape).
 *
 * @since 0.1.0
 * @category scoring
 */
export const scoreCandidate = (
  patient: PatientV1,
  candidate: PatientV2,
  config: ScoringConfig = defaultConfig
): ScoreResult => score(fromV1(patient), fromV2(candidate), config)

/**
 * Scores two Hero patients (v1 shape), for example the two sides of a merge.
 *
 * @since 0.1.0
 * @category scoring
 */
export const scorePatients = (
  a: PatientV1,
  b: PatientV1,
  config: ScoringConfig = defaultConfig
): ScoreResult => score(fromV1(a), fromV1(b), config)
