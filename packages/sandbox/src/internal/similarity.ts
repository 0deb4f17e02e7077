/**
 * String similarity for demographic matching of EHR candidates.
 *
 * @internal
 */
import { jaroWinkler } from "@hero-effect/schema/NameSimilarity"

/** Lower case, letters only (so "O'Brien" and "OBrien" compare equal). @internal */
export const normaliseName = (s: string): string => s.toLowerCase().replace(/[^a-z]/g, "")

/** Upper case without spaces (`ls14ap` → `LS14AP`). @internal */
export const normalisePostcode = (s: string): string => s.replace(/\s+/g, "").toUpperCase()

/** Levenshtein edit distance. @internal */
export const editDistance = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(current[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * Whether two names are similar enough to be the same person's with a typo: Jaro-Winkler ≥ 0.85
 * or at most 2 edits, after normalisation.
 *
 * @internal
 */
export const similarNames = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined) return false
  const x = normaliseName(a)
  const y = normaliseName(b)
  if (x.length === 0 || y.length === 0) return false
  return jaroWinkler(x, y) >= 0.85 || editDistance(x, y) <= 2
}
