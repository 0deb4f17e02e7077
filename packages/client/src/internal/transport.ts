import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
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

// The `content-length` a response declares, when it is a plain number.
const declaredLength = (headers: Readonly<Record<string, string>>): number | undefined => {
  const declared = headers["content-length"]?.trim()
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined
}

/**
 * A declared `content-length` over the limit. A decompressing transport (fetch) turns a small
 * compressed length into a larger body, so the declared length only ever refuses early; the
 * bytes read are counted either way.
 * @internal
 */
export const declaresMoreThan = (headers: Readonly<Record<string, string>>, maxResponseBytes: number): boolean => {
  const declared = declaredLength(headers)
  return declared !== undefined && declared > maxResponseBytes
}

// A body whose length is declared and not encoded: its bytes on the wire are its bytes read, at
// most the declared length (HTTP/1.1 framing). An encoded one (gzip: fetch decompresses) may
// grow to any size: it is read as a Stream, counted.
const declaresLength = (headers: Readonly<Record<string, string>>): boolean => {
  const encoding = headers["content-encoding"]
  return declaredLength(headers) !== undefined &&
    (encoding === undefined || encoding.trim().toLowerCase() === "identity")
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
  // A declared length within the limit, not encoded: read whole, as text (a Stream costs about
  // twice as much CPU). The bytes are still counted, in case a transport of your own reads more
  // than was declared.
  if (declaresLength(response.headers)) {
    return Effect.flatMap(response.text, (text) =>
      // At least as many UTF-8 bytes as UTF-16 units; only a text that may be over is counted.
      text.length * 3 > max && Buffer.byteLength(text, "utf8") > max
        ? Effect.fail(tooLarge(response.status, max))
        : Effect.succeed({ status: response.status, headers: response.headers, text }))
  }
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

// Effect's own clock, as every runtime has it unless a layer replaces it.
let liveClock: Clock.Clock | undefined
const isLiveClock = (clock: Clock.Clock) => {
  if (liveClock === undefined) liveClock = Effect.runSync(Effect.clock)
  return clock === liveClock
}

/**
 * Runs `exchange` in a child fiber of `fiber` under a native timer of `millis`: on expiry the
 * child is interrupted and awaited (the timeout is reported once the exchange has stopped).
 * `Effect.timeoutFail` races two fibers, about twice the cost. Only on Effect's own clock: on
 * another (`TestClock`, a clock of your own) the caller uses `Effect.timeoutFail`, so that the
 * timeout follows that clock.
 */
const underNativeTimer = <A>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  exchange: Effect.Effect<A, TransportError>,
  millis: number
): Effect.Effect<A, TransportError> =>
  // The child ends with the exchange's Exit as its value: a failed exchange is not a failed
  // fiber (which Effect would log as unhandled).
  Effect.flatMap(Effect.fork(Effect.exit(exchange)), (child) =>
    Effect.async<A, TransportError>((resume) => {
      let expired = false
      const timer = setTimeout(() => {
        expired = true
        child.unsafeInterruptAsFork(fiber.id())
      }, millis)
      child.addObserver((exit) => {
        clearTimeout(timer)
        // The child itself fails only by interruption (its failure carries no value).
        const result: Exit.Exit<A, TransportError> = exit._tag === "Success"
          ? exit.value
          : (exit as Exit.Exit<never, never>)
        // A response that beat the interruption is kept.
        resume(expired && result._tag === "Failure" ? Effect.fail(timedOut()) : result)
      })
      // Interrupted from outside: the exchange is stopped too.
      return Effect.sync(() => {
        clearTimeout(timer)
        child.unsafeInterruptAsFork(fiber.id())
      })
    }))

// FetchHttpClient follows redirects unless told otherwise, and would send `x-api-key` to the
// new origin. Its `RequestInit` may carry the caller's settings (a proxy dispatcher), so instead
// of replacing it the client wraps the `Fetch` and forces `redirect: "manual"` on every call; a
// 3xx then comes back as a response and the engine refuses it. Other HttpClients ignore the tag.
const manualRedirects = (fetch: typeof globalThis.fetch | undefined): typeof globalThis.fetch => (input, init) =>
  (fetch ?? globalThis.fetch)(input, { ...init, redirect: "manual" })

/** @internal */
export const fromHttpClient = (client: HttpClient.HttpClient, fetch?: typeof globalThis.fetch): Service => {
  const defaultFetch = manualRedirects(fetch)
  const wrapped = new WeakMap<typeof globalThis.fetch, typeof globalThis.fetch>()
  const refusingRedirects = (own: typeof globalThis.fetch) => {
    let fetch = wrapped.get(own)
    if (fetch === undefined) {
      fetch = manualRedirects(own)
      wrapped.set(own, fetch)
    }
    return fetch
  }
  // The platform's own span is off for the client's requests: it records the full URL, and a
  // search's query carries NHS numbers, names and dates of birth (the engine's span records the
  // query's keys only).
  const always = () => true
  // The engine sends the same headers object on every request of a kind: the platform request
  // with those headers (lower-cased, checked) is made once per method and object, and each
  // request only sets its URL on it.
  const baseRequests = new Map<string, WeakMap<object, HttpClientRequest.HttpClientRequest>>()
  const baseRequest = (method: TransportRequest["method"], headers: TransportRequest["headers"]) => {
    let byHeaders = baseRequests.get(method)
    if (byHeaders === undefined) {
      byHeaders = new WeakMap()
      baseRequests.set(method, byHeaders)
    }
    let request = byHeaders.get(headers)
    if (request === undefined) {
      request = HttpClientRequest.make(method)("").pipe(HttpClientRequest.setHeaders(headers))
      byHeaders.set(headers, request)
    }
    return request
  }
  return {
    send: (spec: TransportRequest) => {
      const base = HttpClientRequest.setUrl(baseRequest(spec.method, spec.headers), spec.url)
      const request = spec.body === undefined ? base : HttpClientRequest.bodyText(base, spec.body, "application/json")
      const exchange = client.execute(request).pipe(
        Effect.flatMap((response) => readCapped(response, spec.maxResponseBytes)),
        Effect.mapError((error) => error._tag === "TransportError" ? error : fromPlatformError(error))
      )
      const millis = Math.max(0, spec.timeoutMillis)
      return Effect.withFiberRuntime((fiber) => {
        const own = Context.getOption(fiber.currentContext, FetchHttpClient.Fetch)
        const fetch = Option.isSome(own) ? refusingRedirects(own.value) : defaultFetch
        if (!isLiveClock(Context.get(fiber.currentDefaultServices, Clock.Clock))) {
          return exchange.pipe(
            Effect.timeoutFail({ duration: Duration.millis(millis), onTimeout: timedOut }),
            Effect.provideService(FetchHttpClient.Fetch, fetch),
            Effect.locally(HttpClient.currentTracerDisabledWhen, always)
          )
        }
        // The exchange runs in a fiber of its own: set there, once, and never restored (it
        // ends with the exchange), the Fetch and the span's switch cost one copy of the fiber's
        // refs each instead of two (`provideService` and `locally` put the old value back).
        return underNativeTimer(
          fiber,
          Effect.zipRight(
            Effect.zipRight(
              FiberRef.update(FiberRef.currentContext, (context) => Context.add(context, FetchHttpClient.Fetch, fetch)),
              FiberRef.set(HttpClient.currentTracerDisabledWhen, always)
            ),
            exchange
          ),
          millis
        )
      })
    }
  }
}
