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

// A body of more bytes than the sandbox accepts is not decoded (the core answers 413).
const bytesText = (bytes: Uint8Array, maxBodyBytes: number): string | typeof Protocol.TooLarge =>
  bytes.byteLength > maxBodyBytes ? Protocol.TooLarge : decoder.decode(bytes)

const bodyTextOf = (
  body: HttpBody.HttpBody,
  maxBodyBytes: number
): string | undefined | typeof Protocol.TooLarge => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return bytesText(body.body, maxBodyBytes)
    case "Raw":
      return typeof body.body === "string"
        ? body.body
        : body.body instanceof Uint8Array
        ? bytesText(body.body, maxBodyBytes)
        : JSON.stringify(body.body)
    default:
      // FormData and streams are not JSON: the core answers 400.
      return "\u0000unsupported body"
  }
}

/** The request's headers, with its body's content type as the server would see it. */
const headersOf = (request: HttpClientRequest.HttpClientRequest): Record<string, string | undefined> => {
  const contentType = request.body._tag === "Empty" ? undefined : request.body.contentType
  return contentType === undefined || "content-type" in request.headers
    ? request.headers
    : { ...request.headers, "content-type": contentType }
}

/** @internal */
export const make = (sandbox: SandboxService): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.flatMap(
      Effect.suspend(() => {
        const maxBodyBytes = sandbox.config.maxBodyBytes
        const text = bodyTextOf(request.body, maxBodyBytes)
        const sandboxRequest = Protocol.makeRequest({
          method: request.method,
          url,
          headers: headersOf(request),
          bodyText: text === Protocol.TooLarge ? undefined : text,
          maxBodyBytes
        })
        return sandbox.handle(
          text === Protocol.TooLarge ? { ...sandboxRequest, body: Protocol.TooLarge } : sandboxRequest
        )
      }),
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
