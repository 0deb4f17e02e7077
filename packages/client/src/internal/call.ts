/**
 * One call of the engine, as one object: its state (the deadline, the attempts, whether one may
 * have reached the server, the last status), what its attempts do (send, map the transport's
 * failure, read the response) and its first attempt run at once. The engine makes one per run;
 * the limiter and the retries see it as their `LimitedCall` and `Call`. One object instead of a
 * closure per step: a call in flight is kept alive by every GC scavenge that meets it, and what
 * it holds is copied each time.
 *
 * Its attempts go one of two ways. The Effect way: each attempt is the limiter's `attempt`
 * around `send`, and the retries run them. At once, when the transport has a callback face
 * (`dispatch.ts`) and the limiter can pass without an Effect (the in-memory store): the first
 * attempt is one asynchronous step, `start` passing the limiter and dispatching the request,
 * `onResponse` or `onFailure` settling its places and reading the response; only a failure (or
 * an attempt the limiter cannot pass at once) goes on the Effect way, to the same retries. Both
 * ways follow the same rules: the same timer per attempt, the same errors, the same settling,
 * the same refund.
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"
import * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId, OperationPolicy } from "../Operation.js"
import type { Dispatch, Exchange, ExchangeHandler } from "./dispatch.js"
import type { AtOnce, LimitedCall, Limiter, Place } from "./limiter.js"
import type { BuiltRequest, RequestSpec } from "./request.js"
import type { RawResponse } from "./response.js"
import { failure, responseTooLarge } from "./response.js"
import type { Call, Retry } from "./retry.js"

/** What every call of a client shares. @internal */
export interface CallContext {
  readonly transport: Transport.Service
  readonly limiter: Limiter
  readonly retry: Retry
  readonly maxResponseBytes: number
  /** Both set when a call's first attempt can run at once (see the module's note). */
  readonly atOnce: { readonly dispatch: Dispatch; readonly limiter: AtOnce } | undefined
}

/** What every call of an operation shares. @internal */
export interface OperationPlan {
  readonly policy: OperationPolicy
  readonly attemptMillis: number
  readonly deadlineMillis: number
  readonly spanName: string
}

const noPlaces: Array<Place> = []

/** @internal */
export class EngineCall<A, E> implements Call, LimitedCall, ExchangeHandler {
  readonly policy: OperationPolicy
  mayHaveActed = false
  /** Attempts sent so far. */
  attempts = 0
  /** The last attempt's status, set on the span once when the call ends. */
  lastStatus: number | undefined = undefined
  /** Whether this attempt's timer is what is left of the deadline (then a timeout is the deadline's). */
  byDeadline = false
  /** The places of the first attempt, when it passed the limiter at once. */
  places: Array<Place> = noPlaces
  /** The first attempt's exchange while it is in flight (run at once). */
  exchange: Exchange | undefined = undefined
  /** Whether the first attempt, run at once, was dispatched. */
  dispatched = false
  /** Resumes the fiber with the first attempt, run at once. */
  resume: ((effect: Effect.Effect<A, E | Errors.HeroHealthError>) => void) | undefined = undefined
  private retryAttempt: Effect.Effect<A, E | Errors.HeroHealthError> | undefined = undefined

  constructor(
    readonly context: CallContext,
    readonly operation: OperationId,
    readonly plan: OperationPlan,
    readonly spec: RequestSpec,
    readonly request: BuiltRequest,
    readonly onSuccess: (response: RawResponse) => Effect.Effect<A, E>,
    readonly clock: Clock.Clock,
    readonly span: Tracer.Span,
    readonly deadlineAt: number
  ) {
    this.policy = plan.policy
  }

  onDeadline(): Errors.Timeout {
    return new Errors.Timeout({ operation: this.operation, scope: "deadline", afterMillis: this.plan.deadlineMillis })
  }

  // A limiter wait past the deadline is the RateLimited that held it back while nothing this
  // call sent may have reached the server, else the deadline's Timeout.
  onLimiterDeadline(millis: number): Errors.Timeout | Errors.RateLimited {
    return this.mayHaveActed
      ? this.onDeadline()
      : new Errors.RateLimited({ operation: this.operation, retryAfterMillis: millis, heldBack: true })
  }

  /** The call's attempts, retries included: at once when it can, else the Effect way. */
  attemptAll(): Effect.Effect<A, E | Errors.HeroHealthError> {
    if (this.context.atOnce === undefined) return this.context.retry.run(this.attempt(), this, this.deadlineAt)
    // No canceler: an interruption resumes the fiber at once, and `end` stops the exchange.
    return Effect.async<A, E | Errors.HeroHealthError>((resume) => {
      this.start(resume)
    })
  }

  /**
   * Where the call ends, however it does (an interruption included; run uninterruptibly): the
   * first attempt's exchange stopped and its places settled if nothing else did, the span's
   * closing attributes set.
   */
  end(outcome: "success" | "failure"): void {
    const atOnce = this.context.atOnce
    if (this.exchange !== undefined) {
      this.exchange.cancel()
      this.exchange = undefined
    }
    if (atOnce !== undefined && this.places.length > 0) {
      // Interrupted in flight (the request may have reached the server), or before the limiter's
      // Effect way took over the places (nothing was sent).
      atOnce.limiter.settle(this.places, this.dispatched, this.clock.unsafeCurrentTimeMillis())
    }
    this.span.attribute("hero.attempts", this.attempts)
    this.span.attribute("hero.outcome", outcome)
    if (this.lastStatus !== undefined) this.span.attribute("http.response.status_code", this.lastStatus)
  }

  // ---------------------------------------------------------------------------------------------
  // The Effect way
  // ---------------------------------------------------------------------------------------------

  /** One attempt the Effect way: the limiter, then `send`. Made once, run once per retry. */
  attempt(): Effect.Effect<A, E | Errors.HeroHealthError> {
    if (this.retryAttempt === undefined) this.retryAttempt = this.context.limiter.attempt(this, () => this.send())
    return this.retryAttempt
  }

  /** One exchange, past the limiter: sent and its response read, in one step each. */
  send(): Effect.Effect<A, E | Errors.HeroHealthError> {
    return Effect.matchEffect(this.context.transport.send(this.attemptRequest()), {
      onFailure: (error) => Effect.fail(this.transportFailure(error)),
      onSuccess: (response) => this.response(response)
    })
  }

  // One timer per attempt: the attempt's timeout, or what is left of the call's deadline if
  // that is shorter (then the failure is the deadline's).
  private attemptRequest(): Transport.TransportRequest {
    this.attempts++
    const { attemptMillis } = this.plan
    const remainingMillis = this.deadlineAt - this.clock.unsafeCurrentTimeMillis()
    this.byDeadline = remainingMillis < attemptMillis
    const { body, headers, method, url } = this.request
    return {
      method,
      url,
      headers,
      body,
      timeoutMillis: Math.max(0, this.byDeadline ? remainingMillis : attemptMillis),
      maxResponseBytes: this.context.maxResponseBytes
    }
  }

  /** The error of an exchange that produced no response. */
  transportFailure(error: Transport.TransportError): Errors.HeroHealthError {
    const { operation } = this
    return error.kind === "too-large"
      ? responseTooLarge(operation, error.status ?? 0, this.context.maxResponseBytes)
      : error.kind === "timeout"
      ? this.byDeadline
        ? this.onDeadline()
        : new Errors.Timeout({ operation, scope: "attempt", afterMillis: this.plan.attemptMillis })
      : new Errors.NetworkError({
        operation,
        mayHaveReachedServer: error.mayHaveReachedServer,
        reason: error.reason
      })
  }

  /** A response: a 2xx to `onSuccess`, a 429 to the limiter, the rest to `response.ts`. */
  response(response: RawResponse): Effect.Effect<A, E | Errors.HeroHealthError> {
    this.lastStatus = response.status
    const { limiter, maxResponseBytes } = this.context
    // A transport of your own may not count bytes: a string has at least as many UTF-8 bytes as
    // UTF-16 units.
    if (response.text.length > maxResponseBytes) {
      return Effect.fail(responseTooLarge(this.operation, response.status, maxResponseBytes))
    }
    if (response.status >= 200 && response.status < 300) {
      if (limiter.noteSuccess !== undefined) limiter.noteSuccess(this.clock.unsafeCurrentTimeMillis())
      return this.onSuccess(response)
    }
    if (response.status === 429) {
      return limiter.throttled(this.operation, this.policy, response)
    }
    return Effect.fail(failure(this.operation, this.spec, response))
  }

  // ---------------------------------------------------------------------------------------------
  // The first attempt at once
  // ---------------------------------------------------------------------------------------------

  /** Passes the limiter and dispatches the first attempt (the register of `attemptAll`'s async). */
  start(resume: (effect: Effect.Effect<A, E | Errors.HeroHealthError>) => void): void {
    const atOnce = this.context.atOnce!
    this.resume = resume
    const passed = atOnce.limiter.pass(this)
    if (!Array.isArray(passed)) {
      // Not at once: this attempt the limiter's Effect way from where it stopped, its places
      // kept here until that way takes them over.
      this.places = passed.places
      resume(
        this.context.retry.after(
          this.context.limiter.goOn(this, passed, () => this.send()),
          this.attempt(),
          this,
          this.deadlineAt
        )
      )
      return
    }
    this.places = passed
    this.dispatched = true
    this.exchange = atOnce.dispatch(this.attemptRequest(), this)
  }

  onResponse(response: Transport.TransportResponse): void {
    this.exchange = undefined
    const result = this.response(response)
    if (this.places.length > 0) {
      this.context.atOnce!.limiter.settle(this.places, true, this.clock.unsafeCurrentTimeMillis())
    }
    if (Exit.isExit(result) && Exit.isSuccess(result)) {
      this.context.retry.refund()
      this.resume!(result)
      return
    }
    this.goOnAfter(result)
  }

  onFailure(error: Transport.TransportError): void {
    this.exchange = undefined
    if (this.places.length > 0) {
      this.context.atOnce!.limiter.settle(this.places, error.mayHaveReachedServer, this.clock.unsafeCurrentTimeMillis())
    }
    this.goOnAfter(Effect.fail(this.transportFailure(error)))
  }

  // The first attempt did not succeed: the retries decide what follows.
  private goOnAfter(first: Effect.Effect<A, E | Errors.HeroHealthError>): void {
    this.resume!(this.context.retry.after(first, this.attempt(), this, this.deadlineAt))
  }
}
