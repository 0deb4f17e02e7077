import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
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

/** A body over `maxResponseBytes`: not read further. @internal */
export const tooLarge = (status: number, maxResponseBytes: number): TransportError =>
  new TransportError({
    kind: "too-large",
    mayHaveReachedServer: true,
    reason: `the body is larger than ${maxResponseBytes} bytes`,
    status
  })

/**
 * A declared `content-length` over the limit. A decompressing transport (fetch) turns a small
 * compressed length into a larger body, so the declared length only ever refuses early; the
 * bytes read are counted either way.
 * @internal
 */
export const declaresMoreThan = (headers: Readonly<Record<string, string>>, maxResponseBytes: number): boolean => {
  const declared = headers["content-length"]
  return declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxResponseBytes
}

const fromPlatformError = (error: HttpClientError.HttpClientError): TransportError =>
  error._tag === "RequestError" && error.reason !== "Transport"
    ? new TransportError({ kind: "failed", mayHaveReachedServer: false, reason: error.reason })
    : failedWith(error.cause, error._tag === "RequestError" ? (error.description ?? "transport") : error.reason)

const decoder = new TextDecoder()

// Reads the body chunk by chunk, counting bytes; past the limit it stops (ending the stream
// aborts the exchange) and fails, so at most `max` bytes are ever held.
const readCapped = (
  response: HttpClientResponse.HttpClientResponse,
  max: number | undefined
): Effect.Effect<TransportResponse, HttpClientError.ResponseError | TransportError> => {
  if (max === undefined) {
    return Effect.map(response.text, (text) => ({ status: response.status, headers: response.headers, text }))
  }
  if (declaresMoreThan(response.headers, max)) return Effect.fail(tooLarge(response.status, max))
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    // No body at all (a 204, a bodiless error) is the empty text, as `response.text` gives. Errors
    // are caught inside the stream: one escaping it is logged with the request's URL (its query
    // can carry an NHS number).
    const body = Stream.catchAll(
      response.stream,
      (error) => error.reason === "EmptyBody" ? Stream.empty : Stream.fail(fromPlatformError(error))
    )
    return Effect.flatMap(
      Stream.runForEachWhile(body, (chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (size > max) return false
          chunks.push(chunk)
          return true
        })),
      () => {
        if (size > max) return Effect.fail(tooLarge(response.status, max))
        let text: string
        if (chunks.length === 1) {
          text = decoder.decode(chunks[0])
        } else {
          const all = new Uint8Array(size)
          let at = 0
          for (const chunk of chunks) {
            all.set(chunk, at)
            at += chunk.length
          }
          text = decoder.decode(all)
        }
        return Effect.succeed({ status: response.status, headers: response.headers, text })
      }
    )
  })
}

// FetchHttpClient follows redirects unless told otherwise, and would send `x-api-key` to the
// new origin. Its `RequestInit` may carry the caller's settings (a proxy dispatcher), so instead
// of replacing it the client wraps the `Fetch` and forces `redirect: "manual"` on every call; a
// 3xx then comes back as a response and the engine refuses it. Other HttpClients ignore the tag.
const manualRedirects = (fetch: typeof globalThis.fetch | undefined): typeof globalThis.fetch => (input, init) =>
  (fetch ?? globalThis.fetch)(input, { ...init, redirect: "manual" })

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient, fetch?: typeof globalThis.fetch): Service => {
  const http = client.pipe(HttpClient.withTracerDisabledWhen(() => true))
  const defaultFetch = manualRedirects(fetch)
  return {
    send: (spec: TransportRequest) => {
      const base = HttpClientRequest.make(spec.method)(spec.url).pipe(HttpClientRequest.setHeaders(spec.headers))
      const request = spec.body === undefined ? base : HttpClientRequest.bodyText(base, spec.body, "application/json")
      return Effect.flatMap(Effect.serviceOption(FetchHttpClient.Fetch), (own) =>
        http.execute(request).pipe(
          Effect.flatMap((response) => readCapped(response, spec.maxResponseBytes)),
          Effect.mapError((error) => error._tag === "TransportError" ? error : fromPlatformError(error)),
          Effect.timeoutFail({ duration: Duration.millis(Math.max(0, spec.timeoutMillis)), onTimeout: timedOut }),
          Effect.provideService(
            FetchHttpClient.Fetch,
            Option.isSome(own) ? manualRedirects(own.value) : defaultFetch
          )
        ))
    }
  }
}
