/**
 * Which record stays when duplicates are merged: documented, configurable rules applied in
 * order, so the same group of records gives the same survivor whatever order the patients are
 * processed in and however many run at once.
 *
 * The default rules, first that tells the records apart wins:
 *
 * 1. `holds-ehr-link`: the record linked to an EHR (GP) record;
 * 2. `verified-nhs-number`: the record carrying a verified NHS number;
 * 3. `more-complete`: the record with more of the compared fields filled in;
 * 4. `lower-id`: the record with the lower Hero id (numerically; the only rule that always
 *    decides).
 *
 * @since 0.1.0
 */
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import type { ReceivedNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"

/**
 * What the rules read of a record. Built the same way from a v1 patient and from a v2/v3 search
 * result, so both sides of a pair see the same facts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Contender {
  readonly id: PatientId
  readonly ehrPartnerId?: EhrPartnerId | undefined
  readonly nhsNumber?: ReceivedNhsNumber | undefined
  /** How many of the completeness fields are filled in. */
  readonly filled: number
}

// Fields both v1 and v2 carry under the same names.
const completenessFields = [
  "title",
  "firstName",
  "lastName",
  "sex",
  "dateOfBirth",
  "nhsNumber",
  "mobile",
  "email",
  "addressLine1",
  "addressLine2",
  "addressLine3",
  "town",
  "county",
  "postcode"
] as const

const isFilled = (v: unknown): boolean => v !== undefined && v !== null && (typeof v !== "string" || v.trim() !== "")

/**
 * A contender from a v1 patient or a v2/v3 record.
 *
 * @since 0.1.0
 * @category constructors
 */
export const contender = (id: PatientId, record: PatientV1 | PatientV2): Contender => ({
  id,
  ehrPartnerId: record.ehrPartnerId,
  nhsNumber: record.nhsNumber,
  filled: completenessFields.filter((f) => isFilled((record as Record<string, unknown>)[f])).length
})

/**
 * A survivor rule: negative when `a` should stay rather than `b`, positive for the opposite, 0
 * when the rule cannot tell them apart.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  readonly name: string
  readonly compare: (a: Contender, b: Contender) => number
}

const prefer = (f: (c: Contender) => boolean) => (a: Contender, b: Contender) => Number(f(b)) - Number(f(a))

/**
 * @since 0.1.0
 * @category rules
 */
export const holdsEhrLink: Rule = { name: "holds-ehr-link", compare: prefer((c) => c.ehrPartnerId !== undefined) }

/**
 * @since 0.1.0
 * @category rules
 */
export const verifiedNhsNumber: Rule = {
  name: "verified-nhs-number",
  compare: prefer((c) => c.nhsNumber?._tag === "VerifiedNhsNumber")
}

/**
 * @since 0.1.0
 * @category rules
 */
export const moreComplete: Rule = { name: "more-complete", compare: (a, b) => b.filled - a.filled }

const numeric = /^\d+$/

/**
 * Lower Hero id first: numeric ids by value, anything else after them by string order.
 *
 * @since 0.1.0
 * @category rules
 */
export const lowerId: Rule = {
  name: "lower-id",
  compare: (a, b) => {
    const na = numeric.test(a.id)
    const nb = numeric.test(b.id)
    if (na && nb) {
      return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    }
    if (na !== nb) return na ? -1 : 1
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }
}

/**
 * The default rules, in order.
 *
 * @since 0.1.0
 * @category rules
 */
export const defaultRules: ReadonlyArray<Rule> = [holdsEhrLink, verifiedNhsNumber, moreComplete, lowerId]

/**
 * The survivor's decision: which record stays, and the rule that decided.
 *
 * @since 0.1.0
 * @category models
 */
export interface Choice {
  readonly survivor: Contender
  readonly others: ReadonlyArray<Contender>
  readonly decidedBy: string
}

/**
 * Orders the group by the rules (lower id always ends a tie) and names the survivor.
 *
 * @example
 * ```ts
 * import { Survivor } from "@hero-effect/workflows"
 * import { PatientId } from "@hero-effect/schema/Ids"
 *
 * const choice = Survivor.choose([
 *   { id: PatientId.make("100002"), filled: 9 },
 *   { id: PatientId.make("100001"), filled: 9 }
 * ])
 * choice.survivor.id // "100001" (decided by lower-id)
 * ```
 *
 * @since 0.1.0
 * @category choosing
 */
export const choose = (group: ReadonlyArray<Contender>, rules: ReadonlyArray<Rule> = defaultRules): Choice => {
  const all = [...rules, lowerId]
  const compare = (a: Contender, b: Contender) => {
    for (const rule of all) {
      const c = rule.compare(a, b)
      if (c !== 0) return c
    }
    return 0
  }
  const sorted = [...group].sort(compare)
  const survivor = sorted[0]!
  let decidedBy = "lower-id"
  const runnerUp = sorted[1]
  if (runnerUp !== undefined) {
    for (const rule of all) {
      if (rule.compare(survivor, runnerUp) !== 0) {
        decidedBy = rule.name
        break
      }
    }
  }
  return { survivor, others: sorted.slice(1), decidedBy }
}
