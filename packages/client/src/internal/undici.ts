import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Agent } from "undici"
import type { Service, TransportError, TransportResponse } from "../HeroHealthTransport.js"
import type { Options } from "../UndiciTransport.js"
import { failedWith, timedOut } from "./transport.js"

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
          const controller = new AbortController()
          let expired = false
          // One native timer per exchange: it aborts the request, headers or body alike.
          const timer = setTimeout(() => {
            expired = true
            controller.abort()
          }, request.timeoutMillis)
          let url: URL
          try {
            url = new URL(request.url)
          } catch (cause) {
            clearTimeout(timer)
            resume(Effect.fail(failedWith(cause, "invalid url")))
            return
          }
          agent.request({
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: request.method,
            headers: request.headers,
            body: request.body ?? null,
            signal: controller.signal
          }).then((response) =>
            response.body.text().then((text): TransportResponse => ({
              status: response.statusCode,
              headers: flattenHeaders(response.headers as UndiciHeaders),
              text
            }))
          ).then(
            (response) => {
              clearTimeout(timer)
              resume(Effect.succeed(response))
            },
            (cause: unknown) => {
              clearTimeout(timer)
              resume(Effect.fail(expired ? timedOut() : failedWith(cause, "transport")))
            }
          )
          // Interrupted (a deadline above, or the caller): stop the exchange.
          return Effect.sync(() => {
            clearTimeout(timer)
            controller.abort()
          })
        })
    })
  )
