/**
 * Merge safety rules as values. Each rule has a stable code and looks at the two records, the
 * preview's result, the diff and the score; it may return a finding that refuses the merge or
 * sends it to a person. Reasons never contain patient values.
 *
 * @since 0.1.0
 */
import type { MergePreview, PatientId, PatientV1 } from "@hero-effect/schema"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as MergeDiff from "./MergeDiff.js"
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
 * What a rule sees. `requested` is the pair the caller asked to preview, when known (the preview
 * must be about that pair).
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
}

/**
 * A safety rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardRule {
  readonly code: string
  readonly description: string
  readonly check: (context: GuardContext) => Option.Option<Finding>
}

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
 * A rule that fires with a fixed severity and reason when `when` holds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPredicate = (rule: {
  readonly code: string
  readonly description: string
  readonly severity: Severity
  readonly reason: string | ((context: GuardContext) => string)
  readonly when: (context: GuardContext) => boolean
}): GuardRule =>
  make({
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
}): GuardContext => ({
  main: preview.mainPatient,
  incoming: preview.incomingPatient,
  result: preview.resultPatient,
  diff: MergeDiff.fromPreview(preview),
  score: options?.score ?? Scoring.scorePatients(preview.mainPatient, preview.incomingPatient, options?.scoring),
  requested: options?.requested
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

/**
 * `NHS_NUMBER_MISMATCH` (refuse): both records carry verified NHS numbers and they differ. Such
 * duplicates are never merged locally: raise them with PCSE ("Duplicates and Confusions") and let
 * the National Back Office supersede one number.
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberMismatch: GuardRule = fromPredicate({
  code: "NHS_NUMBER_MISMATCH",
  description: "Both records have verified NHS numbers and they differ",
  severity: "refuse",
  reason: "verified NHS numbers differ: route to PCSE, never merge locally",
  when: (ctx) =>
    ctx.main.nhsNumber?._tag === "VerifiedNhsNumber" && ctx.incoming.nhsNumber?._tag === "VerifiedNhsNumber" &&
    ctx.main.nhsNumber.value !== ctx.incoming.nhsNumber.value
})

/**
 * `NHS_NUMBER_INVALID` (refuse): a record carries an NHS number that fails validation.
 *
 * @since 0.1.0
 * @category rules
 */
export const nhsNumberInvalid: GuardRule = fromPredicate({
  code: "NHS_NUMBER_INVALID",
  description: "A record carries an NHS number that fails validation",
  severity: "refuse",
  reason: (ctx) =>
    `${
      [
        ctx.main.nhsNumber?._tag === "UnverifiedNhsNumber" ? `main (${ctx.main.nhsNumber.reason})` : undefined,
        ctx.incoming.nhsNumber?._tag === "UnverifiedNhsNumber"
          ? `incoming (${ctx.incoming.nhsNumber.reason})`
          : undefined
      ].filter((s) => s !== undefined).join(" and ")
    }: NHS number fails validation`,
  when: (ctx) => either(ctx, (p) => p.nhsNumber?._tag === "UnverifiedNhsNumber")
})

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

/**
 * `DOB_MISMATCH` (refuse): both dates of birth are known and differ.
 *
 * @since 0.1.0
 * @category rules
 */
export const dobMismatch: GuardRule = fromPredicate({
  code: "DOB_MISMATCH",
  description: "Both dates of birth are known and differ",
  severity: "refuse",
  reason: "dates of birth differ",
  when: (ctx) =>
    ctx.main.dateOfBirth != null && ctx.incoming.dateOfBirth != null &&
    ctx.main.dateOfBirth !== ctx.incoming.dateOfBirth
})

/**
 * `DECEASED_MISMATCH` (refuse): one record is marked deceased and the other is not.
 *
 * @since 0.1.0
 * @category rules
 */
export const deceasedMismatch: GuardRule = fromPredicate({
  code: "DECEASED_MISMATCH",
  description: "One record is marked deceased and the other is not",
  severity: "refuse",
  reason: (ctx) => `only the ${ctx.main.deceasedAt !== undefined ? "main" : "incoming"} record is marked deceased`,
  when: (ctx) => (ctx.main.deceasedAt !== undefined) !== (ctx.incoming.deceasedAt !== undefined)
})

/**
 * `RESTRICTED` (review): either record is restricted (sensitive; PDS withholds its address).
 *
 * @since 0.1.0
 * @category rules
 */
export const restricted: GuardRule = fromPredicate({
  code: "RESTRICTED",
  description: "A record is restricted",
  severity: "review",
  reason: (ctx) => `${ctx.main.restricted && ctx.incoming.restricted ? "both records are" : "a record is"} restricted`,
  when: (ctx) => either(ctx, (p) => p.restricted)
})

/**
 * `SEX_MISMATCH` (refuse): both sexes are known (not `Not known` / `Not specified`) and differ.
 *
 * @since 0.1.0
 * @category rules
 */
export const sexMismatch: GuardRule = fromPredicate({
  code: "SEX_MISMATCH",
  description: "Both records have a known sex and they differ",
  severity: "refuse",
  reason: "recorded sex differs",
  when: (ctx) =>
    Scoring.isKnownSex(ctx.main.sex) && Scoring.isKnownSex(ctx.incoming.sex) && ctx.main.sex !== ctx.incoming.sex
})

/**
 * Similarity thresholds (Jaro-Winkler, after normalisation) below which names are "far".
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

/**
 * `NAMES_TOO_FAR` (review): the surname or the forename (or both) are far apart. A name missing
 * on either side is not judged. Surnames change (marriage), so this asks a person rather than
 * refusing.
 *
 * @since 0.1.0
 * @category rules
 */
export const namesTooFar = (thresholds: NameThresholds = defaultNameThresholds): GuardRule =>
  make({
    code: "NAMES_TOO_FAR",
    description: "The surnames or forenames are too far apart",
    check: (ctx) => {
      const last = Scoring.nameSimilarity(ctx.main.lastName, ctx.incoming.lastName)
      const first = Scoring.nameSimilarity(ctx.main.firstName, ctx.incoming.firstName)
      const lastFar = last !== undefined && last < thresholds.lastName
      const firstFar = first !== undefined && first < thresholds.firstName
      if (!lastFar && !firstFar) return Option.none()
      const which = lastFar && firstFar ? "surname and forename" : lastFar ? "surname" : "forename"
      return Option.some({
        code: "NAMES_TOO_FAR",
        severity: "review",
        reason: `${which} too far apart (similarity ${
          [lastFar ? last!.toFixed(2) : undefined, firstFar ? first!.toFixed(2) : undefined].filter((s) =>
            s !== undefined
          ).join(", ")
        })`
      })
    }
  })

/**
 * The default rules, in evaluation order.
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
  dobMismatch,
  deceasedMismatch,
  sexMismatch,
  restricted,
  namesTooFar()
]

/**
 * The rules without the ones with the given code(s).
 *
 * @since 0.1.0
 * @category combinators
 */
export const without: {
  (codes: string | ReadonlyArray<string>): (rules: ReadonlyArray<GuardRule>) => ReadonlyArray<GuardRule>
  (rules: ReadonlyArray<GuardRule>, codes: string | ReadonlyArray<string>): ReadonlyArray<GuardRule>
} = dual(2, (rules: ReadonlyArray<GuardRule>, codes: string | ReadonlyArray<string>): ReadonlyArray<GuardRule> => {
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
  (rule: GuardRule): (rules: ReadonlyArray<GuardRule>) => ReadonlyArray<GuardRule>
  (rules: ReadonlyArray<GuardRule>, rule: GuardRule): ReadonlyArray<GuardRule>
} = dual(
  2,
  (rules: ReadonlyArray<GuardRule>, rule: GuardRule): ReadonlyArray<GuardRule> =>
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
  (code: string, severity: Severity): (rules: ReadonlyArray<GuardRule>) => ReadonlyArray<GuardRule>
  (rules: ReadonlyArray<GuardRule>, code: string, severity: Severity): ReadonlyArray<GuardRule>
} = dual(
  3,
  (rules: ReadonlyArray<GuardRule>, code: string, severity: Severity): ReadonlyArray<GuardRule> =>
    rules.map((r) =>
      r.code === code
        ? make({
          code: r.code,
          description: r.description,
          check: (ctx) => Option.map(r.check(ctx), (finding) => ({ ...finding, severity }))
        })
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
  (context: GuardContext): (rules: ReadonlyArray<GuardRule>) => GuardResult
  (rules: ReadonlyArray<GuardRule>, context: GuardContext): GuardResult
} = dual(2, (rules: ReadonlyArray<GuardRule>, context: GuardContext): GuardResult => {
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
