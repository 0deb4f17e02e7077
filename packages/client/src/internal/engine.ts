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
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Options } from "../HeroHealthConfig.js"
import { defaultMaxResponseBytes, defaultRetryBudget } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId, OperationPolicy } from "../Operation.js"
import { resolvePolicy } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import type { LimitedCall } from "./limiter.js"
import { makeLimiter } from "./limiter.js"
import type { RequestSpec } from "./request.js"
import { invalidInput, makeBuildRequest, redactedQuery } from "./request.js"
import type { ErrorsOf, RawResponse } from "./response.js"
import { failure, responseTooLarge } from "./response.js"
import type { Call } from "./retry.js"
import { makeRetry } from "./retry.js"
import { startCallSpan } from "./span.js"

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
    // What every call of an operation shares, worked out on its first call: its policy, its
    // limits in milliseconds and its span's name.
    const plans = new Map<OperationId, OperationPlan>()
    const planOf = (operation: OperationId): OperationPlan => {
      let plan = plans.get(operation)
      if (plan === undefined) {
        const policy = resolvePolicy(operation, config.policies)
        plan = {
          policy,
          attemptMillis: Duration.toMillis(policy.attemptTimeout),
          deadlineMillis: Duration.toMillis(policy.deadline),
          spanName: `HeroHealthClient.${operation}`
        }
        plans.set(operation, plan)
      }
      return plan
    }

    const runAny = <A, E>(
      operation: OperationId,
      spec: RequestSpec,
      onSuccess: (response: RawResponse) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | Errors.HeroHealthError> => {
      const plan = planOf(operation)
      const { attemptMillis, deadlineMillis, policy } = plan
      const request = buildRequest(spec)
      // The success path is written without generators and with as few steps as it can: it
      // runs on every call. One step reads the fiber once (its clock, its tracer) and starts
      // the span (`span.ts`: what `useSpan` does, without its per-call copy of the fiber's
      // refs); nothing on the success path reads the current span, so it is not made the parent
      // (a copy of the fiber's context), except for the retries, which log (`Call.span`). The
      // span is ended in the step that sets its closing attributes.
      return Effect.withFiberRuntime((fiber) => {
        const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
        const { end, span } = startCallSpan(fiber, plan.spanName, {
          "hero.operation": operation,
          "http.request.method": spec.method,
          "url.path": spec.path,
          "url.query": redactedQuery(spec)
        })
        const deadlineAt = clock.unsafeCurrentTimeMillis() + deadlineMillis
        const onDeadline = () => new Errors.Timeout({ operation, scope: "deadline", afterMillis: deadlineMillis })
        // Whether an attempt of this run may have reached the server is kept on `call` (set by
        // the retries, see `Call`): a limiter wait past the deadline is the RateLimited that
        // held it back while none may have, else the deadline's Timeout. Made here, per run,
        // so the same Effect run twice does not carry the first run's answer into the second.
        const call: Call & LimitedCall = {
          operation,
          policy,
          deadlineAt,
          clock,
          onDeadline,
          mayHaveActed: false,
          span,
          onLimiterDeadline: (millis) =>
            call.mayHaveActed
              ? onDeadline()
              : new Errors.RateLimited({ operation, retryAfterMillis: millis, heldBack: true })
        }
        let attempts = 0
        // The last attempt's status, set on the span once when the call ends.
        let lastStatus: number | undefined
        // One timer per attempt: the attempt's timeout, or what is left of the call's
        // deadline if that is shorter (then the failure is the deadline's).
        let byDeadline = false
        const onTransportError = (error: Transport.TransportError) =>
          Effect.fail(
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
        const onResponse = (response: RawResponse): Effect.Effect<A, E | Errors.HeroHealthError> => {
          lastStatus = response.status
          // A transport of your own may not count bytes: a string has at least as many UTF-8
          // bytes as UTF-16 units.
          if (response.text.length > maxResponseBytes) {
            return Effect.fail(responseTooLarge(operation, response.status, maxResponseBytes))
          }
          if (response.status >= 200 && response.status < 300) {
            if (limiter.noteSuccess !== undefined) limiter.noteSuccess(clock.unsafeCurrentTimeMillis())
            return onSuccess(response)
          }
          if (response.status === 429) {
            return limiter.throttled(operation, policy, response)
          }
          return Effect.fail(failure(operation, spec, response))
        }
        // Called by the limiter once the attempt has passed it: the attempt is sent, and its
        // response read, in one step each.
        const attempt = limiter.attempt(call, () => {
          attempts++
          const remainingMillis = deadlineAt - clock.unsafeCurrentTimeMillis()
          byDeadline = remainingMillis < attemptMillis
          return Effect.matchEffect(
            transport.send({
              method: request.method,
              url: request.url,
              headers: request.headers,
              body: request.body,
              timeoutMillis: Math.max(0, byDeadline ? remainingMillis : attemptMillis),
              maxResponseBytes
            }),
            { onFailure: onTransportError, onSuccess: onResponse }
          )
        })
        const annotate = (outcome: "success" | "failure") => {
          span.attribute("hero.attempts", attempts)
          span.attribute("hero.outcome", outcome)
          if (lastStatus !== undefined) span.attribute("http.response.status_code", lastStatus)
        }
        // The span ends however the call does (an interruption included): the handlers run
        // uninterruptibly, and end it in place rather than through an Effect of their own.
        return Effect.uninterruptibleMask((restore) =>
          Effect.matchCauseEffect(restore(retry(attempt, call, deadlineAt)), {
            onFailure: (cause) => {
              annotate("failure")
              end(Exit.failCause(cause))
              return Effect.failCause(cause)
            },
            onSuccess: (value) => {
              annotate("success")
              end(Exit.succeed(value))
              return Effect.succeed(value)
            }
          })
        )
      })
    }

    // `failure` only builds PatientNotFound/Conflict when the spec allows them (see ErrorsOf).
    const run = runAny as Engine["run"]

    return { run, invalidInput }
  })

/** What every call of an operation shares. */
interface OperationPlan {
  readonly policy: OperationPolicy
  readonly attemptMillis: number
  readonly deadlineMillis: number
  readonly spanName: string
}
