/**
 * A small seeded pseudo-random generator (mulberry32). The sandbox never uses `Math.random`: the
 * same seed always gives the same world and the same fault sequence.
 *
 * @internal
 */

/** @internal */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max] (inclusive). */
  readonly int: (min: number, max: number) => number
  /** One element of a non-empty array. */
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  /** `true` with probability `p`. */
  readonly chance: (p: number) => boolean
  /** The current internal state, to resume a stream later. */
  readonly state: () => number
}

/** Mixes a string or number into a 32-bit seed. @internal */
export const seedOf = (seed: number | string): number => {
  const text = String(seed)
  let h = 2166136261 >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 16777619) >>> 0
  }
  return h >>> 0
}

/** @internal */
export const make = (seed: number | string): Prng => resume(seedOf(seed))

/** A generator continuing from a {@link Prng.state}. @internal */
export const resume = (state: number): Prng => {
  let a = state >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    chance: (p) => next() < p,
    state: () => a
  }
}
