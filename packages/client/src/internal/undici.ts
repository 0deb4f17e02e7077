import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Dispatcher } from "undici"
import { Agent } from "undici"
import type { Service, TransportRequest } from "../HeroHealthTransport.js"
import { TransportError } from "../HeroHealthTransport.js"
import type { Options } from "../UndiciTransport.js"
import type { ExchangeHandler } from "./dispatch.js"
import { fromDispatch } from "./dispatch.js"
import { declaresMoreThan, failedWith, timedOut, tooLarge } from "./transport.js"

// Origin and path of an absolute http(s) URL, without a URL object per request (the engine
// builds the URL from a validated base URL and encoded segments).
const urlShape = /^(https?:\/\/[^/?#]+)([/?][^#]*)?$/i
const splitUrl = (url: string): { readonly origin: string; readonly path: string } | undefined => {
  const match = urlShape.exec(url)
  if (match === null) return undefined
  const rest = match[2] ?? "/"
  return { origin: match[1]!, path: rest.startsWith("?") ? `/${rest}` : rest }
}

type UndiciHeaders = Record<string, string | Array<string> | undefined>

const flattenHeaders = (raw: UndiciHeaders): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const name in raw) {
    const value = raw[name]
    if (value !== undefined) headers[name] = typeof value === "string" ? value : value.join(", ")
  }
  return headers
}

// One exchange: undici's dispatch handler, with the exchange's state on it (one object per
// request instead of a closure per callback). `handler` hears once, the response or the
// failure; the timer, the controller and `cancel` abort the exchange.
class Exchange implements Dispatcher.DispatchHandler {
  done = false
  controller: Dispatcher.DispatchController | undefined = undefined
  status = 0
  headers: Record<string, string> = {}
  chunks: Array<Buffer> = []
  size = 0
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  constructor(
    readonly max: number | undefined,
    readonly handler: ExchangeHandler
  ) {}
  fail(error: TransportError) {
    if (this.done) return
    this.done = true
    clearTimeout(this.timer)
    this.handler.onFailure(error)
  }
  cancel() {
    this.done = true
    clearTimeout(this.timer)
    this.abort("interrupted")
  }
  abort(reason: string) {
    const controller = this.controller
    if (controller !== undefined && !controller.aborted) controller.abort(new Error(reason))
  }
  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller
    // Given up on while it waited for a connection.
    if (this.done) this.abort("interrupted")
  }
  onResponseStart(_: Dispatcher.DispatchController, statusCode: number, headers: Record<string, unknown>) {
    this.status = statusCode
    this.headers = flattenHeaders(headers as UndiciHeaders)
    // A declared length over the limit: refused before a byte of the body is read.
    if (this.max !== undefined && declaresMoreThan(this.headers, this.max)) {
      this.fail(tooLarge(statusCode, this.max))
      this.abort("too large")
    }
  }
  onResponseData(_: Dispatcher.DispatchController, chunk: Buffer) {
    if (this.done) return
    this.size += chunk.length
    // Counted while reading: past the limit the exchange is aborted, the rest unread.
    if (this.max !== undefined && this.size > this.max) {
      this.chunks.length = 0
      this.fail(tooLarge(this.status, this.max))
      this.abort("too large")
      return
    }
    this.chunks.push(chunk)
  }
  onResponseEnd() {
    if (this.done) return
    this.done = true
    clearTimeout(this.timer)
    const chunks = this.chunks
    const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")
    this.handler.onResponse({ status: this.status, headers: this.headers, text })
  }
  onResponseError(_: Dispatcher.DispatchController, cause: Error) {
    this.fail(failedWith(cause, "transport"))
  }
}

// One native timer per exchange: it aborts the request, headers or body alike.
const onTimeout = (exchange: Exchange) => {
  exchange.fail(timedOut())
  exchange.abort("timeout")
}

/** @internal */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() =>
        new Agent({
          ...(options.connections !== undefined ? { connections: options.connections } : {}),
          ...(options.keepAliveTimeout !== undefined
            ? { keepAliveTimeout: Duration.toMillis(Duration.decode(options.keepAliveTimeout)) }
            : {})
        })
      ),
      (agent) => Effect.promise(() => agent.close())
    ),
    (agent): Service => {
      // The client sends every request to one base URL: its origin is kept, and a URL on it is
      // split without the pattern.
      let lastOrigin: string | undefined
      const split = (url: string) => {
        if (lastOrigin !== undefined && url.startsWith(lastOrigin) && !url.includes("#", lastOrigin.length)) {
          const next = url.charCodeAt(lastOrigin.length)
          // "/" or "?" after the origin, no fragment (else the pattern decides).
          if (next === 47) return { origin: lastOrigin, path: url.slice(lastOrigin.length) }
          if (next === 63) return { origin: lastOrigin, path: `/${url.slice(lastOrigin.length)}` }
        }
        const result = splitUrl(url)
        if (result !== undefined) lastOrigin = result.origin
        return result
      }
      // undici's dispatcher API directly: no response stream, no AbortController; the
      // controller it hands over aborts the exchange.
      return fromDispatch((request: TransportRequest, handler: ExchangeHandler) => {
        const exchange = new Exchange(request.maxResponseBytes, handler)
        const url = split(request.url)
        if (url === undefined) {
          exchange.fail(new TransportError({ kind: "failed", mayHaveReachedServer: false, reason: "ERR_INVALID_URL" }))
          return exchange
        }
        exchange.timer = setTimeout(onTimeout, request.timeoutMillis, exchange)
        try {
          agent.dispatch({
            origin: url.origin,
            path: url.path,
            method: request.method,
            headers: request.headers,
            body: request.body ?? null
          }, exchange)
        } catch (cause) {
          exchange.fail(failedWith(cause, "transport"))
        }
        return exchange
      })
    }
  )
