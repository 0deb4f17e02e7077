import { describe, expect, it } from "@effect/vitest"
import * as RateLimitStore from "@hero-effect/client/RateLimitStore"
import { PatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { Effect, Fiber, Random, TestClock } from "effect"
import { clientWith, wirePatientV1 } from "./support/scripted.js"

const id = PatientId.make("1001")
const ok = { status: 200, body: wirePatientV1 }
const seeded = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withRandom(effect, Random.make(7))

// Advances the TestClock in small steps, so sleeps scheduled in between also fire.
const advance = (millis: number) => TestClock.adjust(millis)

describe("retries for reads", () => {
  it.effect("retries 503 twice with backoff in U[0.5,1]·500ms·2ⁿ, then succeeds", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 503 }, { status: 503 }, ok])
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(0)
      expect(yield* count).toBe(1)
      yield* advance(249)
      expect(yield* count).toBe(1) // first backoff is at least 250 ms
      yield* advance(251)
      expect(yield* count).toBe(2) // and at most 500 ms
      yield* advance(499)
      expect(yield* count).toBe(2) // second backoff is at least 500 ms
      yield* advance(501)
      expect(yield* count).toBe(3)
      const patient = yield* Fiber.join(fiber)
      expect(patient.id).toBe("1001")
    })))

  it.effect("gives up after 2 retries with the last error", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 502 }])
      const fiber = yield* Effect.fork(Effect.flip(hero.getPatientById(id)))
      yield* advance(10_000)
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ServerError", status: 502 })
      expect(yield* count).toBe(3)
    })))

  it.effect("does not retry 400, 401, 403, 404", () =>
    Effect.gen(function*() {
      for (const status of [400, 401, 403, 404]) {
        const { count, hero } = yield* clientWith([{ status }, ok])
        yield* Effect.flip(hero.getPatientById(id))
        expect(yield* count).toBe(1)
      }
    }))

  it.effect("retries network errors and timeouts of reads", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ fail: "reset" }, { hang: true }, ok], {
        policies: { getPatientById: { attemptTimeout: "2 seconds" } }
      })
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(10_000)
      expect((yield* Fiber.join(fiber)).id).toBe("1001")
      expect(yield* count).toBe(3)
    })))

  it.effect("honours Retry-After in seconds", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "3" } }, ok])
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(2_999)
      expect(yield* count).toBe(1)
      yield* advance(1)
      expect(yield* count).toBe(2)
      yield* Fiber.join(fiber)
    })))

  it.effect("honours Retry-After as an HTTP date", () =>
    seeded(Effect.gen(function*() {
      // TestClock starts at the epoch.
      const { count, hero } = yield* clientWith([
        { status: 429, headers: { "retry-after": "Thu, 01 Jan 1970 00:00:04 GMT" } },
        ok
      ])
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(3_999)
      expect(yield* count).toBe(1)
      yield* advance(1)
      expect(yield* count).toBe(2)
      yield* Fiber.join(fiber)
    })))

  it.effect("returns a 429 whose Retry-After is over the cap instead of waiting", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "120" } }, ok])
      const error = yield* Effect.flip(hero.getPatientById(id))
      expect(error).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 120_000 })
      expect(yield* count).toBe(1)
    }))
})

describe("writes are never repeated unless certainly unsent", () => {
  const merge = { mergeToken: makeMergeToken("tok"), incomingPatientId: PatientId.make("1002") }

  it.effect("a 5xx, a reset and a timeout on a write surface at once (outcome unknown)", () =>
    Effect.gen(function*() {
      for (
        const [reply, tag] of [[{ status: 503 }, "ServerError"], [{ fail: "reset" }, "NetworkError"], [
          { hang: true },
          "Timeout"
        ]] as const
      ) {
        const { count, hero } = yield* clientWith([reply, { status: 200 }])
        const fiber = yield* Effect.fork(Effect.flip(hero.mergePatient(id, merge)))
        yield* advance(60_000)
        const error = yield* Fiber.join(fiber)
        expect(error._tag).toBe(tag)
        if (error._tag === "NetworkError") expect(error.mayHaveReachedServer).toBe(true)
        expect(yield* count).toBe(1)
      }
    }))

  it.effect("a 429 and a refused connection on a write are retried", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([
        { status: 429, headers: { "retry-after": "1" } },
        { fail: "refused" },
        { status: 200 }
      ])
      const fiber = yield* Effect.fork(hero.connectPatientEhr(id, { ehrPartnerId: "E1" as never }))
      yield* advance(10_000)
      yield* Fiber.join(fiber)
      expect(yield* count).toBe(3)
    })))

  it.effect("per-operation overrides: a write can be made never to retry", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429 }, { status: 200 }], {
        policies: { connectPatientEhr: { retryOn: "never" } }
      })
      yield* Effect.flip(hero.connectPatientEhr(id, { ehrPartnerId: "E1" as never }))
      expect(yield* count).toBe(1)
    }))
})

describe("retry budget", () => {
  it.effect("stops retrying when the budget is spent, and successes refill it", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 503 }], {
        retryBudget: { capacity: 10, retryCost: 5, throttledRetryCost: 1, successRefund: 5 }
      })
      const first = yield* Effect.fork(Effect.flip(hero.getPatientById(id)))
      yield* advance(10_000)
      yield* Fiber.join(first)
      expect(yield* count).toBe(3) // two retries spent the 10 tokens
      yield* Effect.flip(hero.getPatientById(id))
      expect(yield* count).toBe(4) // no retry left
    })))
})

describe("retry budget and 429s", () => {
  it.effect("a 429 with Retry-After costs the throttled price: retried where a 503 would not be", () =>
    seeded(Effect.gen(function*() {
      const budget = { capacity: 2, retryCost: 5, throttledRetryCost: 1, successRefund: 0 }
      const throttled = yield* clientWith([{ status: 429, headers: { "retry-after": "1" } }, ok], {
        retryBudget: budget
      })
      const fiber = yield* Effect.fork(throttled.hero.getPatientById(id))
      yield* advance(10_000)
      expect((yield* Fiber.join(fiber)).id).toBe("1001")
      expect(yield* throttled.count).toBe(2)
      const outage = yield* clientWith([{ status: 503 }, ok], { retryBudget: budget })
      yield* Effect.flip(outage.hero.getPatientById(id))
      expect(yield* outage.count).toBe(1)
    })))

  it.effect("429s with Retry-After are counted apart from maxRetries, up to maxThrottledRetries", () =>
    seeded(Effect.gen(function*() {
      const paced = { status: 429, headers: { "retry-after": "1" } }
      // Five paced refusals, then success: more than maxRetries (2), within maxThrottledRetries (10).
      const patient = yield* clientWith([paced, paced, paced, paced, paced, ok])
      const fiber = yield* Effect.fork(patient.hero.getPatientById(id))
      yield* advance(30_000)
      expect((yield* Fiber.join(fiber)).id).toBe("1001")
      expect(yield* patient.count).toBe(6)
      // A bounded count all the same: with maxThrottledRetries 3 the fourth 429 is returned.
      const bounded = yield* clientWith([paced], { policies: { getPatientById: { maxThrottledRetries: 3 } } })
      const failed = yield* Effect.fork(Effect.flip(bounded.hero.getPatientById(id)))
      yield* advance(30_000)
      expect(yield* Fiber.join(failed)).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 1000 })
      expect(yield* bounded.count).toBe(4)
      // A 429 without Retry-After is an ordinary failure: maxRetries applies.
      const bare = yield* clientWith([{ status: 429 }])
      const plain = yield* Effect.fork(Effect.flip(bare.hero.getPatientById(id)))
      yield* advance(30_000)
      expect(yield* Fiber.join(plain)).toMatchObject({ _tag: "RateLimited" })
      expect(yield* bare.count).toBe(3)
    })))

  it.effect("requests released by the end of a hold queue through the limiter again", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "2" } }, ok], {
        rateLimit: { limit: 1, interval: "1 second" }
      })
      const first = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(0)
      const others = yield* Effect.fork(
        Effect.all([hero.getPatientById(id), hero.getPatientById(id)], { concurrency: "unbounded" })
      )
      yield* advance(2_000)
      expect(yield* count).toBeLessThanOrEqual(2) // not all three at the end of the hold
      yield* advance(10_000)
      yield* Fiber.join(first)
      yield* Fiber.join(others)
      expect(yield* count).toBe(4)
    })))
})

describe("timeouts", () => {
  it.effect("an attempt that hangs times out after attemptTimeout", () =>
    Effect.gen(function*() {
      const { hero } = yield* clientWith([{ hang: true }], {
        policies: { getPatientById: { attemptTimeout: "3 seconds", maxRetries: 0 } }
      })
      const fiber = yield* Effect.fork(Effect.flip(hero.getPatientById(id)))
      yield* advance(2_999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* advance(1)
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", scope: "attempt", afterMillis: 3000 })
    }))

  it.effect("the overall deadline bounds retries and waits", () =>
    seeded(Effect.gen(function*() {
      const { hero } = yield* clientWith([{ hang: true }], {
        policies: { getPatientById: { attemptTimeout: "10 seconds", deadline: "15 seconds" } }
      })
      const fiber = yield* Effect.fork(Effect.flip(hero.getPatientById(id)))
      yield* advance(15_000)
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", scope: "deadline" })
    })))
})

describe("client-side rate limiting", () => {
  it.effect("token-bucket paces calls: limit 2 per second bursts 2, then one every 500 ms", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([ok], {
        rateLimit: { limit: 2, interval: "1 second", algorithm: "token-bucket" }
      })
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 5 }, () => hero.getPatientById(id)), {
        concurrency: "unbounded"
      }))
      yield* advance(0)
      expect(yield* count).toBe(2)
      yield* advance(499)
      expect(yield* count).toBe(2)
      yield* advance(1)
      expect(yield* count).toBe(3)
      yield* advance(500)
      expect(yield* count).toBe(4)
      yield* advance(500)
      expect(yield* count).toBe(5)
      yield* Fiber.join(fiber)
    }))

  it.effect("sliding-window (the default): never more than limit in any interval, counted from responses", () =>
    Effect.gen(function*() {
      const { count, hero, requests } = yield* clientWith([ok], {
        rateLimit: { limit: 2, interval: "1 second" }
      })
      const sentAt: Array<number> = []
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 5 }, () => hero.getPatientById(id)), {
        concurrency: "unbounded"
      }))
      for (let t = 0; t <= 2_200; t += 50) {
        const before = yield* count
        yield* advance(t === 0 ? 0 : 50)
        const after = yield* count
        for (let i = before; i < after; i++) sentAt.push(t)
      }
      yield* Fiber.join(fiber)
      // The scripted server answers at once: each place is reused one interval after its response.
      expect(sentAt).toStrictEqual([0, 0, 1000, 1000, 2000])
      expect((yield* requests).length).toBe(5)
    }))

  it.effect("countFrom: \"reservation\": never more than limit reservations in any interval plus a 5% margin", () =>
    Effect.gen(function*() {
      const { count, hero, requests } = yield* clientWith([ok], {
        rateLimit: { limit: 2, interval: "1 second", countFrom: "reservation" }
      })
      const sentAt: Array<number> = []
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 5 }, () => hero.getPatientById(id)), {
        concurrency: "unbounded"
      }))
      for (let t = 0; t <= 2_200; t += 50) {
        const before = yield* count
        yield* advance(t === 0 ? 0 : 50)
        const after = yield* count
        for (let i = before; i < after; i++) sentAt.push(t)
      }
      yield* Fiber.join(fiber)
      expect(sentAt).toStrictEqual([0, 0, 1050, 1050, 2100])
      expect((yield* requests).length).toBe(5)
    }))

  it.effect("a per-operation limit applies on top of the client-wide one", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([ok], {
        policies: { getPatientById: { rateLimit: { limit: 1, interval: "1 second", margin: "0 millis" } } }
      })
      const fiber = yield* Effect.fork(Effect.all([hero.getPatientById(id), hero.getPatientById(id)], {
        concurrency: "unbounded"
      }))
      yield* advance(0)
      expect(yield* count).toBe(1)
      yield* advance(999)
      expect(yield* count).toBe(1)
      yield* advance(1)
      expect(yield* count).toBe(2)
      yield* Fiber.join(fiber)
    }))

  it.effect("retries pass the limiter too", () =>
    seeded(Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 503 }, ok], {
        rateLimit: { limit: 1, interval: "10 seconds", algorithm: "token-bucket" }
      })
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(9_999)
      expect(yield* count).toBe(1) // backoff is long over, but the bucket is empty until 10 s
      yield* advance(1)
      expect(yield* count).toBe(2)
      yield* Fiber.join(fiber)
    })))

  it.effect("a 429's Retry-After holds back every queued request of the key", () =>
    seeded(Effect.gen(function*() {
      const { count, hero, requests } = yield* clientWith([
        { status: 429, headers: { "retry-after": "2" } },
        ok
      ], { rateLimit: { limit: 10, interval: "1 second", adaptive: false } })
      const first = yield* Effect.fork(hero.getPatientById(id))
      yield* advance(0)
      expect(yield* count).toBe(1)
      const others = yield* Effect.fork(
        Effect.all([
          hero.listPatientAttachments(id).pipe(Effect.either),
          hero.patientBillingInfo(id).pipe(Effect.either)
        ], { concurrency: "unbounded" })
      )
      yield* advance(1_999)
      expect(yield* count).toBe(1) // nobody sends while the key is held
      yield* advance(1)
      expect(yield* count).toBe(4)
      yield* Fiber.join(first)
      yield* Fiber.join(others)
      expect((yield* requests).length).toBe(4)
    })))

  it.effect("adaptive: after a 429 the client-wide limit drops to what the server accepted, then climbs back", () =>
    seeded(Effect.gen(function*() {
      const paced = { status: 429, headers: { "retry-after": "1" } }
      // Per 1.05 s: how many requests went out (the window is 1 s, counted from responses).
      const sentPerWindow = (adaptive: boolean) =>
        Effect.gen(function*() {
          const { count, hero } = yield* clientWith([ok, ok, ok, ok, paced, ok], {
            rateLimit: { limit: 10, interval: "1 second", adaptive }
          })
          // Four accepted, the fifth refused: the server's allowance looks like 4 per interval.
          yield* Effect.fork(Effect.all(Array.from({ length: 5 }, () => hero.getPatientById(id)), { concurrency: 1 }))
          yield* advance(0)
          const burst = yield* Effect.fork(
            Effect.all(Array.from({ length: 40 }, () => hero.getPatientById(id)), { concurrency: "unbounded" })
          )
          const windows: Array<number> = []
          let before = yield* count
          for (let w = 0; w < 4; w++) {
            yield* advance(1_050)
            const now = yield* count
            windows.push(now - before)
            before = now
          }
          yield* advance(60_000)
          yield* Fiber.join(burst)
          // A minute without a 429 later, the limit is back at 10.
          const again = yield* Effect.fork(
            Effect.all(Array.from({ length: 12 }, () => hero.getPatientById(id)), { concurrency: "unbounded" })
          )
          const beforeAgain = yield* count
          yield* advance(0)
          const recovered = (yield* count) - beforeAgain
          yield* advance(60_000)
          yield* Fiber.join(again)
          return { windows, recovered }
        })
      const learned = yield* sentPerWindow(true)
      const fixed = yield* sentPerWindow(false)
      // Without learning, each window sends the configured 10; with it, the 4 the server accepted
      // plus one per interval since the 429 (queued requests ask again for every place).
      expect(fixed.windows).toStrictEqual([10, 10, 10, 10])
      expect(learned.windows).toStrictEqual([5, 6, 7, 8])
      expect(learned.recovered).toBe(10)
      expect(fixed.recovered).toBe(10)
    })))

  it.effect("the sliding-window store keeps only what can still hold a request back, with the same answers", () =>
    Effect.gen(function*() {
      // Reference: every reservation ever made, never trimmed.
      const reference = (log: Array<number>, limit: number, interval: number, now: number) => {
        const at = log.length >= limit ? Math.max(now, log[log.length - limit]! + interval) : now
        log.push(at)
        return at - now
      }
      let seed = 11
      const next = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        return seed % n
      }
      for (const [limit, interval] of [[1, 100], [3, 1000], [20, 1050], [1_000_000, 1000]] as const) {
        const store = yield* RateLimitStore.makeMemory
        const log: Array<number> = []
        let now = 0
        for (let i = 0; i < 2_000; i++) {
          now += next(4) === 0 ? next(3 * interval) : next(5)
          const delay = yield* store.reserveSliding("k", limit, interval, now)
          expect(delay).toBe(reference(log, limit, interval, now))
        }
      }
    }))
})
