// ReviewApi: the review queue over HTTP, served on an ephemeral loopback port (HttpApiBuilder.serve
// over NodeHttpServer) and called through the derived client and raw requests: paging and
// filters, items, evidence behind the reviewer's token, decisions recording who and when, the
// error statuses, input refused before the queue is asked, 401s that say nothing, no-store on
// every response, several reviewers' tokens, and the same API as an HttpApp and a web handler.
import type { HttpClientResponse } from "@effect/platform"
import {
  FetchHttpClient,
  HttpApiBuilder,
  HttpClient,
  HttpClientRequest,
  HttpMiddleware,
  HttpServer
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ReviewQueue } from "@hero-effect/workflows"
import * as ReviewApi from "@hero-effect/workflows/ReviewApi"
import { Context, Effect, Exit, Layer, Logger, Option, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import {
  countingQueue,
  failingQueue,
  leakyCause,
  linkRequest,
  mergeRequest,
  proposal,
  records,
  valuesOf
} from "./support/review.js"

// Tokens of different lengths: the comparison must not depend on them.
const tokens = {
  "dr-a": Redacted.make("token-of-dr-a-7f3e9c1d"),
  "dr-b": Redacted.make("b-2c"),
  "dr-c": Redacted.make("a-rather-longer-token-belonging-to-dr-c-0123456789abcdef")
}
const tokenA = tokens["dr-a"]
const tokenB = tokens["dr-b"]
const tokenC = tokens["dr-c"]
const bearer = ReviewApi.ReviewAuth.layerBearer(tokens)
const unknownId = `rv_${"0".repeat(32)}`

interface Raw {
  readonly status: number
  readonly headers: HttpClientResponse.HttpClientResponse["headers"]
  readonly body: string
}

/** The API over `queue`, served on 127.0.0.1 on a free port, in the test's scope. */
const serve = (
  queue: ReviewQueue.Service,
  auth: Layer.Layer<ReviewApi.ReviewAuth> = bearer,
  options: { readonly requestLogger?: boolean } = {}
) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      (options.requestLogger === true ? HttpApiBuilder.serve(HttpMiddleware.logger) : HttpApiBuilder.serve()).pipe(
        Layer.provide(ReviewApi.layer),
        Layer.provide(auth),
        Layer.provide(Layer.succeed(ReviewQueue.ReviewQueue, queue)),
        Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    return yield* endpoints(Context.get(context, HttpServer.HttpServer))
  })

const endpoints = (server: HttpServer.HttpServer) =>
  Effect.gen(function*() {
    const address = server.address
    const baseUrl = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "http://invalid"
    const http = yield* HttpClient.HttpClient
    return {
      /** The typed client, with a reviewer's token. */
      as: (token: Redacted.Redacted<string> | string) =>
        ReviewApi.client(baseUrl, token).pipe(Effect.provideService(HttpClient.HttpClient, http)),
      /** A request as sent, and the response as received. */
      send: (request: HttpClientRequest.HttpClientRequest): Effect.Effect<Raw, unknown> =>
        http.execute(HttpClientRequest.prependUrl(request, baseUrl)).pipe(
          Effect.flatMap((response) =>
            Effect.map(response.text, (body) => ({ status: response.status, headers: response.headers, body }))
          )
        )
    }
  })

/** Three merges (run-1) and a link (run-2), a second apart, oldest first. */
const seed = (queue: ReviewQueue.Service) =>
  Effect.gen(function*() {
    const [a, b, c] = yield* records
    const items: Array<ReviewQueue.ReviewItem> = []
    for (const request of [mergeRequest(a!, b!), mergeRequest(a!, c!), mergeRequest(b!, c!), linkRequest()]) {
      items.push(yield* queue.propose(proposal(request)))
      yield* TestClock.adjust("1 second")
    }
    return { items, records: [a!, b!, c!] as const }
  })

const get = (path: string, token?: Redacted.Redacted<string>) =>
  token === undefined ? HttpClientRequest.get(path) : HttpClientRequest.get(path).pipe(
    HttpClientRequest.bearerToken(token)
  )

const post = (path: string, body: string, token?: Redacted.Redacted<string>) => {
  const request = HttpClientRequest.post(path).pipe(HttpClientRequest.bodyText(body, "application/json"))
  return token === undefined ? request : HttpClientRequest.bearerToken(request, token)
}

const ids = (page: { readonly items: ReadonlyArray<ReviewQueue.ReviewItem> }) => page.items.map((item) => item.id)

describe("ReviewApi", () => {
  it.scoped("lists a page at a time, oldest first, and filters by status, kind and run", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const reviews = (yield* api.as(tokenA)).reviews
      const first = yield* reviews.list({ urlParams: { limit: 2 } })
      expect(ids(first)).toStrictEqual(items.slice(0, 2).map((i) => i.id))
      expect(first.nextCursor).toBeTypeOf("string")
      const second = yield* reviews.list({ urlParams: { limit: 2, cursor: first.nextCursor! } })
      expect(ids(second)).toStrictEqual(items.slice(2).map((i) => i.id))
      expect(second.nextCursor).toBeUndefined()
      expect(ids(yield* reviews.list({ urlParams: { kind: "link" } }))).toStrictEqual([items[3]!.id])
      expect(ids(yield* reviews.list({ urlParams: { kind: "merge", runId: "run-1" } }))).toStrictEqual(
        items.slice(0, 3).map((i) => i.id)
      )
      expect(ids(yield* reviews.list({ urlParams: { runId: "run-2" } }))).toStrictEqual([items[3]!.id])
      expect((yield* reviews.list({ urlParams: { runId: "another" } })).items).toStrictEqual([])
      yield* inner.decide(items[1]!.id, { _tag: "Approve" }, "dr-z")
      // Open items by default; the statuses asked for otherwise (repeated parameters).
      expect(ids(yield* reviews.list({ urlParams: {} }))).toStrictEqual([items[0]!.id, items[2]!.id, items[3]!.id])
      expect(ids(yield* reviews.list({ urlParams: { status: ["approved"] } }))).toStrictEqual([items[1]!.id])
      expect(ids(yield* reviews.list({ urlParams: { status: ["approved", "pending"] } }))).toStrictEqual(
        items.map((i) => i.id)
      )
      expect(yield* reviews.counts()).toStrictEqual({
        pending: 3,
        deferred: 0,
        approved: 1,
        rejected: 0,
        superseded: 0
      })
      // A cursor this queue did not give: the queue's ReviewInvalid, as 400.
      const invalid = yield* Effect.flip(reviews.list({ urlParams: { cursor: "not-a-cursor" } }))
      expect(invalid._tag).toBe("ReviewInvalid")
      const raw = yield* api.send(get("/reviews?cursor=not-a-cursor", tokenA))
      expect(raw.status).toBe(400)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("gets an item: ids, codes and field names, and none of the records' values", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items, records: [a, b] } = yield* seed(inner)
      const api = yield* serve(queue)
      const reviews = (yield* api.as(tokenA)).reviews
      const item = yield* reviews.get({ path: { id: items[0]!.id } })
      expect(item).toStrictEqual(yield* inner.get(items[0]!.id))
      expect(item).toMatchObject({ kind: "merge", mainPatientId: a.id, incomingPatientId: b.id, status: "pending" })
      expect(item.codes).toContain("SEX_MISMATCH")
      const raw = yield* api.send(get(`/reviews/${items[0]!.id}`, tokenA))
      expect(raw.status).toBe(200)
      for (const value of [...valuesOf(a), ...valuesOf(b)]) expect(raw.body).not.toContain(value)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("serves the evidence, the records, to a reviewer's token only", () =>
    Effect.gen(function*() {
      const { calls, inner, queue } = yield* countingQueue
      const { items, records: [a, b] } = yield* seed(inner)
      const api = yield* serve(queue)
      const evidence = yield* (yield* api.as(tokenB)).reviews.evidence({ path: { id: items[0]!.id } })
      expect(evidence).toStrictEqual(yield* inner.evidence(items[0]!.id))
      expect(evidence._tag).toBe("MergeEvidence")
      if (evidence._tag === "MergeEvidence") {
        expect(evidence.main.id).toBe(a.id)
        expect(evidence.incoming.id).toBe(b.id)
      }
      const link = yield* (yield* api.as(tokenB)).reviews.evidence({ path: { id: items[3]!.id } })
      expect(link._tag).toBe("LinkEvidence")
      // The raw evidence holds the values; without a token, nothing of it.
      const granted = yield* api.send(get(`/reviews/${items[0]!.id}/evidence`, tokenB))
      expect(granted.status).toBe(200)
      expect(valuesOf(b).some((value) => granted.body.includes(value))).toBe(true)
      const before = calls.total
      for (const token of [undefined, Redacted.make("not-a-token")]) {
        const refused = yield* api.send(get(`/reviews/${items[0]!.id}/evidence`, token))
        expect(refused.status).toBe(401)
        expect(refused.headers["cache-control"]).toBe("no-store")
        expect(JSON.parse(refused.body)).toStrictEqual({ _tag: "Unauthenticated" })
        for (const value of [...valuesOf(a), ...valuesOf(b)]) expect(refused.body).not.toContain(value)
      }
      const typed = yield* Effect.flip((yield* api.as("not-a-token")).reviews.evidence({ path: { id: items[0]!.id } }))
      expect(typed._tag).toBe("Unauthenticated")
      expect(calls.total).toBe(before)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("approving records the reviewer of the token and when", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      yield* TestClock.adjust("1 hour")
      const [approved, response] = yield* (yield* api.as(tokenB)).reviews.decide({
        path: { id: items[0]!.id },
        payload: { _tag: "Approve", note: "same person, moved house" },
        withResponse: true
      })
      expect(response.status).toBe(200)
      // Four seconds of seeding, then the hour.
      const at = new Date(4_000 + 3_600_000).toISOString()
      expect(approved.status).toBe("approved")
      expect(approved.decision).toMatchObject({ decision: "approve", by: "dr-b", at, note: "same person, moved house" })
      expect(approved.updatedAt).toBe(at)
      expect(yield* inner.get(items[0]!.id)).toStrictEqual(approved)
      // Deferring keeps it open, and records who deferred.
      const deferred = yield* (yield* api.as(tokenC)).reviews.decide({
        path: { id: items[1]!.id },
        payload: { _tag: "Defer" }
      })
      expect(deferred).toMatchObject({ status: "deferred", decision: { decision: "defer", by: "dr-c", at } })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("rejecting records the reason and the note", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const note = "twins: same date of birth, different middle names"
      const rejected = yield* (yield* api.as(tokenA)).reviews.decide({
        path: { id: items[2]!.id },
        payload: { _tag: "Reject", reason: "related-people", note }
      })
      expect(rejected.status).toBe("rejected")
      expect(rejected.decision).toMatchObject({ decision: "reject", by: "dr-a", reason: "related-people", note })
      expect((yield* inner.get(items[2]!.id)).status).toBe("rejected")
      expect((yield* inner.counts).rejected).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("deciding twice is 409 ReviewClosed; an unknown id is 404 ReviewNotFound", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const reviews = (yield* api.as(tokenA)).reviews
      const id = items[0]!.id
      yield* reviews.decide({ path: { id }, payload: { _tag: "Reject", reason: "different-people" } })
      const again = yield* Effect.flip(reviews.decide({ path: { id }, payload: { _tag: "Approve" } }))
      expect(again).toMatchObject({ _tag: "ReviewClosed", id, status: "rejected" })
      expect((yield* inner.get(id)).decision?.decision).toBe("reject")
      const raw = yield* api.send(post(`/reviews/${id}/decision`, JSON.stringify({ _tag: "Approve" }), tokenB))
      expect(raw.status).toBe(409)
      expect(raw.headers["cache-control"]).toBe("no-store")
      const missing = yield* Effect.flip(reviews.get({ path: { id: unknownId } }))
      expect(missing).toMatchObject({ _tag: "ReviewNotFound", id: unknownId })
      expect((yield* Effect.flip(reviews.evidence({ path: { id: unknownId } })))._tag).toBe("ReviewNotFound")
      expect((yield* Effect.flip(reviews.decide({ path: { id: unknownId }, payload: { _tag: "Approve" } })))._tag)
        .toBe("ReviewNotFound")
      for (const path of [`/reviews/${unknownId}`, `/reviews/${unknownId}/evidence`]) {
        const notFound = yield* api.send(get(path, tokenA))
        expect(notFound.status).toBe(404)
        expect(notFound.headers["cache-control"]).toBe("no-store")
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("bad input is 400 before the queue is touched", () =>
    Effect.gen(function*() {
      const { calls, inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const id = items[0]!.id
      const longNote = `unique-${"n".repeat(2001)}`
      const bad = [
        get("/reviews?limit=0", tokenA),
        get("/reviews?limit=101", tokenA),
        get("/reviews?limit=-1", tokenA),
        get("/reviews?limit=1.5", tokenA),
        get("/reviews?limit=ten", tokenA),
        get("/reviews?status=open", tokenA),
        get("/reviews?kind=person", tokenA),
        get("/reviews?runId=", tokenA),
        get("/reviews/9434765919", tokenA),
        get("/reviews/rv_XYZ/evidence", tokenA),
        post(`/reviews/${id}/decision`, JSON.stringify({ _tag: "Merge" }), tokenA),
        post(`/reviews/${id}/decision`, JSON.stringify({ _tag: "Reject", reason: "looks odd" }), tokenA),
        post(`/reviews/${id}/decision`, JSON.stringify({ _tag: "Reject" }), tokenA),
        post(`/reviews/${id}/decision`, JSON.stringify({ _tag: "Approve", note: longNote }), tokenA),
        post(`/reviews/${id}/decision`, "{not json", tokenA)
      ]
      for (const request of bad) {
        const response = yield* api.send(request)
        expect({ url: request.url, status: response.status }).toStrictEqual({ url: request.url, status: 400 })
        expect(response.headers["cache-control"]).toBe("no-store")
        // A refused note, or an id that is not one, is not echoed back.
        expect(response.body).not.toContain("unique-")
        expect(response.body).not.toContain("9434765919")
      }
      expect(calls.total).toBe(0)
      expect((yield* inner.get(id)).status).toBe("pending")
      // The typed client refuses such input itself.
      const typed = yield* Effect.flip((yield* api.as(tokenA)).reviews.list({ urlParams: { limit: 0 } }))
      expect(typed._tag).toBe("ParseError")
      expect(calls.total).toBe(0)
      // And what is valid reaches it, once per request.
      expect((yield* api.send(get("/reviews?limit=100&status=pending&status=deferred", tokenA))).status).toBe(200)
      expect((yield* api.send(get("/reviews?limit=1", tokenA))).status).toBe(200)
      expect(calls.byOperation).toStrictEqual({ list: 2 })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("no token or a wrong one is 401 with no-store, saying nothing about the items", () =>
    Effect.gen(function*() {
      const { calls, inner, queue } = yield* countingQueue
      const { items, records: [a, b] } = yield* seed(inner)
      const api = yield* serve(queue)
      const id = items[0]!.id
      const valid = Redacted.value(tokenA)
      const credentials = [
        undefined,
        "Bearer ",
        "Bearer wrong-token",
        `Bearer ${valid.slice(0, -1)}`,
        `Bearer ${valid}x`,
        `Bearer ${valid.toUpperCase()}`,
        `Basic ${Buffer.from(`dr-a:${valid}`).toString("base64")}`,
        `Token ${valid}`,
        // Seven characters before the token, as "Bearer ": still not the Bearer scheme.
        `Digest ${valid}`,
        valid
      ]
      const requests = [
        HttpClientRequest.get("/reviews"),
        HttpClientRequest.get("/reviews/counts"),
        HttpClientRequest.get(`/reviews/${id}`),
        HttpClientRequest.get(`/reviews/${id}/evidence`),
        HttpClientRequest.post(`/reviews/${id}/decision`).pipe(
          HttpClientRequest.bodyText(JSON.stringify({ _tag: "Approve" }), "application/json")
        ),
        // Nothing is served without a reviewer: not even what is not there.
        HttpClientRequest.get("/no-such-route"),
        HttpClientRequest.get("/reviews?limit=0")
      ]
      for (const credential of credentials) {
        for (const request of requests) {
          const sent = credential === undefined
            ? request
            : HttpClientRequest.setHeader(request, "authorization", credential)
          const response = yield* api.send(sent)
          expect({ credential, url: request.url, status: response.status }).toStrictEqual({
            credential,
            url: request.url,
            status: 401
          })
          expect(response.headers["cache-control"]).toBe("no-store")
          expect(response.headers["www-authenticate"]).toMatch(/^Bearer/)
          expect(response.headers["x-content-type-options"]).toBe("nosniff")
          expect(JSON.parse(response.body)).toStrictEqual({ _tag: "Unauthenticated" })
          expect(response.body).not.toContain(id)
          for (const value of [...valuesOf(a), ...valuesOf(b)]) expect(response.body).not.toContain(value)
        }
      }
      expect(calls.total).toBe(0)
      expect((yield* inner.get(id)).status).toBe("pending")
      const typed = yield* Effect.flip((yield* api.as("wrong-token")).reviews.counts())
      expect(typed._tag).toBe("Unauthenticated")
      // With the token, the unknown route is a 404 (no-store too).
      const notFound = yield* api.send(get("/no-such-route", tokenA))
      expect(notFound.status).toBe(404)
      expect(notFound.headers["cache-control"]).toBe("no-store")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("every success response carries Cache-Control: no-store", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const reviews = (yield* api.as(tokenA)).reviews
      const id = items[0]!.id
      const responses: ReadonlyArray<readonly [string, HttpClientResponse.HttpClientResponse]> = [
        ["list", (yield* reviews.list({ urlParams: {}, withResponse: true }))[1]],
        ["counts", (yield* reviews.counts({ withResponse: true }))[1]],
        ["get", (yield* reviews.get({ path: { id }, withResponse: true }))[1]],
        ["evidence", (yield* reviews.evidence({ path: { id }, withResponse: true }))[1]],
        ["decide", (yield* reviews.decide({ path: { id }, payload: { _tag: "Defer" }, withResponse: true }))[1]]
      ]
      for (const [name, response] of responses) {
        expect({ name, status: response.status, cacheControl: response.headers["cache-control"] }).toStrictEqual({
          name,
          status: 200,
          cacheControl: "no-store"
        })
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("several reviewers: each token names its reviewer, compared in constant time", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const api = yield* serve(queue)
      const decided = yield* Effect.forEach(
        [[tokenA, "dr-a"], [tokenB, "dr-b"], [tokenC, "dr-c"]] as const,
        ([token, reviewer], i) =>
          Effect.gen(function*() {
            const item = yield* (yield* api.as(token)).reviews.decide({
              path: { id: items[i]!.id },
              payload: { _tag: "Approve" }
            })
            return [reviewer, item.decision?.by] as const
          })
      )
      for (const [reviewer, by] of decided) expect(by).toBe(reviewer)
      // A string token works as well as a redacted one.
      const counts = yield* (yield* api.as(Redacted.value(tokenC))).reviews.counts()
      expect(counts.approved).toBe(3)
      // Another reviewer's token with a character changed, or one token run into another: refused.
      for (const near of [`${Redacted.value(tokenB)}${Redacted.value(tokenA)}`, "b-2d", "b-2", "B-2C"]) {
        expect((yield* Effect.flip((yield* api.as(near)).reviews.counts()))._tag).toBe("Unauthenticated")
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("layerBearer refuses empty ids, empty tokens and shared tokens when built", () =>
    Effect.gen(function*() {
      const shared = Redacted.make("the-same-token")
      for (
        const bad of [{ "dr-a": shared, "dr-b": Redacted.make("the-same-token") }, { "dr-a": Redacted.make("") }, {
          " ": Redacted.make("x")
        }]
      ) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(ReviewApi.ReviewAuth.layerBearer(bad))))
        expect(Exit.isFailure(exit) && exit.toString()).toContain("ReviewAuth.layerBearer")
      }
      const fine = yield* Effect.exit(Effect.scoped(Layer.build(ReviewApi.ReviewAuth.layerBearer(tokens))))
      expect(Exit.isSuccess(fine)).toBe(true)
    }))

  it.scoped("ReviewAuth.layer takes any verifier; an empty reviewer is refused", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const seen: Array<string> = []
      const auth = ReviewApi.ReviewAuth.layer((token) =>
        Effect.sync(() => {
          const value = Redacted.value(token)
          seen.push(value)
          return value === "idp-token-1" ? Option.some("nurse-1") : value === "blank" ? Option.some(" ") : Option.none()
        })
      )
      const api = yield* serve(queue, auth)
      const item = yield* (yield* api.as("idp-token-1")).reviews.decide({
        path: { id: items[0]!.id },
        payload: { _tag: "Approve" }
      })
      expect(item.decision?.by).toBe("nurse-1")
      expect((yield* Effect.flip((yield* api.as("blank")).reviews.counts()))._tag).toBe("Unauthenticated")
      expect((yield* Effect.flip((yield* api.as("other")).reviews.counts()))._tag).toBe("Unauthenticated")
      // No header, no verifier call.
      expect((yield* api.send(HttpClientRequest.get("/reviews/counts"))).status).toBe(401)
      expect(seen).toStrictEqual(["idp-token-1", "blank", "other"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("a storage failure is 503 naming the operation, never the cause", () =>
    Effect.gen(function*() {
      const api = yield* serve(failingQueue)
      const reviews = (yield* api.as(tokenA)).reviews
      const failed = yield* Effect.flip(reviews.list({ urlParams: {} }))
      expect(failed).toMatchObject({ _tag: "ReviewStorageError", operation: "list" })
      for (
        const request of [
          get("/reviews", tokenA),
          get("/reviews/counts", tokenA),
          get(`/reviews/${unknownId}`, tokenA),
          get(`/reviews/${unknownId}/evidence`, tokenA),
          post(`/reviews/${unknownId}/decision`, JSON.stringify({ _tag: "Approve" }), tokenA)
        ]
      ) {
        const response = yield* api.send(request)
        expect(response.status).toBe(503)
        expect(response.headers["cache-control"]).toBe("no-store")
        expect(JSON.parse(response.body)._tag).toBe("ReviewStorageError")
        expect(response.body).not.toContain("Martha")
        expect(response.body).not.toContain(leakyCause.message)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("logs nothing of a request's URL or body; a storage failure is logged by its operation only", () => {
    const lines: Array<string> = []
    const capture = Logger.make(({ annotations, message }) => {
      lines.push(JSON.stringify({ message, annotations: [...annotations] }))
    })
    return Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      // The platform's request logger around the whole server: it would log every URL.
      const api = yield* serve(queue, bearer, { requestLogger: true })
      const note = "note-with-details-0001"
      const page = yield* api.send(get(`/reviews?runId=run-1&cursor=${"c".repeat(8)}`, tokenA))
      expect(page.status).toBe(400)
      yield* (yield* api.as(tokenA)).reviews.decide({ path: { id: items[0]!.id }, payload: { _tag: "Defer", note } })
      expect((yield* api.send(get("/reviews/counts"))).status).toBe(401)
      expect(lines).toStrictEqual([])
      const failing = yield* serve(failingQueue, bearer, { requestLogger: true })
      expect((yield* failing.send(get(`/reviews/${items[0]!.id}/evidence`, tokenA))).status).toBe(503)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain("review queue storage failed")
      expect(lines[0]).toContain("\"operation\",\"evidence\"")
      for (const line of lines) {
        expect(line).not.toContain(leakyCause.message)
        expect(line).not.toContain(items[0]!.id)
      }
    }).pipe(Effect.provide(Layer.merge(FetchHttpClient.layer, Logger.add(capture))))
  })

  it.scoped("the same API as an HttpApp in your own server, and as a web handler", () =>
    Effect.gen(function*() {
      const { inner, queue } = yield* countingQueue
      const { items } = yield* seed(inner)
      const dependencies = Layer.merge(Layer.succeed(ReviewQueue.ReviewQueue, queue), bearer)
      // An HttpApp served by a server of your own.
      const app = yield* ReviewApi.httpApp.pipe(Effect.provide(dependencies))
      const context = yield* Layer.build(
        HttpServer.serve(app).pipe(
          Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
        )
      )
      const mounted = yield* endpoints(Context.get(context, HttpServer.HttpServer))
      const item = yield* (yield* mounted.as(tokenA)).reviews.get({ path: { id: items[0]!.id } })
      expect(item.id).toBe(items[0]!.id)
      const refused = yield* mounted.send(get("/reviews/counts"))
      expect([refused.status, refused.headers["cache-control"]]).toStrictEqual([401, "no-store"])
      const ok = yield* mounted.send(get("/reviews/counts", tokenA))
      expect([ok.status, ok.headers["cache-control"]]).toStrictEqual([200, "no-store"])
      // A web handler: Request in, Response out.
      const web = yield* Effect.acquireRelease(
        Effect.sync(() => ReviewApi.toWebHandler(dependencies)),
        (web) => Effect.promise(() => web.dispose())
      )
      const call = (path: string, headers: Record<string, string> = {}) =>
        Effect.promise(async () => {
          const response = await web.handler(new Request(`http://reviews.test${path}`, { headers }))
          return {
            status: response.status,
            cacheControl: response.headers.get("cache-control"),
            body: await response.text()
          }
        })
      const page = yield* call("/reviews?limit=1", { authorization: `Bearer ${Redacted.value(tokenB)}` })
      expect([page.status, page.cacheControl]).toStrictEqual([200, "no-store"])
      expect(JSON.parse(page.body).items.map((i: { id: string }) => i.id)).toStrictEqual([items[0]!.id])
      const denied = yield* call(`/reviews/${items[0]!.id}/evidence`)
      expect([denied.status, denied.cacheControl]).toStrictEqual([401, "no-store"])
      expect(JSON.parse(denied.body)).toStrictEqual({ _tag: "Unauthenticated" })
      const badLimit = yield* call("/reviews?limit=0", { authorization: `Bearer ${Redacted.value(tokenB)}` })
      expect([badLimit.status, badLimit.cacheControl]).toStrictEqual([400, "no-store"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
