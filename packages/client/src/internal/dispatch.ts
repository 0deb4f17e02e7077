/**
 * The callback face of a transport whose exchanges are callbacks underneath (the client's undici
 * transport): the same exchange as `HeroHealthTransport.Service.send`, reported to a handler
 * instead of resumed as an Effect. The engine asks a transport for its callback face and, when
 * it has one (and the limiter can pass an attempt at once), runs a call's first attempt as one
 * asynchronous step: the limiter, the exchange, the status and the decode, with no Effect of
 * their own. While a request is in flight the fiber then holds one frame and one object for the
 * call instead of a frame per step: every GC scavenge that finds a call in flight copies it.
 * The rules are those of `send`: one report per exchange, the timeout and the size limit in the
 * transport, `cancel` stopping the exchange (no report after it).
 * @internal
 */
import * as Effect from "effect/Effect"
import type { TransportError, TransportRequest, TransportResponse } from "../HeroHealthTransport.js"
import type * as Transport from "../HeroHealthTransport.js"

/** Where an exchange reports: exactly one of the two, once, unless it was cancelled first. @internal */
export interface ExchangeHandler {
  readonly onResponse: (response: TransportResponse) => void
  readonly onFailure: (error: TransportError) => void
}

/** An exchange under way. @internal */
export interface Exchange {
  /** Stops the exchange; its handler hears nothing more. */
  readonly cancel: () => void
}

/** Sends `request`, reporting to `handler`. @internal */
export type Dispatch = (request: TransportRequest, handler: ExchangeHandler) => Exchange

// The Effect face's handler: the exchange's report resumes the fiber.
class Resume implements ExchangeHandler {
  constructor(readonly resume: (effect: Effect.Effect<TransportResponse, TransportError>) => void) {}
  onResponse(response: TransportResponse) {
    this.resume(Effect.succeed(response))
  }
  onFailure(error: TransportError) {
    this.resume(Effect.fail(error))
  }
}

const faces = new WeakMap<Transport.Service, Dispatch>()

/** A transport whose `send` is `dispatch` as an Effect, its callback face kept for the engine. @internal */
export const fromDispatch = (dispatch: Dispatch): Transport.Service => {
  const service: Transport.Service = {
    send: (request) =>
      Effect.async<TransportResponse, TransportError>((resume) => {
        const exchange = dispatch(request, new Resume(resume))
        // Interrupted (a deadline above, or the caller): stop the exchange.
        return Effect.sync(() => exchange.cancel())
      })
  }
  faces.set(service, dispatch)
  return service
}

/** The callback face of `transport`, if it has one. @internal */
export const dispatchOf = (transport: Transport.Service): Dispatch | undefined => faces.get(transport)
