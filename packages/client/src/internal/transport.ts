import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Service, TransportRequest, TransportResponse } from "../HeroHealthTransport.js"
import { TransportError } from "../HeroHealthTransport.js"

// Connection failures that happen before a byte of the request leaves: safe to repeat a write.
const unsentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_INVALID_URL"
])

/** The first error code along a cause chain (`code` properties, upper-case words only). @internal */
export const errorCode = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let i = 0; i < 6 && typeof current === "object" && current !== null; i++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** A failure of a socket-level exchange, from its error's code. @internal */
export const failedWith = (cause: unknown, fallback: string): TransportError => {
  const code = errorCode(cause)
  return new TransportError({
    kind: "failed",
    mayHaveReachedServer: code === undefined || !unsentCodes.has(code),
    reason: code ?? fallback
  })
}

/** @internal */
export const timedOut = (): TransportError =>
  new TransportError({ kind: "timeout", mayHaveReachedServer: true, reason: "timeout" })

const fromPlatformError = (error: HttpClientError.HttpClientError): TransportError =>
  error._tag === "RequestError" && error.reason !== "Transport"
    ? new TransportError({ kind: "failed", mayHaveReachedServer: false, reason: error.reason })
    : failedWith(error.cause, error._tag === "RequestError" ? (error.description ?? "transport") : error.reason)

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient): Service => {
  const http = client.pipe(HttpClient.withTracerDisabledWhen(() => true))
  return {
    send: (spec: TransportRequest) => {
      const base = HttpClientRequest.make(spec.method)(spec.url).pipe(HttpClientRequest.setHeaders(spec.headers))
      const request = spec.body === undefined ? base : HttpClientRequest.bodyText(base, spec.body, "application/json")
      return http.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(
            response.text,
            (text): TransportResponse => ({ status: response.status, headers: response.headers, text })
          )
        ),
        Effect.mapError(fromPlatformError),
        Effect.timeoutFail({ duration: Duration.millis(Math.max(0, spec.timeoutMillis)), onTimeout: timedOut })
      )
    }
  }
}
