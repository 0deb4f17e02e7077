import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Protocol from "../Protocol.js"
import type { SandboxService } from "../Sandbox.js"

/** @internal */
export const baseUrl = "https://sandbox.hero.invalid"

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

/** @internal */
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
