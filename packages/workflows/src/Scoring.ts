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
import type { DateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { jaroWinkler } from "@hero-effect/schema/NameSimilarity"
import type { ReceivedNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import type { Sex } from "@hero-effect/schema/Sex"
import * as Schema from "effect/Schema"
import * as Frequencies from "./Frequencies.js"
import { isAdjacentTransposition, osaDistance } from "./internal/editDistance.js"
import * as GivenNames from "./internal/givenNames.js"
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
 * - `nickname`: forenames only — a known diminutive of the same name (Bob / Robert, Liz /
 *   Elizabeth), from the maintained given-name table;
 * - `typo`: names only — a likely keying error: one letter off (or two on a long name), where
 *   the two spellings are not both real given names;
 * - `partial`: names only — one name's parts are all in the other (double-barrelled surname,
 *   Mary-Jane / Mary);
 * - `close`: dates of birth (day and month transposed, one digit off), postcodes (same outward
 *   code), address lines and towns (similar spelling);
 * - `similar`: forenames only — two *different* real names that look alike (Jon / John, Aron /
 *   Aaron, Stephen / Steven): with equal date of birth and surname this is the twin pattern,
 *   so it counts against;
 * - `different`;
 * - `missing`: at least one side has no (known) value;
 * - `invalid`: NHS number only — at least one side carries a number that fails validation.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Level = Schema.Literal(
  "exact",
  "nickname",
  "typo",
  "partial",
  "close",
  "similar",
  "different",
  "missing",
  "invalid"
)

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
 * A grade cap: the grade is at most `grade` when `field` compares at `level` (and, if given,
 * `and.field` at `and.level`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Cap {
  readonly field: Field
  readonly level: Level
  readonly and?: { readonly field: Field; readonly level: Level } | undefined
  readonly grade: Grade
}

/**
 * The scoring configuration.
 *
 * - `weights`: points per field and level (think log2(m/u) of Splink: positive when agreement is
 *   evidence for the same person, negative when disagreement is evidence against);
 * - `thresholds`: a total at or above `match` grades `match`, at or above `possible` grades
 *   `possible`, anything lower `no-match`;
 * - `nameCloseThreshold`: Jaro-Winkler similarity from which two different forenames that are
 *   neither nicknames nor typos are `similar` (the twin pattern);
 * - `addressCloseThreshold`, `townCloseThreshold`: Jaro-Winkler from which address lines (with
 *   the same house and flat numbers) and towns are `close`;
 * - `caps`: grade caps (on top of the fixed rule that differing verified NHS numbers always grade
 *   `no-match`);
 * - `frequencies`: term frequencies for frequency-aware agreement (see `Frequencies`): exact
 *   agreement on a common surname, forename or crowded postcode, or on a 1 January date of birth,
 *   earns fewer points. `Frequencies.none` turns it off.
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
  readonly caps: ReadonlyArray<Cap>
  readonly frequencies: Frequencies.Frequencies
  readonly frequencyAdjustment: Frequencies.AdjustmentConfig
}

const w = (
  exact: number,
  close: number,
  different: number,
  names: { readonly nickname?: number; readonly typo?: number; readonly partial?: number; readonly similar?: number } =
    {}
): LevelWeights => ({
  exact,
  nickname: names.nickname ?? close,
  typo: names.typo ?? close,
  partial: names.partial ?? close,
  close,
  similar: names.similar ?? different,
  different,
  missing: 0,
  invalid: 0
})

/**
 * The default configuration. With it, the same person with all fields equal scores 44 (28 without
 * an NHS number, less for common names); `match` needs 22, `possible` 7. Twins without NHS
 * numbers (same date of birth, surname and address) never grade `match`: a different forename
 * costs 5 and caps the grade at `possible`, and so does a *similar* one (Jon / John — the twin
 * pattern). Grades are capped at `possible` (a person must look) when the date of birth differs,
 * when the forenames differ or are merely similar, and when two addresses share a postcode but
 * not the house or flat number (another household in the same street or block).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConfig: ScoringConfig = {
  weights: {
    nhsNumber: w(16, 0, -10),
    dateOfBirth: w(7, 2, -6),
    lastName: w(6, 4, -3, { partial: 4 }),
    firstName: w(5, 3, -5, { nickname: 3.5, typo: 3, partial: 3, similar: -5 }),
    sex: w(1, 0, -4),
    postcode: w(5, 1.5, -1),
    addressLine1: w(3, 1.5, -0.5),
    town: w(1, 0.5, -0.5)
  },
  thresholds: { match: 22, possible: 7 },
  nameCloseThreshold: 0.88,
  addressCloseThreshold: 0.9,
  townCloseThreshold: 0.9,
  caps: [
    { field: "dateOfBirth", level: "different", grade: "possible" },
    { field: "firstName", level: "similar", grade: "possible" },
    { field: "firstName", level: "different", grade: "possible" },
    { field: "addressLine1", level: "different", and: { field: "postcode", level: "exact" }, grade: "possible" }
  ],
  frequencies: Frequencies.prior,
  frequencyAdjustment: Frequencies.defaultAdjustment
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
  readonly frequencies?: Frequencies.Frequencies
  readonly frequencyAdjustment?: Partial<Frequencies.AdjustmentConfig>
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
    caps: overrides.caps ?? base.caps,
    frequencies: overrides.frequencies ?? base.frequencies,
    frequencyAdjustment: { ...base.frequencyAdjustment, ...overrides.frequencyAdjustment }
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

// One name's parts all in the other's (SMITH-JONES / SMITH, Mary Jane / Mary).
const partsContained = (a: string | undefined, b: string | undefined): boolean => {
  const pa = N.nameParts(a)
  const pb = N.nameParts(b)
  const [shorter, longer] = pa.length <= pb.length ? [pa, pb] : [pb, pa]
  return longer.length > 1 && shorter.length > 0 && shorter.every((p) => longer.includes(p))
}

/**
 * Whether two different normalised names look like one keyed wrongly: two neighbouring letters
 * swapped, or one letter off on a name of six letters or more, or two off on one of nine or more.
 * Two real given names are never a typo of each other (they are `similar`, the twin pattern).
 */
const likelyTypo = (a: string, b: string, realNames: (s: string) => boolean): boolean => {
  if (realNames(a) && realNames(b)) return false
  const shortest = Math.min(a.length, b.length)
  if (shortest >= 4 && isAdjacentTransposition(a, b)) return true
  const distance = osaDistance(a, b)
  return (distance === 1 && Math.max(a.length, b.length) >= 6) || (distance === 2 && shortest >= 9)
}

const compareFirstName = (a: string | undefined, b: string | undefined, threshold: number): Level => {
  const na = N.name(a)
  const nb = N.name(b)
  if (na.length === 0 || nb.length === 0) return "missing"
  if (na === nb) return "exact"
  if (GivenNames.areSpellingVariants(na, nb)) return "similar"
  if (GivenNames.areDiminutives(na, nb)) return "nickname"
  // The first parts of multi-part forenames ("Bob James" / "Robert").
  const fa = N.nameParts(a)[0] ?? na
  const fb = N.nameParts(b)[0] ?? nb
  if (fa !== na || fb !== nb) {
    if (fa === fb && partsContained(a, b)) return "partial"
    if (!GivenNames.areSpellingVariants(fa, fb) && GivenNames.areDiminutives(fa, fb)) return "nickname"
  }
  if (likelyTypo(na, nb, GivenNames.isKnownGivenName)) return "typo"
  return jaroWinkler(na, nb) >= threshold ? "similar" : "different"
}

const compareLastName = (a: string | undefined, b: string | undefined): Level => {
  const na = N.name(a)
  const nb = N.name(b)
  if (na.length === 0 || nb.length === 0) return "missing"
  if (na === nb) return "exact"
  if (partsContained(a, b)) return "partial"
  const distance = osaDistance(na, nb)
  const shortest = Math.min(na.length, nb.length)
  if ((distance === 1 && shortest >= 4) || (distance === 2 && shortest >= 7)) return "typo"
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
  lastName: compareLastName(a.lastName, b.lastName),
  firstName: compareFirstName(a.firstName, b.firstName, config.nameCloseThreshold),
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
  /** Points, frequency adjustment included. */
  readonly points: number
  /** The frequency adjustment (zero or negative) inside `points`. */
  readonly adjustment: number
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
 * Frequency adjustments per field, as {@link adjustmentsOf} computes them.
 *
 * @since 0.1.0
 * @category models
 */
export type Adjustments = { readonly [F in Field]?: number }

/**
 * The frequency adjustments of two people's exact agreements (names, postcode, date of birth).
 *
 * @since 0.1.0
 * @category scoring
 */
export const adjustmentsOf = (
  a: Demographics,
  vector: MatchVector,
  config: ScoringConfig = defaultConfig
): Adjustments => {
  const out: { [F in Field]?: number } = {}
  const adjust = (field: Frequencies.AdjustedField, value: string | null | undefined) => {
    if (vector[field] !== "exact" || value == null) return
    const points = Frequencies.adjustment(config.frequencies, field, value, config.frequencyAdjustment)
    if (points !== 0) out[field] = points
  }
  adjust("lastName", a.lastName)
  adjust("firstName", a.firstName)
  adjust("postcode", a.postcode)
  adjust("dateOfBirth", a.dateOfBirth)
  return out
}

const capApplies = (cap: Cap, vector: MatchVector): boolean =>
  vector[cap.field] === cap.level && (cap.and === undefined || vector[cap.and.field] === cap.and.level)

/**
 * Grades a match vector with a configuration (and the frequency adjustments of its exact
 * agreements, if known).
 *
 * @since 0.1.0
 * @category scoring
 */
export const scoreVector = (
  vector: MatchVector,
  config: ScoringConfig = defaultConfig,
  adjustments: Adjustments = {}
): ScoreResult => {
  const contributions = fields.map((field): Contribution => {
    const level = vector[field]
    const adjustment = finite(adjustments[field] ?? 0)
    return { field, level, points: finite(config.weights[field][level]) + adjustment, adjustment }
  })
  const total = Math.round(contributions.reduce((sum, c) => sum + c.points, 0) * 1000) / 1000
  let grade: Grade = total >= config.thresholds.match
    ? "match"
    : total >= config.thresholds.possible
    ? "possible"
    : "no-match"
  const explanation = contributions.map((c) =>
    `${c.field}: ${c.level} (${formatPoints(c.points)}${
      c.adjustment !== 0 ? `, frequency ${formatPoints(c.adjustment)}` : ""
    })`
  )
  explanation.push(
    `score: ${total.toFixed(1)} (match >= ${config.thresholds.match.toFixed(1)}, possible >= ${
      config.thresholds.possible.toFixed(1)
    })`
  )
  const capNotes: Array<string> = []
  for (const cap of config.caps) {
    if (capApplies(cap, vector) && compareGrades(grade, cap.grade) > 0) {
      grade = cap.grade
      capNotes.push(
        `capped at ${cap.grade}: ${cap.field} is ${cap.level}${
          cap.and === undefined ? "" : ` and ${cap.and.field} is ${cap.and.level}`
        }`
      )
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
 * The names of the fields that disagree or only partly agree (every level but `exact` and
 * `missing`), in report order — never their values.
 *
 * @since 0.1.0
 * @category getters
 */
export const differingFields = (vector: MatchVector): ReadonlyArray<Field> =>
  fields.filter((field) => vector[field] !== "exact" && vector[field] !== "missing")

/**
 * Compares two people and grades them. Pure; never throws.
 *
 * @since 0.1.0
 * @category scoring
 */
export const score = (a: Demographics, b: Demographics, config: ScoringConfig = defaultConfig): ScoreResult => {
  const vector = compare(a, b, config)
  return scoreVector(vector, config, adjustmentsOf(a, vector, config))
}

/**
 * Grades two people as if their NHS numbers were not known: how well the rest of the record
 * agrees. Used to tell a record carrying somebody else's NHS number (everything else agrees)
 * from a different person.
 *
 * @since 0.1.0
 * @category scoring
 */
export const scoreWithoutNhsNumber = (
  a: Demographics,
  b: Demographics,
  config: ScoringConfig = defaultConfig
): ScoreResult => score({ ...a, nhsNumber: undefined }, { ...b, nhsNumber: undefined }, config)

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
