/**
 * The review queue over HTTP: the API a reviewer's screen (or a CLI) uses to page through the
 * {@link ReviewQueue.ReviewItem}s people are asked about, read an item's records and decide.
 *
 * One definition ({@link Api}, built with `@effect/platform`'s `HttpApi`) gives the server
 * ({@link layer}, {@link httpApp}, {@link toWebHandler}) and the typed client ({@link client}).
 *
 * | Endpoint                        | Answers                                                   |
 * | ------------------------------- | --------------------------------------------------------- |
 * | `GET /reviews`                  | a {@link ReviewPage}: `status`, `kind`, `runId`, `cursor`, `limit` (1 to 100) |
 * | `GET /reviews/counts`           | the {@link ReviewCounts}                                  |
 * | `GET /reviews/:id`              | the {@link ReviewQueue.ReviewItem} (no patient values)    |
 * | `GET /reviews/:id/evidence`     | the {@link ReviewQueue.ReviewEvidence}: the records       |
 * | `POST /reviews/:id/decision`    | a {@link DecisionPayload} → the item as decided (who, when) |
 *
 * - **Nothing without a reviewer.** Every request passes {@link ReviewAuth} (a bearer token) first:
 *   a missing or unknown token is `401` ({@link Unauthenticated}), before anything is read or
 *   decoded. The reviewer it names ({@link Reviewer}) is who a decision records.
 * - **Errors**: `ReviewNotFound` 404, `ReviewClosed` 409 (decided already), `ReviewInvalid` 400,
 *   `ReviewStorageError` 503 (the operation only, never the cause); input that does not decode
 *   (a limit out of range, a path that is not a review id, a note over 2,000 characters) is 400
 *   before the queue is asked.
 * - **Patient data.** Ids in paths are opaque review ids (`rv_` and 32 hex digits). Every
 *   response — errors and `401` included — carries `Cache-Control: no-store` ({@link middleware}),
 *   and the platform's request logger is turned off for the API (URLs and bodies are not logged).
 *
 * @example
 * ```ts
 * import { HttpApiBuilder } from "@effect/platform"
 * import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
 * import { ReviewQueue } from "@hero-effect/workflows"
 * import * as ReviewApi from "@hero-effect/workflows/ReviewApi"
 * import { Layer, Redacted } from "effect"
 * import { createServer } from "node:http"
 *
 * const server = HttpApiBuilder.serve().pipe(
 *   Layer.provide(ReviewApi.layer),
 *   Layer.provide(ReviewApi.ReviewAuth.layerBearer({ "dr-a": Redacted.make(process.env.DR_A_TOKEN!) })),
 *   Layer.provide(ReviewQueue.layerMemory),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8080, host: "127.0.0.1" }))
 * )
 *
 * Layer.launch(server).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.3.0
 */
import * as HttpApi from "@effect/platform/HttpApi"
import type * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/reviewApi.js"
import * as ReviewQueue from "./ReviewQueue.js"

/**
 * The request has no bearer token, or one no reviewer holds (`401`). It says nothing else: no
 * item, no reviewer.
 *
 * @since 0.3.0
 * @category errors
 */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()(
  "Unauthenticated",
  {},
  HttpApiSchema.annotations({ status: 401, description: "A reviewer's bearer token is required" })
) {
  override get message() {
    return "a reviewer's bearer token is required"
  }
}

/**
 * The reviewer a request is made by: the id {@link ReviewAuth} found for its token, recorded as
 * who decided (`decision.by`).
 *
 * @since 0.3.0
 * @category tags
 */
export class Reviewer extends Context.Tag("@hero-effect/workflows/ReviewApi/Reviewer")<Reviewer, string>() {}

/**
 * Checks a bearer token: the reviewer id it belongs to, or `None`.
 *
 * @since 0.3.0
 * @category models
 */
export type Verify = (token: Redacted.Redacted<string>) => Effect.Effect<Option.Option<string>>

/**
 * A reviewer named by a token, whoever checks it ({@link Verify}).
 *
 * @since 0.3.0
 * @category auth
 */
export const layerAuth: (verify: Verify) => Layer.Layer<ReviewAuth> = (verify) => internal.layerAuth(verify)

/**
 * Reviewers and their tokens (`{ reviewerId: token }`). A presented token is compared with every
 * reviewer's, in constant time (`crypto.timingSafeEqual` over SHA-256 digests, so neither the
 * tokens' contents nor their lengths show in the time taken). Building the layer dies when a
 * reviewer id or token is empty, or two reviewers share a token.
 *
 * @since 0.3.0
 * @category auth
 */
export const layerAuthBearer: (
  tokens: Readonly<Record<string, Redacted.Redacted<string>>>
) => Layer.Layer<ReviewAuth> = (tokens) => internal.layerAuthBearer(tokens)

/**
 * The API's authentication: a bearer token (`Authorization: Bearer <token>`) that must name a
 * {@link Reviewer}; otherwise {@link Unauthenticated}. Applied to the whole {@link Api}, before
 * routing: nothing is served without it.
 *
 * Pluggable: `ReviewAuth.layer(verify)` ({@link layerAuth}) for any check,
 * `ReviewAuth.layerBearer(tokens)` ({@link layerAuthBearer}) for a fixed set of reviewers.
 *
 * @since 0.3.0
 * @category auth
 */
export class ReviewAuth extends HttpApiMiddleware.Tag<ReviewAuth>()("@hero-effect/workflows/ReviewApi/ReviewAuth", {
  failure: Unauthenticated,
  provides: Reviewer,
  security: { bearer: HttpApiSecurity.bearer }
}) {
  /** @since 0.3.0 */
  static readonly layer = layerAuth
  /** @since 0.3.0 */
  static readonly layerBearer = layerAuthBearer
}

/**
 * A review item's id in a path: `rv_` and 32 hex digits (opaque: a hash, never patient data).
 *
 * @since 0.3.0
 * @category schemas
 */
export const ReviewId = Schema.String.pipe(
  Schema.pattern(/^rv_[0-9a-f]{32}$/, { message: () => "not a review id (rv_ and 32 hex digits)" }),
  Schema.annotations({ identifier: "ReviewId", description: "A review item's id: rv_ and 32 hex digits" })
)

/**
 * The longest note a decision may carry (as the queue checks).
 *
 * @since 0.3.0
 * @category constants
 */
export const maxNoteLength = 2000

/**
 * The query of `GET /reviews`: statuses (repeat the parameter for several; default the open
 * ones), kind, run, the previous page's `nextCursor`, and a limit of 1 to 100 (default 50).
 *
 * @since 0.3.0
 * @category schemas
 */
export const ListParams = Schema.Struct({
  status: Schema.optional(Schema.Array(ReviewQueue.ReviewStatus).pipe(Schema.maxItems(5))),
  kind: Schema.optional(ReviewQueue.ReviewItemKind),
  runId: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255))),
  cursor: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(512))),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(
      Schema.int({ message: () => "limit must be a whole number" }),
      Schema.between(1, 100, { message: () => "limit must be 1 to 100" })
    )
  )
}).annotations({ identifier: "ReviewListParams" })

/**
 * @since 0.3.0
 * @category schemas
 */
export type ListParams = typeof ListParams.Type

const Note = Schema.String.pipe(
  Schema.maxLength(maxNoteLength, { message: () => `the note is over ${maxNoteLength} characters` })
)

/**
 * The body of `POST /reviews/:id/decision`: a {@link ReviewQueue.Decision} whose note is at most
 * {@link maxNoteLength} characters (a longer one is 400, and the answer does not repeat it).
 *
 * @since 0.3.0
 * @category schemas
 */
export const DecisionPayload: Schema.Schema<ReviewQueue.Decision, ReviewQueue.Decision> = Schema.Union(
  Schema.TaggedStruct("Approve", { note: Schema.optionalWith(Note, { exact: true }) }),
  Schema.TaggedStruct("Reject", {
    reason: ReviewQueue.RejectReason,
    note: Schema.optionalWith(Note, { exact: true })
  }),
  Schema.TaggedStruct("Defer", { note: Schema.optionalWith(Note, { exact: true }) })
).annotations({ identifier: "ReviewDecisionPayload" })

/**
 * A page of items, oldest first; `nextCursor` (for `cursor`) when there are more.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ReviewPage = Schema.Struct({
  items: Schema.Array(ReviewQueue.ReviewItem),
  nextCursor: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "ReviewPage" })

/**
 * @since 0.3.0
 * @category schemas
 */
export type ReviewPage = typeof ReviewPage.Type

/**
 * How many items are in each status.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ReviewCounts = Schema.Struct({
  pending: Schema.Number,
  deferred: Schema.Number,
  approved: Schema.Number,
  rejected: Schema.Number,
  superseded: Schema.Number
}).annotations({ identifier: "ReviewCounts" })

/**
 * @since 0.3.0
 * @category schemas
 */
export type ReviewCounts = typeof ReviewCounts.Type

const idPath = Schema.Struct({ id: ReviewId })
const unavailable = { status: 503 } as const

/**
 * The endpoints of the review queue (`list`, `counts`, `get`, `evidence`, `decide`).
 *
 * @since 0.3.0
 * @category api
 */
export class ReviewsGroup extends HttpApiGroup.make("reviews")
  .add(
    HttpApiEndpoint.get("list", "/reviews")
      .setUrlParams(ListParams)
      .addSuccess(ReviewPage)
      .addError(ReviewQueue.ReviewInvalid, { status: 400 })
      .addError(ReviewQueue.ReviewStorageError, unavailable)
  )
  .add(
    HttpApiEndpoint.get("counts", "/reviews/counts")
      .addSuccess(ReviewCounts)
      .addError(ReviewQueue.ReviewStorageError, unavailable)
  )
  .add(
    HttpApiEndpoint.get("get", "/reviews/:id")
      .setPath(idPath)
      .addSuccess(ReviewQueue.ReviewItem)
      .addError(ReviewQueue.ReviewNotFound, { status: 404 })
      .addError(ReviewQueue.ReviewStorageError, unavailable)
  )
  .add(
    HttpApiEndpoint.get("evidence", "/reviews/:id/evidence")
      .setPath(idPath)
      .addSuccess(ReviewQueue.ReviewEvidence)
      .addError(ReviewQueue.ReviewNotFound, { status: 404 })
      .addError(ReviewQueue.ReviewStorageError, unavailable)
  )
  .add(
    HttpApiEndpoint.post("decide", "/reviews/:id/decision")
      .setPath(idPath)
      .setPayload(DecisionPayload)
      .addSuccess(ReviewQueue.ReviewItem)
      .addError(ReviewQueue.ReviewNotFound, { status: 404 })
      .addError(ReviewQueue.ReviewClosed, { status: 409 })
      .addError(ReviewQueue.ReviewInvalid, { status: 400 })
      .addError(ReviewQueue.ReviewStorageError, unavailable)
  )
{}

/**
 * The review API: the {@link ReviewsGroup}, every request behind {@link ReviewAuth}.
 *
 * @since 0.3.0
 * @category api
 */
export class Api extends HttpApi.make("reviewApi").add(ReviewsGroup).middleware(ReviewAuth) {}

/**
 * The server-level middleware of the API: `Cache-Control: no-store` and
 * `X-Content-Type-Options: nosniff` on every response (success, error, `401`, an unknown route),
 * `WWW-Authenticate: Bearer` on a `401`, and the platform's
 * request logger (`HttpMiddleware.logger`, which logs URLs) turned off. {@link layer} applies it;
 * apply it yourself to anything else the same server answers.
 *
 * @since 0.3.0
 * @category middleware
 */
export const middleware: HttpMiddleware.HttpMiddleware = internal.middleware

/**
 * The handlers of the {@link ReviewsGroup} over the queue in context (the reviewer comes from
 * {@link ReviewAuth}). A storage failure is answered 503 naming the operation only, and logged
 * by its operation only.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerHandlers: Layer.Layer<HttpApiGroup.ApiGroup<"reviewApi", "reviews">, never, ReviewQueue.ReviewQueue> =
  internal.layerHandlers()

/**
 * The API, implemented: {@link layerHandlers} and {@link middleware}, for
 * `HttpApiBuilder.serve()` or `HttpApiBuilder.toWebHandler`. Needs the queue and an
 * authentication ({@link ReviewAuth.layer}, {@link ReviewAuth.layerBearer}).
 *
 * @example
 * ```ts
 * import { HttpApiBuilder } from "@effect/platform"
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { ReviewQueue } from "@hero-effect/workflows"
 * import * as ReviewApi from "@hero-effect/workflows/ReviewApi"
 * import { Effect, Layer, Option, Redacted } from "effect"
 * import { createServer } from "node:http"
 *
 * // Tokens checked by your identity provider.
 * declare const introspect: (token: string) => Promise<string | undefined>
 *
 * const auth = ReviewApi.ReviewAuth.layer((token) =>
 *   Effect.promise(() => introspect(Redacted.value(token))).pipe(Effect.map(Option.fromNullable))
 * )
 *
 * export const ReviewServer = HttpApiBuilder.serve().pipe(
 *   Layer.provide(ReviewApi.layer),
 *   Layer.provide([auth, ReviewQueue.layerMemory]),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 8080 }))
 * )
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer: Layer.Layer<HttpApi.Api, never, ReviewQueue.ReviewQueue | ReviewAuth> = internal.layer()

/**
 * The API as an `HttpApp` to mount in your own server or router (e.g.
 * `HttpRouter.mount("/", app)` or `HttpServer.serve(app)`); routes and middleware are built in
 * the scope.
 *
 * @since 0.3.0
 * @category constructors
 */
export const httpApp: Effect.Effect<
  HttpApp.Default<never, HttpRouter.HttpRouter.DefaultServices>,
  never,
  ReviewQueue.ReviewQueue | ReviewAuth | Scope.Scope
> = internal.httpApp()

/**
 * The API as a web handler (`(request: Request) => Promise<Response>`, for `Bun.serve`, Deno,
 * a worker or a Node adapter) over the given queue and authentication; `dispose` releases them.
 *
 * @since 0.3.0
 * @category constructors
 */
export const toWebHandler: <E>(
  dependencies: Layer.Layer<ReviewQueue.ReviewQueue | ReviewAuth, E>,
  options?: { readonly memoMap?: Layer.MemoMap }
) => {
  readonly handler: (request: Request, context?: Context.Context<never> | undefined) => Promise<Response>
  readonly dispose: () => Promise<void>
} = internal.toWebHandler

/**
 * The typed client of the {@link Api}: `client.reviews.list({ urlParams })`,
 * `.counts()`, `.get({ path: { id } })`, `.evidence({ path: { id } })`,
 * `.decide({ path: { id }, payload })`. Errors are the API's, typed ({@link Unauthenticated},
 * `ReviewNotFound`, `ReviewClosed`, …).
 *
 * @since 0.3.0
 * @category client
 */
export type Client = HttpApiClient.Client<typeof ReviewsGroup, HttpApiDecodeError | Unauthenticated, never>

/**
 * The typed client derived from the {@link Api}, sending requests to `baseUrl` (e.g.
 * `https://reviews.example.nhs.uk`) with the reviewer's bearer token.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import * as ReviewApi from "@hero-effect/workflows/ReviewApi"
 * import { Effect, Redacted } from "effect"
 *
 * const approveOldest = Effect.gen(function*() {
 *   const reviews = yield* ReviewApi.client("http://127.0.0.1:8080", Redacted.make("token-of-dr-a"))
 *   const page = yield* reviews.reviews.list({ urlParams: { status: ["pending"], limit: 1 } })
 *   const item = page.items[0]
 *   if (item === undefined) return undefined
 *   return yield* reviews.reviews.decide({ path: { id: item.id }, payload: { _tag: "Approve" } })
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.3.0
 * @category client
 */
export const client: (
  baseUrl: string | URL,
  token: Redacted.Redacted<string> | string
) => Effect.Effect<Client, never, HttpClient.HttpClient> = internal.client
