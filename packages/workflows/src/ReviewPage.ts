/**
 * A server-rendered page for the people who decide the {@link ReviewQueue}: plain HTML, no
 * scripts, an `@effect/platform` HTTP app under `/review`.
 *
 * - `GET /review/login`, `POST /review/login`: a reviewer signs in with an id and a token,
 *   checked by {@link Options.authenticate} (for example {@link bearerTokens}). A wrong id or
 *   token is a 401 that does not say which was wrong. A sign-in starts a new session: a random
 *   32-byte id in an `HttpOnly`, `SameSite=Strict`, `Path=/review` cookie (`Secure` with
 *   {@link Options.secureCookie}), kept in memory for {@link Options.sessionTtl} (default 30
 *   minutes from the sign-in, by the effect `Clock`), at most {@link Options.maxSessions} at once
 *   (the oldest go first).
 * - `GET /review`: the open items (pending and deferred), oldest first — kind, opaque review id,
 *   rule codes, score, grade, when it was created; no patient values.
 * - `GET /review/items/:id`: the records side by side (a merge: main, incoming and the result; a
 *   link: the Hero patient and the EHR candidate), rows that differ marked with the CSS class
 *   `differs`, the rule codes in words ({@link explain}), and the decision form (approve; reject
 *   with a `RejectReason` and a note; defer).
 * - `POST /review/items/:id/decision`: refused (403) without the session's CSRF token (a hidden
 *   field, compared in constant time) or from another origin (`Origin`, `Sec-Fetch-Site`); then
 *   `ReviewQueue.decide(id, decision, reviewerId)` and a 303 to `/review` with a value-free flash
 *   message. An item decided already is a 409, an unknown one a 404.
 * - `POST /review/logout`: ends the session (CSRF-checked).
 *
 * Anything else without a session is a 303 to the sign-in page, and shows nothing. Every response
 * is `Cache-Control: no-store` with a strict `Content-Security-Policy` (`default-src 'none'`, no
 * scripts, `form-action 'self'`, `frame-ancestors 'none'`), `X-Content-Type-Options: nosniff` and
 * `Referrer-Policy: no-referrer`. Every value shown is HTML-escaped. URLs carry only opaque review
 * ids (and the list's paging cursor); nothing is logged but the failing operation's name.
 *
 * @since 0.3.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServer from "@effect/platform/HttpServer"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/reviewPage.js"
import type * as ReviewQueue from "./ReviewQueue.js"

/**
 * Options of {@link make} and {@link layer}.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /**
   * Whether a reviewer id and token are good (for example {@link bearerTokens}). A failure or
   * defect counts as a refusal (logged without details).
   */
  readonly authenticate: (reviewerId: string, token: Redacted.Redacted<string>) => Effect.Effect<boolean>
  /**
   * The session cookie's `Secure` attribute (default `false`, for plain http on loopback). Set it
   * whenever the page is served over https.
   */
  readonly secureCookie?: boolean | undefined
  /** How long a session lasts from its sign-in (default 30 minutes). */
  readonly sessionTtl?: Duration.DurationInput | undefined
  /** The most sessions kept at once (default 1,000); a new sign-in beyond that ends the oldest. */
  readonly maxSessions?: number | undefined
  /** Items per page of the list, 1 to 100 (default 50). */
  readonly pageSize?: number | undefined
  /** The session cookie's name (default `hero_review_session`). */
  readonly cookieName?: string | undefined
  /**
   * The origins (`scheme://host:port`) a form may be posted from. Default: the request's own
   * `Host`. Set it behind a proxy that rewrites `Host`.
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

/**
 * An {@link Options.authenticate} over fixed tokens, by reviewer id: SHA-256 digests of the
 * given and the expected token compared with `crypto.timingSafeEqual` (an unknown reviewer is
 * compared against a digest nobody holds, so it takes the same time). Empty tokens never match.
 *
 * @example
 * ```ts
 * import { ReviewPage } from "@hero-effect/workflows"
 * import { Redacted } from "effect"
 *
 * const authenticate = ReviewPage.bearerTokens({ "dr-a": Redacted.make("a long random token") })
 * ```
 *
 * @since 0.3.0
 * @category authentication
 */
export const bearerTokens: (
  tokens: Readonly<Record<string, Redacted.Redacted<string>>>
) => (reviewerId: string, token: Redacted.Redacted<string>) => Effect.Effect<boolean> = internal.bearerTokens

/**
 * The review page as an HTTP app over the queue in context. It answers the paths under
 * `/review` as they are: mount it without stripping the prefix.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { ReviewPage, ReviewQueue } from "@hero-effect/workflows"
 * import { Effect, Layer, Redacted } from "effect"
 * import { createServer } from "node:http"
 *
 * // Mounted in an application's own router, beside its other routes.
 * const Server = Layer.unwrapEffect(
 *   Effect.map(
 *     ReviewPage.make({ authenticate: ReviewPage.bearerTokens({ "dr-a": Redacted.make("…") }) }),
 *     (reviewApp) =>
 *       HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.mountApp("/review", reviewApp, { includePrefix: true })))
 *   )
 * ).pipe(
 *   Layer.provide(ReviewQueue.layerMemory),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8080, host: "127.0.0.1" }))
 * )
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<HttpApp.Default, never, ReviewQueue.ReviewQueue> = internal.make

/**
 * Serves the review page (under `/review`, through `HttpRouter.mountApp`) on the `HttpServer` in
 * context, for as long as the layer lives.
 *
 * @example
 * ```ts
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { ReviewPage, ReviewQueue } from "@hero-effect/workflows"
 * import { Layer, Redacted } from "effect"
 * import { createServer } from "node:http"
 *
 * const ReviewServer = ReviewPage.layer({
 *   authenticate: ReviewPage.bearerTokens({ "dr-a": Redacted.make(process.env.REVIEW_TOKEN ?? "") }),
 *   secureCookie: false // plain http on loopback; true behind https
 * }).pipe(
 *   Layer.provide(ReviewQueue.layerMemory),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8080, host: "127.0.0.1" }))
 * )
 * // Layer.launch(ReviewServer).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<never, never, ReviewQueue.ReviewQueue | HttpServer.HttpServer> =
  internal.layer

/**
 * A rule code in plain English, without patient values: the guard's codes (`SEX_MISMATCH`,
 * `DOB_DAY_MONTH_SWAP` …), the pipeline's (`SCORE_NOT_MATCH`, `POPULATION_INCOMPLETE` …) and the
 * selection's (`several-matches` …). A code it does not know gets the description of the guard
 * rule of that code, else a sentence saying there is no explanation.
 *
 * @example
 * ```ts
 * import { ReviewPage } from "@hero-effect/workflows"
 *
 * ReviewPage.explain("DOB_DAY_MONTH_SWAP")
 * // "The dates of birth are the same date with the day and month swapped on one record."
 * ```
 *
 * @since 0.3.0
 * @category explanations
 */
export const explain: (code: string) => string = internal.explain

/**
 * The codes {@link explain} has its own words for.
 *
 * @since 0.3.0
 * @category explanations
 */
export const explainedCodes: ReadonlyArray<string> = internal.knownCodes

/**
 * HTML-escapes text (`& < > " ' \` =`): what the page does to every value it shows.
 *
 * @since 0.3.0
 * @category rendering
 */
export const escapeHtml: (text: string) => string = internal.escapeHtml

/**
 * The headers on every response of the page (`Cache-Control: no-store`, the
 * `Content-Security-Policy`, `X-Content-Type-Options`, `Referrer-Policy`, framing and
 * cross-origin policies).
 *
 * @since 0.3.0
 * @category constants
 */
export const securityHeaders: Readonly<Record<string, string>> = internal.securityHeaders
