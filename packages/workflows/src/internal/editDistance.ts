/**
 * Optimal string alignment distance (Levenshtein with adjacent transpositions): the number of
 * single-letter insertions, deletions, substitutions and swaps of neighbours that turn one
 * string into the other. Used to tell a likely typo from a different name.
 * @internal
 */
export const osaDistance = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let previous2: Array<number> = []
  let previous: Array<number> = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current: Array<number> = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, previous2[j - 2]! + 1)
      current.push(d)
    }
    previous2 = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * Whether `b` is `a` with two neighbouring letters swapped (and nothing else changed).
 * @internal
 */
export const isAdjacentTransposition = (a: string, b: string): boolean => {
  if (a.length !== b.length || a === b) return false
  let i = 0
  while (a[i] === b[i]) i++
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)
}
