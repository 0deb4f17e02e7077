/**
 * The adaptive client-wide limit: the capacity a client learns from 429s that say when to come
 * back. It owns the record of recent successes and the learned limit, as plain numbers changed
 * in synchronous blocks (no Effect: it is read on every attempt and written on every success).
 * The limiter reads the limit from it; the call tells it of successes and 429s.
 * @internal
 */
import * as Duration from "effect/Duration"
import type { RateLimit } from "../Operation.js"

/** @internal */
export interface AdaptiveLimit {
  /** Whether anything is learned (else `noteSuccess` and `learnFrom429` need not be called). */
  readonly adaptive: boolean
  readonly noteSuccess: (now: number) => void
  readonly learnFrom429: (now: number) => void
  /** The client-wide limit at `now`: the configured one, or lower while a learned one stands. */
  readonly limitAt: (now: number) => RateLimit | undefined
}

/**
 * Learned capacity (client-wide limit, `adaptive` unless turned off): a 429 that says when to
 * come back means the key's real allowance is lower than configured (set too high, or shared
 * with another process). The limit drops to the successes of the last interval, then climbs
 * back by one per interval without a 429.
 * @internal
 */
export const makeAdaptiveLimit = (overall: RateLimit | undefined, adaptive: boolean): AdaptiveLimit => {
  const overallMillis = overall === undefined ? 0 : Duration.toMillis(overall.interval)
  let learnedLimit: number | undefined
  let learnedAt = 0
  // Success times within the last interval, oldest first, read from `oldest`: expired ones are
  // skipped in amortised O(1) and the array compacted once most of it is behind `oldest`.
  const successTimes: Array<number> = []
  let oldest = 0
  const dropExpired = (now: number) => {
    while (oldest < successTimes.length && successTimes[oldest]! <= now - overallMillis) {
      oldest++
    }
    if (oldest > 1024 && oldest * 2 > successTimes.length) {
      successTimes.splice(0, oldest)
      oldest = 0
    }
  }
  const noteSuccess = (now: number) => {
    successTimes.push(now)
    dropExpired(now)
  }
  const learnFrom429 = (now: number) => {
    if (!adaptive) {
      return
    }
    dropExpired(now)
    const accepted = successTimes.length - oldest
    const next = Math.max(1, accepted)
    if (learnedLimit === undefined || next < learnedLimit) {
      learnedLimit = Math.min(next, overall!.limit)
      learnedAt = now
    }
  }
  const limitAt = (now: number): RateLimit | undefined => {
    if (overall === undefined || learnedLimit === undefined) {
      return overall
    }
    // One more per whole interval since the last change (idle time counts).
    const steps = overallMillis > 0 ? Math.floor((now - learnedAt) / overallMillis) : overall.limit
    if (steps > 0) {
      learnedLimit += steps
      learnedAt += steps * overallMillis
      if (learnedLimit >= overall.limit) {
        learnedLimit = undefined
        return overall
      }
    }
    return { ...overall, limit: learnedLimit }
  }
  return { adaptive, noteSuccess, learnFrom429, limitAt }
}
