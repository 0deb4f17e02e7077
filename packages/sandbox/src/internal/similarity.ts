/**
 * String similarity for demographic matching of EHR candidates.
 *
 * @internal
 */

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

/** Jaro-Winkler similarity in [0, 1]. @internal */
export const jaroWinkler = (a: string, b: string): number => {
  if (a === b) return a.length === 0 ? 1 : 1
  if (a.length === 0 || b.length === 0) return 0
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1)
  const aMatched = new Array<boolean>(a.length).fill(false)
  const bMatched = new Array<boolean>(b.length).fill(false)
  let matches = 0
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - range)
    const hi = Math.min(i + range + 1, b.length)
    for (let j = lo; j < hi; j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = true
        bMatched[j] = true
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  let k = 0
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue
    while (!bMatched[k]) k++
    if (a[i] !== b[k]) transpositions++
    k++
  }
  const m = matches
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3
  let prefix = 0
  while (prefix < Math.min(4, a.length, b.length) && a[prefix] === b[prefix]) prefix++
  return jaro + prefix * 0.1 * (1 - jaro)
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
