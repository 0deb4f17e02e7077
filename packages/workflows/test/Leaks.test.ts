import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox, TelemetryCapture } from "@hero-effect/sandbox"
import { Approver, Batch, Journal, PatientLease } from "@hero-effect/workflows"
import { Effect, Fiber, Layer, LogLevel, Stream, TestClock } from "effect"

// The workflow's whole traffic — client calls, retries, faults, guards, merges — with logs at
// Debug and spans recorded: the API key appears nowhere, and no seeded patient's NHS number,
// name, date of birth or postcode appears at Info or above, in an outcome's error message, in a
// journal entry or in a span.
const faults = (["500", "reset", "lost"] as const).map((_, i) =>
  Faults.random({
    operation: "*",
    probability: 0.04,
    faults: [Faults.Fault.Status({ status: 503 }), Faults.Fault.Reset(), Faults.Fault.AppliedThenLost()],
    seed: 100 + i
  })
)

describe("leaks", () => {
  it.effect("secrets and patient data stay out of logs, spans, errors and the journal", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const ids = sandbox.world.patients.map((p) => p.id)
      const captured = yield* TelemetryCapture.capture(Effect.gen(function*() {
        const fiber = yield* Effect.fork(Batch.run(Stream.fromIterable(ids), { runId: "leaks", concurrency: 6 }))
        for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) yield* TestClock.adjust("100 millis")
        return yield* Fiber.join(fiber)
      }))
      expect(captured.result._tag).toBe("Right")
      const report = captured.result._tag === "Right" ? captured.result.right : undefined
      const journal = JSON.stringify(yield* Journal.entries())
      const everything = [captured.linesAtLeast(LogLevel.Debug), captured.spansText(), journal, JSON.stringify(report)]
        .join("\n")
      expect(everything).not.toContain(sandbox.credentials.apiKey)

      const people = [...sandbox.world.patients, ...sandbox.world.ehrRecords]
      const personal = new Set<string>()
      for (const p of people) {
        if (p.nhsNumber !== undefined) personal.add(p.nhsNumber.value)
        if (p.dateOfBirth !== null) personal.add(p.dateOfBirth)
        if (p.postcode !== undefined && p.postcode.length > 0) personal.add(p.postcode)
        for (const name of [p.firstName, p.lastName]) if (name !== undefined && name.length >= 3) personal.add(name)
      }
      const visible = [
        captured.linesAtLeast(LogLevel.Info),
        captured.spansText(),
        journal,
        JSON.stringify(report?.patients.map((x) => x.outcome))
      ].join("\n")
      const found = [...personal].filter((value) =>
        new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(visible)
      )
      expect(found).toStrictEqual([])
      // The run did meet faults and failures, so the error paths were exercised too.
      expect((yield* sandbox.faultLog).length).toBeGreaterThan(0)
      expect(captured.spans.some((s) => s.name === "HeroHealthClient.mergePatient")).toBe(true)
    }).pipe(Effect.provide(Layer.mergeAll(
      Sandbox.layerClient({ seed: 21, patients: 60, faults }),
      Journal.layerMemory,
      PatientLease.layerMemory,
      Approver.layerAutomatic
    ))))
})
