/**
 * The HTTP face: the sandbox core served with the API's real paths, headers, status codes and
 * bodies on a loopback port, as a scoped layer. Closing the layer drops every open connection
 * (including hanging requests) and stops the server.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import * as Protocol from "./Protocol.js"
import type { SandboxService } from "./Sandbox.js"
import { Sandbox } from "./Sandbox.js"

/**
 * The running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxServerService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly host: string
  readonly port: number
}

/**
 * The running server's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class SandboxServer extends Context.Tag("@hero-effect/sandbox/SandboxServer")<
  SandboxServer,
  SandboxServerService
>() {}

/**
 * Where to listen: `port` 0 (the default) picks a free port; `host` defaults to `127.0.0.1`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  readonly port?: number | undefined
  readonly host?: string | undefined
}

/**
 * The HTTP app over a sandbox: reads `x-api-key`, `x-practice-group-id` and the JSON body, and
 * maps the core's outcome to a response, a destroyed socket, or no answer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const app = (sandbox: SandboxService) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const bodyText = yield* Effect.orElseSucceed(request.text, () => "\u0000unreadable body")
    const outcome = yield* sandbox.handle(
      Protocol.makeRequest({ method: request.method, url: request.url, headers: request.headers, bodyText })
    )
    switch (outcome._tag) {
      case "Respond": {
        const { "content-type": contentType, ...headers } = outcome.headers
        const text = Protocol.bodyText(outcome)
        return text === undefined
          ? HttpServerResponse.empty({ status: outcome.status, headers })
          : HttpServerResponse.text(text, {
            status: outcome.status,
            headers,
            contentType: contentType ?? "application/json"
          })
      }
      case "Reset":
        // Destroying the socket closes the response, which interrupts this fiber.
        yield* Effect.sync(() => NodeHttpServerRequest.toServerResponse(request).destroy())
        return yield* Effect.never
      case "Hang":
        return yield* Effect.never
    }
  })

/**
 * Serves the `Sandbox` in context on a loopback port.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<SandboxServer, HttpServerError.ServeError, Sandbox> => {
  const host = options.host ?? "127.0.0.1"
  return Layer.unwrapEffect(Effect.sync(() => {
    const nodeServer = Http.createServer()
    const serve = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const server = yield* HttpServer.HttpServer
      // Runs before the server's own close, which would otherwise wait for hanging requests.
      yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
      yield* server.serve(app(sandbox))
      const port = server.address._tag === "TcpAddress" ? server.address.port : 0
      return { url: `http://${host}:${port}`, host, port }
    })
    return Layer.scoped(SandboxServer, serve).pipe(
      Layer.provide(NodeHttpServer.layer(() => nodeServer, { port: options.port ?? 0, host }))
    )
  }))
}
