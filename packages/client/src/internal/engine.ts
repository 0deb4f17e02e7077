import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Options } from "../HeroHealthConfig.js"
import { defaultMaxResponseBytes, defaultRateLimit, defaultRetryBudget } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId, OperationPolicy, RateLimit } from "../Operation.js"
import { resolvePolicy } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import { decodeFailureSummary, excerpt, issuesOf, safeCode, safeIssue } from "./redact.js"
import { parseRetryAfter } from "./retryAfter.js"

/** A request ready to send: wire path (ids already encoded), query and body. @internal */
export interface RequestSpec {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: unknown
  /** Which 4xx statuses this operation documents or can meet; others are unexpected. */
  readonly notFound?: { readonly patientId?: string | undefined } | undefined
  readonly conflicts?: boolean | undefined
}

/** @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/**
 * The failures a request can produce: 404 becomes PatientNotFound only where the spec says a
 * patient can be missing, 409 becomes Conflict only where it says conflicts can happen.
 * @internal
 */
export type ErrorsOf<Spec extends RequestSpec> =
  | Errors.CommonError
  | (Spec extends { readonly notFound: object } ? Errors.PatientNotFound : never)
  | (Spec extends { readonly conflicts: true } ? Errors.Conflict : never)

/** The engine every operation runs on. @internal */
export interface Engine {
  readonly run: <A, E, const Spec extends RequestSpec>(
    operation: OperationId,
    spec: Spec,
    onSuccess: (response: RawResponse) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | ErrorsOf<Spec>>
  readonly invalidInput: (operation: OperationId, error: unknown) => Errors.InvalidInput
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
export const makeEngine = (
  transport: Transport.Service,
  config: Options,
  store: RateLimitStore.Service
): Effect.Effect<Engine> =>
  Effect.sync(() => {
    const budget = config.retryBudget ?? defaultRetryBudget
    const maxResponseBytes = config.maxResponseBytes ?? defaultMaxResponseBytes
    const waitOutHolds = config.onRateLimitHold !== "fail"
    // The retry budget of this client: a plain number, changed only in synchronous blocks.
    let tokens = budget.capacity
    const scope = `hero:${config.practiceGroupId}:${keyFingerprint(config.apiKey)}`
    const overall = config.rateLimit === "unlimited" ? undefined : (config.rateLimit ?? defaultRateLimit)
    const policies = new Map<OperationId, OperationPolicy>()
    const policyOf = (operation: OperationId) => {
      let policy = policies.get(operation)
      if (policy === undefined) {
        policy = resolvePolicy(operation, config.policies)
        policies.set(operation, policy)
      }
      return policy
    }

    // Waits that would end after the call's deadline fail at once instead of sleeping past it.
    const sleepWithin = <E>(millis: number, deadlineAt: number, onDeadline: (millis: number) => E) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        now + millis > deadlineAt ? Effect.fail(onDeadline(millis)) : Effect.sleep(Duration.millis(millis)))

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

    // Learned capacity (client-wide limit, `adaptive` unless turned off): a 429 that says when to
    // come back means the key's real allowance is lower than configured (set too high, or shared
    // with another process). The limit drops to the successes of the last interval, then climbs
    // back by one per interval without a 429.
    const adaptive = overall !== undefined && (overall.adaptive ?? !store.shared)
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
    const overallAt = (now: number): RateLimit | undefined => {
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
              mayHaveReachedServer ? Effect.void : Effect.sync(() =>
                gateOf(place.key).wake()
              )
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
      return Effect.flatMap(store.heldUntil(scope), (until) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          until > now && !mayWait(until, now) ? heldBack(until, now) : round(100)))
    }

    // The same headers on every request: built once.
    const headers: Readonly<Record<string, string>> = {
      "x-api-key": Redacted.value(config.apiKey),
      "x-practice-group-id": config.practiceGroupId,
      "accept": "application/json",
      "user-agent": "hero-effect/0.1.0"
    }
    const jsonHeaders: Readonly<Record<string, string>> = { ...headers, "content-type": "application/json" }

    const buildRequest = (spec: RequestSpec): Omit<Transport.TransportRequest, "timeoutMillis"> => {
      let url = `${config.baseUrl}${spec.path}`
      if (spec.query !== undefined) {
        const params = new URLSearchParams()
        for (const [key, value] of Object.entries(spec.query)) {
          if (value !== undefined) {
            params.append(key, value)
          }
        }
        const search = params.toString()
        if (search.length > 0) {
          url = `${url}?${search}`
        }
      }
      return spec.body === undefined
        ? { method: spec.method, url, headers, body: undefined }
        : { method: spec.method, url, headers: jsonHeaders, body: JSON.stringify(spec.body) }
    }

    // One timer per attempt: the attempt's timeout, or what is left of the call's deadline if
    // that is shorter (then the failure is the deadline's).
    const send = (
      operation: OperationId,
      policy: OperationPolicy,
      request: Omit<Transport.TransportRequest, "timeoutMillis">,
      remainingMillis: number,
      onDeadline: () => Errors.Timeout
    ): Effect.Effect<RawResponse, Errors.NetworkError | Errors.Timeout | Errors.UnexpectedResponse> => {
      const attemptMillis = Duration.toMillis(policy.attemptTimeout)
      const byDeadline = remainingMillis < attemptMillis
      return Effect.mapError(
        transport.send({
          ...request,
          timeoutMillis: Math.max(0, byDeadline ? remainingMillis : attemptMillis),
          maxResponseBytes
        }),
        (error) =>
          error.kind === "too-large"
            ? responseTooLarge(operation, error.status ?? 0)
            : error.kind === "timeout"
            ? byDeadline
              ? onDeadline()
              : new Errors.Timeout({ operation, scope: "attempt", afterMillis: attemptMillis })
            : new Errors.NetworkError({
              operation,
              mayHaveReachedServer: error.mayHaveReachedServer,
              reason: error.reason
            })
      )
    }

    const responseTooLarge = (operation: OperationId, status: number) =>
      new Errors.UnexpectedResponse({
        operation,
        status,
        reason: `the body is larger than the client reads (maxResponseBytes ${maxResponseBytes}); not read further`,
        excerpt: "",
        maxResponseBytes
      })

    const serverCode = (text: string): string | undefined => {
      try {
        const code = (JSON.parse(text) as { code?: unknown } | null)?.code
        return typeof code === "string" ? safeCode(code) : undefined
      } catch {
        return undefined
      }
    }

    const decodeValidation = Schema.decodeUnknownEither(
      Schema.Struct({ message: Schema.Array(Errors.RequestIssue) })
    )

    const failure = (operation: OperationId, spec: RequestSpec, response: RawResponse): Errors.HeroHealthError => {
      const { status, text } = response
      if (status === 400 || status === 422) {
        let issues: ReadonlyArray<typeof Errors.RequestIssue.Type> = []
        try {
          const decoded = decodeValidation(JSON.parse(text))
          if (Either.isRight(decoded)) {
            issues = decoded.right.message.map(safeIssue)
          }
        } catch {
          // not the documented body: no issues
        }
        return new Errors.InvalidRequest({ operation, status, issues })
      }
      if (status === 401) {
        return new Errors.Unauthorised({ operation })
      }
      if (status === 403) {
        return new Errors.Forbidden({ operation, code: serverCode(text) })
      }
      if (status === 404 && spec.notFound !== undefined) {
        return new Errors.PatientNotFound({ operation, patientId: spec.notFound.patientId, code: serverCode(text) })
      }
      if (status === 409 && spec.conflicts) {
        return new Errors.Conflict({ operation, code: serverCode(text) })
      }
      if (status >= 500 && status <= 599) {
        return new Errors.ServerError({ operation, status })
      }
      if (status >= 300 && status <= 399) {
        return new Errors.UnexpectedResponse({
          operation,
          status,
          reason: "a redirect, not followed (the API key only goes to the configured base URL)",
          excerpt: excerpt(text)
        })
      }
      return new Errors.UnexpectedResponse({
        operation,
        status,
        reason: "a status this operation does not document",
        excerpt: excerpt(text)
      })
    }

    const backoff = (policy: OperationPolicy, retry: number) =>
      Effect.map(Random.nextRange(0.5, 1), (jitter) =>
        Math.round(
          jitter * Math.min(Duration.toMillis(policy.baseDelay) * 2 ** retry, Duration.toMillis(policy.maxDelay))
        ))

    const shouldRetry = (policy: OperationPolicy, error: Errors.HeroHealthError) =>
      policy.retryOn === "transient"
        ? Errors.isTransient(error)
        : policy.retryOn === "unsent"
        ? Errors.isCertainlyUnsent(error)
        : false

    const runAny = <A, E>(
      operation: OperationId,
      spec: RequestSpec,
      onSuccess: (response: RawResponse) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | Errors.HeroHealthError> => {
      const policy = policyOf(operation)
      const request = buildRequest(spec)
      const deadlineMillis = Duration.toMillis(policy.deadline)
      const onDeadline = () =>
        new Errors.Timeout({ operation, scope: "deadline", afterMillis: deadlineMillis })
      // Whether an attempt of this call may have reached the server. While none may have, a wait
      // of the client's own (its rate limit, a hold, a backoff) that cannot end before the
      // deadline is not a Timeout ("may have reached the server" would be false): it is the
      // RateLimited that held it back, or the error being retried.
      let mayHaveActed = false
      const onLimiterDeadline = (millis: number): Errors.Timeout | Errors.RateLimited =>
        mayHaveActed ? onDeadline() : new Errors.RateLimited({ operation, retryAfterMillis: millis, heldBack: true })
      // The success path is written without generators: it runs on every call.
      return Effect.flatMap(Clock.currentTimeMillis, (started) => {
        const deadlineAt = started + deadlineMillis
        let attempts = 0
        // The last attempt's status, annotated once when the call ends.
        let lastStatus: number | undefined
        const onResponse = (response: RawResponse): Effect.Effect<A, E | Errors.HeroHealthError> => {
          lastStatus = response.status
          // A transport of your own may not count bytes: a string has at least as many UTF-8
          // bytes as UTF-16 units.
          if (response.text.length > maxResponseBytes) {
            return Effect.fail(responseTooLarge(operation, response.status))
          }
          if (response.status >= 200 && response.status < 300) {
            if (adaptive) {
              return Effect.zipRight(Effect.map(Clock.currentTimeMillis, noteSuccess), onSuccess(response))
            }
            return onSuccess(response)
          }
          if (response.status === 429) {
            return Effect.flatMap(Clock.currentTimeMillis, (at) => {
              const retryAfterMillis = parseRetryAfter(response.headers["retry-after"], at)
              if (retryAfterMillis !== undefined) {
                learnFrom429(at)
              }
              const failed = Effect.fail(new Errors.RateLimited({ operation, retryAfterMillis }))
              // The hold lasts at most as long as this operation would wait: a Retry-After of a
              // day must not hold every later call back for a day (they could only fail).
              return retryAfterMillis === undefined
                ? failed
                : Effect.zipRight(
                  store.holdUntil(scope, at + Math.min(retryAfterMillis, Duration.toMillis(policy.maxRetryAfter))),
                  failed
                )
            })
          }
          return Effect.fail(failure(operation, spec, response))
        }
        // The places an attempt holds in response-counted windows are settled when its response
        // (or failure) arrives, and whatever else ends it (an interruption, a hold it will not
        // wait for, the deadline): never left to count until presumed lost.
        const attempt: Effect.Effect<A, E | Errors.HeroHealthError> = Effect.suspend(() => {
          const places: Array<Place> = []
          let sent = false
          return Effect.onExit(
            Effect.flatMap(
              acquire(operation, policy, deadlineAt, onLimiterDeadline, places),
              () => {
                attempts++
                sent = true
                return Effect.flatMap(
                  Clock.currentTimeMillis,
                  (now) =>
                    Effect.flatMap(
                      places.length === 0
                        ? send(operation, policy, request, deadlineAt - now, onDeadline)
                        : Effect.onExit(
                          send(operation, policy, request, deadlineAt - now, onDeadline),
                          (exit) =>
                            settle(places, mayHaveReached(exit))
                        ),
                      onResponse
                    )
                )
              }
            ),
            () => settle(places, sent)
          )
        })
        const refund = (a: A) => {
          tokens = Math.min(budget.capacity, tokens + budget.successRefund)
          return a
        }

        // `retry` counts retries after failures, `throttled` those after 429s with Retry-After.
        const loop = (retry: number, throttled: number): Effect.Effect<A, E | Errors.HeroHealthError> =>
          attempt.pipe(
            Effect.map(refund),
            Effect.catchAll((error) =>
              Effect.gen(function*() {
                const typed = error as Errors.HeroHealthError
                if (
                  typeof typed === "object" && typed !== null && "_tag" in typed && !Errors.isCertainlyUnsent(typed)
                ) {
                  mayHaveActed = true
                }
                if (
                  typeof typed !== "object" || typed === null || !("_tag" in typed) ||
                  (typed._tag === "Timeout" && typed.scope === "deadline") ||
                  (typed._tag === "RateLimited" && typed.heldBack === true) ||
                  !shouldRetry(policy, typed)
                ) {
                  return yield* Effect.fail(error)
                }
                if (
                  typed._tag === "RateLimited" && typed.retryAfterMillis !== undefined &&
                  typed.retryAfterMillis > Duration.toMillis(policy.maxRetryAfter)
                ) {
                  return yield* Effect.fail(error)
                }
                // A 429 that says when to come back is pacing, not an outage: it costs less and
                // has its own count.
                const paced = typed._tag === "RateLimited" && typed.retryAfterMillis !== undefined
                if (paced ? throttled >= policy.maxThrottledRetries : retry >= policy.maxRetries) {
                  return yield* Effect.fail(error)
                }
                const cost = paced ? budget.throttledRetryCost : budget.retryCost
                const spent = tokens >= cost
                if (spent) {
                  tokens -= cost
                }
                if (!spent) {
                  yield* Effect.logDebug("retry budget exhausted; not retrying").pipe(
                    Effect.annotateLogs({ operation, failure: typed._tag })
                  )
                  return yield* Effect.fail(error)
                }
                const delay = yield* backoff(policy, retry)
                yield* Effect.logDebug("retrying").pipe(
                  Effect.annotateLogs({
                    operation,
                    failure: typed._tag,
                    retry: retry + throttled + 1,
                    delayMillis: delay
                  })
                )
                yield* sleepWithin(delay, deadlineAt, () => mayHaveActed ? onDeadline() : typed)
                return yield* paced ? loop(retry, throttled + 1) : loop(retry + 1, throttled)
              })
            )
          )

        return loop(0, 0).pipe(
          Effect.onExit((exit) =>
            Effect.annotateCurrentSpan({
              "hero.attempts": attempts,
              "hero.outcome": exit._tag === "Success" ? "success" : "failure",
              ...(lastStatus === undefined ? {} : { "http.response.status_code": lastStatus })
            })
          )
        )
      }).pipe(
        Effect.withSpan(`HeroHealthClient.${operation}`, {
          kind: "client",
          // A stack trace per span costs an Error per call; the span name says where it is.
          captureStackTrace: false,
          attributes: {
            "hero.operation": operation,
            "http.request.method": spec.method,
            "url.path": spec.path,
            "url.query": Object.entries(spec.query ?? {}).filter(([, v]) => v !== undefined).map(([k]) =>
              `${k}=REDACTED`
            ).join("&")
          }
        })
      )
    }

    // `failure` only builds PatientNotFound/Conflict when the spec allows them (see ErrorsOf).
    const run = runAny as Engine["run"]

    const invalidInput = (operation: OperationId, error: unknown) =>
      new Errors.InvalidInput({
        operation,
        issues: isParseError(error) ? issuesOf(error) : [{ path: "", message: String(error) }]
      })

    return { run, invalidInput }
  })

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

/**
 * One key's queue in a client: one fiber at a time asks the store (FIFO, unlike a semaphore's
 * release, which wakes every waiter), and it sleeps until its wait ends or a place is freed.
 */
interface Gate {
  readonly withLock: <A, E>(self: Effect.Effect<A, E>) => Effect.Effect<A, E>
  readonly waitAtMost: (millis: number) => Effect.Effect<void>
  readonly wake: () => void
}

const makeGate = (): Gate => {
  let busy = false
  const queue: Array<{ readonly resume: () => void; granted: boolean }> = []
  const wakers = new Set<() => void>()
  // Hands the lock to the next in line, or frees it.
  const pass = () => {
    const next = queue.shift()
    if (next === undefined) {
      busy = false
    } else {
      next.granted = true
      next.resume()
    }
  }
  const enter = Effect.async<void>((resume) => {
    if (!busy) {
      busy = true
      return resume(Effect.void)
    }
    const entry = { resume: () => resume(Effect.void), granted: false }
    queue.push(entry)
    return Effect.sync(() => {
      const at = queue.indexOf(entry)
      if (at >= 0) queue.splice(at, 1)
      // Interrupted as the lock was handed over (that resumption is then ignored): pass it on.
      else if (entry.granted) pass()
    })
  })
  const leave = Effect.sync(pass)
  const woken = Effect.async<void>((resume) => {
    const waker = () => {
      wakers.delete(waker)
      resume(Effect.void)
    }
    wakers.add(waker)
    return Effect.sync(() => wakers.delete(waker))
  })
  return {
    withLock: (self) =>
      Effect.uninterruptibleMask((restore) => Effect.zipRight(restore(enter), Effect.ensuring(restore(self), leave))),
    waitAtMost: (millis) => Effect.raceFirst(Effect.sleep(Duration.millis(millis)), woken),
    wake: () => {
      for (const waker of [...wakers]) waker()
    }
  }
}

const isParseError = (u: unknown): u is ParseResult.ParseError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "ParseError"

/** Decodes a JSON body, or fails with a redacted UnexpectedResponse. @internal */
export const decodeBody = <A, I>(operation: OperationId, schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })
  return (response: RawResponse): Effect.Effect<A, Errors.UnexpectedResponse> => {
    let json: unknown
    try {
      json = JSON.parse(response.text)
    } catch {
      return Effect.fail(
        new Errors.UnexpectedResponse({
          operation,
          status: response.status,
          reason: "the body is not valid JSON",
          excerpt: excerpt(response.text)
        })
      )
    }
    const decoded = decode(json)
    return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(
      new Errors.UnexpectedResponse({
        operation,
        status: response.status,
        reason: `the body does not match the document at ${decodeFailureSummary(decoded.left)}`,
        excerpt: excerpt(response.text)
      })
    )
  }
}
