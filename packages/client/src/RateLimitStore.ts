/**
 * Where the client's rate limiter keeps its state. The in-memory store serves one process; a
 * shared store (Redis, a database) can implement the same interface so several processes share
 * one partner quota.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The store's operations. Times are epoch milliseconds from the caller's `Clock`, so the limiter
 * runs under `TestClock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Reserves one request on `key` under a token bucket of `limit` per `intervalMillis` (GCRA:
   * queued requests are spaced evenly, bursts up to `limit`), and returns how long the caller must
   * wait before sending it. The reservation stands: the caller sends after waiting.
   */
  readonly reserve: (key: string, limit: number, intervalMillis: number, nowMillis: number) => Effect.Effect<number>
  /**
   * Reserves one request on `key` so that no `intervalMillis` window ever holds more than `limit`
   * requests (a sliding log of the last `limit` reservations), and returns the wait.
   */
  readonly reserveSliding: (
    key: string,
    limit: number,
    intervalMillis: number,
    nowMillis: number
  ) => Effect.Effect<number>
  /** Holds every request of `key` back until `untilMillis` (a 429's Retry-After). */
  readonly holdUntil: (key: string, untilMillis: number) => Effect.Effect<void>
  /** The time until which `key` is held, or 0. */
  readonly heldUntil: (key: string) => Effect.Effect<number>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RateLimitStore extends Context.Tag("@hero-effect/client/RateLimitStore")<RateLimitStore, Service>() {}

/**
 * An in-memory store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  // Plain maps changed in synchronous blocks: atomic on the JS thread, no copy per request.
  // Theoretical arrival time of the next request, per key (GCRA).
  const tats = new Map<string, number>()
  const holds = new Map<string, number>()
  // The last `limit` reservation times per key, oldest first.
  const logs = new Map<string, Array<number>>()
  const service: Service = {
    reserve: (key, limit, intervalMillis, now) =>
      Effect.sync(() => {
        const emission = intervalMillis / limit
        const tat = Math.max(tats.get(key) ?? now, now)
        tats.set(key, tat + emission)
        return Math.max(0, tat + emission - intervalMillis - now)
      }),
    reserveSliding: (key, limit, intervalMillis, now) =>
      Effect.sync(() => {
        let log = logs.get(key)
        if (log === undefined) {
          log = []
          logs.set(key, log)
        }
        // Only the last `limit` reservations, and only those still inside a window, can hold a
        // request back: keep no more (a limit of a million must not keep a million times).
        let stale = Math.max(0, log.length - limit)
        while (stale < log.length && log[stale]! <= now - intervalMillis) stale++
        if (stale > 0) log.splice(0, stale)
        const at = log.length >= limit ? Math.max(now, log[log.length - limit]! + intervalMillis) : now
        log.push(at)
        return at - now
      }),
    holdUntil: (key, until) =>
      Effect.sync(() => {
        if ((holds.get(key) ?? 0) < until) holds.set(key, until)
      }),
    heldUntil: (key) => Effect.sync(() => holds.get(key) ?? 0)
  }
  return service
})

/**
 * The in-memory store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<RateLimitStore> = Layer.effect(RateLimitStore, makeMemory)
