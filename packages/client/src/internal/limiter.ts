/**
 * The limiter of a client: what an attempt must pass before it is sent, and what a 429 does to
 * the attempts after it. It owns the client-wide and per-operation rate limits (reservations in
 * the store for token buckets and reservation-counted windows; places, taken before sending and
 * settled when the response or failure arrives, for response-counted windows), this client's
 * queue per key (`gate.ts`), the client-wide hold a 429 with `Retry-After` sets, and the learned
 * client-wide limit (`adaptiveLimit.ts`). The store keys are scoped to the practice group and a
 * fingerprint of the API key. Written without generators: an attempt passes it on every call.
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Options } from "../HeroHealthConfig.js"
import { defaultRateLimit } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type { OperationId, OperationPolicy, RateLimit } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import { makeAdaptiveLimit } from "./adaptiveLimit.js"
import { sleepWithin } from "./deadline.js"
import type { Gate } from "./gate.js"
import { makeGate } from "./gate.js"
import type { RawResponse } from "./response.js"
import { parseRetryAfter } from "./retryAfter.js"

/** @internal */
export interface Limiter {
  /**
   * One attempt: passes the limiters, then runs `send`, the places it took settled when `send`
   * ends (or whatever else ends the attempt first). `onDeadline` is the failure of a limiter
   * wait that would pass the deadline: RateLimited (heldBack) while nothing the call sent may
   * have reached the server, else the deadline's Timeout.
   */
  readonly attempt: <E extends Errors.HeroHealthError>(
    operation: OperationId,
    policy: OperationPolicy,
    deadlineAt: number,
    onDeadline: (millis: number) => Errors.Timeout | Errors.RateLimited,
    send: () => Effect.Effect<RawResponse, E>
  ) => Effect.Effect<RawResponse, E | Errors.Timeout | Errors.RateLimited>
  /** A success, for the learned limit: undefined when the client-wide limit is not adaptive. */
  readonly noteSuccess: Effect.Effect<void> | undefined
  /**
   * A 429: fails RateLimited; one that says when to come back also lowers the learned limit and
   * holds every call of this key back until then (at most the operation's `maxRetryAfter`).
   */
  readonly throttled: (
    operation: OperationId,
    policy: OperationPolicy,
    response: RawResponse
  ) => Effect.Effect<never, Errors.RateLimited>
}

/** A fingerprint of the API key for store keys: never the key itself. @internal */
export const keyFingerprint = (apiKey: Redacted.Redacted<string>): string => {
  let hash = 0x811c9dc5
  for (const char of Redacted.value(apiKey)) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, "0")
}

/** @internal */
export const makeLimiter = (config: Options, store: RateLimitStore.Service): Limiter => {
  const waitOutHolds = config.onRateLimitHold !== "fail"
  const scope = `hero:${config.practiceGroupId}:${keyFingerprint(config.apiKey)}`
  const overall = config.rateLimit === "unlimited" ? undefined : (config.rateLimit ?? defaultRateLimit)

  // Token buckets and reservation-counted windows: a reservation that stands, and a wait.
  const reserve = (key: string, rateLimit: RateLimit, now: number): Effect.Effect<number> => {
    const intervalMillis = Duration.toMillis(rateLimit.interval)
    if (rateLimit.algorithm === "token-bucket") {
      return store.reserve(key, rateLimit.limit, intervalMillis, now)
    }
    const marginMillis = rateLimit.margin === undefined ? intervalMillis * 0.05 : Duration.toMillis(rateLimit.margin)
    return store.reserveSliding(key, rateLimit.limit, intervalMillis + marginMillis, now)
  }
  const noDelay = Effect.succeed(0)
  const allKey = `${scope}:all`

  const adaptive = overall !== undefined && (overall.adaptive ?? !store.shared)
  const learned = makeAdaptiveLimit(overall, adaptive)
  const overallAt = learned.limitAt

  // Response-counted windows (the default): a place per attempt, taken before sending and
  // settled when the response (or failure) arrives. Waiting is per key and in order: one fiber
  // of this client asks the store at a time, the others queue behind it, so a shared store
  // sees one question per process per free place or per wait, not one per queued request.
  // Tickets are unique across processes: a random prefix per client and a counter.
  const ticketPrefix = globalThis.crypto.randomUUID()
  let ticketCount = 0
  const gates = new Map<string, Gate>()
  const gateOf = (key: string) => {
    let gate = gates.get(key)
    if (gate === undefined) {
      gate = makeGate()
      gates.set(key, gate)
    }
    return gate
  }
  const settle = (places: Array<Place>, mayHaveReachedServer: boolean): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (places.length === 0) {
        return Effect.void
      }
      const ended = places.splice(0)
      return Effect.flatMap(Clock.currentTimeMillis, (nowMillis) =>
        Effect.forEach(ended, (place) =>
          Effect.zipRight(
            store.settleSliding({
              key: place.key,
              ticket: place.ticket,
              intervalMillis: place.intervalMillis,
              nowMillis,
              mayHaveReachedServer
            }),
            // A freed place may let a waiter of this client go before its wait ends.
            mayHaveReachedServer ? Effect.void : Effect.sync(() => gateOf(place.key).wake())
          ), { discard: true }))
    })
  // Takes a place in `key`'s window (pushed on `places` as soon as the store answers, so the
  // attempt settles it whatever happens next), waiting in this client's queue for the key.
  const take = (
    key: string,
    rateLimit: RateLimit,
    places: Array<Place>,
    deadlineAt: number,
    onDeadline: (millis: number) => Errors.Timeout | Errors.RateLimited
  ): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> => {
    const gate = gateOf(key)
    const intervalMillis = Duration.toMillis(rateLimit.interval) +
      (rateLimit.margin === undefined ? 0 : Duration.toMillis(rateLimit.margin))
    const ticket = `${ticketPrefix}:${(ticketCount++).toString(36)}`
    const ask: Effect.Effect<void, Errors.Timeout | Errors.RateLimited> = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) =>
        Effect.flatMap(
          // Uninterruptible: a place the store gave must reach `places`, to be settled.
          Effect.uninterruptible(Effect.map(
            store.acquireSliding({
              key,
              limit: key === allKey ? overallAt(now)!.limit : rateLimit.limit,
              intervalMillis,
              ticket,
              nowMillis: now,
              lostAfterMillis: Math.max(0, deadlineAt - now) + lostSlackMillis
            }),
            (answer) => {
              if (answer._tag === "Taken") places.push({ key, ticket, intervalMillis })
              return answer
            }
          )),
          (answer) =>
            answer._tag === "Taken"
              ? Effect.void
              : now + answer.millis > deadlineAt
              ? Effect.fail(onDeadline(answer.millis))
              : Effect.zipRight(gate.waitAtMost(Math.max(1, Math.ceil(answer.millis))), ask)
        )
    )
    return gate.withLock(ask)
  }
  const countsResponses = (rateLimit: RateLimit | undefined): rateLimit is RateLimit =>
    rateLimit !== undefined && rateLimit.algorithm !== "token-bucket" && rateLimit.countFrom !== "reservation"
  const overallCountsResponses = countsResponses(overall)

  // Every attempt, retries included, passes the limiters (client-wide and the operation's):
  // first the reservations (token buckets, reservation-counted windows: one wait for the later
  // of the two), then the places of response-counted windows (the operation's first, so a
  // place in the client-wide window is not held while the operation's queue waits); then it
  // waits out any hold a 429 set, its places freed. After waiting out a hold it queues again:
  // requests released together by the end of a hold would otherwise all fire at once and draw
  // the next 429. A hold it may not wait for (longer than the operation's `maxRetryAfter` or
  // the call's deadline, or `onRateLimitHold: "fail"`) fails the attempt as RateLimited with
  // `heldBack`, at once (it is checked before the limiters too): nothing was sent, so it is
  // never a Timeout. Written without generators: this runs on every call.
  const acquire = (
    operation: OperationId,
    policy: OperationPolicy,
    deadlineAt: number,
    // A limiter wait that would pass the deadline: RateLimited (heldBack) while nothing this
    // call sent may have reached the server, else the deadline's Timeout.
    onDeadline: (millis: number) => Errors.Timeout | Errors.RateLimited,
    places: Array<Place>
  ): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> => {
    const operationKey = `${scope}:op:${operation}`
    const maxHoldWait = Duration.toMillis(policy.maxRetryAfter)
    const mayWait = (until: number, at: number) => waitOutHolds && until - at <= maxHoldWait && until <= deadlineAt
    const heldBack = (until: number, at: number) =>
      Effect.fail(new Errors.RateLimited({ operation, retryAfterMillis: until - at, heldBack: true }))
    const operationLimit = policy.rateLimit
    const operationCountsResponses = countsResponses(operationLimit)
    const takePlaces: Effect.Effect<void, Errors.Timeout | Errors.RateLimited> | undefined =
      operationCountsResponses && overallCountsResponses
        ? Effect.zipRight(
          take(operationKey, operationLimit, places, deadlineAt, onDeadline),
          take(allKey, overall!, places, deadlineAt, onDeadline)
        )
        : operationCountsResponses
        ? take(operationKey, operationLimit, places, deadlineAt, onDeadline)
        : overallCountsResponses
        ? take(allKey, overall!, places, deadlineAt, onDeadline)
        : undefined
    const round = (left: number): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          Effect.zipWith(
            overall === undefined || overallCountsResponses ? noDelay : reserve(allKey, overallAt(now)!, now),
            operationLimit === undefined || operationCountsResponses
              ? noDelay
              : reserve(operationKey, operationLimit, now),
            Math.max
          ),
          (delay) => {
            const afterLimits = Effect.flatMap(store.heldUntil(scope), (until) =>
              Effect.flatMap(Clock.currentTimeMillis, (at) =>
                until <= at || left <= 0
                  ? Effect.void
                  // Held: the places taken are freed (nothing was sent) while it waits.
                  : mayWait(until, at)
                  ? Effect.zipRight(
                    settle(places, false),
                    Effect.zipRight(Effect.sleep(Duration.millis(until - at)), round(left - 1))
                  )
                  : heldBack(until, at)))
            const afterPlaces = takePlaces === undefined ? afterLimits : Effect.zipRight(takePlaces, afterLimits)
            return delay > 0 ? Effect.zipRight(sleepWithin(delay, deadlineAt, onDeadline), afterPlaces) : afterPlaces
          }
        ))
    // A hold this call will not wait for fails it before it takes a place in the limiters.
    return Effect.flatMap(
      store.heldUntil(scope),
      (until) =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => until > now && !mayWait(until, now) ? heldBack(until, now) : round(100)
        )
    )
  }

  // The places an attempt holds in response-counted windows are settled when its response (or
  // failure) arrives, and whatever else ends it (an interruption, a hold it will not wait for,
  // the deadline): never left to count until presumed lost.
  const attempt: Limiter["attempt"] = (operation, policy, deadlineAt, onDeadline, send) =>
    Effect.suspend(() => {
      const places: Array<Place> = []
      let sent = false
      return Effect.onExit(
        Effect.flatMap(
          acquire(operation, policy, deadlineAt, onDeadline, places),
          () => {
            sent = true
            return places.length === 0
              ? send()
              : Effect.onExit(send(), (exit) => settle(places, mayHaveReached(exit)))
          }
        ),
        () => settle(places, sent)
      )
    })

  const noteSuccess = adaptive ? Effect.map(Clock.currentTimeMillis, learned.noteSuccess) : undefined

  const throttled: Limiter["throttled"] = (operation, policy, response) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      const retryAfterMillis = parseRetryAfter(response.headers["retry-after"], at)
      if (retryAfterMillis !== undefined) {
        learned.learnFrom429(at)
      }
      const failed = Effect.fail(new Errors.RateLimited({ operation, retryAfterMillis }))
      // The hold lasts at most as long as this operation would wait: a Retry-After of a day
      // must not hold every later call back for a day (they could only fail).
      return retryAfterMillis === undefined
        ? failed
        : Effect.zipRight(
          store.holdUntil(scope, at + Math.min(retryAfterMillis, Duration.toMillis(policy.maxRetryAfter))),
          failed
        )
    })

  return { attempt, noteSuccess, throttled }
}

/** A place an attempt holds in a response-counted window. */
interface Place {
  readonly key: string
  readonly ticket: string
  readonly intervalMillis: number
}

// Added to what is left of a call's deadline for how long its place counts as in flight if never
// settled (its process crashed): the transport's own timeout, timers firing late.
const lostSlackMillis = 10_000

// Whether a finished send may have reached the server: only a connection refused before
// sending certainly did not.
const mayHaveReached = (exit: Exit.Exit<RawResponse, Errors.HeroHealthError>): boolean =>
  !(Exit.isFailure(exit) && Option.exists(
    Cause.failureOption(exit.cause),
    (error) => error._tag === "NetworkError" && !error.mayHaveReachedServer
  ))
