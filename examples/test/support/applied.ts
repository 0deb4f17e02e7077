// What the crash tests prove from the sandbox's own counters, whoever wrote to it: shared by the
// durable engine's single-process and multi-worker crash tests.
import { expect } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import { Effect } from "effect"

/** Every connect and merge in the sandbox's write log was applied exactly once; some merge was. */
export const expectEachWriteAppliedOnce = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const counters = yield* sandbox.counters
  const writeLog = yield* sandbox.writeLog
  for (const w of writeLog) {
    const other = w.other ?? ""
    if (w.operation === "mergePatient") {
      expect(counters.mergesApplied(w.patientId, other) + counters.mergesApplied(other, w.patientId)).toBe(1)
    }
    if (w.operation === "connectPatientEhr") expect(counters.connectsApplied(w.patientId, other)).toBe(1)
  }
  expect(writeLog.some((w) => w.operation === "mergePatient")).toBe(true)
})

/** No two records of twins or of one family were merged, in either direction. */
export const expectNoTwinOrFamilyMerged = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const counters = yield* sandbox.counters
  for (const truth of sandbox.truth) {
    if (truth.kind !== "twins" && truth.kind !== "family") continue
    for (const a of truth.heroIds) {
      for (const b of truth.heroIds) if (a !== b) expect(counters.mergesApplied(a, b), truth.kind).toBe(0)
    }
  }
})
