import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as ReviewApi from "../ReviewApi.js"
import { Api, ReviewAuth, Reviewer, Unauthenticated } from "../ReviewApi.js"
import * as ReviewQueue from "../ReviewQueue.js"
import * as Secret from "./secret.js"

// This module and `ReviewApi` import each other: nothing here touches `ReviewApi`'s values while
// the modules load, only inside the functions `ReviewApi` calls once its definitions exist.

// -----------------------------------------------------------------------------
// Every response: no-store, and no request logging.
// -----------------------------------------------------------------------------

const always = { "cache-control": "no-store", "x-content-type-options": "nosniff" } as const
const unauthenticated = { ...always, "www-authenticate": "Bearer realm=\"reviews\"" } as const

const noStore: HttpApp.PreResponseHandler = (_request, response) =>
  Effect.succeed(HttpServerResponse.setHeaders(response, response.status === 401 ? unauthenticated : always))

const withNoStore = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  // A pre-response handler applies to whatever answers the request, including the responses the
  // API encodes from errors (a 401 from the authentication) and those the server makes from
  // defects; the logger flag is read by `HttpMiddleware.logger` after the app has run.
  Effect.zipRight(HttpApp.appendPreResponseHandler(noStore), HttpMiddleware.withLoggerDisabled(app))

/** @internal */
export const middleware: HttpMiddleware.HttpMiddleware = withNoStore

// -----------------------------------------------------------------------------
// Authentication
// -----------------------------------------------------------------------------

const bearerScheme = /^bearer /i

/** @internal */
export const layerAuth = (verify: ReviewApi.Verify): Layer.Layer<ReviewAuth> =>
  Layer.succeed(ReviewAuth, {
    bearer: (token) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        // The platform takes the header's tail whatever its scheme: insist on `Bearer`.
        if (!bearerScheme.test(request.headers.authorization ?? "") || Redacted.value(token).length === 0) {
          return yield* new Unauthenticated()
        }
        const reviewer = yield* verify(token)
        if (Option.isNone(reviewer) || reviewer.value.trim().length === 0) return yield* new Unauthenticated()
        return reviewer.value
      })
  })

/** @internal */
export const layerAuthBearer = (
  tokens: Readonly<Record<string, Redacted.Redacted<string>>>
): Layer.Layer<ReviewAuth> =>
  Layer.unwrapEffect(Effect.suspend(() => {
    const reviewers = Object.entries(tokens).map(([id, token]) => ({ id, token: Redacted.value(token) }))
    if (reviewers.some(({ id }) => id.trim().length === 0)) {
      return Effect.dieMessage("ReviewAuth.layerBearer: a reviewer id is empty")
    }
    if (reviewers.some(({ token }) => token.length === 0)) {
      return Effect.dieMessage("ReviewAuth.layerBearer: a reviewer's token is empty")
    }
    const digests = reviewers.map(({ id, token }) => ({ id, digest: Secret.digest(token) }))
    if (new Set(digests.map((r) => r.digest.toString("hex"))).size !== digests.length) {
      return Effect.dieMessage("ReviewAuth.layerBearer: two reviewers share a token")
    }
    return Effect.succeed(layerAuth((token) =>
      Effect.sync(() => {
        // Equal-length digests, every reviewer compared: the time taken depends on neither the
        // tokens nor which one matched.
        const presented = Secret.digest(Redacted.value(token))
        let found: string | undefined
        for (const reviewer of digests) {
          const equal = Secret.sameDigest(presented, reviewer.digest)
          if (equal && found === undefined) found = reviewer.id
        }
        return Option.fromNullable(found)
      })
    ))
  }))

// -----------------------------------------------------------------------------
// Handlers
// -----------------------------------------------------------------------------

// The cause of a storage failure may hold anything the database said (values included): the
// answer and the log name the operation only.
const storage = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ReviewQueue.ReviewStorageError, R> =>
  Effect.catchAll(
    effect,
    (error): Effect.Effect<never, E | ReviewQueue.ReviewStorageError> =>
      error instanceof ReviewQueue.ReviewStorageError
        ? Effect.zipRight(
          Effect.logWarning("review queue storage failed").pipe(Effect.annotateLogs({ operation: error.operation })),
          Effect.fail(new ReviewQueue.ReviewStorageError({ operation: error.operation }))
        )
        : Effect.fail(error)
  )

const queryOf = (params: ReviewApi.ListParams): ReviewQueue.ListQuery => ({
  status: params.status,
  kind: params.kind,
  runId: params.runId,
  cursor: params.cursor,
  limit: params.limit
})

const pageOf = (page: ReviewQueue.ListPage): ReviewApi.ReviewPage =>
  page.nextCursor === undefined ? { items: page.items } : { items: page.items, nextCursor: page.nextCursor }

/** @internal */
export const layerHandlers = () =>
  HttpApiBuilder.group(Api, "reviews", (handlers) =>
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      return handlers
        .handle("list", ({ urlParams }) => storage(Effect.map(queue.list(queryOf(urlParams)), pageOf)))
        .handle("counts", () => storage(queue.counts))
        .handle("get", ({ path }) => storage(queue.get(path.id)))
        .handle("evidence", ({ path }) => storage(queue.evidence(path.id)))
        .handle(
          "decide",
          ({ path, payload }) =>
            storage(Effect.flatMap(Reviewer, (reviewer) => queue.decide(path.id, payload, reviewer)))
        )
    }))

/** @internal */
export const layer = (): Layer.Layer<HttpApi.Api, never, ReviewQueue.ReviewQueue | ReviewAuth> =>
  Layer.mergeAll(
    HttpApiBuilder.api(Api).pipe(Layer.provide(layerHandlers())),
    HttpApiBuilder.middleware(withNoStore)
  )

/** @internal */
export const httpApp = () =>
  Effect.flatMap(
    Layer.build(Layer.mergeAll(layer(), HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer)),
    (context) => Effect.provide(HttpApiBuilder.httpApp, context)
  )

/** @internal */
export const toWebHandler = <E>(
  dependencies: Layer.Layer<ReviewQueue.ReviewQueue | ReviewAuth, E>,
  options?: { readonly memoMap?: Layer.MemoMap }
) =>
  HttpApiBuilder.toWebHandler(
    Layer.mergeAll(layer().pipe(Layer.provide(dependencies)), HttpServer.layerContext),
    options
  )

// -----------------------------------------------------------------------------
// Client
// -----------------------------------------------------------------------------

/** @internal */
export const client = (
  baseUrl: string | URL,
  token: Redacted.Redacted<string> | string
) =>
  HttpApiClient.make(Api, {
    baseUrl,
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  })
