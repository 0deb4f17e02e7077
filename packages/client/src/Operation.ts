/**
 * The 14 Patients operations, whether each reads or writes, and the policy (retries, timeouts,
 * rate limits) each one runs under.
 *
 * @since 0.1.0
 */
import * as Endpoint from "@hero-effect/schema/Endpoint"
import type * as Duration from "effect/Duration"

/**
 * Every operationId of the Patients API, in the docs' order (the endpoint table's,
 * `Endpoint.operationIds` of `@hero-effect/schema`).
 *
 * @since 0.1.0
 * @category constants
 */
export const operationIds: ReadonlyArray<OperationId> = Endpoint.operationIds

/**
 * @since 0.1.0
 * @category models
 */
export type OperationId = Endpoint.OperationId

/**
 * The writes: retried only when the server certainly did not act (429, connection refused).
 * The merge preview is a POST but changes nothing, so it is a read. The endpoint table's
 * `Endpoint.writeOperationIds` (the same set).
 *
 * @since 0.2.0
 * @category constants
 */
export const writeOperationIds: ReadonlySet<OperationId> = Endpoint.writeOperationIds

/**
 * @since 0.1.0
 * @category constants
 * @deprecated Use {@link writeOperationIds} (the same set, named as `Endpoint.writeOperationIds`;
 *   the sandbox's `Faults.writeOperations` meant something else).
 */
export const writeOperations: ReadonlySet<OperationId> = writeOperationIds

/**
 * When to retry: `"transient"` (network errors, timeouts, 408/429/500/502/503/504), `"unsent"`
 * (only a 429 or a connection that failed before sending), or `"never"`.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryOn = "transient" | "unsent" | "never"

/**
 * A rate limit: `limit` requests per `interval`.
 *
 * @example
 * ```ts
 * import type { RateLimit } from "@hero-effect/client/Operation"
 *
 * // The default algorithm: no window of 1 s (fixed or sliding, on the server's clock) ever
 * // sees more than 20 of this client's requests, however late they travel.
 * const partner: RateLimit = { limit: 20, interval: "1 second" }
 *
 * // Smoother, for a server that refills a bucket rather than counting a window.
 * const bucket: RateLimit = { limit: 20, interval: "1 second", algorithm: "token-bucket" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly interval: Duration.DurationInput
  /**
   * `"sliding-window"` (the default): never more than `limit` in any `interval` (plus `margin`),
   * so a server counting fixed or sliding windows never sees too many: the client stays under a
   * documented limit instead of learning it from 429s. `"token-bucket"`: bursts up to `limit`,
   * then one every `interval / limit`; smoother, but over any `interval` it can let up to
   * `2 · limit - 1` through, so a strict server answers some of them 429.
   */
  readonly algorithm?: "token-bucket" | "sliding-window" | undefined
  /**
   * Sliding window only: from when a request counts.
   *
   * `"response"` (the default): a request holds its place while in flight, and for one window
   * from its response (any status, or its failure). The response is an upper bound of when the
   * server admitted it, so a request that travels late (a busy event loop, a slow connection,
   * another process's stall) can never put `limit + 1` into one of the server's windows. The
   * cost: each place is reused one window after a response rather than one window after the
   * send, so a server that answers `d` after admitting allows about `limit / (interval + d)`.
   *
   * `"reservation"`: a request counts from when the limiter let it go (the earlier behaviour):
   * full rate whatever the latency, but arrival jitter larger than `margin` draws 429s from a
   * sliding-window server.
   *
   * @since 0.2.0
   */
  readonly countFrom?: "response" | "reservation" | undefined
  /**
   * Sliding window only: time added to every window, against a server whose window is longer
   * than it says, or (with `countFrom: "reservation"`) arrival jitter. Default: none when
   * counting from responses (nothing to absorb), 5% of `interval` when counting from
   * reservations.
   */
  readonly margin?: Duration.DurationInput | undefined
  /**
   * Client-wide limit only: after a 429 that says when to come back, lower the limit to what the
   * server accepted in the last interval, then raise it by one per interval without a 429 until
   * it is back at `limit`. A client set too high, or sharing its key with another process, then
   * stops drawing a 429 every window. Default: `true` with a store of one process (the in-memory
   * one), `false` with a shared store (`RedisRateLimitStore`), which already counts every
   * process's requests.
   */
  readonly adaptive?: boolean | undefined
}

/**
 * How one operation runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationPolicy {
  /** Retries after the first attempt (429s that say when to come back are counted apart). */
  readonly maxRetries: number
  /**
   * Retries of 429s that carry a `Retry-After` within `maxRetryAfter`: the server pacing us, not
   * failing, so they do not use up `maxRetries`. Still bounded by `deadline` and the retry budget.
   */
  readonly maxThrottledRetries: number
  readonly retryOn: RetryOn
  /** Backoff before retry n (0-based) is U[0.5, 1] · min(baseDelay · 2ⁿ, maxDelay). */
  readonly baseDelay: Duration.DurationInput
  readonly maxDelay: Duration.DurationInput
  /** A `Retry-After` longer than this is not waited for: the 429 is returned instead. */
  readonly maxRetryAfter: Duration.DurationInput
  /** Timeout of one attempt (send, status and body). */
  readonly attemptTimeout: Duration.DurationInput
  /** Deadline of the whole call, retries and waits included. */
  readonly deadline: Duration.DurationInput
  /** This operation's own rate limit, on top of the client-wide one; `undefined` for none. */
  readonly rateLimit: RateLimit | undefined
}

/**
 * Defaults for reads: 2 retries on transient failures (and up to 10 of 429s with `Retry-After`),
 * 500 ms base, 5 s cap, Retry-After up to 30 s, 10 s per attempt, 60 s per call.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultReadPolicy: OperationPolicy = {
  maxRetries: 2,
  maxThrottledRetries: 10,
  retryOn: "transient",
  baseDelay: "500 millis",
  maxDelay: "5 seconds",
  maxRetryAfter: "30 seconds",
  attemptTimeout: "10 seconds",
  deadline: "60 seconds",
  rateLimit: undefined
}

/**
 * Defaults for writes: as reads, but retried only when certainly unsent.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultWritePolicy: OperationPolicy = { ...defaultReadPolicy, retryOn: "unsent" }

/**
 * The default policy of an operation: the read policy where the endpoint table says it is
 * idempotent (safe to send again when the outcome of an attempt is unknown), else the write one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy = (operation: OperationId): OperationPolicy =>
  Endpoint.endpoints[operation].idempotent ? defaultReadPolicy : defaultWritePolicy

/**
 * The policy of an operation with overrides applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolvePolicy = (
  operation: OperationId,
  overrides: Partial<Record<OperationId, Partial<OperationPolicy>>> | undefined
): OperationPolicy => ({ ...defaultPolicy(operation), ...overrides?.[operation] })
