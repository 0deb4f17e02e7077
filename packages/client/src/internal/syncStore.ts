/**
 * The synchronous face of a rate limit store that lives in this process (the in-memory store):
 * the same operations as `RateLimitStore.Service`, answered without an Effect. The limiter asks a
 * store for its synchronous face and, when it has one, passes an attempt that waits for nothing
 * in one synchronous block: on the JS thread that block is atomic, so it needs neither the
 * store's Effects nor the key's queue. Any wait still goes the Effect way.
 * @internal
 */
import * as Effect from "effect/Effect"
import type { SlidingAnswer, SlidingRequest, SlidingSettlement } from "../RateLimitStore.js"
import type * as RateLimitStore from "../RateLimitStore.js"

/** @internal */
export interface SyncStore {
  readonly reserve: (key: string, limit: number, intervalMillis: number, nowMillis: number) => number
  readonly reserveSliding: (key: string, limit: number, intervalMillis: number, nowMillis: number) => number
  readonly acquireSliding: (request: SlidingRequest) => SlidingAnswer
  readonly settleSliding: (settlement: SlidingSettlement) => void
  readonly holdUntil: (key: string, untilMillis: number) => void
  readonly heldUntil: (key: string) => number
}

const faces = new WeakMap<RateLimitStore.Service, SyncStore>()

/** The store's operations as Effects, its synchronous face kept for the limiter. @internal */
export const fromSync = (shared: boolean, sync: SyncStore): RateLimitStore.Service => {
  const service: RateLimitStore.Service = {
    shared,
    reserve: (key, limit, intervalMillis, now) => Effect.sync(() => sync.reserve(key, limit, intervalMillis, now)),
    reserveSliding: (key, limit, intervalMillis, now) =>
      Effect.sync(() => sync.reserveSliding(key, limit, intervalMillis, now)),
    acquireSliding: (request) => Effect.sync(() => sync.acquireSliding(request)),
    settleSliding: (settlement) => Effect.sync(() => sync.settleSliding(settlement)),
    holdUntil: (key, until) => Effect.sync(() => sync.holdUntil(key, until)),
    heldUntil: (key) => Effect.sync(() => sync.heldUntil(key))
  }
  faces.set(service, sync)
  return service
}

/** The synchronous face of `store`, if it has one. @internal */
export const syncFaceOf = (store: RateLimitStore.Service): SyncStore | undefined => faces.get(store)
