/**
 * The engine every operation runs on: one call, end to end. It builds the request once
 * (`request.ts`), runs each attempt through the limiter (`limiter.ts`) with one timer per attempt
 * (the attempt's timeout, or what is left of the call's deadline), reads the response (a 2xx to
 * the operation's `onSuccess`, a 429 to the limiter, the rest to `response.ts`), hands the
 * attempt to the retries (`retry.ts`) and wraps the call in its span. The success path is written
 * without generators: it runs on every call.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Options } from "../HeroHealthConfig.js"
import { defaultMaxResponseBytes, defaultRetryBudget } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId, OperationPolicy } from "../Operation.js"
import { resolvePolicy } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import { makeLimiter } from "./limiter.js"
import type { BuiltRequest, RequestSpec } from "./request.js"
import { invalidInput, makeBuildRequest, redactedQuery } from "./request.js"
import type { ErrorsOf, RawResponse } from "./response.js"
import { failure, responseTooLarge } from "./response.js"
import type { Call } from "./retry.js"
import { makeRetry } from "./retry.js"

export { decodeBody } from "./response.js"

/** The engine every operation runs on. @internal */
export interface Engine {
  readonly run: <A, E, const Spec extends RequestSpec>(
    operation: OperationId,
    spec: Spec,
    onSuccess: (response: RawResponse) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | ErrorsOf<Spec>>
  readonly invalidInput: (operation: OperationId, error: unknown) => Errors.InvalidInput
}

/** @internal */
export const makeEngine = (
  transport: Transport.Service,
  config: Options,
  store: RateLimitStore.Service
): Effect.Effect<Engine> =>
  Effect.sync(() => {
    const maxResponseBytes = config.maxResponseBytes ?? defaultMaxResponseBytes
    const limiter = makeLimiter(config, store)
    const retry = makeRetry(config.retryBudget ?? defaultRetryBudget)
    const buildRequest = makeBuildRequest(config)
    const policies = new Map<OperationId, OperationPolicy>()
    const policyOf = (operation: OperationId) => {
      let policy = policies.get(operation)
      if (policy === undefined) {
        policy = resolvePolicy(operation, config.policies)
        policies.set(operation, policy)
      }
      return policy
    }

    // One timer per attempt: the attempt's timeout, or what is left of the call's deadline if
    // that is shorter (then the failure is the deadline's).
    const send = (
      operation: OperationId,
      policy: OperationPolicy,
      request: BuiltRequest,
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
            ? responseTooLarge(operation, error.status ?? 0, maxResponseBytes)
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

    const runAny = <A, E>(
      operation: OperationId,
      spec: RequestSpec,
      onSuccess: (response: RawResponse) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | Errors.HeroHealthError> => {
      const policy = policyOf(operation)
      const request = buildRequest(spec)
      const deadlineMillis = Duration.toMillis(policy.deadline)
      const onDeadline = () => new Errors.Timeout({ operation, scope: "deadline", afterMillis: deadlineMillis })
      // The success path is written without generators: it runs on every call. The span is
      // made with `useSpan`, not `withSpan`: nothing on the success path reads the current span,
      // and making it the parent span (a copy of the fiber's context) cost more than the rest of
      // the engine together. The retries, which log, run under it (`Call.span`).
      return Effect.useSpan(`HeroHealthClient.${operation}`, {
        kind: "client",
        // A stack trace per span costs an Error per call; the span name says where it is.
        captureStackTrace: false,
        attributes: {
          "hero.operation": operation,
          "http.request.method": spec.method,
          "url.path": spec.path,
          "url.query": redactedQuery(spec)
        }
      }, (span) =>
        Effect.flatMap(Clock.currentTimeMillis, (started) => {
          const deadlineAt = started + deadlineMillis
          // Whether an attempt of this run may have reached the server is kept on `call` (set by
          // the retries, see `Call`): a limiter wait past the deadline is the RateLimited that held
          // it back while none may have, else the deadline's Timeout. Made here, per run, so the
          // same Effect run twice does not carry the first run's answer into the second.
          const call: Call = { operation, policy, onDeadline, mayHaveActed: false, span }
          const onLimiterDeadline = (millis: number): Errors.Timeout | Errors.RateLimited =>
            call.mayHaveActed
              ? onDeadline()
              : new Errors.RateLimited({ operation, retryAfterMillis: millis, heldBack: true })
          let attempts = 0
          // The last attempt's status, set on the span once when the call ends.
          let lastStatus: number | undefined
          const onResponse = (response: RawResponse): Effect.Effect<A, E | Errors.HeroHealthError> => {
            lastStatus = response.status
            // A transport of your own may not count bytes: a string has at least as many UTF-8
            // bytes as UTF-16 units.
            if (response.text.length > maxResponseBytes) {
              return Effect.fail(responseTooLarge(operation, response.status, maxResponseBytes))
            }
            if (response.status >= 200 && response.status < 300) {
              return limiter.noteSuccess === undefined
                ? onSuccess(response)
                : Effect.zipRight(limiter.noteSuccess, onSuccess(response))
            }
            if (response.status === 429) {
              return limiter.throttled(operation, policy, response)
            }
            return Effect.fail(failure(operation, spec, response))
          }
          // Called by the limiter once the attempt has passed it: the attempt is sent.
          const sendAttempt = () => {
            attempts++
            return Effect.flatMap(
              Clock.currentTimeMillis,
              (now) => send(operation, policy, request, deadlineAt - now, onDeadline)
            )
          }
          const attempt: Effect.Effect<A, E | Errors.HeroHealthError> = Effect.flatMap(
            limiter.attempt(operation, policy, deadlineAt, onLimiterDeadline, sendAttempt),
            onResponse
          )
          const annotate = (outcome: "success" | "failure") => {
            span.attribute("hero.attempts", attempts)
            span.attribute("hero.outcome", outcome)
            if (lastStatus !== undefined) span.attribute("http.response.status_code", lastStatus)
          }
          return Effect.onExit(
            retry(attempt, call, deadlineAt),
            (exit) => Effect.sync(() => annotate(exit._tag === "Success" ? "success" : "failure"))
          )
        }))
    }

    // `failure` only builds PatientNotFound/Conflict when the spec allows them (see ErrorsOf).
    const run = runAny as Engine["run"]

    return { run, invalidInput }
  })
