/**
 * How the client's requests reach the API: one exchange of a fully built request for a status,
 * headers and body text, within a time limit. The default transport is any `@effect/platform`
 * `HttpClient` (so tests can script one and the sandbox can answer without sockets); the
 * `UndiciTransport` module sends straight through undici for the lowest overhead per call.
 *
 * The client's retries, rate limits, deadlines, error mapping and decoding sit above the
 * transport, so every transport gets them alike.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as internal from "./internal/transport.js"

/**
 * A request ready to go: the URL already holds the query string, the body is JSON text.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  /** The exchange must be over within this many milliseconds, or fail with kind `timeout`. */
  readonly timeoutMillis: number
  /**
   * The largest body to read, in bytes (no limit when absent). A transport stops reading once a
   * body is larger (or declares a larger `content-length`) and fails with kind `too-large`.
   */
  readonly maxResponseBytes?: number | undefined
}

/**
 * A response: status, headers (lower-case names) and the whole body as text.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/**
 * An exchange that produced no response. `mayHaveReachedServer` is `false` only when the request
 * certainly never left (connection refused, host not found): only then may a write be repeated.
 * `reason` is a short code or phrase, never a URL (its query can carry an NHS number). Kind
 * `too-large`: the response body was larger than `maxResponseBytes` and was not read further
 * (`status` is the response's).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  kind: Schema.Literal("timeout", "failed", "too-large"),
  mayHaveReachedServer: Schema.Boolean,
  reason: Schema.String,
  status: Schema.optional(Schema.Number)
}) {}

/**
 * The transport interface.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly send: (request: TransportRequest) => Effect.Effect<TransportResponse, TransportError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class HeroHealthTransport
  extends Context.Tag("@hero-effect/client/HeroHealthTransport")<HeroHealthTransport, Service>()
{}

/**
 * A transport over an `@effect/platform` `HttpClient`. Its time limit runs on the Effect `Clock`,
 * so it is deterministic under `TestClock`. Bodies are read as a stream and counted against
 * `maxResponseBytes`. The platform's own span is disabled: it would put the full URL, query
 * values included, into `url.full`; the client's span carries a redacted one.
 *
 * Redirects: `FetchHttpClient` follows them (with the API key) unless told otherwise, so every
 * request runs with a `FetchHttpClient.Fetch` that forces `redirect: "manual"`, wrapping the
 * calling fiber's `Fetch`, else `fetch` (the one in context where the client was built), else
 * `globalThis.fetch`. A `RequestInit` you give `FetchHttpClient` is kept. A 3xx then comes back
 * as a response, which the client refuses as `UnexpectedResponse`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHttpClient: (client: HttpClient.HttpClient, fetch?: typeof globalThis.fetch) => Service =
  internal.fromHttpClient

/**
 * The `HttpClient` transport as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HeroHealthTransport, never, HttpClient.HttpClient> = Layer.effect(
  HeroHealthTransport,
  Effect.zipWith(
    HttpClient.HttpClient,
    Effect.serviceOption(FetchHttpClient.Fetch),
    (client, fetch) => fromHttpClient(client, Option.getOrUndefined(fetch))
  )
)
