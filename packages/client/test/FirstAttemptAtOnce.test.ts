import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig, type Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import * as Transport from "@hero-effect/client/HeroHealthTransport"
import { PatientId } from "@hero-effect/schema/Ids"
import { Effect, Exit, Fiber, Layer, Random, Redacted, TestClock } from "effect"
import type { ExchangeHandler } from "../src/internal/dispatch.js"
import { fromDispatch } from "../src/internal/dispatch.js"
import { apiKey, practiceGroupId, wirePatientV1 } from "./support/scripted.js"

// A transport with a callback face (as the client's undici transport has) on the in-memory store:
// the engine runs a call's first attempt at once (`internal/call.ts`). These pin that it keeps
// the Effect way's rules: places settled however the attempt ends, the exchange stopped on
// interruption, failures handed to the same retries, a limiter that cannot pass at once going on
// the Effect way. No sockets: the fake exchange answers on the next turn of the event loop.

type Reply = { readonly status: number } | "hang" | "refused" | "held"

const fakeDispatch = (script: ReadonlyArray<Reply>) => {
  const log = { dispatched: 0, cancelled: 0, answered: 0 }
  // The "held" exchanges, answered 200 when the test releases them.
  const held: Array<() => void> = []
  const transport = fromDispatch((_request, handler: ExchangeHandler) => {
    const reply = script[Math.min(log.dispatched, script.length - 1)]!
    log.dispatched++
    let cancelled = false
    if (reply === "refused") {
      setImmediate(() =>
        handler.onFailure(
          new Transport.TransportError({ kind: "failed", mayHaveReachedServer: false, reason: "ECONNREFUSED" })
        )
      )
    } else if (reply !== "hang") {
      const answer = () => {
        if (cancelled) return
        log.answered++
        const status = reply === "held" ? 200 : reply.status
        handler.onResponse({
          status,
          headers: { "content-type": "application/json" },
          text: status === 200 ? JSON.stringify(wirePatientV1) : "{}"
        })
      }
      if (reply === "held") held.push(answer)
      else setImmediate(answer)
    }
    return {
      cancel: () => {
        cancelled = true
        log.cancelled++
      }
    }
  })
  return { log, transport, release: () => held.splice(0).forEach((answer) => answer()) }
}

const clientOn = (transport: Transport.Service, options: Partial<HeroHealthConfigOptions> = {}) =>
  HeroHealthClient.layerTransport.pipe(
    Layer.provide(Layer.succeed(Transport.HeroHealthTransport, transport)),
    Layer.provide(HeroHealthConfig.layer({
      baseUrl: "https://api.example.test",
      apiKey: Redacted.make(apiKey),
      practiceGroupId,
      ...options
    }))
  )

const id = PatientId.make("1001")
const seeded = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withRandom(effect, Random.make(3))

// Lets the fake exchange's setImmediate run (the test fiber yields to the event loop).
const settleTurn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

describe("the first attempt at once", () => {
  it.effect("a 200 is one exchange, decoded", () => {
    const fake = fakeDispatch([{ status: 200 }])
    return Effect.gen(function*() {
      const hero = yield* HeroHealthClient
      const patient = yield* hero.getPatientById(id)
      expect(patient.id).toBe("1001")
      expect(fake.log).toEqual({ dispatched: 1, cancelled: 0, answered: 1 })
    }).pipe(Effect.provide(clientOn(fake.transport)))
  })

  it.effect("a 503 and then a 200: the first failure goes to the same retries", () => {
    const fake = fakeDispatch([{ status: 503 }, { status: 200 }])
    return Effect.gen(function*() {
      const hero = yield* HeroHealthClient
      const fiber = yield* Effect.fork(seeded(hero.getPatientById(id)))
      yield* settleTurn
      yield* TestClock.adjust("10 seconds")
      yield* settleTurn
      const patient = yield* Fiber.join(fiber)
      expect(patient.id).toBe("1001")
      expect(fake.log.dispatched).toBe(2)
    }).pipe(Effect.provide(clientOn(fake.transport)))
  })

  it.effect("a refused connection before sending frees the place at once: the next call goes", () => {
    const fake = fakeDispatch(["refused", { status: 200 }])
    return Effect.gen(function*() {
      const hero = yield* HeroHealthClient
      const first = yield* Effect.exit(hero.getPatientById(id))
      expect(Exit.isFailure(first)).toBe(true)
      // One place per minute: the refused attempt's place was freed, so the next one passes
      // without waiting (no clock moves here).
      const patient = yield* hero.getPatientById(id)
      expect(patient.id).toBe("1001")
    }).pipe(
      Effect.provide(clientOn(fake.transport, {
        rateLimit: { limit: 1, interval: "1 minute" },
        policies: { getPatientById: { retryOn: "never" } }
      }))
    )
  })

  it.effect("interrupted in flight: the exchange is stopped and its place settled, not left until presumed lost", () => {
    const fake = fakeDispatch(["hang", { status: 200 }])
    return Effect.gen(function*() {
      const hero = yield* HeroHealthClient
      const fiber = yield* Effect.fork(hero.getPatientById(id))
      yield* settleTurn
      expect(fake.log.dispatched).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(fake.log.cancelled).toBe(1)
      // The interrupted request may have reached the server: its place counts for the window
      // from now, then frees. Left unsettled it would count until the deadline plus 10 s.
      yield* TestClock.adjust("1100 millis")
      const next = yield* Effect.fork(hero.getPatientById(id))
      yield* settleTurn
      expect(fake.log.dispatched).toBe(2)
      expect((yield* Fiber.join(next)).id).toBe("1001")
    }).pipe(Effect.provide(clientOn(fake.transport, { rateLimit: { limit: 1, interval: "1 second" } })))
  })

  it.effect("a limiter that cannot pass at once: the attempt waits the Effect way, then goes", () => {
    const fake = fakeDispatch(["held", { status: 200 }])
    return Effect.gen(function*() {
      const hero = yield* HeroHealthClient
      // The first call holds the only place of the window while it is in flight.
      const first = yield* Effect.fork(hero.getPatientById(id))
      yield* settleTurn
      const second = yield* Effect.fork(hero.getPatientById(id))
      yield* settleTurn
      yield* TestClock.adjust("1100 millis")
      yield* settleTurn
      expect(fake.log.dispatched).toBe(1)
      // The first answers: its place counts for the window from now, then frees.
      fake.release()
      expect((yield* Fiber.join(first)).id).toBe("1001")
      yield* TestClock.adjust("1200 millis")
      yield* settleTurn
      expect(fake.log.dispatched).toBe(2)
      expect((yield* Fiber.join(second)).id).toBe("1001")
    }).pipe(Effect.provide(clientOn(fake.transport, { rateLimit: { limit: 1, interval: "1 second" } })))
  })
})
