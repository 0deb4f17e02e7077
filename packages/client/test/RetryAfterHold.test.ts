import { describe, expect, it } from "@effect/vitest"
import { isCertainlyUnsent, isOutcomeUnknown } from "@hero-effect/client/HeroHealthError"
import { PatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { Effect, Fiber, TestClock } from "effect"
import { clientWith, wirePatientV1 } from "./support/scripted.js"

// D1: one 429 with a Retry-After longer than the client will ever wait must not poison the key.
// That call returns RateLimited with the server's wait; the hold it sets lasts at most the
// operation's `maxRetryAfter` (30 s by default); a call a hold blocks is RateLimited with
// `heldBack` (nothing sent), never a Timeout. All under TestClock (it starts at the epoch).
const id = PatientId.make("1001")
const ok = { status: 200, body: wirePatientV1 }
const farDate = "Fri, 01 Jan 2100 00:00:00 GMT"

describe("a long Retry-After does not poison later calls", () => {
  for (
    const [retryAfter, millis] of [
      ["99999999", 99_999_999_000],
      ["86400", 86_400_000],
      [farDate, Date.parse(farDate)]
    ] as const
  ) {
    it.effect(`Retry-After ${retryAfter}: RateLimited for that call; the next call waits at most 30 s, then is sent`, () =>
      Effect.gen(function*() {
        const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": retryAfter } }, ok])
        const first = yield* Effect.flip(hero.getPatientById(id))
        expect(first).toMatchObject({ _tag: "RateLimited", retryAfterMillis: millis })
        expect(first).not.toHaveProperty("heldBack", true)
        expect(yield* count).toBe(1)

        const second = yield* Effect.fork(Effect.either(hero.getPatientById(id)))
        yield* TestClock.adjust(29_999)
        expect(yield* count).toBe(1) // still held back (capped at maxRetryAfter: 30 s)
        yield* TestClock.adjust(1)
        const result = yield* Fiber.join(second)
        expect(result).toMatchObject({ _tag: "Right", right: { id: "1001" } })
        expect(yield* count).toBe(2)
      }))
  }

  it.effect("onRateLimitHold: \"fail\": a held-back call fails at once as RateLimited, not sent, never a Timeout", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "86400" } }, ok], {
        onRateLimitHold: "fail"
      })
      yield* Effect.flip(hero.getPatientById(id))
      const write = yield* Effect.flip(
        hero.mergePatient(id, { mergeToken: makeMergeToken("t"), incomingPatientId: PatientId.make("1002") })
      )
      expect(write).toMatchObject({ _tag: "RateLimited", heldBack: true, retryAfterMillis: 30_000 })
      expect(isCertainlyUnsent(write)).toBe(true)
      expect(isOutcomeUnknown(write)).toBe(false)
      expect(write.message).toContain("not sent")
      expect(yield* count).toBe(1)
      yield* TestClock.adjust(30_000)
      expect((yield* hero.getPatientById(id)).id).toBe("1001")
      expect(yield* count).toBe(2)
    }))

  it.effect("a hold that outlasts the call's deadline fails it as RateLimited (heldBack), not Timeout(deadline)", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "20" } }, ok], {
        policies: {
          getPatientById: { maxRetries: 0, maxThrottledRetries: 0 },
          connectPatientEhr: { deadline: "10 seconds" }
        }
      })
      const first = yield* Effect.flip(hero.getPatientById(id))
      expect(first).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 20_000 })
      // The 429 also lowered the client-wide limit (adaptive): the connect queues about 1 s first.
      const fiber = yield* Effect.fork(Effect.flip(hero.connectPatientEhr(id, { ehrPartnerId: "E1" as never })))
      yield* TestClock.adjust(2_000)
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "RateLimited", heldBack: true })
      expect(isOutcomeUnknown(error)).toBe(false)
      expect(yield* count).toBe(1)
    }))

  it.effect("a hold longer than another operation's maxRetryAfter fails that operation fast, not as a timeout", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "120" } }, ok], {
        policies: {
          listPatientAttachments: { maxRetryAfter: "5 minutes", maxThrottledRetries: 0 },
          getPatientById: { maxRetryAfter: "10 seconds" }
        }
      })
      yield* Effect.flip(hero.listPatientAttachments(id))
      const fiber = yield* Effect.fork(Effect.flip(hero.getPatientById(id)))
      yield* TestClock.adjust(2_000)
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "RateLimited", heldBack: true })
      expect(error._tag === "RateLimited" && error.retryAfterMillis).toBeGreaterThan(100_000)
      expect(yield* count).toBe(1)
    }))

  it.effect("82 calls after one day-long Retry-After: none is a Timeout; those sent go once the capped hold ends", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 429, headers: { "retry-after": "86400" } }, ok])
      yield* Effect.flip(hero.getPatientById(id))
      const fibers = yield* Effect.forEach(
        Array.from({ length: 82 }, (_, i) => i),
        () => Effect.fork(Effect.either(hero.getPatientById(id)))
      )
      yield* TestClock.adjust(60_000)
      const results = yield* Fiber.joinAll(fibers)
      // The 429 lowered the client-wide limit (adaptive), so not all fit before their deadline;
      // those that do not were never sent and say so: RateLimited (heldBack), never a Timeout.
      const failures = results.flatMap((r) => r._tag === "Left" ? [r.left] : [])
      for (const failure of failures) {
        expect(failure).toMatchObject({ _tag: "RateLimited", heldBack: true })
      }
      expect(yield* count).toBe(1 + results.length - failures.length)
      expect(results.length - failures.length).toBeGreaterThan(0)
    }))
})
