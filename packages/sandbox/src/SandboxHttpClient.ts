/**
 * The no-socket face: an `HttpClient` that answers every request from the sandbox core, with no
 * sockets and no real timers, so it is deterministic under `TestClock`. A dropped connection fails
 * with a `RequestError` (reason `Transport`); a hanging request never completes (it is
 * interruptible, so a client-side timeout ends it).
 *
 * @since 0.1.0
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Protocol from "./Protocol.js"
import type { SandboxService } from "./Sandbox.js"
import { Sandbox } from "./Sandbox.js"

/**
 * The base URL relative requests are resolved against (any base works: only the path and query
 * are used).
 *
 * @since 0.1.0
 * @category constants
 */
export const baseUrl = "http://sandbox.hero.invalid"

const decoder = new TextDecoder()

const bodyTextOf = (body: HttpBody.HttpBody): string | undefined => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return decoder.decode(body.body)
    case "Raw":
      return typeof body.body === "string"
        ? body.body
        : body.body instanceof Uint8Array
        ? decoder.decode(body.body)
        : JSON.stringify(body.body)
    default:
      // FormData and streams are not JSON: the core answers 400.
      return "\u0000unsupported body"
  }
}

/**
 * An `HttpClient` over a sandbox.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sandbox: SandboxService): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.flatMap(
      sandbox.handle(
        Protocol.makeRequest({
          method: request.method,
          url,
          headers: request.headers,
          bodyText: bodyTextOf(request.body)
        })
      ),
      (outcome): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
        switch (outcome._tag) {
          case "Respond":
            return Effect.sync(() =>
              HttpClientResponse.fromWeb(
                request,
                new Response(Protocol.bodyText(outcome) ?? null, { status: outcome.status, headers: outcome.headers })
              )
            )
          case "Reset":
            return Effect.fail(
              new HttpClientError.RequestError({ request, reason: "Transport", description: "connection reset" })
            )
          case "Hang":
            return Effect.never
        }
      }
    )
  ).pipe(
    HttpClient.mapRequest((request) =>
      request.url.startsWith("/") ? HttpClientRequest.prependUrl(request, baseUrl) : request
    )
  )

/**
 * The `HttpClient` over the `Sandbox` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, Sandbox> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(Sandbox, make)
)
