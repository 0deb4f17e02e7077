import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox, TelemetryCapture } from "@hero-effect/sandbox"
import { Approver, DurableEngine, PatientLease, ProcessPatient } from "@hero-effect/workflows"
import { Effect, Fiber, Layer, LogLevel, Stream, TestClock } from "effect"

// The durable pipeline's whole traffic — activities, their names and spans, replays of lost
// writes, the engine's own spans — with logs at Debug and spans recorded: the API key appears
// nowhere, and no seeded patient's NHS number, name, date of birth or postcode appears at Info or
// above, in a span or in an outcome. (The engine's storage holds the records the pipeline read,
// as the API returned them: that is storage, not telemetry.)
const faults = [
  Faults.random({
    operation: "*",
    probability: 0.04,
    faults: [Faults.Fault.Status({ status: 503 }), Faults.Fault.Reset(), Faults.Fault.AppliedThenLost()],
    seed: 200
  })
]

describe("leaks, durable", () => {
  it.effect("secrets and patient data stay out of logs, spans and outcomes of ProcessPatient", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const ids = sandbox.world.patients.map((p) => p.id)
      const captured = yield* TelemetryCapture.capture(Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          ProcessPatient.runDurable(Stream.fromIterable(ids), { runId: "leaks", concurrency: 6 })
        )
        for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) yield* TestClock.adjust("100 millis")
        return yield* Fiber.join(fiber)
      }))
      expect(captured.result._tag).toBe("Right")
      const report = captured.result._tag === "Right" ? captured.result.right : undefined
      const everything = [captured.linesAtLeast(LogLevel.Debug), captured.spansText(), JSON.stringify(report)].join(
        "\n"
      )
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
        JSON.stringify(report?.patients.map((x) => x.outcome))
      ].join("\n")
      const found = [...personal].filter((value) =>
        new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(visible)
      )
      expect(found).toStrictEqual([])
      expect((yield* sandbox.faultLog).length).toBeGreaterThan(0)
      // The activities were traced (by name), so their spans were looked at.
      expect(captured.spans.some((s) => s.name.startsWith("merge:"))).toBe(true)
      expect(captured.spans.some((s) => s.name.startsWith("population:"))).toBe(true)
    }).pipe(Effect.provide(
      ProcessPatient.layer().pipe(
        Layer.provideMerge(DurableEngine.layerMemory),
        Layer.provideMerge(Layer.mergeAll(
          Sandbox.layerClient({ seed: 21, patients: 60, faults }),
          PatientLease.layerMemory,
          Approver.layerAutomatic
        ))
      )
    )))
})
