// The durability seam: every Hero answer, decision and write of the pipeline goes through it. A
// seam that records the calls and refuses every write leaves the world untouched (no write
// reaches the API any other way), and the journal's seam writes the entries the pipeline always
// wrote.
import { describe, expect, it } from "@effect/vitest"
import { Conflict } from "@hero-effect/client/HeroHealthError"
import { Sandbox } from "@hero-effect/sandbox"
import { Approver, Durable, Journal, PatientLease, Pipeline } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"

const world = Layer.mergeAll(
  Sandbox.layerClient({ seed: 11, patients: 30 }),
  Journal.layerMemory,
  PatientLease.layerMemory,
  Approver.layerAutomatic
)

describe("the Durable seam", () => {
  it.effect("a seam refusing every write: nothing is written; calls and decisions go through it by name", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const journal = yield* Durable.makeJournal
      const names: Array<string> = []
      const writes: Array<string> = []
      const refused = (operation: string) =>
        new Durable.NotWritten({ error: new Conflict({ operation, code: "refused_by_seam" }) })
      const seam: Durable.Service = {
        ...journal,
        call: (input, effect) => Effect.suspend(() => (names.push(input.name), journal.call(input, effect))),
        decision: (input, ask) =>
          Effect.suspend(() => (names.push(`decision:${input.key}`), journal.decision(input, ask))),
        connect: (input) =>
          Effect.sync(() => (writes.push(`connect:${input.patientId}`), refused("connectPatientEhr"))),
        merge: (input) =>
          Effect.sync(() => (writes.push(`merge:${input.main}:${input.incoming}`), refused("mergePatient")))
      }
      const outcomes = []
      for (const p of sandbox.world.patients) {
        outcomes.push(
          yield* Pipeline.steps({ runId: "seam" }, p.id).pipe(Effect.provideService(Durable.Durable, seam))
        )
      }
      expect(yield* sandbox.writeLog).toStrictEqual([])
      const sent = (yield* sandbox.exchanges).filter((x) =>
        x.operation === "connectPatientEhr" || x.operation === "mergePatient"
      )
      expect(sent).toStrictEqual([])
      expect(writes.some((w) => w.startsWith("connect:"))).toBe(true)
      expect(writes.some((w) => w.startsWith("merge:"))).toBe(true)
      for (const kind of ["patient:", "candidates:", "population:", "decision:"]) {
        expect(names.some((n) => n.startsWith(kind)), kind).toBe(true)
      }
      // What the seam answered is what the pipeline concluded.
      const reasons = outcomes.flatMap((o) =>
        o._tag === "NeedsReview" ? o.reasons : o._tag === "Refused" ? o.codes : []
      )
      expect(reasons).toContain("connect-refused_by_seam")
      expect(reasons).toContain("MERGE_REFUSED_BY_SEAM")
      expect(outcomes.filter((o) => o._tag === "Linked" || o._tag === "Merged")).toStrictEqual([])
    }).pipe(Effect.provide(world)))

  it.effect("the journal's seam records a write's intent before the write and its end after", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      for (const p of sandbox.world.patients) yield* Pipeline.processPatient({ runId: "j" }, p.id)
      const entries = yield* Journal.entries()
      const writes = yield* sandbox.writeLog
      expect(writes.length).toBeGreaterThan(0)
      for (const w of writes) {
        const key = `${w.operation === "mergePatient" ? "merge" : "connect"}:${w.patientId}:${w.other}`
        const started = entries.findIndex((e) => e._tag === "StepStarted" && e.key === key)
        const finished = entries.findIndex((e) => e._tag === "StepFinished" && e.key === key)
        expect(started, key).toBeGreaterThanOrEqual(0)
        expect(finished, key).toBeGreaterThan(started)
      }
    }).pipe(Effect.provide(world)))
})
