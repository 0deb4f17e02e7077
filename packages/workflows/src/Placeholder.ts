/**
 * Placeholder identities and sentinel values: records registered before the person was known —
 * newborns as "Baby Smith" or "Twin 1", "Unknown Unknown" born 1900-01-01, sex "Not known". They
 * agree with each other on everything, so a score would happily join them; careful systems
 * (HAPI FHIR MDM's `NO-MDM`) never link or merge them automatically. The lists are
 * configurable.
 *
 * @since 0.1.0
 */
import type { Sex } from "@hero-effect/schema/Sex"
import * as N from "./internal/normalise.js"

/**
 * What counts as a placeholder.
 *
 * - `firstNames`: forenames (normalised: lower case, letters only) that mean "not named yet";
 *   a forename *starting* with one of `firstNamePrefixes` counts too ("Twin1", "Babyboy");
 * - `lastNames`: surnames that mean "not known";
 * - `sentinelDatesOfBirth`: dates of birth (YYYY-MM-DD) systems use for "not known";
 * - `unknownSexes`: sex values that say nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  readonly firstNames: ReadonlyArray<string>
  readonly firstNamePrefixes: ReadonlyArray<string>
  readonly lastNames: ReadonlyArray<string>
  readonly sentinelDatesOfBirth: ReadonlyArray<string>
  readonly unknownSexes: ReadonlyArray<string>
}

/**
 * The defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConfig: Config = {
  firstNames: [
    "baby",
    "babyboy",
    "babygirl",
    "boy",
    "girl",
    "infant",
    "newborn",
    "twin",
    "triplet",
    "unknown",
    "notknown",
    "unnamed",
    "noname",
    "nk",
    "test",
    "testpatient",
    "patient",
    "dummy",
    "anon",
    "anonymous",
    "xx",
    "xxx",
    "zz",
    "zzz",
    "male",
    "female",
    "son",
    "daughter"
  ],
  firstNamePrefixes: ["baby", "twin", "triplet", "unknown", "notknown", "test"],
  lastNames: [
    "unknown",
    "notknown",
    "nk",
    "unnamed",
    "test",
    "testpatient",
    "patient",
    "dummy",
    "anon",
    "anonymous",
    "xx",
    "xxx",
    "zz",
    "zzz"
  ],
  sentinelDatesOfBirth: [
    "0001-01-01",
    "1000-01-01",
    "1800-01-01",
    "1850-01-01",
    "1899-12-31",
    "1900-01-01",
    "1901-01-01",
    "9999-12-31"
  ],
  unknownSexes: ["Not known"]
}

/**
 * A configuration from the defaults with some lists replaced.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConfig = (overrides: Partial<Config>, base: Config = defaultConfig): Config => ({
  ...base,
  ...overrides
})

/**
 * What a placeholder check found, as rule codes.
 *
 * - `PLACEHOLDER_NAME`: a placeholder forename or surname;
 * - `SENTINEL_DOB`: a sentinel date of birth;
 * - `SEX_NOT_KNOWN`: a sex value that says nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Code = "PLACEHOLDER_NAME" | "SENTINEL_DOB" | "SEX_NOT_KNOWN"

/**
 * The fields a placeholder check reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checked {
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly dateOfBirth?: string | null | undefined
  readonly sex?: Sex | undefined
}

/**
 * Whether the record's names are a placeholder.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasPlaceholderName = (record: Checked, config: Config = defaultConfig): boolean => {
  const first = N.name(record.firstName)
  const last = N.name(record.lastName)
  const firstPart = N.nameParts(record.firstName)[0] ?? ""
  return (first.length > 0 &&
    (config.firstNames.includes(first) || config.firstNames.includes(firstPart) ||
      config.firstNamePrefixes.some((p) => first.startsWith(p) && /^\d*$/.test(first.slice(p.length))) ||
      config.firstNamePrefixes.some((p) => firstPart === p))) ||
    (last.length > 0 && config.lastNames.includes(last))
}

/**
 * The placeholder codes of one record, in a fixed order.
 *
 * @example
 * ```ts
 * import { Placeholder } from "@hero-effect/workflows"
 *
 * Placeholder.codes({ firstName: "Baby", lastName: "Smith", dateOfBirth: "2026-03-02" })
 * // ["PLACEHOLDER_NAME"]
 * ```
 *
 * @since 0.1.0
 * @category checks
 */
export const codes = (record: Checked, config: Config = defaultConfig): ReadonlyArray<Code> => {
  const out: Array<Code> = []
  if (hasPlaceholderName(record, config)) out.push("PLACEHOLDER_NAME")
  if (record.dateOfBirth != null && config.sentinelDatesOfBirth.includes(record.dateOfBirth.slice(0, 10))) {
    out.push("SENTINEL_DOB")
  }
  if (record.sex !== undefined && config.unknownSexes.includes(record.sex)) out.push("SEX_NOT_KNOWN")
  return out
}
