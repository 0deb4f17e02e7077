import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox } from "@hero-effect/sandbox"
import { Approver, Batch, Journal, PatientLease, Pipeline } from "@hero-effect/workflows"
import { Effect, Layer, Stream } from "effect"

// The whole pipeline over a seeded sandbox world, checked against the world's ground truth.
const world = (options: Sandbox.SandboxOptions = {}) =>
  Layer.mergeAll(
    Sandbox.layerClient({ seed: 11, patients: 60, ...options }),
    Journal.layerMemory,
    PatientLease.layerMemory,
    Approver.layerAutomatic
  )

const allPatients = Effect.map(Sandbox.Sandbox, (s) => s.world.patients.map((p) => p.id))

const runAll = (concurrency: number, runId = "run-1") =>
  Effect.gen(function*() {
    const ids = yield* allPatients
    return yield* Batch.run(Stream.fromIterable(ids), { runId, concurrency, total: ids.length })
  })

const mergesOf = (
  counters: Sandbox.SandboxService extends { counters: Effect.Effect<infer C> } ? C : never,
  ids: ReadonlyArray<string>
) => {
  const [a, b] = ids
  return a === undefined || b === undefined ? 0 : counters.mergesApplied(a, b) + counters.mergesApplied(b, a)
}

describe("pipeline over a seeded world", () => {
  it.effect("every patient reaches an outcome; same-person duplicates are merged, twins and family never", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const report = yield* runAll(8)
      expect(report.total).toBe(sandbox.world.patients.length)
      expect(report.outcomes["Failed"] ?? 0).toBe(0)
      const counters = yield* sandbox.counters
      for (const truth of sandbox.truth) {
        const merges = mergesOf(counters, truth.heroIds)
        if (truth.kind === "twins" || truth.kind === "family") expect(merges, truth.kind).toBe(0)
        if (truth.kind === "samePerson") expect(merges, truth.kind).toBe(1)
        expect(merges, `${truth.kind} merged at most once`).toBeLessThanOrEqual(1)
      }
      expect(Batch.summary(report)).toContain("Run run-1")
    }).pipe(Effect.provide(world())))

  it.effect("the expected outcome for every duplicate kind", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const report = yield* runAll(8)
      const counters = yield* sandbox.counters
      const outcomeOf = (id: string) => report.patients.find((p) => p.patientId === id)?.outcome
      for (const truth of sandbox.truth) {
        const merges = mergesOf(counters, truth.heroIds)
        const outcomes = truth.heroIds.map((id) => outcomeOf(id))
        const tags = outcomes.map((o) => o?._tag)
        const reasons = outcomes.flatMap((o) => (o?._tag === "NeedsReview" ? o.reasons : []))
        switch (truth.kind) {
          case "samePerson":
          case "typo":
          case "changedSurname":
            // Merged automatically, whichever record the survivor rules keep.
            expect(merges, truth.kind).toBe(1)
            expect(tags).toContain("Merged")
            break
          case "twins":
          case "family":
            expect(merges, truth.kind).toBe(0)
            expect(tags.every((t) => t === "Linked"), truth.kind).toBe(true)
            break
          case "alreadyLinked":
            expect(tags).toStrictEqual(["AlreadyLinked"])
            break
          case "restricted":
            expect(merges).toBe(0)
            expect(reasons).toContain("RESTRICTED")
            break
          case "deceased":
            // A conflict a person can resolve: review, never a silent refusal.
            expect(merges).toBe(0)
            expect(reasons).toContain("DECEASED_MISMATCH")
            expect(tags).not.toContain("Refused")
            break
          default:
            if (!truth.shouldMerge) expect(merges, truth.kind).toBe(0)
            else expect(merges === 1 || reasons.length > 0, truth.kind).toBe(true)
        }
      }
    }).pipe(Effect.provide(world())))

  it.effect("a second run over the same journal skips finished work and writes nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const first = yield* runAll(4, "run-1")
      const writes = (yield* sandbox.writeLog).length
      const second = yield* runAll(4, "run-2")
      expect((yield* sandbox.writeLog).length).toBe(writes)
      expect(second.outcomes).toStrictEqual(first.outcomes)
    }).pipe(Effect.provide(world())))

  it.effect("merges whose responses are lost are verified, never repeated", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const report = yield* runAll(8)
      const counters = yield* sandbox.counters
      expect(report.outcomes["Failed"] ?? 0).toBe(0)
      for (const truth of sandbox.truth) expect(mergesOf(counters, truth.heroIds)).toBeLessThanOrEqual(1)
      const lost = (yield* sandbox.faultLog).filter((f) => f.operation === "mergePatient")
      expect(lost.length).toBeGreaterThan(0)
      const merged = sandbox.truth.filter((t) => t.kind === "samePerson").map((t) => mergesOf(counters, t.heroIds))
      expect(merged.every((n) => n === 1)).toBe(true)
    }).pipe(Effect.provide(world({
      faults: [
        Faults.random({ operation: "mergePatient", probability: 1, faults: [Faults.Fault.AppliedThenLost()], seed: 3 })
      ]
    }))))

  it.effect("connects whose responses are lost are verified: nothing applied twice, failures are safe", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const report = yield* runAll(8)
      const counters = yield* sandbox.counters
      for (const truth of sandbox.truth) expect(mergesOf(counters, truth.heroIds)).toBeLessThanOrEqual(1)
      for (const w of yield* sandbox.writeLog) {
        if (w.operation === "connectPatientEhr" && w.other !== undefined) {
          expect(counters.connectsApplied(w.patientId, w.other)).toBeLessThanOrEqual(1)
        }
      }
      for (const p of report.patients) {
        if (p.outcome._tag === "Failed") expect(p.outcome.outcomeUnknown).toBe(false)
      }
    }).pipe(Effect.provide(world({
      faults: [
        Faults.random({
          operation: "connectPatientEhr",
          probability: 0.5,
          faults: [Faults.Fault.AppliedThenLost()],
          seed: 4
        })
      ]
    }))))

  it.effect("a dry run decides and merges nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const report = yield* runAll(8)
      expect((yield* sandbox.writeLog).filter((w) => w.operation === "mergePatient")).toHaveLength(0)
      expect(report.outcomes["Merged"] ?? 0).toBe(0)
    }).pipe(Effect.provide(Layer.mergeAll(
      Sandbox.layerClient({ seed: 11, patients: 60 }),
      Journal.layerMemory,
      PatientLease.layerMemory,
      Approver.layerDenyAll
    ))))

  it.effect("dryRun writes nothing at all, links included", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const ids = yield* allPatients
      const report = yield* Batch.run(Stream.fromIterable(ids), { runId: "dry", concurrency: 8, dryRun: true })
      expect(yield* sandbox.writeLog).toHaveLength(0)
      expect(report.outcomes["Linked"] ?? 0).toBe(0)
      expect(report.patients.some((p) => p.outcome._tag === "NeedsReview" && p.outcome.reasons.includes("would-link")))
        .toBe(true)
    }).pipe(Effect.provide(world())))

  it.effect("processPatient is usable on its own", () =>
    Effect.gen(function*() {
      const [first] = yield* allPatients
      const outcome = yield* Pipeline.processPatient({ runId: "single" }, first!)
      expect(outcome._tag).toBeDefined()
      expect(yield* Journal.state(first!)).toMatchObject({ _tag: "Finished" })
    }).pipe(Effect.provide(world())))
})

describe("large-run settings", () => {
  // The settings a 100,000-patient run uses to keep memory flat must not change a single outcome.
  it.effect("compact journal, no retained report, bounded write log: the same outcomes and writes", () =>
    Effect.gen(function*() {
      const reference = yield* runAll(8, "ref").pipe(Effect.provide(world()))
      const expected = new Map(reference.patients.map((p) => [p.patientId, p.outcome._tag]))
      const streamed = new Map<string, string>()
      const { counters, report, writeLog } = yield* Effect.gen(function*() {
        const ids = yield* allPatients
        const sandbox = yield* Sandbox.Sandbox
        const report = yield* Batch.run(Stream.fromIterable(ids), {
          runId: "large",
          concurrency: 8,
          retainPatients: false,
          onOutcome: (patientId, outcome) => Effect.sync(() => void streamed.set(patientId, outcome._tag))
        })
        return { report, counters: yield* sandbox.counters, writeLog: yield* sandbox.writeLog }
      }).pipe(Effect.provide(Layer.mergeAll(
        Sandbox.layerClient({ seed: 11, patients: 60, writeLogSize: 5 }),
        Journal.layerMemoryWith({ memory: "compact" }),
        PatientLease.layerMemory,
        Approver.layerAutomatic
      )))
      expect(report.patients).toStrictEqual([])
      expect(report.total).toBe(reference.total)
      expect(report.outcomes).toStrictEqual(reference.outcomes)
      expect(streamed).toStrictEqual(expected)
      expect(writeLog.length).toBe(5)
      expect(counters.writes).toBeGreaterThan(5)
      expect(writeLog[4]!.seq).toBe(counters.writes)
    }))
})
