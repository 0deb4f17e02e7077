/**
 * Safety rules as values, for merges and for links. Each rule has a stable code and looks at the
 * two records, the score, the look-alike evidence and (for merges) the preview's result and
 * diff; it may return a finding that refuses the write or sends it to a person. Reasons never
 * contain patient values.
 *
 * Refusal is kept for what is absolute (the preview is not about the pair asked for, a record is
 * archived, different verified NHS numbers — the PCSE route); every conflict a person could
 * resolve (a day/month swap, deceased on one record only, a differing sex, an NHS number shared
 * by records that disagree) asks for review.
 *
 * @since 0.1.0
 */
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import type { MergePreview } from "@hero-effect/schema/Merge"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Lookalike from "./Lookalike.js"
import * as MergeDiff from "./MergeDiff.js"
import * as Placeholder from "./Placeholder.js"
import * as Scoring from "./Scoring.js"

/**
 * `refuse`: never merge (automatically or by approval). `review`: only with a person's approval.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Severity = Schema.Literal("refuse", "review")

/**
 * @since 0.1.0
 * @category models
 */
export type Severity = typeof Severity.Type

/**
 * What a rule found: its code, severity and a reason without patient values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Finding = Schema.Struct({
  code: Schema.String,
  severity: Severity,
  reason: Schema.String
}).annotations({ identifier: "GuardFinding" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Finding extends Schema.Schema.Type<typeof Finding> {}

/**
 * The overall verdict: `refuse` if any finding refuses, else `review` if any finding asks for
 * review, else `clear`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Verdict = Schema.Literal("clear", "review", "refuse")

/**
 * @since 0.1.0
 * @category models
 */
export type Verdict = typeof Verdict.Type

/**
 * The findings of every rule that fired, in rule order, and the verdict.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuardResult = Schema.Struct({
  findings: Schema.Array(Finding),
  verdict: Verdict
}).annotations({ identifier: "GuardResult" })

/**
 * @since 0.1.0
 * @category models
 */
export interface GuardResult extends Schema.Schema.Type<typeof GuardResult> {}

/**
 * What the pipeline saw around a pair besides the two records: look-alikes that still block
 * automation (see `Lookalike.blocking`), and the placeholder lists in force.
 *
 * @since 0.1.0
 * @category models
 */
export interface Evidence {
  readonly lookalikes: ReadonlyArray<Lookalike.Found>
  readonly placeholders?: Placeholder.Config | undefined
}

/**
 * What a merge rule sees. `requested` is the pair the caller asked to preview, when known (the
 * preview must be about that pair); `evidence` what was seen around the pair, when known.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardContext {
  readonly main: PatientV1
  readonly incoming: PatientV1
  readonly result: PatientV1
  readonly diff: MergeDiff.MergeDiff
  readonly score: Scoring.ScoreResult
  readonly requested?: {
    readonly mainPatientId: PatientId
    readonly incomingPatientId: PatientId
  } | undefined
  readonly evidence?: Evidence | undefined
}

/**
 * What a link rule sees: the Hero patient, the chosen EHR candidate and its score, the runner-up
 * (the next best candidate grading at least `possible`), the margin the best must clear, and the
 * evidence around them.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkContext {
  readonly patient: PatientV1
  readonly candidate: PatientV2
  readonly score: Scoring.ScoreResult
  readonly runnerUp?: {
    readonly ehrPartnerId?: EhrPartnerId | undefined
    readonly score: Scoring.ScoreResult
  } | undefined
  readonly margin: number
  readonly evidence: Evidence
}

/**
 * A safety rule over a context (a merge's or a link's).
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule<Context> {
  readonly code: string
  readonly description: string
  readonly check: (context: Context) => Option.Option<Finding>
}

/**
 * A merge safety rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardRule extends Rule<GuardContext> {}

/**
 * A link safety rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinkRule extends Rule<LinkContext> {}

/**
 * A rule from its parts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (rule: {
  readonly code: string
  readonly description: string
  readonly check: (context: GuardContext) => Option.Option<Finding>
}): GuardRule => ({ code: rule.code, description: rule.description, check: rule.check })

/**
 * A link rule from its parts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLink = (rule: {
  readonly code: string
  readonly description: string
  readonly check: (context: LinkContext) => Option.Option<Finding>
}): LinkRule => ({ code: rule.code, description: rule.description, check: rule.check })

const predicateRule = <Context>(rule: {
  readonly code: string
  readonly description: string
  readonly severity: Severity
  readonly reason: string | ((context: Context) => string)
  readonly when: (context: Context) => boolean
}): Rule<Context> => ({
  code: rule.code,
  description: rule.description,
  check: (context) =>
    rule.when(context)
      ? Option.some({
        code: rule.code,
        severity: rule.severity,
        reason: typeof rule.reason === "string" ? rule.reason : rule.reason(context)
      })
      : Option.none()
})

/**
 * A merge rule that fires with a fixed severity and reason when `when` holds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPredicate: (rule: {
  readonly code: string
  readonly description: string
  readonly severity: Severity
  readonly reason: string | ((context: GuardContext) => string)
  readonly when: (context: GuardContext) => boolean
}) => GuardRule = predicateRule

/**
 * A link rule that fires with a fixed severity and reason when `when` holds.
 *
 * @example
 * ```ts
 * import { Guard } from "@hero-effect/workflows"
 *
 * // A practice that never links records of patients under 16 automatically.
 * const minors = Guard.fromLinkPredicate({
 *   code: "MINOR",
 *   description: "The patient is under 16",
 *   severity: "review",
 *   reason: "the patient is a minor",
 *   when: (ctx) => (ctx.patient.dateOfBirth ?? "0000") > "2010-12-01"
 * })
 * const rules = Guard.add(Guard.defaultLinkRules, minors)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromLinkPredicate: (rule: {
  readonly code: string
  readonly description: string
  readonly severity: Severity
  readonly reason: string | ((context: LinkContext) => string)
  readonly when: (context: LinkContext) => boolean
}) => LinkRule = predicateRule

/**
 * Builds the context from a preview: the diff (without values) and the score of main against
 * incoming are computed unless given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const contextFromPreview = (preview: MergePreview, options?: {
  readonly score?: Scoring.ScoreResult | undefined
  readonly scoring?: Scoring.ScoringConfig | undefined
  readonly requested?: GuardContext["requested"]
  readonly evidence?: Evidence | undefined
}): GuardContext => ({
  main: preview.mainPatient,
  incoming: preview.incomingPatient,
  result: preview.resultPatient,
  diff: MergeDiff.fromPreview(preview),
  score: options?.score ?? Scoring.scorePatients(preview.mainPatient, preview.incomingPatient, options?.scoring),
  requested: options?.requested,
  evidence: options?.evidence
})

const either = (ctx: GuardContext, f: (p: PatientV1) => boolean): boolean => f(ctx.main) || f(ctx.incoming)

/**
 * `SAME_RECORD` (refuse): main and incoming are the same Hero record.
 *
 * @since 0.1.0
 * @category rules
 */
export const sameRecord: GuardRule = fromPredicate({
  code: "SAME_RECORD",
  description: "Main and incoming are the same Hero record",
  severity: "refuse",
  reason: "main and incoming are the same record",
  when: (ctx) => ctx.main.id === ctx.incoming.id
})

/**
 * `PREVIEW_PAIR_MISMATCH` (refuse): the preview is not about the pair that was asked for.
 *
 * @since 0.1.0
 * @category rules
 */
export const previewPairMismatch: GuardRule = fromPredicate({
  code: "PREVIEW_PAIR_MISMATCH",
  description: "The preview's main and incoming records are not the pair that was requested",
  severity: "refuse",
  reason: "the preview is not about the requested pair of records",
  when: (ctx) =>
    ctx.requested !== undefined &&
    (ctx.requested.mainPatientId !== ctx.main.id || ctx.requested.incomingPatientId !== ctx.incoming.id)
})

/**
 * `RESULT_NOT_MAIN` (refuse): the preview's result does not carry the main record's id (the
 * record that stays must be the main one).
 *
 * @since 0.1.0
 * @category rules
 */
export const resultNotMain: GuardRule = fromPredicate({
  code: "RESULT_NOT_MAIN",
  description: "The preview's result record does not keep the main record's id",
  severity: "refuse",
  reason: "the result of the merge would not be the main record",
  when: (ctx) => ctx.result.id !== ctx.main.id
})

/**
 * `INCOMING_ARCHIVED` (refuse): the incoming record is archived (perhaps already merged).
 *
 * @since 0.1.0
 * @category rules
 */
export const incomingArchived: GuardRule = fromPredicate({
  code: "INCOMING_ARCHIVED",
  description: "The incoming record is archived",
  severity: "refuse",
  reason: "the incoming record is archived (it may already have been merged)",
  when: (ctx) => ctx.incoming.status === "archived"
})

/**
 * `MAIN_ARCHIVED` (refuse): the record that would stay is archived.
 *
 * @since 0.1.0
 * @category rules
 */
export const mainArchived: GuardRule = fromPredicate({
  code: "MAIN_ARCHIVED",
  description: "The main record is archived",
  severity: "refuse",
  reason: "the main record is archived",
  when: (ctx) => ctx.main.status === "archived"
})

const knownStatuses: ReadonlyArray<string> = ["archived", "unarchived"]

/**
 * `UNRECOGNISED_STATUS` (review): a record's status is neither `archived` nor `unarchived`.
 *
 * @since 0.1.0
 * @category rules
 */
export const unrecognisedStatus: GuardRule = fromPredicate({
  code: "UNRECOGNISED_STATUS",
  description: "A record has a status other than archived or unarchived",
  severity: "review",
  reason: (ctx) =>
    `${
      [
        knownStatuses.includes(ctx.main.status) ? undefined : "main",
        knownStatuses.includes(ctx.incoming.status) ? undefined : "incoming"
      ].filter((s) => s !== undefined).join(" and ")
    } record has an unrecognised status`,
  when: (ctx) => either(ctx, (p) => !knownStatuses.includes(p.status))
})

// The facts a pair rule reads, the same for a merge (main, incoming) and a link (patient,
// candidate), so merges and links are judged by one set of rules.
interface Pair {
  readonly a: PatientV1 | PatientV2
  readonly b: PatientV1 | PatientV2
  readonly vector: Scoring.MatchVector
  readonly labels: readonly [string, string]
  readonly evidence: Evidence | undefined
}

const mergePair = (ctx: GuardContext): Pair => ({
  a: ctx.main,
  b: ctx.incoming,
  vector: ctx.score.vector,
  labels: ["main", "incoming"],
  evidence: ctx.evidence
})

const linkPair = (ctx: LinkContext): Pair => ({
  a: ctx.patient,
  b: ctx.candidate,
  vector: ctx.score.vector,
  labels: ["patient", "candidate"],
  evidence: ctx.evidence
})

const which = (pair: Pair, f: (p: PatientV1 | PatientV2) => boolean): string => {
  const [la, lb] = pair.labels
  const fa = f(pair.a)
  const fb = f(pair.b)
  return fa && fb ? `${la} and ${lb}` : fa ? la : lb
}

interface PairRule {
  readonly merge: GuardRule
  readonly link: LinkRule
}

const pairRule = (spec: {
  readonly code: string
  readonly description: string
  readonly severity: Severity
  readonly reason: string | ((pair: Pair) => string)
  readonly when: (pair: Pair) => boolean
}): PairRule => {
  const reason = (pair: Pair) => typeof spec.reason === "string" ? spec.reason : spec.reason(pair)
  return {
    merge: fromPredicate({
      code: spec.code,
      description: spec.description,
      severity: spec.severity,
      reason: (ctx) => reason(mergePair(ctx)),
      when: (ctx) => spec.when(mergePair(ctx))
    }),
    link: fromLinkPredicate({
      code: spec.code,
      description: spec.description,
      severity: spec.severity,
      reason: (ctx) => reason(linkPair(ctx)),
      when: (ctx) => spec.when(linkPair(ctx))
    })
  }
}

const verified = (p: PatientV1 | PatientV2): string | undefined =>
  p.nhsNumber?._tag === "VerifiedNhsNumber" ? p.nhsNumber.value : undefined

const nhsMismatchRule = pairRule({
  code: "NHS_NUMBER_MISMATCH",
  description: "Both records have verified NHS numbers and they differ",
  severity: "refuse",
  reason: "verified NHS numbers differ: route to PCSE, never merge or link locally",
  when: ({ a, b }) => verified(a) !== undefined && verified(b) !== undefined && verified(a) !== verified(b)
})

/**
 * `NHS_NUMBER_MISMATCH` (refuse): both records carry verified NHS numbers and they differ. Such
 * duplicates are never merged locally: raise them with PCSE ("Duplicates and Confusions") and let
 * the National Back Office supersede one number.
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberMismatch: GuardRule = nhsMismatchRule.merge

const nhsInvalidRule = pairRule({
  code: "NHS_NUMBER_INVALID",
  description: "A record carries an NHS number that fails validation (a keying error, not a missing number)",
  severity: "review",
  reason: (pair) => {
    const reasons = [pair.a, pair.b].flatMap((p, i) =>
      p.nhsNumber?._tag === "UnverifiedNhsNumber" ? [`${pair.labels[i]} (${p.nhsNumber.reason})`] : []
    )
    return `${reasons.join(" and ")}: NHS number fails validation`
  },
  when: ({ a, b }) => a.nhsNumber?._tag === "UnverifiedNhsNumber" || b.nhsNumber?._tag === "UnverifiedNhsNumber"
})

/**
 * `NHS_NUMBER_INVALID` (review): a record carries an NHS number that fails validation — usually
 * transposed digits: a data-entry problem a person must correct, not a neutral "missing".
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberInvalid: GuardRule = nhsInvalidRule.merge

/**
 * `NHS_NUMBER_LOST` (review): main or incoming has an NHS number and the result has none.
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberLost: GuardRule = fromPredicate({
  code: "NHS_NUMBER_LOST",
  description: "The merged record would have no NHS number although a source record has one",
  severity: "review",
  reason: "the result would lose the NHS number",
  when: (ctx) => ctx.result.nhsNumber === undefined && either(ctx, (p) => p.nhsNumber !== undefined)
})

const conflictingForename: ReadonlyArray<Scoring.Level> = ["similar", "different"]

const demographicsConflictRule = pairRule({
  code: "NHS_NUMBER_DEMOGRAPHICS_CONFLICT",
  description: "The records share a verified NHS number but disagree on forename, date of birth or surname",
  severity: "review",
  reason: ({ vector }) =>
    `same verified NHS number, but ${
      [
        conflictingForename.includes(vector.firstName) ? `forename ${vector.firstName}` : undefined,
        vector.dateOfBirth === "different" ? "date of birth different" : undefined,
        vector.lastName === "different" && !["exact", "nickname"].includes(vector.firstName)
          ? "surname different"
          : undefined
      ].filter((s) => s !== undefined).join(", ")
    }: one record may carry another person's number`,
  when: ({ vector }) =>
    vector.nhsNumber === "exact" &&
    (conflictingForename.includes(vector.firstName) || vector.dateOfBirth === "different" ||
      (vector.lastName === "different" && !["exact", "nickname"].includes(vector.firstName)))
})

/**
 * `NHS_NUMBER_DEMOGRAPHICS_CONFLICT` (review): the two records share a verified NHS number but
 * disagree on the forename (different, or only similar — a twin's number keyed onto the other
 * twin), the date of birth, or the surname and forename together. One record is wrong; a person
 * must look.
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberDemographicsConflict: GuardRule = demographicsConflictRule.merge

const parts = (dob: string) => dob.slice(0, 10).split("-")

/** Whether two dates of birth are the same date with day and month swapped. */
const isDayMonthSwap = (a: string, b: string): boolean => {
  const [ya, ma, da] = parts(a)
  const [yb, mb, db] = parts(b)
  return a !== b && ya === yb && ma === db && da === mb
}

const dobSwapRule = pairRule({
  code: "DOB_DAY_MONTH_SWAP",
  description: "The dates of birth are the same date with day and month swapped",
  severity: "review",
  reason: "day and month of the date of birth are swapped on one record",
  when: ({ a, b }) => a.dateOfBirth != null && b.dateOfBirth != null && isDayMonthSwap(a.dateOfBirth, b.dateOfBirth)
})

/**
 * `DOB_DAY_MONTH_SWAP` (review): the dates of birth are one date written both ways round
 * (03/04 vs 04/03) — usually the same person, but a person must confirm which is right.
 *
 * @since 0.1.0
 * @category rules
 */
export const dobDayMonthSwap: GuardRule = dobSwapRule.merge

const dobMismatchRule = pairRule({
  code: "DOB_MISMATCH",
  description: "Both dates of birth are known and differ (other than a day/month swap)",
  severity: "review",
  reason: ({ vector }) => `dates of birth differ (${vector.dateOfBirth === "close" ? "one digit" : "different"})`,
  when: ({ a, b }) =>
    a.dateOfBirth != null && b.dateOfBirth != null && a.dateOfBirth !== b.dateOfBirth &&
    !isDayMonthSwap(a.dateOfBirth, b.dateOfBirth)
})

/**
 * `DOB_MISMATCH` (review): both dates of birth are known and differ, other than a day/month swap.
 *
 * @since 0.1.0
 * @category rules
 */
export const dobMismatch: GuardRule = dobMismatchRule.merge

const deceasedRule = pairRule({
  code: "DECEASED_MISMATCH",
  description: "One record is marked deceased and the other is not",
  severity: "review",
  reason: (pair) => `only the ${which(pair, (p) => p.deceasedAt !== undefined)} record is marked deceased`,
  when: ({ a, b }) => (a.deceasedAt !== undefined) !== (b.deceasedAt !== undefined)
})

/**
 * `DECEASED_MISMATCH` (review): one record is marked deceased and the other is not.
 *
 * @since 0.1.0
 * @category rules
 */
export const deceasedMismatch: GuardRule = deceasedRule.merge

const restrictedRule = pairRule({
  code: "RESTRICTED",
  description: "A record is restricted",
  severity: "review",
  reason: ({ a, b }) => `${a.restricted && b.restricted ? "both records are" : "a record is"} restricted`,
  when: ({ a, b }) => a.restricted === true || b.restricted === true
})

/**
 * `RESTRICTED` (review): either record is restricted (sensitive; PDS withholds its address).
 *
 * @since 0.1.0
 * @category rules
 */
export const restricted: GuardRule = restrictedRule.merge

const sexMismatchRule = pairRule({
  code: "SEX_MISMATCH",
  description: "Both records have a known sex and they differ",
  severity: "review",
  reason: "recorded sex differs",
  when: ({ a, b }) => Scoring.isKnownSex(a.sex) && Scoring.isKnownSex(b.sex) && a.sex !== b.sex
})

/**
 * `SEX_MISMATCH` (review): both sexes are known (not `Not known` / `Not specified`) and differ —
 * with or without a recorded change of sex, a person must look.
 *
 * @since 0.1.0
 * @category rules
 */
export const sexMismatch: GuardRule = sexMismatchRule.merge

const sexChangedAt = (p: PatientV1 | PatientV2): unknown => (p as PatientV1).sexChangedAt

const sexChangeRule = pairRule({
  code: "SEX_CHANGE_RECORDED",
  description: "The recorded sex differs and a record has a recorded change of sex",
  severity: "review",
  reason: (pair) => `a change of sex is recorded on the ${which(pair, (p) => sexChangedAt(p) !== undefined)} record`,
  when: ({ a, b }) =>
    Scoring.isKnownSex(a.sex) && Scoring.isKnownSex(b.sex) && a.sex !== b.sex &&
    (sexChangedAt(a) !== undefined || sexChangedAt(b) !== undefined)
})

/**
 * `SEX_CHANGE_RECORDED` (review): the sexes differ and a record carries `sex_changed_at` —
 * likely the same person after a recorded change, still for a person to confirm.
 *
 * @since 0.1.0
 * @category rules
 */
export const sexChangeRecorded: GuardRule = sexChangeRule.merge

/**
 * Similarity thresholds (Jaro-Winkler, after normalisation) below which disagreeing names are
 * "far".
 *
 * @since 0.1.0
 * @category models
 */
export interface NameThresholds {
  readonly lastName: number
  readonly firstName: number
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultNameThresholds: NameThresholds = { lastName: 0.8, firstName: 0.8 }

const farLevels: ReadonlyArray<Scoring.Level> = ["similar", "different"]

const namesTooFarRule = (thresholds: NameThresholds): PairRule => {
  const far = (pair: Pair) => {
    const { vector } = pair
    // A changed (married) surname with an equal verified NHS number, the same date of birth and
    // a compatible forename is the same person: the levels Scoring uses decide, not a threshold.
    const surnameChangeExplained = vector.nhsNumber === "exact" && vector.dateOfBirth === "exact" &&
      ["exact", "nickname", "typo", "partial"].includes(vector.firstName)
    const last = Scoring.nameSimilarity(pair.a.lastName, pair.b.lastName)
    const first = Scoring.nameSimilarity(pair.a.firstName, pair.b.firstName)
    return {
      last: farLevels.includes(vector.lastName) && !surnameChangeExplained && last !== undefined &&
        last < thresholds.lastName,
      first: farLevels.includes(vector.firstName) && first !== undefined && first < thresholds.firstName
    }
  }
  return pairRule({
    code: "NAMES_TOO_FAR",
    description: "The surnames or forenames are too far apart",
    severity: "review",
    reason: (pair) => {
      const f = far(pair)
      return `${f.last && f.first ? "surname and forename" : f.last ? "surname" : "forename"} too far apart`
    },
    when: (pair) => {
      const f = far(pair)
      return f.last || f.first
    }
  })
}

/**
 * `NAMES_TOO_FAR` (review): the surname or the forename (or both) disagree (Scoring's levels
 * `different` or `similar`) and are far apart by similarity. A name missing on either side is not
 * judged; a double-barrelled surname containing the other (`partial`) is not far; a changed
 * surname with an equal verified NHS number, the same date of birth and a compatible forename is
 * explained (a married name), not far.
 *
 * @since 0.1.0
 * @category rules
 */
export const namesTooFar = (thresholds: NameThresholds = defaultNameThresholds): GuardRule =>
  namesTooFarRule(thresholds).merge

const placeholderRule = (code: Placeholder.Code, description: string, what: string): PairRule =>
  pairRule({
    code,
    description,
    severity: "review",
    reason: (pair) =>
      `${which(pair, (p) => Placeholder.codes(p, pair.evidence?.placeholders).includes(code))}: ${what}`,
    when: (pair) =>
      Placeholder.codes(pair.a, pair.evidence?.placeholders).includes(code) ||
      Placeholder.codes(pair.b, pair.evidence?.placeholders).includes(code)
  })

const placeholderNameRule = placeholderRule(
  "PLACEHOLDER_NAME",
  "A record has a placeholder name (Baby, Twin, Unknown, Test …)",
  "placeholder name"
)
const sentinelDobRule = placeholderRule(
  "SENTINEL_DOB",
  "A record has a sentinel date of birth (1900-01-01 …)",
  "sentinel date of birth"
)
const sexNotKnownRule = placeholderRule("SEX_NOT_KNOWN", "A record's sex is not known", "sex not known")

/**
 * `PLACEHOLDER_NAME` (review): a record is named as a placeholder ("Baby Smith", "Twin 1",
 * "Unknown Unknown", "Test Patient"; lists in `Placeholder`). Never automatic.
 *
 * @since 0.1.0
 * @category rules
 */
export const placeholderName: GuardRule = placeholderNameRule.merge

/**
 * `SENTINEL_DOB` (review): a record's date of birth is a sentinel (1900-01-01 …). Never automatic.
 *
 * @since 0.1.0
 * @category rules
 */
export const sentinelDob: GuardRule = sentinelDobRule.merge

/**
 * `SEX_NOT_KNOWN` (review): a record's sex is `Not known` (a registration before it was). Never
 * automatic.
 *
 * @since 0.1.0
 * @category rules
 */
export const sexNotKnown: GuardRule = sexNotKnownRule.merge

const lookalikeRule = pairRule({
  code: "LOOKALIKE_PRESENT",
  description: "Another record shares the date of birth and surname but is a different person (twins, relatives)",
  severity: "review",
  reason: (pair) =>
    `${pair.evidence?.lookalikes.length ?? 0} look-alike record(s) share the date of birth and surname with a ${
      [
        ...new Set(
          pair.evidence?.lookalikes.map((l) =>
            l.reason === "nhs-number-differs" ? "different NHS number" : "different forename"
          )
        )
      ].join(" or ")
    }: twins or relatives may be involved`,
  when: (pair) => (pair.evidence?.lookalikes.length ?? 0) > 0
})

/**
 * `LOOKALIKE_PRESENT` (review): the pipeline saw another record (Hero or EHR) sharing the date of
 * birth and surname (or address) that is evidently someone else — a twin, a relative — and the
 * pair is not told apart from it by a verified NHS number or an unrelated forename (see
 * `Lookalike`). Forbids automation; a person decides.
 *
 * @since 0.1.0
 * @category rules
 */
export const lookalikePresent: GuardRule = lookalikeRule.merge

/**
 * The link rules: every pair rule above judged between the Hero patient and the EHR candidate,
 * plus the link's own.
 *
 * @since 0.1.0
 * @category rules
 */
export const linkRules = {
  /** `LINKED_TO_ANOTHER_PATIENT` (refuse): the EHR record is linked to a different Hero patient. */
  linkedToAnotherPatient: fromLinkPredicate({
    code: "LINKED_TO_ANOTHER_PATIENT",
    description: "The EHR record is already linked to a different Hero patient",
    severity: "refuse",
    reason: "the EHR record belongs to another Hero patient (a duplicate to merge, not a link)",
    when: (ctx) => ctx.candidate.heroId !== undefined && ctx.candidate.heroId !== ctx.patient.id
  }),
  /** `CANDIDATE_NOT_MATCH` (review): the candidate's grade is below `match`. */
  candidateNotMatch: fromLinkPredicate({
    code: "CANDIDATE_NOT_MATCH",
    description: "The candidate's score grades below match",
    severity: "review",
    reason: (ctx) => `the candidate grades ${ctx.score.grade}`,
    when: (ctx) => ctx.score.grade !== "match"
  }),
  /** `CANDIDATE_MARGIN` (review): the runner-up scores within the margin of the best candidate. */
  candidateMargin: fromLinkPredicate({
    code: "CANDIDATE_MARGIN",
    description: "The next best candidate scores within the margin of the best",
    severity: "review",
    reason: (ctx) =>
      `the next candidate scores ${
        ctx.runnerUp === undefined ? "" : (ctx.score.score - ctx.runnerUp.score.score).toFixed(1)
      } below the best (margin ${ctx.margin.toFixed(1)})`,
    when: (ctx) => ctx.runnerUp !== undefined && ctx.score.score - ctx.runnerUp.score.score < ctx.margin
  }),
  nhsNumberMismatch: nhsMismatchRule.link,
  nhsNumberInvalid: nhsInvalidRule.link,
  nhsNumberDemographicsConflict: demographicsConflictRule.link,
  dobDayMonthSwap: dobSwapRule.link,
  dobMismatch: dobMismatchRule.link,
  deceasedMismatch: deceasedRule.link,
  sexMismatch: sexMismatchRule.link,
  sexChangeRecorded: sexChangeRule.link,
  /** `RESTRICTED` (review) on a link unless strong identity holds (one verified NHS number). */
  restricted: fromLinkPredicate({
    code: "RESTRICTED",
    description: "A record is restricted and the link does not rest on a shared verified NHS number",
    severity: "review",
    reason: "a restricted record, linked only on demographics",
    when: (ctx) =>
      (ctx.patient.restricted || ctx.candidate.restricted === true) &&
      !(ctx.score.vector.nhsNumber === "exact" && ctx.score.vector.dateOfBirth === "exact")
  }),
  namesTooFar: namesTooFarRule(defaultNameThresholds).link,
  placeholderName: placeholderNameRule.link,
  sentinelDob: sentinelDobRule.link,
  sexNotKnown: sexNotKnownRule.link,
  lookalikePresent: lookalikeRule.link
} as const

/**
 * The default link rules, in evaluation order.
 *
 * @since 0.1.0
 * @category rules
 */
export const defaultLinkRules: ReadonlyArray<LinkRule> = Object.values(linkRules)

/**
 * The default merge rules, in evaluation order.
 *
 * @since 0.1.0
 * @category rules
 */
export const defaultRules: ReadonlyArray<GuardRule> = [
  sameRecord,
  previewPairMismatch,
  resultNotMain,
  mainArchived,
  incomingArchived,
  unrecognisedStatus,
  nhsNumberMismatch,
  nhsNumberInvalid,
  nhsNumberLost,
  nhsNumberDemographicsConflict,
  dobDayMonthSwap,
  dobMismatch,
  deceasedMismatch,
  sexMismatch,
  sexChangeRecorded,
  restricted,
  namesTooFar(),
  placeholderName,
  sentinelDob,
  sexNotKnown,
  lookalikePresent
]

/**
 * The rules without the ones with the given code(s).
 *
 * @since 0.1.0
 * @category combinators
 */
export const without: {
  (codes: string | ReadonlyArray<string>): <R extends Rule<any>>(rules: ReadonlyArray<R>) => ReadonlyArray<R>
  <R extends Rule<any>>(rules: ReadonlyArray<R>, codes: string | ReadonlyArray<string>): ReadonlyArray<R>
} = dual(2, <R extends Rule<any>>(rules: ReadonlyArray<R>, codes: string | ReadonlyArray<string>): ReadonlyArray<R> => {
  const drop: ReadonlyArray<string> = typeof codes === "string" ? [codes] : codes
  return rules.filter((r) => !drop.includes(r.code))
})

/**
 * The rules with another rule added; a rule with the same code is replaced in place.
 *
 * @since 0.1.0
 * @category combinators
 */
export const add: {
  <R extends Rule<any>>(rule: R): (rules: ReadonlyArray<R>) => ReadonlyArray<R>
  <R extends Rule<any>>(rules: ReadonlyArray<R>, rule: R): ReadonlyArray<R>
} = dual(
  2,
  <R extends Rule<any>>(rules: ReadonlyArray<R>, rule: R): ReadonlyArray<R> =>
    rules.some((r) => r.code === rule.code)
      ? rules.map((r) => (r.code === rule.code ? rule : r))
      : [...rules, rule]
)

/**
 * The rules with the findings of one code given another severity (for example a practice that
 * wants `RESTRICTED` to refuse).
 *
 * @since 0.1.0
 * @category combinators
 */
export const regrade: {
  (code: string, severity: Severity): <R extends Rule<any>>(rules: ReadonlyArray<R>) => ReadonlyArray<R>
  <R extends Rule<any>>(rules: ReadonlyArray<R>, code: string, severity: Severity): ReadonlyArray<R>
} = dual(
  3,
  <R extends Rule<any>>(rules: ReadonlyArray<R>, code: string, severity: Severity): ReadonlyArray<R> =>
    rules.map((r): R =>
      r.code === code
        ? {
          ...r,
          check: (ctx: unknown) => Option.map(r.check(ctx), (finding) => ({ ...finding, severity }))
        }
        : r
    )
)

const verdictOf = (findings: ReadonlyArray<Finding>): Verdict =>
  findings.some((f) => f.severity === "refuse")
    ? "refuse"
    : findings.some((f) => f.severity === "review")
    ? "review"
    : "clear"

/**
 * Runs every rule. A rule that throws counts as a refusal under its own code (fail safe). Pure.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate: {
  <Context>(context: Context): (rules: ReadonlyArray<Rule<Context>>) => GuardResult
  <Context>(rules: ReadonlyArray<Rule<Context>>, context: Context): GuardResult
} = dual(2, <Context>(rules: ReadonlyArray<Rule<Context>>, context: Context): GuardResult => {
  const findings: Array<Finding> = []
  for (const rule of rules) {
    let found: Option.Option<Finding>
    try {
      found = rule.check(context)
    } catch {
      found = Option.some({ code: rule.code, severity: "refuse", reason: "the rule could not be evaluated" })
    }
    if (Option.isSome(found)) findings.push(found.value)
  }
  return { findings, verdict: verdictOf(findings) }
})

/**
 * The codes of the findings.
 *
 * @since 0.1.0
 * @category getters
 */
export const codes = (result: GuardResult): ReadonlyArray<string> => result.findings.map((f) => f.code)
