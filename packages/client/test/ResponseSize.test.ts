import { describe, expect, it } from "@effect/vitest"
import { defaultMaxResponseBytes } from "@hero-effect/client/HeroHealthConfig"
import { PatientId } from "@hero-effect/schema/Ids"
import { Effect } from "effect"
import type * as http from "node:http"
import { loopback, transportNames, withClientOn } from "./support/loopback.js"
import { wirePatientV1 } from "./support/scripted.js"

// D3: a hostile or broken server sends a 600 MB body. Every transport stops reading past
// `maxResponseBytes` (4 MiB by default) and fails with UnexpectedResponse, attempted once, and
// the process's memory stays bounded. The body is streamed (one 64 KiB buffer written again and
// again, with backpressure), never allocated. Real sockets on 127.0.0.1; no time assertions.
const hugeBytes = 600 * 1024 * 1024
const block = Buffer.alloc(64 * 1024, 0x20)

const streamHuge = (declareLength: boolean) => (_: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, {
    "content-type": "application/json",
    ...(declareLength ? { "content-length": String(hugeBytes) } : {})
  })
  let sent = 0
  let closed = false
  res.on("close", () => {
    closed = true
  })
  const pump = () => {
    while (!closed && sent < hugeBytes) {
      sent += block.length
      if (!res.write(block)) {
        res.once("drain", pump)
        return
      }
    }
    if (!closed) res.end()
  }
  pump()
}

// Peak RSS while `effect` runs, sampled on a native timer (a measurement, not an assertion on
// time) plus once at the end.
const peakRss = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state = { peak: process.memoryUsage().rss, timer: undefined as ReturnType<typeof setInterval> | undefined }
      state.timer = setInterval(() => {
        state.peak = Math.max(state.peak, process.memoryUsage().rss)
      }, 5)
      return state
    }),
    (state) =>
      Effect.map(effect, (a) => {
        state.peak = Math.max(state.peak, process.memoryUsage().rss)
        return [a, state.peak] as const
      }),
    (state) => Effect.sync(() => clearInterval(state.timer))
  )

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024)

describe("response size limit", () => {
  it("defaults to 4 MiB", () => {
    expect(defaultMaxResponseBytes).toBe(4 * 1024 * 1024)
  })

  for (const transport of transportNames) {
    for (const declareLength of [false, true]) {
      it.live(
        `${transport}: a 600 MB body (${
          declareLength ? "content-length declared" : "chunked"
        }) fails once as UnexpectedResponse, memory bounded`,
        () =>
          Effect.gen(function*() {
            const server = yield* loopback(streamHuge(declareLength))
            const before = process.memoryUsage().rss
            const [error, peak] = yield* peakRss(
              withClientOn(
                transport,
                server.url,
                (hero) => Effect.flip(hero.getPatientById(PatientId.make("1001"))),
                { policies: { getPatientById: { attemptTimeout: "120 seconds", deadline: "120 seconds" } } }
              )
            )
            const growth = peak - before
            console.log(
              `${transport} (${declareLength ? "declared" : "chunked"}): RSS before ${mib(before)} MiB, peak ${
                mib(peak)
              } MiB, growth ${mib(growth)} MiB`
            )
            expect(error).toMatchObject({
              _tag: "UnexpectedResponse",
              status: 200,
              maxResponseBytes: defaultMaxResponseBytes
            })
            expect(server.hits.length).toBe(1)
            expect(growth).toBeLessThan(200 * 1024 * 1024)
          }).pipe(Effect.scoped),
        900_000
      )
    }
  }

  // Declared and unencoded, the platform transport reads the body whole (as text); chunked, as a
  // Stream, counted. Both stop at the limit.
  for (const declareLength of [false, true]) {
    it.live(
      `a configured limit (${
        declareLength ? "content-length declared" : "chunked"
      }): a body just under it is read, one just over is refused`,
      () =>
        Effect.gen(function*() {
          const body = JSON.stringify({ ...wirePatientV1, pad: "x".repeat(2000) })
          const server = yield* loopback((_, res) => {
            res.writeHead(200, {
              "content-type": "application/json",
              ...(declareLength ? { "content-length": String(Buffer.byteLength(body)) } : {})
            })
            res.end(body)
          })
          for (const transport of transportNames) {
            const ok = yield* withClientOn(
              transport,
              server.url,
              (hero) => hero.getPatientById(PatientId.make("1001")),
              { maxResponseBytes: body.length }
            )
            expect(ok.id).toBe("1001")
            const error = yield* withClientOn(
              transport,
              server.url,
              (hero) => Effect.flip(hero.getPatientById(PatientId.make("1001"))),
              { maxResponseBytes: body.length - 1 }
            )
            expect(error).toMatchObject({ _tag: "UnexpectedResponse", maxResponseBytes: body.length - 1 })
          }
        }).pipe(Effect.scoped)
    )
  }
})
