/**
 * The engine every operation runs on: one call, end to end. It builds the request once
 * (`request.ts`), makes the call's state (`call.ts`: its attempts, each through the limiter
 * (`limiter.ts`) with one timer, its response read, the retries (`retry.ts`) around them) and
 * wraps the call in its span. The success path is written without generators: it runs on every
 * call.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Options } from "../HeroHealthConfig.js"
import { defaultMaxResponseBytes, defaultRetryBudget } from "../HeroHealthConfig.js"
import type * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId } from "../Operation.js"
import { resolvePolicy } from "../Operation.js"
import type * as RateLimitStore from "../RateLimitStore.js"
import type { CallContext, OperationPlan } from "./call.js"
import { EngineCall } from "./call.js"
import { dispatchOf } from "./dispatch.js"
import { makeLimiter } from "./limiter.js"
import type { RequestSpec } from "./request.js"
import { invalidInput, makeBuildRequest, redactedQuery } from "./request.js"
import type { ErrorsOf, RawResponse } from "./response.js"
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
    const limiter = makeLimiter(config, store)
    const dispatch = dispatchOf(transport)
    const context: CallContext = {
      transport,
      limiter,
      retry: makeRetry(config.retryBudget ?? defaultRetryBudget),
      maxResponseBytes: config.maxResponseBytes ?? defaultMaxResponseBytes,
      atOnce: dispatch !== undefined && limiter.atOnce !== undefined
        ? { dispatch, limiter: limiter.atOnce }
        : undefined
    }
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
      const request = buildRequest(spec)
      // One step reads the fiber once (its clock, its tracer) and starts the span (`span.ts`:
      // what `useSpan` does, without its per-call copy of the fiber's refs); nothing on the
      // success path reads the current span, so it is not made the parent (a copy of the
      // fiber's context), except for the retries, which log (`Call.span`). The call's state is
      // made here, per run, so the same Effect run twice does not carry the first run's
      // attempts into the second.
      return Effect.withFiberRuntime((fiber) => {
        const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
        const { end, span } = startCallSpan(fiber, plan.spanName, {
          "hero.operation": operation,
          "http.request.method": spec.method,
          "url.path": spec.path,
          "url.query": redactedQuery(spec)
        })
        const call = new EngineCall(
          context,
          operation,
          plan,
          spec,
          request,
          onSuccess,
          clock,
          span,
          clock.unsafeCurrentTimeMillis() + plan.deadlineMillis
        )
        // The span ends however the call does (an interruption included): the handlers run
        // uninterruptibly, and end it in place rather than through an Effect of their own.
        return Effect.uninterruptibleMask((restore) =>
          Effect.matchCauseEffect(restore(call.attemptAll()), {
            onFailure: (cause) => {
              call.end("failure")
              end(Exit.failCause(cause))
              return Effect.failCause(cause)
            },
            onSuccess: (value) => {
              call.end("success")
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
