/**
 * Term frequencies for frequency-aware agreement (Splink's term-frequency adjustment): agreeing
 * on a common surname or forename, or on a postcode many records share (a block of flats), is
 * weaker evidence than agreeing on a rare one, so it earns fewer points.
 *
 * Frequencies come from a population (`fromRecords`: the records you can see — the main job
 * uses the practice's own list) on top of a built-in prior of the most common names on UK lists
 * (`prior`), used when no population is given. Adjustments only ever *reduce* points: a rare
 * value never earns more than the configured weight, so a small or skewed population cannot
 * make a weak match look strong.
 *
 * @since 0.1.0
 */
import * as N from "./internal/normalise.js"

/**
 * The fields whose agreement is adjusted.
 *
 * @since 0.1.0
 * @category models
 */
export type AdjustedField = "lastName" | "firstName" | "postcode" | "dateOfBirth"

/**
 * A frequency table: for a field and a normalised value, the share of the population holding
 * it (0 to 1), or how many records share it (postcodes, dates of birth), when known.
 *
 * @since 0.1.0
 * @category models
 */
export interface Frequencies {
  /** Share of people with this normalised surname / forename, if known. */
  readonly nameShare: (field: "lastName" | "firstName", normalised: string) => number | undefined
  /** How many records share this normalised postcode / date of birth, if known. */
  readonly count: (field: "postcode" | "dateOfBirth", normalised: string) => number | undefined
}

/**
 * How adjustments are computed.
 *
 * - `typicalNameShare`: the share of an ordinary name (below it: no adjustment); each doubling
 *   above it costs `pointsPerDoubling`, at most `maxNamePoints`;
 * - `typicalPostcodeCount`: records an ordinary postcode holds in a practice list (a street of
 *   houses); each doubling above it costs `pointsPerDoubling`, at most `maxPostcodePoints`;
 * - `yearOnlyDobPoints`: points taken from agreement on a 1 January date of birth (the date
 *   recorded when only the year is known, common for people registered from abroad).
 *
 * @since 0.1.0
 * @category models
 */
export interface AdjustmentConfig {
  readonly typicalNameShare: { readonly lastName: number; readonly firstName: number }
  readonly typicalPostcodeCount: number
  readonly pointsPerDoubling: number
  readonly maxNamePoints: number
  readonly maxPostcodePoints: number
  readonly yearOnlyDobPoints: number
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultAdjustment: AdjustmentConfig = {
  typicalNameShare: { lastName: 0.002, firstName: 0.006 },
  typicalPostcodeCount: 4,
  pointsPerDoubling: 0.75,
  maxNamePoints: 3,
  maxPostcodePoints: 4,
  yearOnlyDobPoints: 2
}

// Approximate shares of the most common surnames and forenames on UK lists (England and Wales
// population, rounded; forenames across generations). A prior only: a population given to
// `fromRecords` replaces it for every value it holds.
const priorSurnames: ReadonlyArray<readonly [string, number]> = [
  ["smith", 0.0115],
  ["jones", 0.0075],
  ["williams", 0.0055],
  ["taylor", 0.0045],
  ["brown", 0.0045],
  ["davies", 0.004],
  ["evans", 0.0035],
  ["wilson", 0.0032],
  ["thomas", 0.0031],
  ["johnson", 0.003],
  ["roberts", 0.003],
  ["robinson", 0.0025],
  ["thompson", 0.0025],
  ["wright", 0.0024],
  ["walker", 0.0023],
  ["white", 0.0022],
  ["edwards", 0.0021],
  ["hughes", 0.0021],
  ["green", 0.002],
  ["hall", 0.002],
  ["lewis", 0.0019],
  ["harris", 0.0019],
  ["clarke", 0.0018],
  ["patel", 0.0018],
  ["jackson", 0.0018],
  ["wood", 0.0017],
  ["turner", 0.0016],
  ["martin", 0.0016],
  ["cooper", 0.0016],
  ["hill", 0.0016],
  ["khan", 0.0016],
  ["ward", 0.0015],
  ["morris", 0.0015],
  ["moore", 0.0015],
  ["clark", 0.0015],
  ["lee", 0.0014],
  ["king", 0.0014],
  ["baker", 0.0014],
  ["harrison", 0.0014],
  ["morgan", 0.0014],
  ["allen", 0.0013],
  ["james", 0.0013],
  ["scott", 0.0013],
  ["singh", 0.0013],
  ["ali", 0.0012],
  ["begum", 0.0012],
  ["hussain", 0.0011],
  ["ahmed", 0.0011],
  ["murphy", 0.0011],
  ["kelly", 0.0011]
]

const priorForenames: ReadonlyArray<readonly [string, number]> = [
  ["muhammad", 0.012],
  ["mohammed", 0.012],
  ["mohammad", 0.012],
  ["mohamed", 0.012],
  ["david", 0.013],
  ["john", 0.013],
  ["michael", 0.011],
  ["james", 0.011],
  ["paul", 0.009],
  ["andrew", 0.009],
  ["peter", 0.008],
  ["robert", 0.008],
  ["mark", 0.008],
  ["richard", 0.007],
  ["christopher", 0.007],
  ["thomas", 0.007],
  ["william", 0.007],
  ["daniel", 0.006],
  ["matthew", 0.006],
  ["stephen", 0.006],
  ["sarah", 0.008],
  ["margaret", 0.007],
  ["susan", 0.006],
  ["elizabeth", 0.006],
  ["mary", 0.006],
  ["emma", 0.006],
  ["jennifer", 0.005],
  ["emily", 0.005],
  ["jessica", 0.005],
  ["olivia", 0.005],
  ["amelia", 0.005],
  ["patricia", 0.005],
  ["karen", 0.005],
  ["helen", 0.005],
  ["claire", 0.005],
  ["laura", 0.005],
  ["rachel", 0.005],
  ["nicola", 0.005],
  ["julie", 0.005],
  ["jane", 0.005]
]

const priorTables = {
  lastName: new Map(priorSurnames),
  firstName: new Map(priorForenames)
} as const

/**
 * The built-in prior: shares of the most common UK surnames and forenames; no postcode or date
 * of birth counts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prior: Frequencies = {
  nameShare: (field, normalised) => priorTables[field].get(normalised),
  count: () => undefined
}

/**
 * No frequencies: no adjustment at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: Frequencies = { nameShare: () => undefined, count: () => undefined }

/**
 * A record of a population, in the fields frequencies are counted over.
 *
 * @since 0.1.0
 * @category models
 */
export interface PopulationRecord {
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly postcode?: string | undefined
  readonly dateOfBirth?: string | null | undefined
}

/**
 * Frequencies counted over a population (for example the practice's Hero list and its EHR
 * records), falling back to `fallback` (default {@link prior}) for names the population does not
 * hold. Shares of a name are smoothed towards the prior for small populations, so one family of
 * five Nguyens in a list of fifty does not make Nguyen "common".
 *
 * @example
 * ```ts
 * import { Frequencies } from "@hero-effect/workflows"
 *
 * const frequencies = Frequencies.fromRecords([
 *   { lastName: "Khan", postcode: "M1 1AA" },
 *   { lastName: "Khan", postcode: "M1 1AA" }
 * ])
 * frequencies.count("postcode", "M11AA") // 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRecords = (records: Iterable<PopulationRecord>, fallback: Frequencies = prior): Frequencies => {
  const counts = {
    lastName: new Map<string, number>(),
    firstName: new Map<string, number>(),
    postcode: new Map<string, number>(),
    dateOfBirth: new Map<string, number>()
  }
  let size = 0
  const bump = (map: Map<string, number>, key: string) => {
    if (key.length > 0) map.set(key, (map.get(key) ?? 0) + 1)
  }
  for (const r of records) {
    size++
    bump(counts.lastName, N.name(r.lastName))
    bump(counts.firstName, N.name(r.firstName))
    bump(counts.postcode, N.postcode(r.postcode))
    if (r.dateOfBirth != null) bump(counts.dateOfBirth, r.dateOfBirth)
  }
  // Additive smoothing: a name seen k times in n records has share (k + a·p) / (n + a), where p
  // is the fallback's share (or a typical one) and a = 200 pseudo-records.
  const pseudo = 200
  return {
    nameShare: (field, normalised) => {
      const k = counts[field].get(normalised)
      const p = fallback.nameShare(field, normalised)
      if (k === undefined) return p
      return (k + pseudo * (p ?? defaultAdjustment.typicalNameShare[field])) / (size + pseudo)
    },
    count: (field, normalised) => counts[field].get(normalised) ?? fallback.count(field, normalised)
  }
}

const doublingsAbove = (value: number, typical: number): number =>
  value > typical && typical > 0 ? Math.log2(value / typical) : 0

/**
 * The points (zero or negative) to add to an exact agreement on `value` in `field`.
 *
 * @since 0.1.0
 * @category adjustment
 */
export const adjustment = (
  frequencies: Frequencies,
  field: AdjustedField,
  value: string,
  config: AdjustmentConfig = defaultAdjustment
): number => {
  const round = (n: number) => -Math.round(n * 100) / 100 || 0
  switch (field) {
    case "lastName":
    case "firstName": {
      const share = frequencies.nameShare(field, N.name(value))
      if (share === undefined) return 0
      return round(
        Math.min(config.maxNamePoints, doublingsAbove(share, config.typicalNameShare[field]) * config.pointsPerDoubling)
      )
    }
    case "postcode": {
      const count = frequencies.count("postcode", N.postcode(value))
      if (count === undefined) return 0
      return round(
        Math.min(
          config.maxPostcodePoints,
          doublingsAbove(count, config.typicalPostcodeCount) * config.pointsPerDoubling
        )
      )
    }
    case "dateOfBirth":
      return value.slice(5) === "01-01" ? round(config.yearOnlyDobPoints) : 0
  }
}
