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
import * as Ref from "effect/Ref"

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
export const makeMemory: Effect.Effect<Service> = Effect.gen(function*() {
  // Theoretical arrival time of the next request, per key (GCRA).
  const tats = yield* Ref.make(new Map<string, number>())
  const holds = yield* Ref.make(new Map<string, number>())
  // The last `limit` reservation times per key, oldest first.
  const logs = yield* Ref.make(new Map<string, ReadonlyArray<number>>())
  return {
    reserve: (key, limit, intervalMillis, now) =>
      Ref.modify(tats, (map) => {
        const emission = intervalMillis / limit
        const tat = Math.max(map.get(key) ?? now, now)
        const allowedAt = tat + emission - intervalMillis
        const next = new Map(map)
        next.set(key, tat + emission)
        return [Math.max(0, allowedAt - now), next]
      }),
    reserveSliding: (key, limit, intervalMillis, now) =>
      Ref.modify(logs, (map) => {
        const log = map.get(key) ?? []
        const at = log.length >= limit ? Math.max(now, log[log.length - limit]! + intervalMillis) : now
        const kept = [...log, at]
        const next = new Map(map)
        next.set(key, kept.slice(Math.max(0, kept.length - limit)))
        return [at - now, next]
      }),
    holdUntil: (key, until) =>
      Ref.update(holds, (map) => {
        if ((map.get(key) ?? 0) >= until) return map
        const next = new Map(map)
        next.set(key, until)
        return next
      }),
    heldUntil: (key) => Effect.map(Ref.get(holds), (map) => map.get(key) ?? 0)
  }
})

/**
 * The in-memory store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<RateLimitStore> = Layer.effect(RateLimitStore, makeMemory)
