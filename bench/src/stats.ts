/**
 * Small statistics helpers: medians, percentiles and a machine description.
 */
import * as os from "node:os"

export const median = (xs: ReadonlyArray<number>): number => percentile(xs, 50)

/** Nearest-rank percentile on a copy of `xs` (NaN for an empty array). */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return Number.NaN
  const sorted = Float64Array.from(xs).sort()
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Rotates `xs` by `k` places, so that no item is always measured first within a round. */
export const rotate = <A>(xs: ReadonlyArray<A>, k: number): ReadonlyArray<A> => {
  const n = xs.length
  if (n === 0) return xs
  const s = ((k % n) + n) % n
  return [...xs.slice(s), ...xs.slice(0, s)]
}

export interface Machine {
  readonly node: string
  readonly platform: string
  readonly cpus: number
  readonly cpuModel: string
  readonly totalMemoryGiB: number
  readonly date: string
}

export const machine = (): Machine => {
  const cpus = os.cpus()
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
    date: new Date().toISOString()
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
