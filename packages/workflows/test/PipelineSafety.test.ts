import { describe, expect, it } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Faults, Sandbox } from "@hero-effect/sandbox"
import { SeedFile } from "@hero-effect/sandbox"
import { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Batch, Journal, PatientLease, Pipeline } from "@hero-effect/workflows"
import { Effect, Fiber, Layer, Stream, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const exampleWorld = SeedFile.decodeSync(JSON.parse(fs.readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../sandbox/examples/seed.example.json"),
  "utf8"
)))

// Resource safety of the pipeline: interruption at any step releases leases and never leaves a
// token that a later run could use; two runs over the same patients never touch one patient at
// once. The example world has a same-person pair: 100002 is merged into 100001 once 100001 holds
// the EHR record 5000001.
const p = (s: string) => PatientId.make(s)

const layers = (faults: Sandbox.SandboxOptions["faults"] = []) =>
  Layer.mergeAll(
    Sandbox.layerClient({ world: exampleWorld, faults }),
    Journal.layerMemory,
    PatientLease.layerMemory,
    Approver.layerAutomatic
  )

/** Forks an effect and advances the TestClock until it is done (bounded). */
const withClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) yield* TestClock.adjust("50 millis")
    return yield* Fiber.join(fiber)
  })

const leasesFree = (...ids: ReadonlyArray<string>) =>
  Effect.scoped(Effect.either(PatientLease.tryAcquire(ids.map(PatientLease.patientKey))))

describe("interruption", () => {
  it.effect("interrupted while connectPatientEhr hangs: lease released, a re-run links once", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      yield* sandbox.setFaults([Faults.scripted("connectPatientEhr", [1], Faults.Fault.Hang())])
      const fiber = yield* Effect.fork(Pipeline.processPatient({ runId: "interrupted" }, p("100001")))
      yield* TestClock.adjust("1 second")
      expect(fiber.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(fiber)
      expect(yield* leasesFree("100001")).toMatchObject({ _tag: "Right" })
      const outcome = yield* withClock(Pipeline.processPatient({ runId: "again" }, p("100001")))
      expect(outcome._tag).toBe("Linked")
      expect((yield* sandbox.counters).connectsApplied("100001", "5000001")).toBe(1)
    }).pipe(Effect.provide(layers())))

  for (
    const operation of ["getPatientById", "listPatientEhrCandidates", "previewPatientMerge", "mergePatient"] as const
  ) {
    it.effect(`interrupted while ${operation} hangs: leases released, nothing half-done, a re-run finishes once`, () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        // 100001 first takes the EHR record, so 100002's run goes through preview and merge.
        const first = yield* withClock(Pipeline.processPatient({ runId: "setup" }, p("100001")))
        expect(first._tag).toBe("Linked")
        yield* sandbox.setFaults([Faults.scripted(operation, [1], Faults.Fault.Hang())])

        const fiber = yield* Effect.fork(Pipeline.processPatient({ runId: "interrupted" }, p("100002")))
        yield* TestClock.adjust("1 second") // long enough to reach the hanging call, shorter than its timeout
        expect(fiber.unsafePoll()).toBeNull()
        yield* Fiber.interrupt(fiber)

        expect(yield* leasesFree("100001", "100002")).toMatchObject({ _tag: "Right" })
        expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(0)

        const outcome = yield* withClock(Pipeline.processPatient({ runId: "again" }, p("100002")))
        expect(outcome._tag).toBe("Merged")
        expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
        // The token of the interrupted attempt was never used: the merge that happened followed a
        // fresh preview of the re-run.
        const exchanges = (yield* sandbox.exchanges).map((x) => x.operation)
        const lastPreview = exchanges.lastIndexOf("previewPatientMerge")
        const merges = exchanges.flatMap((op, i) => (op === "mergePatient" ? [i] : []))
        expect(merges.at(-1)).toBeGreaterThan(lastPreview)
      }).pipe(Effect.provide(layers())))
  }
})

describe("concurrent runs", () => {
  it.effect("two runs over the same patients never work on one patient at once, and merge once", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const inner = yield* HeroHealthClient
      // A client that counts, per patient, calls in flight from both runs.
      const inFlight = new Map<string, number>()
      let overlaps = 0
      const track = <A, E>(ids: ReadonlyArray<string>, effect: Effect.Effect<A, E>) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            for (const id of ids) {
              const n = (inFlight.get(id) ?? 0) + 1
              if (n > 1) overlaps++
              inFlight.set(id, n)
            }
          }),
          () => effect,
          () => Effect.sync(() => ids.forEach((id) => inFlight.set(id, (inFlight.get(id) ?? 1) - 1)))
        )
      const tracked: HeroHealthClientService = {
        ...inner,
        connectPatientEhr: (id, request) => track([id], inner.connectPatientEhr(id, request)),
        previewPatientMerge: (id, request) =>
          track([id, request.incomingPatientId], inner.previewPatientMerge(id, request)),
        mergePatient: (id, request) => track([id, request.incomingPatientId], inner.mergePatient(id, request))
      }
      const ids = sandbox.world.patients.map((x) => x.id)
      const batch = (runId: string) =>
        Batch.run(Stream.fromIterable(ids), { runId, concurrency: 4 }).pipe(
          Effect.provideService(HeroHealthClient, tracked),
          // Each run keeps its own journal; only the lease service is shared.
          Effect.provide(Journal.layerMemory)
        )
      const [a, b] = yield* withClock(Effect.all([batch("run-a"), batch("run-b")], { concurrency: 2 }))
      expect(a.total).toBe(ids.length)
      expect(b.total).toBe(ids.length)
      expect(overlaps).toBe(0)
      const counters = yield* sandbox.counters
      // Whichever run linked first keeps the record; the pair is merged once, in one direction.
      expect(counters.mergesApplied("100001", "100002") + counters.mergesApplied("100002", "100001")).toBe(1)
      expect(counters.connectsApplied("100001", "5000001") + counters.connectsApplied("100002", "5000001")).toBe(1)
    }).pipe(Effect.provide(layers([
      // Slow writes so the two runs really interleave.
      Faults.random({
        operation: "*",
        probability: 1,
        faults: [Faults.Fault.Latency({ duration: "200 millis" })],
        seed: 1
      })
    ]))))
})

describe("unknown outcomes", () => {
  it.effect("a lost merge that cannot be verified stays in progress; the next run verifies it and does not merge again", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      yield* withClock(Pipeline.processPatient({ runId: "setup" }, p("100001")))
      // The merge's response is lost, and every read after it fails, so it cannot be verified now.
      yield* sandbox.setFaults([
        Faults.scripted("mergePatient", [1], Faults.Fault.AppliedThenLost()),
        Faults.scripted("getPatientById", [3, 4, 5, 6, 7, 8, 9], Faults.Fault.Status({ status: 503 }))
      ])
      const first = yield* withClock(Pipeline.processPatient({ runId: "lost" }, p("100002")))
      expect(first).toMatchObject({ _tag: "Failed", outcomeUnknown: true })
      expect(yield* Journal.state(p("100002"))).toMatchObject({ _tag: "InProgress", pending: { step: "merge" } })
      expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)

      yield* sandbox.setFaults([])
      const second = yield* withClock(Pipeline.processPatient({ runId: "resume" }, p("100002")))
      expect(second).toMatchObject({ _tag: "Merged", mainPatientId: "100001", incomingPatientId: "100002" })
      expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
      expect((yield* sandbox.exchanges).filter((x) => x.operation === "mergePatient")).toHaveLength(1)
      expect(yield* Journal.state(p("100002"))).toMatchObject({ _tag: "Finished" })
    }).pipe(Effect.provide(layers())))

  it.effect("a merge the server confirmed is Merged even when the verification read fails", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      yield* withClock(Pipeline.processPatient({ runId: "setup" }, p("100001")))
      yield* sandbox.setFaults([
        Faults.scripted("getPatientById", [3, 4, 5, 6, 7, 8, 9], Faults.Fault.Status({ status: 503 }))
      ])
      const outcome = yield* withClock(Pipeline.processPatient({ runId: "confirmed" }, p("100002")))
      expect(outcome._tag).toBe("Merged")
      expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
    }).pipe(Effect.provide(layers())))
})
