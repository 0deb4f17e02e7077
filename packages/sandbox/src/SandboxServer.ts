/**
 * The HTTP face: the sandbox core served with the API's real paths, headers, status codes and
 * bodies on a loopback port, as a scoped layer. Closing the layer drops every open connection
 * (including hanging requests) and stops the server.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import * as Core from "./internal/core.js"
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
 * Where to listen, and the limits that keep a hostile or broken client from exhausting the
 * server. `port` 0 (the default) picks a free port; `host` defaults to `127.0.0.1`. The body limit
 * (`maxBodyBytes`) is the sandbox's own setting (see `SandboxConfig`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  readonly port?: number | undefined
  readonly host?: string | undefined
  /** Open connections at most (default 1024); a connection beyond them is closed at once. */
  readonly maxConnections?: number | undefined
  /** The time a client has to send a request's headers (default 10 seconds; then 408 and closed). */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** The time a client has to send a whole request, headers and body (default 30 seconds). */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** How often the two timeouts above are checked (default 1 second). */
  readonly connectionsCheckingInterval?: Duration.DurationInput | undefined
  /** How long an idle keep-alive connection stays open (default 5 seconds). */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /** Request headers at most (default 100; more are ignored). */
  readonly maxHeadersCount?: number | undefined
  /** The largest request head, in bytes (default 16 KiB; larger: 431 and closed). */
  readonly maxHeaderSize?: number | undefined
}

/**
 * The resolved limits of a server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerLimits {
  readonly maxConnections: number
  readonly headersTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly connectionsCheckingInterval: Duration.Duration
  readonly keepAliveTimeout: Duration.Duration
  readonly maxHeadersCount: number
  readonly maxHeaderSize: number
}

/**
 * Resolves the limits of {@link ServerOptions} with their defaults. The headers timeout is never
 * longer than the request timeout.
 *
 * @since 0.1.0
 * @category constructors
 */
export const limits = (options: ServerOptions = {}): ServerLimits => {
  const requestTimeout = Duration.decode(options.requestTimeout ?? "30 seconds")
  return {
    maxConnections: options.maxConnections ?? 1024,
    headersTimeout: Duration.min(Duration.decode(options.headersTimeout ?? "10 seconds"), requestTimeout),
    requestTimeout,
    connectionsCheckingInterval: Duration.decode(options.connectionsCheckingInterval ?? "1 second"),
    keepAliveTimeout: Duration.decode(options.keepAliveTimeout ?? "5 seconds"),
    maxHeadersCount: options.maxHeadersCount ?? 100,
    maxHeaderSize: options.maxHeaderSize ?? 16 * 1024
  }
}

const millis = (d: Duration.Duration): number => Math.max(1, Math.round(Duration.toMillis(d)))

/** A node:http server with the limits applied. */
const createServer = (l: ServerLimits): Http.Server => {
  const server = Http.createServer({
    headersTimeout: millis(l.headersTimeout),
    requestTimeout: millis(l.requestTimeout),
    connectionsCheckingInterval: millis(l.connectionsCheckingInterval),
    keepAliveTimeout: millis(l.keepAliveTimeout),
    maxHeaderSize: l.maxHeaderSize
  })
  server.maxConnections = l.maxConnections
  server.maxHeadersCount = l.maxHeadersCount
  // `Expect: 100-continue` is answered by the app, only once the request is admitted: a client
  // that waits for it sends no body that would be refused anyway.
  server.on("checkContinue", (request, response) => server.emit("request", request, response))
  return server
}

type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "Unreadable" }

/**
 * Reads a request body, at most `maxBytes` of it: past that, reading stops (the connection is
 * closed after the 413), so memory stays bounded whatever the client sends.
 */
const readBody = (incoming: Http.IncomingMessage, maxBytes: number): Effect.Effect<Body> =>
  Effect.async<Body>((resume) => {
    const chunks: Array<Buffer> = []
    let bytes = 0
    const done = (body: Body) => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
      incoming.off("aborted", onError)
      resume(Effect.succeed(body))
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > maxBytes) {
        chunks.length = 0
        incoming.pause()
        done({ _tag: "TooLarge" })
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => done({ _tag: "Text", text: Buffer.concat(chunks).toString("utf8") })
    const onError = () => done({ _tag: "Unreadable" })
    incoming.on("data", onData)
    incoming.once("end", onEnd)
    incoming.once("error", onError)
    incoming.once("aborted", onError)
    return Effect.sync(() => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
      incoming.off("aborted", onError)
    })
  })

const hasBody = (incoming: Http.IncomingMessage): boolean =>
  incoming.headers["transfer-encoding"] !== undefined ||
  (incoming.headers["content-length"] !== undefined && incoming.headers["content-length"] !== "0")

const toResponse = (outcome: Extract<Protocol.Answer, { readonly _tag: "Respond" }>, close: boolean) => {
  const { "content-type": contentType, ...rest } = outcome.headers
  // A body left unread is not drained: the connection is closed once the answer is sent.
  const headers = close ? { ...rest, connection: "close" } : rest
  const text = Protocol.bodyText(outcome)
  return text === undefined
    ? HttpServerResponse.empty({ status: outcome.status, headers })
    : HttpServerResponse.text(text, {
      status: outcome.status,
      headers,
      contentType: contentType ?? "application/json"
    })
}

/**
 * The HTTP app over a sandbox: checks the route, `x-api-key` / `x-practice-group-id` and the
 * `content-type` before reading any body, reads a write's JSON body up to the sandbox's
 * `maxBodyBytes` (413 past it, without reading on), and maps the core's outcome to a response, a
 * destroyed socket, or no answer. A refused request's unread body is never drained: the
 * connection closes after the answer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const app = (sandbox: SandboxService) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const maxBodyBytes = sandbox.config.maxBodyBytes
    const head = Protocol.makeRequest({ method: request.method, url: request.url, headers: request.headers })
    const withBody = hasBody(incoming)
    const declared = Number(incoming.headers["content-length"] ?? "0")
    const refused = yield* sandbox.admit(
      Number.isFinite(declared) && declared > maxBodyBytes ? { ...head, body: Protocol.TooLarge } : head
    )
    let unread = withBody
    let outcome: Protocol.Answer
    if (refused !== undefined) {
      outcome = refused
    } else if (withBody && Core.bodyOperations.has(Core.route(head.method, head.path)!.operation)) {
      if (/^100-continue$/i.test(incoming.headers.expect ?? "")) {
        yield* Effect.sync(() => NodeHttpServerRequest.toServerResponse(request).writeContinue())
      }
      const body = yield* readBody(incoming, maxBodyBytes)
      unread = body._tag !== "Text"
      outcome = yield* sandbox.handle(
        body._tag === "TooLarge"
          ? { ...head, body: Protocol.TooLarge }
          : { ...head, body: Protocol.parseBody(body._tag === "Text" ? body.text : "\u0000unreadable body") }
      )
    } else {
      outcome = yield* sandbox.handle(head)
    }
    switch (outcome._tag) {
      case "Respond":
        return toResponse(outcome, unread)
      case "Reset":
        // Destroying the socket closes the response, which interrupts this fiber.
        yield* Effect.sync(() => NodeHttpServerRequest.toServerResponse(request).destroy())
        return yield* Effect.never
      case "Hang":
        return yield* Effect.never
    }
  })

/**
 * Serves the `Sandbox` in context on a loopback port, with the limits of {@link ServerOptions}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<SandboxServer, HttpServerError.ServeError, Sandbox> => {
  const host = options.host ?? "127.0.0.1"
  return Layer.unwrapEffect(Effect.sync(() => {
    const nodeServer = createServer(limits(options))
    const serve = Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const server = yield* HttpServer.HttpServer
      // Runs before the server's own close, which would otherwise wait for hanging requests.
      yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
      // No server spans: @effect/platform's would carry each request's full URL, and a v3 search
      // puts an NHS number or a date of birth in the query. The client's own spans (query values
      // redacted) already describe every call.
      yield* HttpMiddleware.withTracerDisabledWhenEffect(server.serve(app(sandbox)), () => true)
      const port = server.address._tag === "TcpAddress" ? server.address.port : 0
      return { url: `http://${host}:${port}`, host, port }
    })
    return Layer.scoped(SandboxServer, serve).pipe(
      Layer.provide(NodeHttpServer.layer(() => nodeServer, { port: options.port ?? 0, host }))
    )
  }))
}
