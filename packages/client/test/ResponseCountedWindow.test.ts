import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig, type Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import * as RateLimitStore from "@hero-effect/client/RateLimitStore"
import { PatientId } from "@hero-effect/schema/Ids"
import { Clock, Effect, Fiber, Layer, Random, Redacted, TestClock } from "effect"
import { apiKey, practiceGroupId, scripted, wirePatientV1 } from "./support/scripted.js"

// The default limiter (a sliding window counted from responses) under TestClock, against a
// scripted server that counts a sliding window the way a strict partner API does: a request is
// admitted (or refused 429) when it *arrives*, which may be later than the client's limiter let
// it go (transit), and is answered later still (latency).

const id = PatientId.make("1001")
const seeded = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withRandom(effect, Random.make(7))

interface ServerOptions {
  readonly limit: number
  readonly windowMillis: number
  /** Time from the client's send to the server's admission, per request (0-based). */
  readonly transitMillis?: (index: number) => number
  /** Time from admission to the response. */
  readonly latencyMillis?: number
  /** What request `index` gets instead of a normal exchange. */
  readonly fault?: (index: number) => "refused" | "hang" | undefined
}

interface Exchange {
  readonly sentAt: number
  readonly arrivedAt: number
  readonly status: number
}

/** An HttpClient in front of a sliding-window server (no sockets, TestClock time). */
const slidingServer = (options: ServerOptions) => {
  const exchanges: Array<Exchange> = []
  const sends: Array<number> = []
  const admitted: Array<number> = []
  const client = HttpClient.make((request) =>
    Effect.gen(function*() {
      const index = sends.length
      const sentAt = yield* Clock.currentTimeMillis
      sends.push(sentAt)
      const fault = options.fault?.(index)
      if (fault === "refused") {
        const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause })
      }
      if (fault === "hang") return yield* Effect.never
      yield* Effect.sleep(options.transitMillis?.(index) ?? 0)
      const arrivedAt = yield* Clock.currentTimeMillis
      const inWindow = admitted.filter((at) => at > arrivedAt - options.windowMillis).length
      const status = inWindow < options.limit ? 200 : 429
      if (status === 200) admitted.push(arrivedAt)
      exchanges.push({ sentAt, arrivedAt, status })
      yield* Effect.sleep(options.latencyMillis ?? 0)
      return HttpClientResponse.fromWeb(
        request,
        status === 200
          ? new Response(JSON.stringify(wirePatientV1), { status, headers: { "content-type": "application/json" } })
          : new Response(null, { status, headers: { "retry-after": "1" } })
      )
    })
  )
  return { client, exchanges, sends }
}

/** A store that counts the questions the limiter asks it. */
const countingStore = Effect.map(RateLimitStore.makeMemory, (inner) => {
  const counts = { acquire: 0, taken: 0, settle: 0, released: 0 }
  const store: RateLimitStore.Service = {
    ...inner,
    acquireSliding: (request) =>
      Effect.tap(
        Effect.zipRight(Effect.sync(() => counts.acquire++), inner.acquireSliding(request)),
        (answer) =>
          Effect.sync(() => {
            if (answer._tag === "Taken") counts.taken++
          })
      ),
    settleSliding: (settlement) =>
      Effect.zipRight(
        Effect.sync(() => {
          counts.settle++
          if (!settlement.mayHaveReachedServer) counts.released++
        }),
        inner.settleSliding(settlement)
      )
  }
  return { store, counts }
})

const heroWith = (
  client: HttpClient.HttpClient,
  options: Partial<HeroHealthConfigOptions>,
  store?: RateLimitStore.Service
) =>
  HeroHealthClient.make.pipe(
    Effect.provide(Layer.mergeAll(
      HeroHealthConfig.layer({
        baseUrl: "https://api.test.invalid",
        apiKey: Redacted.make(apiKey),
        practiceGroupId,
        ...options
      }),
      Layer.succeed(HttpClient.HttpClient, client),
      store === undefined ? Layer.empty : Layer.succeed(RateLimitStore.RateLimitStore, store)
    ))
  )

const calls = (hero: HeroHealthClient["Type"], n: number) =>
  Effect.fork(Effect.all(Array.from({ length: n }, () => Effect.either(hero.getPatientById(id))), {
    concurrency: "unbounded"
  }))

/** The most admissions any window of the server's length holds. */
const busiestWindow = (exchanges: ReadonlyArray<Exchange>, windowMillis: number) => {
  const at = exchanges.filter((x) => x.status === 200).map((x) => x.arrivedAt).sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= windowMillis) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

describe("the sliding window counted from responses (the default)", () => {
  // The first requests travel slowly (a cold connection, a stalled event loop: 300 ms), the rest
  // at once; the server answers 100 ms after admitting. Counting from reservations, the second
  // second's requests leave 1.05 s after the first ones did, arrive before the first ones are
  // a second old at the server, and are refused. Counting from responses, no place is reused
  // before a window has passed since the server answered, so none is.
  const server = () =>
    slidingServer({ limit: 2, windowMillis: 1_000, transitMillis: (i) => (i < 2 ? 300 : 0), latencyMillis: 100 })

  it.effect("a server admitting on arrival and answering later: no 429 from the default limiter", () =>
    seeded(Effect.gen(function*() {
      const s = server()
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 2, interval: "1 second" } })
      const fiber = yield* calls(hero, 8)
      yield* TestClock.adjust(20_000)
      const results = yield* Fiber.join(fiber)
      expect(results.every((r) => r._tag === "Right")).toBe(true)
      expect(s.exchanges.filter((x) => x.status === 429)).toHaveLength(0)
      expect(s.exchanges).toHaveLength(8)
      expect(busiestWindow(s.exchanges, 1_000)).toBe(2)
      // Each place is reused one window after its response: 0 → 400 (answered) → 1400 → 1800 …
      expect(s.sends).toStrictEqual([0, 0, 1_400, 1_400, 2_500, 2_500, 3_600, 3_600])
    })))

  it.effect("the same server and limit counted from reservations (the earlier algorithm) draws 429s", () =>
    seeded(Effect.gen(function*() {
      const s = server()
      const hero = yield* heroWith(s.client, {
        rateLimit: { limit: 2, interval: "1 second", countFrom: "reservation", adaptive: false },
        policies: { getPatientById: { maxThrottledRetries: 0 } }
      })
      const fiber = yield* calls(hero, 8)
      yield* TestClock.adjust(20_000)
      yield* Fiber.join(fiber)
      expect(s.exchanges.filter((x) => x.status === 429).length).toBeGreaterThan(0)
    })))

  it.effect("a request in flight keeps its place until its response arrives", () =>
    Effect.gen(function*() {
      const s = slidingServer({ limit: 1, windowMillis: 1_000, latencyMillis: 5_000 })
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 1, interval: "1 second" } })
      const fiber = yield* calls(hero, 2)
      yield* TestClock.adjust(5_999)
      // Answered at 5 s: its place is free a window later, not a window after it was sent.
      expect(s.sends).toStrictEqual([0])
      yield* TestClock.adjust(1)
      expect(s.sends).toStrictEqual([0, 6_000])
      yield* TestClock.adjust(5_000)
      yield* Fiber.join(fiber)
    }))

  it.effect("an interrupted request settles: it counts from the interruption, its place is not leaked", () =>
    Effect.gen(function*() {
      const s = slidingServer({ limit: 1, windowMillis: 1_000, fault: (i) => (i === 0 ? "hang" : undefined) })
      const { counts, store } = yield* countingStore
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 1, interval: "1 second" } }, store)
      const hung = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(0)
      const next = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(2_000)
      expect(s.sends).toStrictEqual([0]) // the hung request still holds the only place
      yield* Fiber.interrupt(hung)
      expect(counts.settle).toBe(1)
      yield* TestClock.adjust(999)
      expect(s.sends).toStrictEqual([0])
      yield* TestClock.adjust(1)
      expect(s.sends).toStrictEqual([0, 3_000])
      expect((yield* Fiber.join(next)).id).toBe("1001")
      expect(counts.settle).toBe(2)
    }))

  it.effect("a request that certainly never reached the server (connection refused) frees its place at once", () =>
    seeded(Effect.gen(function*() {
      const s = slidingServer({ limit: 1, windowMillis: 1_000, fault: (i) => (i === 0 ? "refused" : undefined) })
      const { counts, store } = yield* countingStore
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 1, interval: "1 second" } }, store)
      const call = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(999)
      // The retry goes after its backoff (under a second), not a window after the refusal.
      expect(s.sends).toHaveLength(2)
      expect(s.sends[1]!).toBeLessThan(1_000)
      expect(counts.released).toBe(1)
      expect((yield* Fiber.join(call)).id).toBe("1001")
      expect(counts.settle).toBe(counts.taken)
    })))

  it.effect("a call interrupted while it waits for a place holds none", () =>
    Effect.gen(function*() {
      const s = slidingServer({ limit: 1, windowMillis: 1_000, fault: (i) => (i === 0 ? "hang" : undefined) })
      const { counts, store } = yield* countingStore
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 1, interval: "1 second" } }, store)
      const hung = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(0)
      const waiting = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(1_500)
      expect(counts.acquire).toBeGreaterThan(1) // it asked, and was told to wait
      yield* Fiber.interrupt(waiting)
      yield* Fiber.interrupt(hung)
      expect(s.sends).toStrictEqual([0])
      expect(counts.taken).toBe(1)
      expect(counts.settle).toBe(1)
      // The window holds only the interrupted flight, counted from its interruption (1.5 s).
      const later = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(1_000)
      expect(s.sends).toStrictEqual([0, 2_500])
      yield* Fiber.join(later)
    }))

  it.effect("in-memory store: a call that took its operation's place at once, then waits for the client-wide one, frees it when interrupted", () =>
    Effect.gen(function*() {
      // The in-memory store (no store given): the limiter's synchronous pass takes the
      // operation's place, finds the client-wide window full, and goes on the Effect way.
      const s = slidingServer({ limit: 10, windowMillis: 1_000, fault: (i) => (i <= 1 ? "hang" : undefined) })
      const hero = yield* heroWith(s.client, {
        rateLimit: { limit: 2, interval: "1 second", adaptive: false },
        policies: { getPatientById: { rateLimit: { limit: 2, interval: "1 second" } } }
      })
      const first = yield* Effect.fork(hero.getPatientById(id)) // operation 1 of 2, client-wide 1 of 2
      yield* TestClock.adjust(0)
      const other = yield* Effect.fork(hero.listPatientEhrCandidates(id)) // client-wide 2 of 2
      yield* TestClock.adjust(0)
      const waiting = yield* Effect.fork(hero.getPatientById(id)) // operation 2 of 2, then waits
      yield* TestClock.adjust(500)
      expect(s.sends).toStrictEqual([0, 0])
      yield* Fiber.interrupt(waiting) // never sent: its operation place is freed
      yield* Fiber.interrupt(other) // counts in the client-wide window until 1.5 s
      const next = yield* Effect.fork(hero.getPatientById(id))
      yield* TestClock.adjust(999)
      expect(s.sends).toStrictEqual([0, 0])
      // A leaked operation place would keep the operation's window full (the first call still
      // in flight, and the leak) until it was presumed lost, a minute later.
      yield* TestClock.adjust(1)
      expect(s.sends).toStrictEqual([0, 0, 1_500])
      expect((yield* Fiber.join(next)).id).toBe("1001")
      yield* Fiber.interrupt(first)
    }))

  it.effect("places freed by a hold: requests held back by a 429 do not keep places they did not use", () =>
    seeded(Effect.gen(function*() {
      const { counts, store } = yield* countingStore
      const s = slidingServer({ limit: 1, windowMillis: 1_000 })
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 5, interval: "1 second", adaptive: false } }, store)
      // The server allows 1 per second: three of the four are 429s with Retry-After 1, which
      // hold the key; their retries take places, find the hold, and give the places back.
      const fiber = yield* calls(hero, 4)
      yield* TestClock.adjust(30_000)
      const results = yield* Fiber.join(fiber)
      expect(results.every((r) => r._tag === "Right")).toBe(true)
      expect(counts.released).toBeGreaterThan(0)
      expect(counts.settle).toBe(counts.taken)
      expect(s.exchanges.filter((x) => x.status === 200)).toHaveLength(4)
    })))

  it.effect("waiting callers ask the store one at a time: one question per place, plus one per wait", () =>
    Effect.gen(function*() {
      const { counts, store } = yield* countingStore
      const s = slidingServer({ limit: 2, windowMillis: 1_000 })
      const hero = yield* heroWith(s.client, { rateLimit: { limit: 2, interval: "1 second" } }, store)
      const fiber = yield* calls(hero, 10)
      yield* TestClock.adjust(10_000)
      yield* Fiber.join(fiber)
      expect(s.sends).toStrictEqual([0, 0, 1_000, 1_000, 2_000, 2_000, 3_000, 3_000, 4_000, 4_000])
      // 10 places taken; in each of the first four windows the head of the queue learns the wait
      // once. Eight callers polling each would ask many times more.
      expect(counts.acquire).toBe(14)
      expect(counts.settle).toBe(10)
    }))

  it.effect("a limit wait that would outlast the deadline fails at once as RateLimited (heldBack), nothing sent", () =>
    Effect.gen(function*() {
      const s = slidingServer({ limit: 1, windowMillis: 10_000 })
      const hero = yield* heroWith(s.client, {
        rateLimit: { limit: 1, interval: "10 seconds" },
        policies: { getPatientById: { deadline: "5 seconds" } }
      })
      yield* hero.getPatientById(id)
      const error = yield* Effect.flip(hero.getPatientById(id))
      expect(error).toMatchObject({ _tag: "RateLimited", heldBack: true })
      expect(s.sends).toStrictEqual([0])
    }))
})

describe("adaptive and the store", () => {
  // One success, then a 429 (Retry-After 1 s) at 0; then 20 calls. How many go when the hold ends?
  const sentAtHoldEnd = (shared: boolean) =>
    seeded(Effect.gen(function*() {
      const memory = yield* RateLimitStore.makeMemory
      const { client, requests } = yield* scripted([
        { status: 200, body: wirePatientV1 },
        { status: 429, headers: { "retry-after": "1" } },
        { status: 200, body: wirePatientV1 }
      ])
      const hero = yield* heroWith(client, {
        rateLimit: { limit: 10, interval: "1 second" },
        policies: { getPatientById: { maxThrottledRetries: 0 } }
      }, { ...memory, shared })
      yield* hero.getPatientById(id)
      yield* Effect.flip(hero.getPatientById(id))
      const fiber = yield* calls(hero, 20)
      yield* TestClock.adjust(1_000)
      const sent = (yield* requests).length - 2
      yield* TestClock.adjust(60_000)
      yield* Fiber.join(fiber)
      return sent
    }))

  it.effect("with a shared store a 429 does not lower the client-wide limit (adaptive defaults to off)", () =>
    Effect.gen(function*() {
      expect(yield* sentAtHoldEnd(true)).toBe(10)
      // With a store of one process the limit drops to the one success, and has climbed to 2.
      expect(yield* sentAtHoldEnd(false)).toBe(2)
    }))
})

describe("the memory store's response-counted window", () => {
  const request = (ticket: string, nowMillis: number, lostAfterMillis = 60_000) => ({
    key: "k",
    limit: 2,
    intervalMillis: 1_000,
    ticket,
    nowMillis,
    lostAfterMillis
  })
  const settled = (ticket: string, nowMillis: number, mayHaveReachedServer = true) => ({
    key: "k",
    ticket,
    intervalMillis: 1_000,
    nowMillis,
    mayHaveReachedServer
  })

  it.effect("places in flight count; answered ones count for a window from their response; freed ones not at all", () =>
    Effect.gen(function*() {
      const store = yield* RateLimitStore.makeMemory
      expect(store.shared).toBe(false)
      expect(yield* store.acquireSliding(request("a", 0))).toStrictEqual({ _tag: "Taken" })
      expect(yield* store.acquireSliding(request("b", 0))).toStrictEqual({ _tag: "Taken" })
      // Both in flight: nothing frees before a window from now (a response now is the earliest).
      expect(yield* store.acquireSliding(request("c", 0))).toStrictEqual({ _tag: "Wait", millis: 1_000 })
      yield* store.settleSliding(settled("a", 300))
      expect(yield* store.acquireSliding(request("c", 500))).toStrictEqual({ _tag: "Wait", millis: 800 })
      yield* store.settleSliding(settled("b", 600, false))
      expect(yield* store.acquireSliding(request("c", 600))).toStrictEqual({ _tag: "Taken" })
      expect(yield* store.acquireSliding(request("d", 1_299))).toStrictEqual({ _tag: "Wait", millis: 1 })
      expect(yield* store.acquireSliding(request("d", 1_300))).toStrictEqual({ _tag: "Taken" })
    }))

  it.effect("a place never settled (its process crashed) is presumed lost after its bound", () =>
    Effect.gen(function*() {
      const store = yield* RateLimitStore.makeMemory
      yield* store.acquireSliding(request("a", 0, 5_000))
      yield* store.acquireSliding(request("b", 0, 5_000))
      expect(yield* store.acquireSliding(request("c", 4_500))).toStrictEqual({ _tag: "Wait", millis: 500 })
      expect(yield* store.acquireSliding(request("c", 5_000))).toStrictEqual({ _tag: "Taken" })
    }))

  it.effect("a lower limit (learned) waits for as many places to leave as it is over", () =>
    Effect.gen(function*() {
      const store = yield* RateLimitStore.makeMemory
      for (const [ticket, at] of [["a", 0], ["b", 100], ["c", 200]] as const) {
        yield* store.acquireSliding({ ...request(ticket, at), limit: 3 })
        yield* store.settleSliding(settled(ticket, at))
      }
      // Limit 1 with 3 answered: the third must leave (200 + 1000).
      expect(yield* store.acquireSliding({ ...request("d", 300), limit: 1 })).toStrictEqual({
        _tag: "Wait",
        millis: 900
      })
    }))
})
