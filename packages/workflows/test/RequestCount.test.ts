import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import { Approver, Batch, Journal, PatientLease } from "@hero-effect/workflows"
import { Effect, Layer, Stream } from "effect"

// What the batch asks the API, per operation: the calls each decision needs and no more.
const world = Layer.mergeAll(
  Sandbox.layerClient({ seed: 11, patients: 60 }),
  PatientLease.layerMemory,
  Approver.layerAutomatic
)

const runCounting = (options: { readonly populationCache?: boolean }) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    yield* sandbox.reset
    const ids = sandbox.world.patients.map((p) => p.id)
    // A fresh journal per run: a shared one would skip every patient the first run finished.
    const report = yield* Batch.run(Stream.fromIterable(ids), { runId: "count", concurrency: 4, ...options }).pipe(
      Effect.provide(Journal.layerMemory)
    )
    const byOperation: Record<string, number> = {}
    for (const x of yield* sandbox.exchanges) {
      const op = x.operation ?? "unknown"
      byOperation[op] = (byOperation[op] ?? 0) + 1
    }
    return { ids, report, byOperation, exchanges: yield* sandbox.exchanges }
  })

describe("requests per patient", () => {
  it.effect("a confirmed merge is not read back, and the incoming patient is not read twice", () =>
    Effect.gen(function*() {
      const { byOperation, exchanges, ids, report } = yield* runCounting({})
      expect(report.outcomes["Merged"] ?? 0).toBeGreaterThan(0)
      expect(report.outcomes["Failed"] ?? 0).toBe(0)
      // One read per patient: the merge reuses the record its patient's processing just read.
      expect(byOperation["getPatientById"]).toBe(ids.length)
      // Nothing is read after a merge the server confirmed.
      exchanges.forEach((x, i) => {
        if (x.operation === "mergePatient" && x.outcome._tag === "Respond" && x.outcome.status < 300) {
          const mainPath = x.path.replace(/\/merge$/, "")
          const readBack = exchanges.slice(i + 1).some((y) => y.operation === "getPatientById" && y.path === mainPath)
          expect(readBack, x.path).toBe(false)
        }
      })
    }).pipe(Effect.provide(world)))

  it.effect("patients sharing a date of birth or NHS number share one population search", () =>
    Effect.gen(function*() {
      const cached = yield* runCounting({})
      const uncached = yield* runCounting({ populationCache: false })
      // The same decisions either way.
      expect(cached.report.outcomes).toStrictEqual(uncached.report.outcomes)
      const searches = (r: typeof cached) => r.byOperation["listPatientsV3"] ?? 0
      expect(searches(cached)).toBeLessThan(searches(uncached))
      // Without the cache every patient searches its dob (and its verified NHS number).
      expect(searches(uncached)).toBeGreaterThanOrEqual(cached.ids.length)
      console.log(
        `requests per patient: ${
          (Object.values(cached.byOperation).reduce((a, b) => a + b, 0) / cached.ids.length).toFixed(2)
        } with the population cache, ${
          (Object.values(uncached.byOperation).reduce((a, b) => a + b, 0) / uncached.ids.length).toFixed(2)
        } without; v3 searches ${searches(cached)} vs ${searches(uncached)}`
      )
    }).pipe(Effect.provide(world)))
})
