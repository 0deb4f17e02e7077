/**
 * The retries of a call: which failures are retried, how often, at what cost and after what
 * wait. It owns the decision (the operation's `retryOn`; never a deadline's Timeout, a hold's
 * RateLimited or a 429 that asks for longer than `maxRetryAfter`), the two counts (retries after
 * failures, and after 429s that say when to come back), the client's retry budget
 * (`retryBudget.ts`: spent per retry, refunded per success) and the jittered exponential backoff,
 * which sleeps only if it ends before the call's deadline (`deadline.ts`). It knows nothing of
 * what an attempt does: the engine hands it one and tells it the call it belongs to.
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Tracer from "effect/Tracer"
import type { RetryBudget as BudgetOptions } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type { OperationId, OperationPolicy } from "../Operation.js"
import { sleepWithin } from "./deadline.js"
import { makeRetryBudget } from "./retryBudget.js"

/** One call, as its retries (and its limiter waits) see it. @internal */
export interface Call {
  readonly operation: OperationId
  readonly policy: OperationPolicy
  /** The deadline's Timeout. */
  readonly onDeadline: () => Errors.Timeout
  /**
   * Whether an attempt of this call may have reached the server: set here when one fails in a
   * way that does not rule it out. While none may have, a wait of the client's own (its rate
   * limit, a hold, a backoff) that cannot end before the deadline is not a Timeout ("may have
   * reached the server" would be false): it is the RateLimited that held it back, or the error
   * being retried.
   */
  mayHaveActed: boolean
  /** The call's span: the parent span of what the retries do (their logs and waits). */
  readonly span: Tracer.Span
}

/** The retries of a client. @internal */
export interface Retry {
  /** Runs `attempt`, and again after each failure that may be retried, until the call's deadline. */
  readonly run: <A, E>(
    attempt: Effect.Effect<A, E | Errors.HeroHealthError>,
    call: Call,
    deadlineAt: number
  ) => Effect.Effect<A, E | Errors.HeroHealthError>
  /**
   * As `run`, with a first attempt of its own: `first` (the engine's first attempt, when it ran
   * outside an Effect, or went on from where it stopped), then `attempt` for the retries.
   */
  readonly after: <A, E>(
    first: Effect.Effect<A, E | Errors.HeroHealthError>,
    attempt: Effect.Effect<A, E | Errors.HeroHealthError>,
    call: Call,
    deadlineAt: number
  ) => Effect.Effect<A, E | Errors.HeroHealthError>
  /** A call succeeded outside `run` and `after`: its refund to the retry budget. */
  readonly refund: () => void
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

/** The retries of a client: one retry budget for all its calls. @internal */
export const makeRetry = (options: BudgetOptions): Retry => {
  const budget = makeRetryBudget(options)
  const refunded = <A>(a: A) => {
    budget.refund()
    return Effect.succeed(a)
  }
  const retrying = <A, E>(attempt: Effect.Effect<A, E | Errors.HeroHealthError>, call: Call, deadlineAt: number) => {
    const { operation, policy } = call
    // The success path is one step on the attempt (the refund): `next` runs only after a
    // failure. `retry` counts retries after failures, `throttled` those after 429s with
    // Retry-After.
    const loop = (retry: number, throttled: number): Effect.Effect<A, E | Errors.HeroHealthError> =>
      Effect.matchEffect(attempt, {
        onSuccess: refunded,
        onFailure: (error) => next(error, retry, throttled)
      })
    const next = (
      error: E | Errors.HeroHealthError,
      retry: number,
      throttled: number
    ): Effect.Effect<A, E | Errors.HeroHealthError> =>
      Effect.withParentSpan(
        Effect.gen(function*() {
          const typed = error as Errors.HeroHealthError
          if (
            typeof typed === "object" && typed !== null && "_tag" in typed && !Errors.isCertainlyUnsent(typed)
          ) {
            call.mayHaveActed = true
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
          if (!budget.trySpend(paced)) {
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
          yield* sleepWithin(delay, deadlineAt, () => call.mayHaveActed ? call.onDeadline() : typed)
          return yield* paced ? loop(retry, throttled + 1) : loop(retry + 1, throttled)
        }),
        call.span
      )
    return { loop, next }
  }
  return {
    run: (attempt, call, deadlineAt) => retrying(attempt, call, deadlineAt).loop(0, 0),
    after: (first, attempt, call, deadlineAt) =>
      Effect.matchEffect(first, {
        onSuccess: refunded,
        onFailure: (error) => retrying(attempt, call, deadlineAt).next(error, 0, 0)
      }),
    refund: budget.refund
  }
}
