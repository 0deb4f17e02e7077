import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Dispatcher } from "undici"
import { Agent } from "undici"
import type { Service, TransportResponse } from "../HeroHealthTransport.js"
import { TransportError } from "../HeroHealthTransport.js"
import type { Options } from "../UndiciTransport.js"
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
    (agent): Service => ({
      send: (request) =>
        Effect.async<TransportResponse, TransportError>((resume) => {
          const url = splitUrl(request.url)
          if (url === undefined) {
            resume(
              Effect.fail(
                new TransportError({ kind: "failed", mayHaveReachedServer: false, reason: "ERR_INVALID_URL" })
              )
            )
            return
          }
          // undici's dispatcher API directly: no response stream, no AbortController; the
          // controller it hands over aborts the exchange.
          let done = false
          let controller: Dispatcher.DispatchController | undefined
          let status = 0
          let headers: Record<string, string> = {}
          const chunks: Array<Buffer> = []
          let size = 0
          const max = request.maxResponseBytes
          const finish = (result: Effect.Effect<TransportResponse, TransportError>) => {
            if (done) return
            done = true
            clearTimeout(timer)
            resume(result)
          }
          const abort = (reason: string) => {
            if (controller !== undefined && !controller.aborted) controller.abort(new Error(reason))
          }
          // One native timer per exchange: it aborts the request, headers or body alike.
          const timer = setTimeout(() => {
            finish(Effect.fail(timedOut()))
            abort("timeout")
          }, request.timeoutMillis)
          try {
            agent.dispatch({
              origin: url.origin,
              path: url.path,
              method: request.method,
              headers: request.headers,
              body: request.body ?? null
            }, {
              onRequestStart: (started) => {
                controller = started
                // Given up on while it waited for a connection.
                if (done) abort("interrupted")
              },
              onResponseStart: (_, statusCode, responseHeaders) => {
                status = statusCode
                headers = flattenHeaders(responseHeaders as UndiciHeaders)
                // A declared length over the limit: refused before a byte of the body is read.
                if (max !== undefined && declaresMoreThan(headers, max)) {
                  finish(Effect.fail(tooLarge(status, max)))
                  abort("too large")
                }
              },
              onResponseData: (_, chunk) => {
                if (done) return
                size += chunk.length
                // Counted while reading: past the limit the exchange is aborted, the rest unread.
                if (max !== undefined && size > max) {
                  chunks.length = 0
                  finish(Effect.fail(tooLarge(status, max)))
                  abort("too large")
                  return
                }
                chunks.push(chunk)
              },
              onResponseEnd: () => {
                finish(Effect.succeed({ status, headers, text: Buffer.concat(chunks).toString("utf8") }))
              },
              onResponseError: (_, cause) => {
                finish(Effect.fail(failedWith(cause, "transport")))
              }
            })
          } catch (cause) {
            finish(Effect.fail(failedWith(cause, "transport")))
          }
          // Interrupted (a deadline above, or the caller): stop the exchange.
          return Effect.sync(() => {
            done = true
            clearTimeout(timer)
            abort("interrupted")
          })
        })
    })
  )
