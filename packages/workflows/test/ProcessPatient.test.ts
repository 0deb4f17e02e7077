// The pipeline as a durable workflow (ProcessPatient) over a seeded sandbox world, against the JSONL
// pipeline on the same world: the same outcomes and the same writes; a re-run of a run id answers
// from storage, a new run id processes again; a write activity that runs again after its write
// applied (the engine's at-least-once) verifies instead of writing twice; a merge whose token aged
// or was refused as expired previews again.
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import { Approver, DurableEngine } from "@hero-effect/workflows"
import type { Duration } from "effect"
import { Chunk, Clock, Context, Effect, Fiber, Layer, TestClock } from "effect"
import { durable, durableWorld, reference, sandboxLayer, type World } from "./support/durable.js"

describe("ProcessPatient on layerMemory", () => {
  it.effect("the same outcomes, the same writes and the same requests as the JSONL pipeline", () =>
    Effect.gen(function*() {
      const expected = yield* reference()
      const actual = yield* durable("ref").pipe(Effect.provide(durableWorld(DurableEngine.layerMemory)))
      expect(expected.report.outcomes["Merged"] ?? 0).toBeGreaterThan(0)
      expect(expected.report.outcomes["Linked"] ?? 0).toBeGreaterThan(0)
      expect(actual.report.patients).toStrictEqual(expected.report.patients)
      expect(actual.writes).toStrictEqual(expected.writes)
      expect(actual.requests).toBe(expected.requests)
    }))

  it.effect("a run id again returns the stored outcomes without a request; a new run id processes again", () =>
    Effect.gen(function*() {
      const first = yield* durable("run-1")
      const again = yield* durable("run-1")
      expect(again.report.patients).toStrictEqual(first.report.patients)
      expect(again.requests).toBe(first.requests)
      const next = yield* durable("run-2")
      expect(next.requests).toBeGreaterThan(first.requests)
      // The world has changed under the first run: nothing is written twice.
      for (const w of next.writes) {
        if (w.operation === "connectPatientEhr") expect(next.counters.connectsApplied(w.patientId, w.other!)).toBe(1)
        if (w.operation === "mergePatient") expect(next.counters.mergesApplied(w.patientId, w.other!)).toBe(1)
      }
      expect(next.report.outcomes["Merged"] ?? 0).toBe(0)
    }).pipe(Effect.provide(durableWorld(DurableEngine.layerMemory))))
})

/**
 * The client, except that the first connect of each link and the first merge of each pair is
 * interrupted just after the server applied it: the process "died" before the activity's result
 * was kept, so the engine runs the activity again (`Activity` retries an interrupted execution).
 */
const diesAfterWrites = (world: World): World =>
  Layer.effectContext(Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const sandbox = yield* Sandbox.Sandbox
    const seen = new Set<string>()
    const once = (key: string) => {
      if (seen.has(key)) return false
      seen.add(key)
      return true
    }
    const wrapped: HeroHealthClient["Type"] = {
      ...client,
      connectPatientEhr: (patientId, request) =>
        once(`connect:${patientId}:${request.ehrPartnerId}`)
          ? Effect.zipRight(client.connectPatientEhr(patientId, request), Effect.interrupt)
          : client.connectPatientEhr(patientId, request),
      mergePatient: (main, request) =>
        once(`merge:${main}:${request.incomingPatientId}`)
          ? Effect.zipRight(client.mergePatient(main, request), Effect.interrupt)
          : client.mergePatient(main, request)
    }
    return Context.make(HeroHealthClient, wrapped).pipe(Context.add(Sandbox.Sandbox, sandbox))
  })).pipe(Layer.provide(world))

/**
 * Runs `effect` under the TestClock, moving time only to a sleep due within a second (the
 * engine's retry of an interrupted activity); a client timeout, further away, never fires.
 */
const driven = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 200_000 && fiber.unsafePoll() === null; i++) {
      const now = yield* Clock.currentTimeMillis
      const next = Chunk.reduce(yield* TestClock.sleeps(), Infinity, (min, at) => Math.min(min, at))
      if (next <= now + 1000) yield* TestClock.adjust(Math.max(0, next - now))
      else yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    }
    return yield* Fiber.join(fiber)
  })

describe("write activities run at least once", () => {
  it.effect("a connect or merge executed again after its write applied verifies and does not write again", () =>
    Effect.gen(function*() {
      const expected = yield* reference()
      const actual = yield* driven(durable("ref")).pipe(
        Effect.provide(durableWorld(DurableEngine.layerMemory, diesAfterWrites(sandboxLayer())))
      )
      expect(expected.connects + expected.merges).toBeGreaterThan(0)
      // Every write activity ran twice; each write reached the server once.
      expect(actual.connects).toBe(expected.connects)
      expect(actual.merges).toBe(expected.merges)
      // The same writes (later on the clock: each re-execution waited for the engine's retry).
      const timeless = (writes: typeof actual.writes) => writes.map(({ at: _at, ...w }) => w)
      expect(timeless(actual.writes)).toStrictEqual(timeless(expected.writes))
      expect(actual.report.patients).toStrictEqual(expected.report.patients)
      // The re-executions read the records instead.
      expect(actual.requests).toBeGreaterThan(expected.requests)
    }))
})

/** Automatic approval, after `delay` for a merge (a person taking their time, an outage). */
const slowMergeApprover = (delay: Duration.DurationInput) =>
  Approver.layer(Approver.fromFunction((request) =>
    request.kind === "link"
      ? Approver.automatic.decide(request)
      : Effect.zipRight(TestClock.adjust(delay), Approver.automatic.decide(request))
  ))

describe("merge tokens", () => {
  it.effect("a token older than tokenMaxAge is not used: the merge previews again and merges", () =>
    Effect.gen(function*() {
      const approver = slowMergeApprover("20 minutes")
      // The journal's pipeline sends the expired token and is refused.
      const journaled = yield* reference(sandboxLayer(), approver)
      expect(JSON.stringify(journaled.report.patients)).toContain("MERGE_MERGE_TOKEN_EXPIRED")
      const plain = yield* reference()
      const actual = yield* durable("ref").pipe(
        Effect.provide(durableWorld(DurableEngine.layerMemory, sandboxLayer(), {}, approver))
      )
      expect(actual.report.patients).toStrictEqual(plain.report.patients)
      expect(actual.merges).toBe(plain.merges)
      expect(actual.previews).toBe(plain.previews + plain.merges)
    }))

  it.effect("a token refused as expired: the merge previews again and merges", () =>
    Effect.gen(function*() {
      const approver = slowMergeApprover("20 minutes")
      const plain = yield* reference()
      const actual = yield* durable("ref").pipe(
        Effect.provide(durableWorld(DurableEngine.layerMemory, sandboxLayer(), { tokenMaxAge: "1 hour" }, approver))
      )
      expect(actual.report.patients).toStrictEqual(plain.report.patients)
      // Each merge sent its old token (409 expired), then the new one.
      expect(actual.merges).toBe(2 * plain.merges)
      expect(actual.previews).toBe(plain.previews + plain.merges)
    }))
})
