// A sketch of how the building blocks compose into the merge half of the pipeline (the real
// wiring, with the client, comes later). The "server" here is a function returning a preview.
import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import type { MergePreview } from "@hero-effect/schema/Merge"
import { Approver, Guard, Journal, Outcome, PatientLease, Step } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"
import { nhsB, preview } from "./support/patients.js"

const mergePair = (
  runId: string,
  main: PatientId,
  incoming: PatientId,
  fetchPreview: Effect.Effect<MergePreview>,
  merge: Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const previewKey = Step.key("preview", main, incoming)
    yield* Journal.stepStarted({ runId, patientId: main, step: "preview", key: previewKey })
    const p = yield* fetchPreview
    yield* Journal.stepFinished({
      runId,
      patientId: main,
      step: "preview",
      key: previewKey,
      outcome: "succeeded",
      details: { tokenObtained: true }
    })
    const context = Guard.contextFromPreview(p, { requested: { mainPatientId: main, incomingPatientId: incoming } })
    const guard = Guard.evaluate(Guard.defaultRules, context)
    const request: Approver.ApprovalRequest = {
      mainPatientId: main,
      incomingPatientId: incoming,
      diff: context.diff,
      score: context.score,
      guard
    }
    const decision = yield* Approver.decide(request)
    const mergeKey = Step.key("merge", main, incoming)
    yield* Journal.decision({ runId, patientId: main, key: mergeKey, request, decision })
    let outcome: Outcome.Outcome
    if (guard.verdict === "refuse") outcome = new Outcome.Refused({ codes: Guard.codes(guard) })
    else if (decision._tag !== "Approved") {
      outcome = new Outcome.NeedsReview({ reasons: [decision._tag === "Deferred" ? "deferred" : "rejected"] })
    } else {
      yield* Journal.stepStarted({ runId, patientId: main, step: "merge", key: mergeKey })
      yield* merge
      yield* Journal.stepFinished({ runId, patientId: main, step: "merge", key: mergeKey, outcome: "succeeded" })
      outcome = new Outcome.Merged({ mainPatientId: main, incomingPatientId: incoming })
    }
    yield* Journal.patientOutcome({ runId, patientId: main, outcome })
    return outcome
  }).pipe(PatientLease.withLease(PatientLease.pairKeys(main, incoming)))

const layers = (approver: Layer.Layer<Approver.Approver>) =>
  Layer.mergeAll(Journal.layerMemory, PatientLease.layerMemory, approver)

const main = PatientId.make("1001")
const incoming = PatientId.make("1002")

describe("composition", () => {
  it.effect("a clear duplicate is merged once, and the journal tells the story without values", () =>
    Effect.gen(function*() {
      let merges = 0
      const outcome = yield* mergePair(
        "run-1",
        main,
        incoming,
        Effect.succeed(preview({ mobile: null }, { mobile: "07700900123" }, { mobile: "07700900123" })),
        Effect.sync(() => void merges++)
      )
      expect(outcome).toStrictEqual(new Outcome.Merged({ mainPatientId: main, incomingPatientId: incoming }))
      expect(merges).toBe(1)
      const entries = yield* Journal.entries(main)
      expect(entries.map((e) => e._tag)).toStrictEqual([
        "StepStarted",
        "StepFinished",
        "Decision",
        "StepStarted",
        "StepFinished",
        "PatientOutcome"
      ])
      expect(yield* Journal.state(main)).toMatchObject({ _tag: "Finished", outcome })
      const text = JSON.stringify(entries)
      for (const v of ["07700900123", "Martha", "Pemberton", "1984-03-07", "LS6", "secret-token-value"]) {
        expect(text).not.toContain(v)
      }
    }).pipe(Effect.provide(layers(Approver.layerAutomatic))))

  it.effect("different verified NHS numbers are refused and never merged", () =>
    Effect.gen(function*() {
      let merges = 0
      const outcome = yield* mergePair(
        "run-1",
        main,
        incoming,
        Effect.succeed(preview({}, { nhs_number: nhsB }, {})),
        Effect.sync(() => void merges++)
      )
      expect(outcome).toStrictEqual(new Outcome.Refused({ codes: ["NHS_NUMBER_MISMATCH"] }))
      expect(merges).toBe(0)
    }).pipe(Effect.provide(layers(Approver.layerAutomatic))))

  it.effect("a dry run decides but never merges", () =>
    Effect.gen(function*() {
      let merges = 0
      const outcome = yield* mergePair(
        "run-1",
        main,
        incoming,
        Effect.succeed(preview({}, {}, {})),
        Effect.sync(() => void merges++)
      )
      expect(outcome._tag).toBe("NeedsReview")
      expect(merges).toBe(0)
      const [decision] = (yield* Journal.entries(main)).filter((e) => e._tag === "Decision")
      expect(decision).toMatchObject({ decision: "rejected", by: "dry-run", verdict: "clear" })
    }).pipe(Effect.provide(layers(Approver.layerDenyAll))))

  it.effect("the same pair run twice at once is merged by one fiber at a time", () =>
    Effect.gen(function*() {
      let inside = 0
      let peak = 0
      let merges = 0
      const merge = Effect.gen(function*() {
        inside++
        merges++
        peak = Math.max(peak, inside)
        for (let i = 0; i < 5; i++) yield* Effect.yieldNow()
        inside--
      })
      const p = Effect.succeed(preview({}, {}, {}))
      yield* Effect.all([mergePair("a", main, incoming, p, merge), mergePair("b", main, incoming, p, merge)], {
        concurrency: 2
      })
      expect(merges).toBe(2)
      expect(peak).toBe(1)
    }).pipe(Effect.provide(layers(Approver.layerAutomatic))))
})
