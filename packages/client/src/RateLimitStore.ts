/**
 * Where the client's rate limiter keeps its state. The in-memory store serves one process; a
 * shared store (`RedisRateLimitStore`, or your own on a database) implements the same interface
 * so several processes share one partner quota.
 *
 * The default algorithm is a sliding window counted from responses: every attempt takes a place
 * ({@link Service.acquireSliding}) before it is sent, keeps it while in flight, and settles it
 * ({@link Service.settleSliding}) when its response or failure arrives; from then the place counts
 * for one window. At most `limit` places are in flight or answered within the window. The
 * response is an upper bound of when the server admitted the request, so no server window (fixed
 * or sliding, of the same length) ever holds more than `limit` of them, whatever happened between
 * the limiter and the server. The other operations serve the token bucket (`reserve`), the window
 * counted from reservations (`reserveSliding`) and the holds a 429's `Retry-After` sets.
 *
 * @example
 * ```ts
 * import * as RateLimitStore from "@hero-effect/client/RateLimitStore"
 * import { Effect } from "effect"
 *
 * // The protocol, as the client follows it for every attempt.
 * const program = Effect.gen(function*() {
 *   const store = yield* RateLimitStore.makeMemory
 *   const place = { key: "k", limit: 1, intervalMillis: 1_000, lostAfterMillis: 70_000 }
 *   yield* store.acquireSliding({ ...place, ticket: "a", nowMillis: 0 }) // { _tag: "Taken" }: send it
 *   yield* store.acquireSliding({ ...place, ticket: "b", nowMillis: 10 }) // { _tag: "Wait", millis: 1000 }
 *   // "a" is answered at 300 ms: it counts until 1300 ms.
 *   yield* store.settleSliding({ key: "k", ticket: "a", intervalMillis: 1_000, nowMillis: 300, mayHaveReachedServer: true })
 *   yield* store.acquireSliding({ ...place, ticket: "b", nowMillis: 1_010 }) // { _tag: "Wait", millis: 290 }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SyncStore } from "./internal/syncStore.js"
import { fromSync } from "./internal/syncStore.js"

/**
 * A request for a place in a response-counted sliding window ({@link Service.acquireSliding}).
 *
 * @since 0.2.0
 * @category models
 */
export interface SlidingRequest {
  readonly key: string
  /** At most this many places: requests in flight plus those answered within the window. */
  readonly limit: number
  /** The window: the limit's interval plus its margin. */
  readonly intervalMillis: number
  /** Names the place until it is settled; unique across every process sharing the store. */
  readonly ticket: string
  /** The caller's `Clock` (a shared store may use its own clock instead). */
  readonly nowMillis: number
  /**
   * How long an unsettled place counts as in flight before it is presumed lost (its process
   * crashed before settling it). The engine passes what is left of the call's deadline plus a
   * slack: a live process always settles first.
   */
  readonly lostAfterMillis: number
}

/**
 * What {@link Service.acquireSliding} answers: the place is `Taken` (send now, settle later), or
 * none can free within `millis` (ask again then, or sooner if a place is released).
 *
 * @since 0.2.0
 * @category models
 */
export type SlidingAnswer =
  | { readonly _tag: "Taken" }
  | { readonly _tag: "Wait"; readonly millis: number }

/**
 * The end of a place's flight ({@link Service.settleSliding}).
 *
 * @since 0.2.0
 * @category models
 */
export interface SlidingSettlement {
  readonly key: string
  readonly ticket: string
  /** The window the place was taken in (for the key's expiry in a shared store). */
  readonly intervalMillis: number
  /** The caller's `Clock` when the response (or failure) arrived. */
  readonly nowMillis: number
  /**
   * `true`: the request may have reached the server (a response of any status, a timeout, a
   * reset, an interruption while in flight); it counts from now for one window. `false`: it
   * certainly did not (never sent, connection refused); its place is freed at once.
   */
  readonly mayHaveReachedServer: boolean
}

/**
 * The store's operations. Times are epoch milliseconds from the caller's `Clock`, so the limiter
 * runs under `TestClock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Whether several processes share this store's state (Redis: `true`; memory: `false`). A
   * client on a shared store does not learn its limit from 429s by default (`adaptive`): the
   * store already counts every process's requests, and one process lowering its own limit would
   * only starve it.
   *
   * @since 0.2.0
   */
  readonly shared: boolean
  /**
   * Reserves one request on `key` under a token bucket of `limit` per `intervalMillis` (GCRA:
   * queued requests are spaced evenly, bursts up to `limit`), and returns how long the caller must
   * wait before sending it. The reservation stands: the caller sends after waiting.
   */
  readonly reserve: (key: string, limit: number, intervalMillis: number, nowMillis: number) => Effect.Effect<number>
  /**
   * Reserves one request on `key` so that no `intervalMillis` window ever holds more than `limit`
   * reservations (a sliding log of the last `limit` reservations), and returns the wait. Used by
   * `countFrom: "reservation"`: a request counts from when the limiter let it go, not from when
   * the server saw it.
   */
  readonly reserveSliding: (
    key: string,
    limit: number,
    intervalMillis: number,
    nowMillis: number
  ) => Effect.Effect<number>
  /**
   * Takes a place in the response-counted sliding window of `key` (the default algorithm), or
   * says how long until one can free. A place is held from here while the request is in flight,
   * and after {@link Service.settleSliding} for one window from its response: the response is an
   * upper bound of when the server admitted the request, so however late the request travels,
   * no window of the server's (fixed or sliding, of that length) holds more than `limit`.
   *
   * Untaken, the wait is the earliest a place can free: when enough answered places leave the
   * window, or, when too many are in flight, one window from now (a request still in flight
   * counts for a window from its response, which is later) or when the oldest is presumed lost.
   *
   * @since 0.2.0
   */
  readonly acquireSliding: (request: SlidingRequest) => Effect.Effect<SlidingAnswer>
  /**
   * Ends the flight of a place taken by {@link Service.acquireSliding}: it counts from now for one
   * window, or (`mayHaveReachedServer: false`) is freed. Settling a ticket the store no longer
   * knows (presumed lost, or taken elsewhere) counts it all the same when it may have reached the
   * server: it did happen.
   *
   * @since 0.2.0
   */
  readonly settleSliding: (settlement: SlidingSettlement) => Effect.Effect<void>
  /** Holds every request of `key` back until `untilMillis` (a 429's Retry-After). */
  readonly holdUntil: (key: string, untilMillis: number) => Effect.Effect<void>
  /** The time until which `key` is held, or 0. */
  readonly heldUntil: (key: string) => Effect.Effect<number>
}

/**
 * The store the client's limiter uses. Optional: without one the client builds an in-memory
 * store of its own ({@link makeMemory}). Provide one to share it between clients of a process,
 * or `RedisRateLimitStore.layer` to share it between processes.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import * as RateLimitStore from "@hero-effect/client/RateLimitStore"
 * import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 * import { Layer } from "effect"
 *
 * // Two clients (say, two practice-group configurations on one key) in one process, one store.
 * const Store = RateLimitStore.layerMemory
 * const HeroLive = HeroHealthClient.layer.pipe(
 *   Layer.provide(HeroHealthConfig.layerConfig()),
 *   Layer.provide(FetchHttpClient.layer),
 *   Layer.provide(Store)
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class RateLimitStore extends Context.Tag("@hero-effect/client/RateLimitStore")<RateLimitStore, Service>() {}

/**
 * An in-memory store: one process's limits (the default when no store is provided).
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
  // Response-counted windows per key: places in flight (ticket → when presumed lost, in the
  // order taken) and the response times of settled ones (oldest first, read from `head`).
  const windows = new Map<string, SlidingWindow>()
  const windowOf = (key: string) => {
    let window = windows.get(key)
    if (window === undefined) {
      window = { flying: new Map(), answered: [], head: 0, lossCheckAt: Number.POSITIVE_INFINITY }
      windows.set(key, window)
    }
    return window
  }
  const sync: SyncStore = {
    reserve: (key, limit, intervalMillis, now) => {
      const emission = intervalMillis / limit
      const tat = Math.max(tats.get(key) ?? now, now)
      tats.set(key, tat + emission)
      return Math.max(0, tat + emission - intervalMillis - now)
    },
    reserveSliding: (key, limit, intervalMillis, now) => {
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
    },
    acquireSliding: ({ intervalMillis, key, limit, lostAfterMillis, nowMillis: now, ticket }): SlidingAnswer => {
      const window = windowOf(key)
      prune(window, now, intervalMillis)
      const answered = window.answered.length - window.head
      const count = answered + window.flying.size
      if (count < limit) {
        const lostAt = now + lostAfterMillis
        window.flying.set(ticket, lostAt)
        if (lostAt < window.lossCheckAt) window.lossCheckAt = lostAt
        return taken
      }
      // `excess` places must leave before one is free. Answered places leave in order, one
      // window after their response; one in flight leaves no sooner than a window from now
      // (it settles now at the earliest), or when it is presumed lost.
      const excess = count - limit + 1
      if (excess <= answered) {
        return { _tag: "Wait", millis: window.answered[window.head + excess - 1]! + intervalMillis - now }
      }
      const oldestLost = window.flying.values().next().value ?? Number.POSITIVE_INFINITY
      return { _tag: "Wait", millis: Math.max(0, Math.min(intervalMillis, oldestLost - now)) }
    },
    settleSliding: ({ intervalMillis, key, mayHaveReachedServer, nowMillis, ticket }) => {
      const window = mayHaveReachedServer ? windowOf(key) : windows.get(key)
      if (window === undefined) return
      window.flying.delete(ticket)
      if (mayHaveReachedServer) {
        window.answered.push(nowMillis)
        // Pruned here too: a store that only records settlements (Redis's fallback while Redis
        // answers) must stay bounded by what one window holds.
        prune(window, nowMillis, intervalMillis)
      }
    },
    holdUntil: (key, until) => {
      if ((holds.get(key) ?? 0) < until) holds.set(key, until)
    },
    heldUntil: (key) => holds.get(key) ?? 0
  }
  return fromSync(false, sync)
})

interface SlidingWindow {
  readonly flying: Map<string, number>
  readonly answered: Array<number>
  head: number
  /** No place in flight is presumed lost before this time (the earliest loss time, or sooner). */
  lossCheckAt: number
}

const taken: SlidingAnswer = { _tag: "Taken" }

// Drops answered places older than the window and places in flight presumed lost, in amortised
// O(1): both are in order (in flight by when taken, which orders their loss times as long as
// calls share a deadline; one out of order only lingers until those before it go).
const prune = (window: SlidingWindow, now: number, intervalMillis: number) => {
  const answered = window.answered
  while (window.head < answered.length && answered[window.head]! <= now - intervalMillis) window.head++
  if (window.head > 1024 && window.head * 2 > answered.length) {
    answered.splice(0, window.head)
    window.head = 0
  } else if (window.head === answered.length && window.head > 0) {
    answered.length = 0
    window.head = 0
  }
  // The walk stops at the first place not yet lost; until that time there is nothing to drop
  // (`lossCheckAt`), and no iterator is made.
  if (now < window.lossCheckAt) return
  window.lossCheckAt = Number.POSITIVE_INFINITY
  for (const [ticket, lostAt] of window.flying) {
    if (lostAt > now) {
      window.lossCheckAt = lostAt
      break
    }
    window.flying.delete(ticket)
  }
}

/**
 * The in-memory store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<RateLimitStore> = Layer.effect(RateLimitStore, makeMemory)
