import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import type { Sandbox as S, SandboxConfig } from "@hero-effect/sandbox"
import { Sandbox, SandboxServer, SeedFile } from "@hero-effect/sandbox"
import { Context, Effect, Layer, TestClock } from "effect"
import { SlidingLog } from "../src/internal/rateLimit.js"
import { example, exampleJson, json } from "./support/helpers.js"

// Every time below is TestClock time (it starts at 0): nothing depends on how fast the machine is.

const as = (key: string) => ({ "x-api-key": key, "x-practice-group-id": "pg-example" })

const keyWith = (key: string, rateLimit: SandboxConfig.RateLimit) => ({
  key,
  practiceGroupId: "pg-example",
  scopes: ["patients" as const],
  rateLimit
})

/** A sandbox over the example world with one extra key, `limited`, under `rateLimit`. */
const limited = (rateLimit: SandboxConfig.RateLimit, options: Omit<S.SandboxOptions, "world"> = {}) =>
  example({ ...options, keys: [keyWith("limited", rateLimit), ...(options.keys ?? [])] })

const get = (sb: S.SandboxService, key = "limited") => json(sb, "GET", "/v1/patients/100001", undefined, as(key))

const statuses = (sb: S.SandboxService, n: number, key = "limited") =>
  Effect.gen(function*() {
    const out: Array<number> = []
    for (let i = 0; i < n; i++) out.push((yield* get(sb, key)).status)
    return out
  })

/** The most admitted requests (200s) in any half-open interval [t, t + window) of the log. */
const mostInAnyWindow = (times: ReadonlyArray<number>, windowMillis: number): number =>
  Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + windowMillis).length))

const admittedTimes = (sb: S.SandboxService) =>
  Effect.map(
    sb.exchanges,
    (log) => log.filter((x) => x.outcome._tag === "Respond" && x.outcome.status === 200).map((x) => x.at)
  )

describe("sliding window rate limit", () => {
  it.effect("refuses the (limit+1)-th request of a rolling window that straddles a fixed-window boundary; fixed admits it", () =>
    Effect.gen(function*() {
      // 3 per second. One request at 0 ms opens the fixed window [0, 1000); two at 900 ms fill it;
      // at 1100 ms the fixed window has started again, but the rolling window (100, 1100] already
      // holds the two of 900 ms: one more fits, the second is one too many.
      const run = (kind: SandboxConfig.RateLimitKind) =>
        Effect.gen(function*() {
          const sb = yield* limited({ limit: 3, window: "1 second", kind })
          yield* TestClock.setTime(0)
          const at0 = yield* statuses(sb, 1)
          yield* TestClock.setTime(900)
          const at900 = yield* statuses(sb, 2)
          yield* TestClock.setTime(1100)
          const first = yield* get(sb)
          const second = yield* get(sb)
          return { before: [...at0, ...at900], first, second, admitted: yield* admittedTimes(sb) }
        })
      const sliding = yield* run("sliding")
      expect(sliding.before).toEqual([200, 200, 200])
      expect(sliding.first.status).toBe(200)
      expect(sliding.second).toMatchObject({
        status: 429,
        // a slot frees when the requests of 900 ms leave the window, at 1900 ms: 800 ms, so 1 s
        headers: { "retry-after": "1", "content-type": "application/json" },
        body: { error: true, statusCode: 429, code: "rate_limited", message: "Too many requests" }
      })
      expect(mostInAnyWindow(sliding.admitted, 1000)).toBe(3)
      const fixed = yield* run("fixed")
      expect([...fixed.before, fixed.first.status, fixed.second.status]).toEqual([200, 200, 200, 200, 200])
      // what the sliding window exists to prevent: 4 admitted within one second
      expect(mostInAnyWindow(fixed.admitted, 1000)).toBe(4)
    }))

  it.effect("the 429 has the same body and headers as the fixed window's", () =>
    Effect.gen(function*() {
      const refusal = (kind: SandboxConfig.RateLimitKind) =>
        Effect.gen(function*() {
          const sb = yield* limited({ limit: 1, window: "5 seconds", kind })
          yield* get(sb)
          return yield* get(sb)
        })
      const sliding = yield* refusal("sliding")
      expect(sliding).toEqual(yield* refusal("fixed"))
      expect(sliding.headers["retry-after"]).toBe("5")
    }))

  it.effect("admits again exactly when the oldest admitted request leaves the window", () =>
    Effect.gen(function*() {
      const sb = yield* limited({ limit: 3, window: "1 second", kind: "sliding" })
      yield* TestClock.setTime(0)
      expect(yield* statuses(sb, 1)).toEqual([200])
      yield* TestClock.setTime(400)
      expect(yield* statuses(sb, 3)).toEqual([200, 200, 429])
      yield* TestClock.setTime(999)
      expect(yield* statuses(sb, 1)).toEqual([429])
      // the request of 0 ms is a whole window old: one slot
      yield* TestClock.setTime(1000)
      expect(yield* statuses(sb, 2)).toEqual([200, 429])
      yield* TestClock.setTime(1399)
      expect(yield* statuses(sb, 1)).toEqual([429])
      // both of 400 ms leave
      yield* TestClock.setTime(1400)
      expect(yield* statuses(sb, 3)).toEqual([200, 200, 429])
      expect(mostInAnyWindow(yield* admittedTimes(sb), 1000)).toBe(3)
    }))

  it.effect("Retry-After: whole seconds until the limit-th most recent admitted request leaves, rounded up, at least 1", () =>
    Effect.gen(function*() {
      const sb = yield* limited({ limit: 2, window: "10 seconds", kind: "sliding" })
      const retryAfter = Effect.map(get(sb), (r) => [r.status, r.headers["retry-after"]])
      yield* TestClock.setTime(0)
      expect(yield* statuses(sb, 1)).toEqual([200])
      yield* TestClock.setTime(3000)
      expect(yield* statuses(sb, 1)).toEqual([200])
      expect(yield* retryAfter).toEqual([429, "7"]) // the request of 0 ms leaves at 10 s
      yield* TestClock.setTime(4500)
      expect(yield* retryAfter).toEqual([429, "6"]) // 5.5 s, rounded up
      yield* TestClock.setTime(9999)
      expect(yield* retryAfter).toEqual([429, "1"]) // 1 ms
      yield* TestClock.setTime(10_000)
      expect(yield* statuses(sb, 1)).toEqual([200])
      // now the request of 3 s is the oldest kept: it leaves at 13 s (a fixed window would say 10)
      expect(yield* retryAfter).toEqual([429, "3"])

      const fast = yield* limited({ limit: 1, window: "200 millis", kind: "sliding" })
      expect((yield* get(fast)).status).toBe(200)
      expect((yield* get(fast)).headers["retry-after"]).toBe("1") // 200 ms, but at least 1 s
    }))

  it.effect("refused requests do not count", () =>
    Effect.gen(function*() {
      const sb = yield* limited({ limit: 2, window: "1 second", kind: "sliding" })
      yield* TestClock.setTime(0)
      expect(yield* statuses(sb, 2)).toEqual([200, 200])
      // hammering while refused: were these logged, the key would stay blocked until 1.9 s
      for (let t = 100; t < 1000; t += 100) {
        yield* TestClock.setTime(t)
        expect(yield* statuses(sb, 5)).toEqual([429, 429, 429, 429, 429])
      }
      yield* TestClock.setTime(1000)
      expect(yield* statuses(sb, 3)).toEqual([200, 200, 429])
      const log = yield* sb.exchanges
      expect(log.filter((x) => x.outcome._tag === "Respond" && x.outcome.status === 429)).toHaveLength(46)
      expect(log.every((x) => x.operation === "getPatientById")).toBe(true)
    }))

  it.effect("each key has its own log; the sandbox-wide limit applies to keys without their own; fixed and sliding keys coexist", () =>
    Effect.gen(function*() {
      const sb = yield* limited({ limit: 1, window: "1 second", kind: "sliding" }, {
        rateLimit: { limit: 2, window: "1 second", kind: "sliding" },
        keys: [
          keyWith("other", { limit: 3, window: "1 second", kind: "sliding" }),
          keyWith("fixed", { limit: 1, window: "1 second" })
        ]
      })
      yield* TestClock.setTime(0)
      expect(yield* statuses(sb, 2, "limited")).toEqual([200, 429])
      expect(yield* statuses(sb, 4, "other")).toEqual([200, 200, 200, 429])
      // example-key has no limit of its own: the sandbox-wide one
      expect(yield* statuses(sb, 3, "example-key")).toEqual([200, 200, 429])
      expect(yield* statuses(sb, 2, "fixed")).toEqual([200, 429])
      yield* TestClock.setTime(600)
      expect(yield* statuses(sb, 1, "limited")).toEqual([429])
      yield* TestClock.setTime(1000)
      for (const key of ["limited", "other", "example-key", "fixed"]) expect((yield* get(sb, key)).status).toBe(200)
      // reset empties every log
      yield* TestClock.setTime(1001)
      expect(yield* statuses(sb, 1, "limited")).toEqual([429])
      yield* sb.reset
      expect(yield* statuses(sb, 1, "limited")).toEqual([200])
    }))

  it("keeps at most `limit` times per key and allocates as requests come, not per limit up front", () => {
    const log = new SlidingLog()
    // a limit of a million: a few requests cost a few slots
    for (let t = 0; t < 3; t++) expect(log.admit(t, 1_000_000, 1000)).toBeUndefined()
    expect(log.length).toBe(3)
    expect(log.capacity).toBeLessThanOrEqual(8)
    for (let t = 3; t < 100; t++) expect(log.admit(t, 1_000_000, 1000)).toBeUndefined()
    expect(log.length).toBe(100)
    expect(log.capacity).toBeLessThanOrEqual(256)
    // once the window has passed, the ring shrinks back
    expect(log.admit(5000, 1_000_000, 1000)).toBeUndefined()
    expect(log.length).toBe(1)
    expect(log.capacity).toBeLessThanOrEqual(8)
    // a small limit is a hard cap, however many requests are refused
    const small = new SlidingLog()
    for (let i = 0; i < 1000; i++) small.admit(0, 5, 1000)
    expect(small.length).toBe(5)
    expect(small.capacity).toBe(5)
    expect(small.admit(999, 5, 1000)).toBe(1)
    expect(small.admit(1000, 5, 1000)).toBeUndefined()
    expect(small.capacity).toBe(5)
  })

  it.effect("a million-request limit on 200 keys stays small in memory", () =>
    Effect.gen(function*() {
      const keys = Array.from(
        { length: 200 },
        (_, i) => keyWith(`big-${i}`, { limit: 1_000_000, window: "1 hour", kind: "sliding" })
      )
      const sb = yield* example({ keys })
      const before = process.memoryUsage().heapUsed
      for (const k of keys) expect((yield* get(sb, k.key)).status).toBe(200)
      // 200 rings of a million numbers allocated up front would be well over a gigabyte
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024)
    }))
})

describe("seed files", () => {
  it.effect("rate_limit.kind decodes, encodes and round-trips; absent stays absent (fixed)", () =>
    Effect.gen(function*() {
      const base = exampleJson as any
      const file = {
        ...base,
        keys: [
          ...base.keys,
          {
            key: "sliding-key",
            practice_group_id: "pg-example",
            scopes: ["patients"],
            rate_limit: { limit: 2, window_seconds: 1, kind: "sliding" }
          },
          {
            key: "explicit-fixed-key",
            practice_group_id: "pg-example",
            scopes: ["patients"],
            rate_limit: { limit: 2, window_seconds: 0.5, kind: "fixed" }
          }
        ]
      }
      const world = yield* SeedFile.decode(file)
      const byKey = (key: string) => world.keys.find((k) => k.key === key)!.rateLimit
      expect(byKey("sliding-key")).toMatchObject({ limit: 2, kind: "sliding" })
      expect(byKey("explicit-fixed-key")?.kind).toBe("fixed")
      expect(byKey("slow-key")).not.toHaveProperty("kind")
      const encoded = SeedFile.encode(world) as any
      expect(encoded.keys.find((k: any) => k.key === "sliding-key").rate_limit).toEqual({
        limit: 2,
        window_seconds: 1,
        kind: "sliding"
      })
      expect(encoded.keys.find((k: any) => k.key === "explicit-fixed-key").rate_limit).toEqual({
        limit: 2,
        window_seconds: 0.5,
        kind: "fixed"
      })
      expect(encoded.keys.find((k: any) => k.key === "slow-key").rate_limit).toEqual({
        limit: 2,
        window_seconds: 10
      })
      expect(SeedFile.encode(yield* SeedFile.decode(JSON.parse(JSON.stringify(encoded))))).toEqual(encoded)
      const bad = yield* Effect.either(
        SeedFile.decode({
          ...file,
          keys: [{ ...file.keys.at(-1), rate_limit: { limit: 2, window_seconds: 1, kind: "leaky" } }]
        })
      )
      expect(bad._tag).toBe("Left")
    }))

  it.effect("a seed file's sliding key is enforced as sliding", () =>
    Effect.gen(function*() {
      const base = exampleJson as any
      const world = yield* SeedFile.decode({
        ...base,
        keys: [{
          key: "limited",
          practice_group_id: "pg-example",
          scopes: ["patients"],
          rate_limit: { limit: 3, window_seconds: 1, kind: "sliding" }
        }]
      })
      const sb = yield* Sandbox.make({ world })
      yield* TestClock.setTime(0)
      expect(yield* statuses(sb, 1)).toEqual([200])
      yield* TestClock.setTime(900)
      expect(yield* statuses(sb, 2)).toEqual([200, 200])
      yield* TestClock.setTime(1100)
      expect(yield* statuses(sb, 2)).toEqual([200, 429])
    }))
})

describe("one server, several clients", () => {
  // Two independent clients (a node:http agent and an undici dispatcher, each from its own layer,
  // so separate connection pools) call one SandboxServer with one key, concurrently at each tick.
  // The key's limit is one state in the sandbox: what one client spends, the other cannot.
  const ticks: ReadonlyArray<readonly [at: number, a: number, b: number]> = [
    [0, 1, 0],
    [800, 1, 1],
    [1000, 1, 1],
    [1500, 1, 1],
    [1800, 1, 1],
    [2000, 1, 1]
  ]

  const serve = (kind: SandboxConfig.RateLimitKind) =>
    Effect.gen(function*() {
      const sb = yield* limited({ limit: 3, window: "1 second", kind })
      const server = Context.get(
        yield* Layer.build(SandboxServer.layer().pipe(Layer.provide(Layer.succeed(Sandbox.Sandbox, sb)))),
        SandboxServer.SandboxServer
      )
      const clientOf = (layer: Layer.Layer<HttpClient.HttpClient>) =>
        Effect.map(Layer.build(layer), (context) =>
          Context.get(context, HttpClient.HttpClient).pipe(
            HttpClient.mapRequest((r) =>
              r.pipe(HttpClientRequest.prependUrl(server.url), HttpClientRequest.setHeaders(as("limited")))
            )
          ))
      const a = yield* clientOf(NodeHttpClient.layer)
      const b = yield* clientOf(NodeHttpClient.layerUndici)
      const call = (client: HttpClient.HttpClient) =>
        Effect.map(
          client.get("/v1/patients/100001"),
          (r) => ({ status: r.status, retryAfter: r.headers["retry-after"] })
        )
      const seen: Array<{ readonly at: number; readonly a: Array<number>; readonly b: Array<number> }> = []
      let retryAfters: Array<string | undefined> = []
      for (const [at, na, nb] of ticks) {
        yield* TestClock.setTime(at)
        const [ra, rb] = yield* Effect.all([
          Effect.all(Array.from({ length: na }, () => call(a)), { concurrency: "unbounded" }),
          Effect.all(Array.from({ length: nb }, () => call(b)), { concurrency: "unbounded" })
        ], { concurrency: "unbounded" })
        seen.push({ at, a: ra.map((r) => r.status), b: rb.map((r) => r.status) })
        retryAfters = [...retryAfters, ...[...ra, ...rb].filter((r) => r.status === 429).map((r) => r.retryAfter)]
      }
      return { sb, seen, retryAfters }
    })

  const admittedPerTick = (seen: ReadonlyArray<{ readonly a: Array<number>; readonly b: Array<number> }>) =>
    seen.map((s) => [...s.a, ...s.b].filter((x) => x === 200).length)

  it.scoped("share one key's sliding limit: no rolling second admits more than the limit across both", () =>
    Effect.gen(function*() {
      const { sb, seen, retryAfters } = yield* serve("sliding")
      const log = yield* sb.exchanges
      // the server answered every request (nothing per connection hid a request from the log)
      expect(log).toHaveLength(ticks.reduce((n, [, a, b]) => n + a + b, 0))
      const admitted = yield* admittedTimes(sb)
      expect(mostInAnyWindow(admitted, 1000)).toBe(3)
      // what each client saw is what the server logged, tick by tick
      expect(admittedPerTick(seen)).toEqual(ticks.map(([at]) => admitted.filter((t) => t === at).length))
      expect(admittedPerTick(seen)).toEqual([1, 2, 1, 0, 2, 1])
      // both clients were admitted (at 800 and 1800 ms every request was) and both were refused
      // at 1500 ms, by requests that were partly the other client's
      expect(seen[1]).toEqual({ at: 800, a: [200], b: [200] })
      expect(seen[3]).toEqual({ at: 1500, a: [429], b: [429] })
      expect(retryAfters.every((r) => r === "1")).toBe(true)
    }))

  it.scoped("the same traffic under a fixed window admits more than the limit in a rolling second", () =>
    Effect.gen(function*() {
      const { sb, seen } = yield* serve("fixed")
      expect(admittedPerTick(seen)).toEqual([1, 2, 2, 1, 0, 2])
      expect(mostInAnyWindow(yield* admittedTimes(sb), 1000)).toBe(5)
    }))
})
