/**
 * Name similarity for matching patient records: Jaro and Jaro-Winkler, shared by the sandbox's
 * candidate search and the workflows' scoring.
 *
 * @since 0.1.0
 */
/**
 * Jaro and Jaro-Winkler string similarity (Winkler 1990): 1 for equal strings, 0 for nothing in
 * common. Works on UTF-16 code units; normalise first.
 *
 * @since 0.1.0
 * @category similarity
 */
export const jaro = (a: string, b: string): number => {
  if (a === b) return 1
  if (a.length === 0 || b.length === 0) return 0
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1)
  const aMatched = new Array<boolean>(a.length).fill(false)
  const bMatched = new Array<boolean>(b.length).fill(false)
  let matches = 0
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window)
    const to = Math.min(b.length - 1, i + window)
    for (let j = from; j <= to; j++) {
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
  const t = transpositions / 2
  return (matches / a.length + matches / b.length + (matches - t) / matches) / 3
}

/**
 * Jaro-Winkler: the Jaro similarity boosted by a common prefix of up to 4 characters, with
 * scaling factor `p` (0.1 by default, at most 0.25 so the result stays within [0, 1]).
 *
 * @since 0.1.0
 * @category similarity
 */
export const jaroWinkler = (a: string, b: string, p = 0.1): number => {
  const j = jaro(a, b)
  const scale = Math.min(Math.max(p, 0), 0.25)
  let prefix = 0
  const max = Math.min(4, a.length, b.length)
  while (prefix < max && a[prefix] === b[prefix]) prefix++
  return j + prefix * scale * (1 - j)
}
