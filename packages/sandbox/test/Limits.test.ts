/**
 * D4: the HTTP server never dies on input and its memory stays bounded: routing, credentials and
 * content type are checked before a body is read, a body is read at most `maxBodyBytes` far
 * (413), and connections and request times are capped so slow clients cannot hold the server.
 *
 * The server runs in the test process, so `process.memoryUsage.rss()` sampled while the client
 * streams is the server's memory (plus the client's, which reuses one 64 KiB chunk). A client
 * gives up past 400 MB of growth, so a regression fails an assertion instead of taking the
 * process down.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Sandbox as S } from "@hero-effect/sandbox"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import { example, headers } from "./support/helpers.js"
import * as Raw from "./support/raw.js"

const MB = 1024 * 1024

const withServer = <A, E>(
  sb: S.SandboxService,
  options: SandboxServer.ServerOptions,
  f: (port: number) => Effect.Effect<A, E>
) =>
  Effect.flatMap(SandboxServer.SandboxServer, (server) => f(server.port)).pipe(
    Effect.provide(SandboxServer.layer(options).pipe(Layer.provide(Layer.succeed(Sandbox.Sandbox, sb)))),
    Effect.scoped
  )

/** Peak RSS growth over a baseline, sampled by the streaming clients. */
const memory = () => {
  const baseline = process.memoryUsage.rss()
  let peak = baseline
  let samples = 0
  return {
    sample: () => {
      if (samples++ % 16 === 0) peak = Math.max(peak, process.memoryUsage.rss())
    },
    growth: () => (Math.max(peak, process.memoryUsage.rss()) - baseline) / MB,
    /** The client gives up once the server has clearly stopped bounding its memory. */
    exhausted: () => process.memoryUsage.rss() - baseline > 400 * MB
  }
}

const auth = `x-api-key: ${headers["x-api-key"]}\r\nx-practice-group-id: ${headers["x-practice-group-id"]}\r\n`

const head = (path: string, extra: string) =>
  `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n${extra}`

const chunked = (path: string, extra = "") => `${head(path, extra)}transfer-encoding: chunked\r\n\r\n`

describe("D4: request bodies are bounded", () => {
  it.live(
    "an unauthenticated 600 MB streamed POST gets 401 before its body is read; RSS stays bounded",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(sb, {}, (port) =>
          Effect.promise(async () => {
            const mem = memory()
            const started = Date.now()
            const result = await Raw.post({
              port,
              head: chunked("/v1/patients/register"),
              total: 600 * MB,
              onChunk: mem.sample,
              giveUp: mem.exhausted
            })
            const elapsed = Date.now() - started
            const growth = mem.growth()
            console.log(
              `D4 unauthenticated 600 MB: ${result.response?.status} after ${(result.sent / MB).toFixed(1)} MB sent, ` +
                `${elapsed} ms, RSS growth ${growth.toFixed(1)} MB`
            )
            expect(result.response?.status).toBe(401)
            expect(JSON.parse(result.response!.body)).toMatchObject({
              error: true,
              statusCode: 401,
              code: "unauthorised"
            })
            expect(result.response?.headers.connection).toBe("close")
            expect(result.stopped).toBe("answered")
            expect(growth).toBeLessThan(200)
          }))
        // Refused before the body: nothing was applied, and the refusal is in the exchange log.
        expect((yield* sb.counters).writes).toBe(0)
        expect((yield* sb.exchanges).map((x) => x.outcome._tag === "Respond" && x.outcome.status)).toEqual([401])
      }),
    900_000
  )

  it.live(
    "an authenticated oversize POST gets 413 once maxBodyBytes are read; a declared oversize length gets 413 unread",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(sb, {}, (port) =>
          Effect.promise(async () => {
            const mem = memory()
            const streamed = await Raw.post({
              port,
              head: chunked("/v1/patients/register", auth),
              total: 600 * MB,
              onChunk: mem.sample,
              giveUp: mem.exhausted
            })
            expect(streamed.response?.status).toBe(413)
            expect(JSON.parse(streamed.response!.body)).toEqual({
              error: true,
              statusCode: 413,
              code: "payload_too_large",
              message: "A request body must be at most 1048576 bytes"
            })
            expect(streamed.response?.headers.connection).toBe("close")
            expect(streamed.stopped).toBe("answered")
            const declared = await Raw.post({
              port,
              head: `${head("/v1/patients/100001/ehr/connect", auth)}content-length: ${600 * MB}\r\n\r\n`,
              total: 0
            })
            expect(declared.response?.status).toBe(413)
            expect(mem.growth()).toBeLessThan(200)
            console.log(
              `D4 authenticated 600 MB: 413 after ${(streamed.sent / MB).toFixed(1)} MB sent, RSS growth ${
                mem.growth().toFixed(1)
              } MB`
            )
          }))
        expect((yield* sb.counters).writes).toBe(0)
      }),
    900_000
  )

  it.live(
    "four concurrent 400 MB POSTs all get 413 and RSS stays bounded",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(sb, {}, (port) =>
          Effect.promise(async () => {
            const mem = memory()
            const paths = [
              "/v1/patients/register",
              "/v1/patients/register_pds",
              "/v1/patients/100001/merge/preview",
              "/v1/patients/100001/ehr/connect"
            ]
            const results = await Promise.all(
              paths.map((path) =>
                Raw.post({
                  port,
                  head: chunked(path, auth),
                  total: 400 * MB,
                  onChunk: mem.sample,
                  giveUp: mem.exhausted
                })
              )
            )
            const growth = mem.growth()
            console.log(
              `D4 4 × 400 MB: ${results.map((r) => r.response?.status).join(", ")} after ${
                results.map((r) => (r.sent / MB).toFixed(1)).join(", ")
              } MB sent, RSS growth ${growth.toFixed(1)} MB`
            )
            expect(results.map((r) => r.response?.status)).toEqual([413, 413, 413, 413])
            expect(growth).toBeLessThan(200)
          }))
        // The server is still answering.
        const after = yield* withServer(
          sb,
          {},
          (port) =>
            Effect.promise(() =>
              Raw.post({ port, head: `GET /v1/patients/100001 HTTP/1.1\r\nhost: x\r\n${auth}\r\n`, total: 0 })
            )
        )
        expect(after.response?.status).toBe(200)
      }),
    900_000
  )

  it.live(
    "a non-JSON content type is refused (415) before the body is read; an admitted request gets its 100 Continue",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(sb, {}, (port) =>
          Effect.promise(async () => {
            const text = await Raw.post({
              port,
              head: `POST /v1/patients/register HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\n${auth}` +
                "transfer-encoding: chunked\r\n\r\n",
              total: 64 * MB
            })
            expect(text.response?.status).toBe(415)
            expect(JSON.parse(text.response!.body)).toMatchObject({ statusCode: 415, code: "unsupported_media_type" })
            expect(text.stopped).toBe("answered")
            // Waiting for 100 Continue: refused without one, so no body is ever sent…
            const refused = await Raw.post({
              port,
              head: chunked("/v1/patients/register", "expect: 100-continue\r\n"),
              total: 64 * MB,
              waitForContinue: true
            })
            expect(refused.response?.status).toBe(401)
            expect(refused.response?.informational).toEqual([])
            expect(refused.sent).toBe(0)
            // …and admitted with one (the 64 KiB junk body is then a 400, not a 413).
            const admitted = await Raw.post({
              port,
              head: chunked("/v1/patients/register", `${auth}expect: 100-continue\r\n`),
              total: 64 * 1024,
              waitForContinue: true
            })
            expect(admitted.response?.informational).toEqual([100])
            expect(admitted.response?.status).toBe(400)
          }))
      }),
    900_000
  )
})

describe("D4: connections and request time are bounded", () => {
  it.live(
    "slow clients sending a byte at a time do not stop a normal request, and are cut off by headersTimeout",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(
          sb,
          { headersTimeout: "1 second", requestTimeout: "2 seconds", connectionsCheckingInterval: "100 millis" },
          (port) =>
            Effect.promise(async () => {
              // Never a complete head: 3000 bytes at one per 10 ms (30 s) bound each client.
              const text = `GET /v1/patients/100001 HTTP/1.1\r\nx-slow: ${"a".repeat(3000)}`
              const clients = Array.from({ length: 8 }, () => Raw.slow(port, text, 10))
              await Promise.all(clients.map((c) => c.started))
              const normal = await fetch(`http://127.0.0.1:${port}/v1/patients/100001`, { headers })
              expect(normal.status).toBe(200)
              expect(((await normal.json()) as { id: string }).id).toBe("100001")
              const closed = await Promise.all(clients.map((c) => c.closed))
              for (const c of closed) {
                expect(c.byServer).toBe(true)
                expect(c.sent).toBeLessThan(text.length)
                expect(c.received).toMatch(/^HTTP\/1\.1 408/)
              }
            })
        )
      }),
    900_000
  )

  it.live("a slow body is cut off by requestTimeout", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* withServer(sb, { requestTimeout: "1 second", connectionsCheckingInterval: "100 millis" }, (port) =>
        Effect.promise(async () => {
          const body = JSON.stringify({ ehr_partner_id: "5000001" })
          const text = `${head("/v1/patients/100001/ehr/connect", auth)}content-length: ${body.length + 3000}\r\n\r\n` +
            body + " ".repeat(3000)
          const client = Raw.slow(port, text, 5)
          const closed = await client.closed
          expect(closed.byServer).toBe(true)
          expect(closed.sent).toBeLessThan(text.length)
        }))
      expect((yield* sb.counters).writes).toBe(0)
    }), 900_000)

  it.live(
    "connections beyond maxConnections are closed at once; idle ones are cut off and the server answers again",
    () =>
      Effect.gen(function*() {
        const sb = yield* example()
        yield* withServer(
          sb,
          { maxConnections: 3, headersTimeout: "1 second", connectionsCheckingInterval: "100 millis" },
          (port) =>
            Effect.promise(async () => {
              const held = [Raw.idle(port), Raw.idle(port), Raw.idle(port)]
              await Promise.all(held.map((c) => c.connected))
              const extra = await Raw.post({
                port,
                head: `GET /v1/patients/100001 HTTP/1.1\r\nhost: x\r\n${auth}\r\n`,
                total: 0
              })
              expect(extra.response).toBeUndefined()
              expect(extra.stopped).toBe("closed")
              const received = await Promise.all(held.map((c) => c.closed))
              for (const r of received) expect(r).toMatch(/^HTTP\/1\.1 408/)
              const again = await Raw.post({
                port,
                head: `GET /v1/patients/100001 HTTP/1.1\r\nhost: x\r\n${auth}\r\n`,
                total: 0
              })
              expect(again.response?.status).toBe(200)
            })
        )
      }),
    900_000
  )

  it("the limits have documented defaults; the headers timeout never exceeds the request timeout", () => {
    const l = SandboxServer.limits()
    expect({
      maxConnections: l.maxConnections,
      headersTimeout: l.headersTimeout.toJSON(),
      requestTimeout: l.requestTimeout.toJSON(),
      maxHeadersCount: l.maxHeadersCount,
      maxHeaderSize: l.maxHeaderSize
    }).toMatchObject({ maxConnections: 1024, maxHeadersCount: 100, maxHeaderSize: 16384 })
    expect(SandboxServer.limits().headersTimeout).toEqual(
      SandboxServer.limits({ headersTimeout: "10 seconds" }).headersTimeout
    )
    const clamped = SandboxServer.limits({ headersTimeout: "1 minute", requestTimeout: "5 seconds" })
    expect(clamped.headersTimeout).toEqual(clamped.requestTimeout)
  })
})
