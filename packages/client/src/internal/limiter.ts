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
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Options } from "../HeroHealthConfig.js"
import { defaultRateLimit } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type { OperationId, OperationPolicy, RateLimit } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import type { SlidingSettlement } from "../RateLimitStore.js"
import { makeAdaptiveLimit } from "./adaptiveLimit.js"
import { sleepWithin } from "./deadline.js"
import type { Gate } from "./gate.js"
import { makeGate } from "./gate.js"
import type { RawResponse } from "./response.js"
import { parseRetryAfter } from "./retryAfter.js"
import type { SyncStore } from "./syncStore.js"
import { syncFaceOf } from "./syncStore.js"

/** One call, as the limiter sees it. @internal */
export interface LimitedCall {
  readonly operation: OperationId
  readonly policy: OperationPolicy
  /** When the call's deadline passes (epoch millis on `clock`). */
  readonly deadlineAt: number
  /** The call's clock: read once per attempt on the way through, without an Effect. */
  readonly clock: Clock.Clock
  /**
   * The failure of a limiter wait that would pass the deadline: RateLimited (heldBack) while
   * nothing the call sent may have reached the server, else the deadline's Timeout.
   */
  readonly onLimiterDeadline: (millis: number) => Errors.Timeout | Errors.RateLimited
}

/** @internal */
export interface Limiter {
  /**
   * One attempt: passes the limiters, then runs `send`, the places it took settled when `send`
   * ends (or whatever else ends the attempt first). The returned Effect takes its places each
   * time it runs (a retry runs it again).
   */
  readonly attempt: <A, E>(
    call: LimitedCall,
    send: () => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | Errors.Timeout | Errors.RateLimited>
  /**
   * On a store in this process (`syncStore.ts`): the limiter without an Effect, for an attempt
   * the caller runs itself. Undefined on a store outside the process.
   */
  readonly atOnce: AtOnce | undefined
  /** The rest of an attempt `AtOnce.pass` could not pass: as `attempt` goes on from there. */
  readonly goOn: <A, E>(
    call: LimitedCall,
    part: PartPass,
    send: () => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | Errors.Timeout | Errors.RateLimited>
  /** A success at `now`, for the learned limit: undefined when the client-wide limit is not adaptive. */
  readonly noteSuccess: ((now: number) => void) | undefined
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

/** The limiter on a store in this process, without an Effect. @internal */
export interface AtOnce {
  /**
   * Passes an attempt in one synchronous block: the places it took when it passed (to
   * `settle` when its response or failure arrives, or it is interrupted), else how far it got
   * (for `Limiter.goOn`).
   */
  readonly pass: (call: LimitedCall) => Array<Place> | PartPass
  /**
   * Settles places `pass` took (once: the array is emptied). `mayHaveReachedServer` false
   * frees them (a waiter of this client may go at once).
   */
  readonly settle: (places: Array<Place>, mayHaveReachedServer: boolean, nowMillis: number) => void
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
  // The store's synchronous face, when it lives in this process (the in-memory store).
  const sync = syncFaceOf(store)

  // Token buckets and reservation-counted windows: a reservation that stands, and a wait; asked
  // of the store's Effects, or of its synchronous face (`passAtOnce`).
  const reserve = (key: string, rateLimit: RateLimit, now: number): Effect.Effect<number> =>
    rateLimit.algorithm === "token-bucket"
      ? store.reserve(key, rateLimit.limit, reservationMillis(rateLimit), now)
      : store.reserveSliding(key, rateLimit.limit, reservationMillis(rateLimit), now)
  const reserveNow = (sync: SyncStore, key: string, rateLimit: RateLimit, now: number): number =>
    rateLimit.algorithm === "token-bucket"
      ? sync.reserve(key, rateLimit.limit, reservationMillis(rateLimit), now)
      : sync.reserveSliding(key, rateLimit.limit, reservationMillis(rateLimit), now)
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
            store.settleSliding(settlementOf(place, nowMillis, mayHaveReachedServer)),
            // A freed place may let a waiter of this client go before its wait ends.
            mayHaveReachedServer ? Effect.void : Effect.sync(() => gateOf(place.key).wake())
          ), { discard: true }))
    })
  // A store in this process needs tickets unique in this process only (every client of the
  // process counts on `localTickets`): a short key is cheaper to make and to look up.
  const nextTicket = sync === undefined
    ? () => `${ticketPrefix}:${(ticketCount++).toString(36)}`
    : () => (localTickets++).toString(36)
  // Takes a place in `key`'s window (pushed on `places` as soon as the store answers, so the
  // attempt settles it whatever happens next), waiting in this client's queue for the key.
  const take = (
    window: PlannedWindow,
    places: Array<Place>,
    deadlineAt: number,
    onDeadline: (millis: number) => Errors.Timeout | Errors.RateLimited
  ): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> => {
    const { intervalMillis, key, rateLimit } = window
    const gate = gateOf(key)
    const ticket = nextTicket()
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

  // What an operation's attempts must pass, worked out once per operation (its policy is fixed
  // for the client's life): its key, its reservations, the windows it takes places in.
  const plans = new Map<OperationId, Plan>()
  const planOf = (operation: OperationId, policy: OperationPolicy): Plan => {
    let plan = plans.get(operation)
    if (plan === undefined) {
      const operationKey = `${scope}:op:${operation}`
      const operationLimit = policy.rateLimit
      const operationCountsResponses = countsResponses(operationLimit)
      const windows: Array<{ readonly key: string; readonly rateLimit: RateLimit }> = []
      // The operation's window first, so a place in the client-wide one is not held while the
      // operation's queue waits.
      if (operationCountsResponses) windows.push({ key: operationKey, rateLimit: operationLimit })
      if (overallCountsResponses) windows.push({ key: allKey, rateLimit: overall! })
      plan = {
        operationKey,
        maxHoldWait: Duration.toMillis(policy.maxRetryAfter),
        reservesOverall: overall !== undefined && !overallCountsResponses,
        operationReservation: operationLimit !== undefined && !operationCountsResponses ? operationLimit : undefined,
        windows: windows.map((window) => ({
          ...window,
          intervalMillis: Duration.toMillis(window.rateLimit.interval) +
            (window.rateLimit.margin === undefined ? 0 : Duration.toMillis(window.rateLimit.margin))
        }))
      }
      plans.set(operation, plan)
    }
    return plan
  }

  // Every attempt, retries included, passes the limiters (client-wide and the operation's):
  // first the reservations (token buckets, reservation-counted windows: one wait for the later
  // of the two), then the places of response-counted windows (see `planOf` for the order); then
  // it waits out any hold a 429 set, its places freed. After waiting out a hold it queues again:
  // requests released together by the end of a hold would otherwise all fire at once and draw
  // the next 429. A hold it may not wait for (longer than the operation's `maxRetryAfter` or
  // the call's deadline, or `onRateLimitHold: "fail"`) fails the attempt as RateLimited with
  // `heldBack`, at once (it is checked before the limiters too): nothing was sent, so it is
  // never a Timeout. Written without generators: this runs on every call. This is the Effect
  // way, for a store outside the process or an attempt that waits; `passAtOnce` is the same
  // for an attempt that waits for nothing on the in-memory store.
  const acquire = (
    call: LimitedCall,
    plan: Plan,
    places: Array<Place>,
    // Set when the synchronous pass got this far: the reservations made (with this wait), the
    // first `fromWindow` places taken, the hold checked before them.
    resumeAt?: ResumeAt
  ): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> => {
    const { deadlineAt, operation } = call
    // A method of the call's state: called on it.
    const onLimiterDeadline = (millis: number) => call.onLimiterDeadline(millis)
    const mayWait = (until: number, at: number) => waitOutHolds && until - at <= plan.maxHoldWait && until <= deadlineAt
    const heldBack = (until: number, at: number) =>
      Effect.fail(new Errors.RateLimited({ operation, retryAfterMillis: until - at, heldBack: true }))
    // The places of the windows from `from` on, in order.
    const takePlaces = (from: number): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> =>
      Effect.forEach(
        plan.windows.slice(from),
        (window) => take(window, places, deadlineAt, onLimiterDeadline),
        { discard: true }
      )
    const afterDelay = (delay: number, fromWindow: number, left: number) => {
      const afterLimits = Effect.flatMap(
        store.heldUntil(scope),
        (until) =>
          Effect.flatMap(Clock.currentTimeMillis, (at) =>
            until <= at || left <= 0
              ? Effect.void
              // Held: the places taken are freed (nothing was sent) while it waits.
              : mayWait(until, at)
              ? Effect.zipRight(
                settle(places, false),
                Effect.zipRight(Effect.sleep(Duration.millis(until - at)), round(left - 1))
              )
              : heldBack(until, at))
      )
      const afterPlaces = fromWindow >= plan.windows.length
        ? afterLimits
        : Effect.zipRight(takePlaces(fromWindow), afterLimits)
      return delay > 0 ? Effect.zipRight(sleepWithin(delay, deadlineAt, onLimiterDeadline), afterPlaces) : afterPlaces
    }
    const round = (left: number): Effect.Effect<void, Errors.Timeout | Errors.RateLimited> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(
          Effect.zipWith(
            plan.reservesOverall ? reserve(allKey, overallAt(now)!, now) : noDelay,
            plan.operationReservation === undefined
              ? noDelay
              : reserve(plan.operationKey, plan.operationReservation, now),
            Math.max
          ),
          (delay) => afterDelay(delay, 0, left)
        ))
    if (resumeAt !== undefined) return afterDelay(resumeAt.delay, resumeAt.fromWindow, 100)
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

  // The synchronous pass on the in-memory store: no hold, every reservation without a wait, and
  // a place in every window whose queue is empty. `true` when it passed; else how far it got
  // (the reservations it made stand and the places it took are on `places`), for `acquire` to
  // go on from there. One synchronous block: atomic on the JS thread, so the queue of a key
  // whose gate is idle would have let it ask at once anyway.
  const passAtOnce = (
    store: SyncStore,
    call: LimitedCall,
    plan: Plan,
    places: Array<Place>
  ): true | ResumeAt | undefined => {
    const now = call.clock.unsafeCurrentTimeMillis()
    // Held: the Effect way decides whether to wait or fail.
    if (store.heldUntil(scope) > now) return undefined
    let delay = 0
    if (plan.reservesOverall) {
      const limit = overallAt(now)!
      delay = reserveNow(store, allKey, limit, now)
    }
    if (plan.operationReservation !== undefined) {
      delay = Math.max(delay, reserveNow(store, plan.operationKey, plan.operationReservation, now))
    }
    if (delay > 0) return { delay, fromWindow: 0 }
    for (let i = 0; i < plan.windows.length; i++) {
      const window = plan.windows[i]!
      if (!gateOf(window.key).idle()) return { delay: 0, fromWindow: i }
      const ticket = nextTicket()
      const answer = store.acquireSliding({
        key: window.key,
        limit: window.key === allKey ? overallAt(now)!.limit : window.rateLimit.limit,
        intervalMillis: window.intervalMillis,
        ticket,
        nowMillis: now,
        lostAfterMillis: Math.max(0, call.deadlineAt - now) + lostSlackMillis
      })
      if (answer._tag !== "Taken") return { delay: 0, fromWindow: i }
      places.push({ key: window.key, ticket, intervalMillis: window.intervalMillis })
    }
    return true
  }

  const settleWith = (store: SyncStore, places: Array<Place>, mayHaveReachedServer: boolean, nowMillis: number) => {
    if (places.length === 0) return
    for (const place of places.splice(0)) {
      store.settleSliding(settlementOf(place, nowMillis, mayHaveReachedServer))
      if (!mayHaveReachedServer) gateOf(place.key).wake()
    }
  }

  // The places an attempt holds in response-counted windows are settled when its response (or
  // failure) arrives, and whatever else ends it (an interruption, a hold it will not wait for,
  // the deadline): never left to count until presumed lost.
  // The Effect way: the places taken on `places` (some may be already), settled at the end.
  // Called inside an uninterruptible region with its `restore`, only the waits and the send are
  // interruptible: the settling handler is in place first.
  const slowAttempt = <A, E>(
    call: LimitedCall,
    plan: Plan,
    places: Array<Place>,
    send: () => Effect.Effect<A, E>,
    resumeAt?: ResumeAt,
    restore: <X, Y>(effect: Effect.Effect<X, Y>) => Effect.Effect<X, Y> = identity
  ) => {
    let sent = false
    return Effect.onExit(
      restore(Effect.flatMap(acquire(call, plan, places, resumeAt), () => {
        sent = true
        return send()
      })),
      (exit) => settle(places, sent && mayHaveReached(exit))
    )
  }
  const attempt: Limiter["attempt"] = (call, send) => {
    const plan = planOf(call.operation, call.policy)
    if (sync === undefined) return Effect.suspend(() => slowAttempt(call, plan, [], send))
    const store = sync
    // Uninterruptible from the places taken to the handlers that settle them: an interruption
    // in between would leave them counting until presumed lost.
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const places: Array<Place> = []
        const passed = passAtOnce(store, call, plan, places)
        if (passed !== true) return goOnFrom(call, plan, places, passed, send, restore)
        if (places.length === 0) return restore(send())
        return Effect.matchCauseEffect(restore(send()), {
          onFailure: (cause) => {
            settleWith(store, places, mayHaveReachedCause(cause), call.clock.unsafeCurrentTimeMillis())
            return Effect.failCause(cause)
          },
          onSuccess: (value) => {
            settleWith(store, places, true, call.clock.unsafeCurrentTimeMillis())
            return Effect.succeed(value)
          }
        })
      })
    )
  }

  // The rest of an attempt the synchronous pass could not pass.
  const goOnFrom = <A, E>(
    call: LimitedCall,
    plan: Plan,
    places: Array<Place>,
    resumeAt: ResumeAt | undefined,
    send: () => Effect.Effect<A, E>,
    restore: <X, Y>(effect: Effect.Effect<X, Y>) => Effect.Effect<X, Y>
  ) =>
    // Held: all of it the Effect way (nothing was taken yet). Else it went as far as it could
    // at once: the settling handler is in place before the waits turn interruptible again, so
    // the places already taken are settled whatever ends the attempt.
    resumeAt === undefined
      ? restore(slowAttempt(call, plan, places, send))
      : slowAttempt(call, plan, places, send, resumeAt, restore)

  const atOnce: AtOnce | undefined = sync === undefined ? undefined : {
    pass: (call) => {
      const places: Array<Place> = []
      const passed = passAtOnce(sync, call, planOf(call.operation, call.policy), places)
      return passed === true ? places : { places, resumeAt: passed }
    },
    settle: (places, mayHaveReachedServer, nowMillis) => settleWith(sync, places, mayHaveReachedServer, nowMillis)
  }
  const goOn: Limiter["goOn"] = (call, part, send) =>
    Effect.uninterruptibleMask((restore) =>
      goOnFrom(call, planOf(call.operation, call.policy), part.places, part.resumeAt, send, restore)
    )

  const noteSuccess = adaptive ? learned.noteSuccess : undefined

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

  return { attempt, atOnce, goOn, noteSuccess, throttled }
}

// The window a reservation counts in: a token bucket's interval; a reservation-counted
// window's interval plus its margin (5% of it unless set).
const reservationMillis = (rateLimit: RateLimit): number => {
  const intervalMillis = Duration.toMillis(rateLimit.interval)
  if (rateLimit.algorithm === "token-bucket") return intervalMillis
  return intervalMillis + (rateLimit.margin === undefined ? intervalMillis * 0.05 : Duration.toMillis(rateLimit.margin))
}

/** A window an operation takes places in, its length worked out. */
interface PlannedWindow {
  readonly key: string
  readonly rateLimit: RateLimit
  /** The limit's interval plus its margin. */
  readonly intervalMillis: number
}

/** What an operation's attempts pass (see `planOf`). */
interface Plan {
  readonly operationKey: string
  /** The longest hold a call of it waits out (its `maxRetryAfter`). */
  readonly maxHoldWait: number
  /** Whether the client-wide limit is a reservation (token bucket, reservation-counted). */
  readonly reservesOverall: boolean
  /** The operation's own limit when it is a reservation. */
  readonly operationReservation: RateLimit | undefined
  /** The response-counted windows, in the order their places are taken. */
  readonly windows: ReadonlyArray<PlannedWindow>
}

/**
 * How far the synchronous pass got when it could not pass an attempt at once: the places it
 * took, and (unless a hold stopped it before anything) the wait of its reservations and the
 * first window it has no place in yet.
 * @internal
 */
export interface PartPass {
  readonly places: Array<Place>
  readonly resumeAt: ResumeAt | undefined
}

/** Where the Effect way goes on from. */
interface ResumeAt {
  readonly delay: number
  readonly fromWindow: number
}

/** A place an attempt holds in a response-counted window. @internal */
export interface Place {
  readonly key: string
  readonly ticket: string
  readonly intervalMillis: number
}

const settlementOf = (place: Place, nowMillis: number, mayHaveReachedServer: boolean): SlidingSettlement => ({
  key: place.key,
  ticket: place.ticket,
  intervalMillis: place.intervalMillis,
  nowMillis,
  mayHaveReachedServer
})

// The tickets of stores in this process (see `nextTicket`).
let localTickets = 0

// Added to what is left of a call's deadline for how long its place counts as in flight if never
// settled (its process crashed): the transport's own timeout, timers firing late.
const lostSlackMillis = 10_000

// Whether a finished send may have reached the server: only a connection refused before
// sending certainly did not.
const mayHaveReachedCause = (cause: Cause.Cause<unknown>): boolean =>
  !Option.exists(
    Cause.failureOption(cause),
    (error) =>
      typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "NetworkError" &&
      (error as Errors.NetworkError).mayHaveReachedServer === false
  )
const mayHaveReached = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isSuccess(exit) || mayHaveReachedCause(exit.cause)
