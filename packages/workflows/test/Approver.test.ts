import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Guard, MergeDiff } from "@hero-effect/workflows"
import { Effect, Schema } from "effect"
import { nhsB, preview } from "./support/patients.js"

const request = (
  main: Parameters<typeof preview>[0] = {},
  incoming: Parameters<typeof preview>[1] = {}
): Approver.ApprovalRequest => {
  const context = Guard.contextFromPreview(preview(main, incoming, main))
  return {
    mainPatientId: PatientId.make("1001"),
    incomingPatientId: PatientId.make("1002"),
    diff: MergeDiff.fromPreview(preview(main, incoming, main)),
    score: context.score,
    guard: Guard.evaluate(Guard.defaultRules, context)
  }
}

describe("Approver", () => {
  it.effect("automatic approves a clear match", () =>
    Effect.gen(function*() {
      const decision = yield* Approver.automatic.decide(request())
      expect(decision).toStrictEqual(new Approver.Approved({ by: "automatic" }))
    }))

  it.effect("automatic defers a review verdict or a grade below match, and rejects a refusal", () =>
    Effect.gen(function*() {
      const review = yield* Approver.automatic.decide(request({ restricted: true }))
      expect(review).toStrictEqual(new Approver.Undecided({ reason: "guard asks for review: RESTRICTED" }))
      const possible = yield* Approver.automatic.decide(
        request({ nhs_number: null }, { nhs_number: null, first_name: "Harriet" })
      )
      expect(possible._tag).toBe("Deferred")
      const possibleOnly = request()
      const weak = yield* Approver.automatic.decide({
        ...possibleOnly,
        score: { ...possibleOnly.score, grade: "possible" }
      })
      expect(weak).toStrictEqual(new Approver.Undecided({ reason: "score grade is possible, not match" }))
      const refused = yield* Approver.automatic.decide(request({}, { nhs_number: nhsB }))
      expect(refused).toStrictEqual(
        new Approver.Rejected({ by: "automatic", reason: "guard refused: NHS_NUMBER_MISMATCH" })
      )
    }))

  it.effect("alwaysAsk defers everything; denyAll rejects everything as a dry run", () =>
    Effect.gen(function*() {
      expect((yield* Approver.alwaysAsk.decide(request()))._tag).toBe("Deferred")
      expect(yield* Approver.denyAll.decide(request())).toStrictEqual(
        new Approver.Rejected({ by: "dry-run", reason: "dry-run" })
      )
    }))

  it.effect("layers provide the service; decide uses the one in context", () =>
    Effect.gen(function*() {
      const run = (layer: typeof Approver.layerAutomatic) => Approver.decide(request()).pipe(Effect.provide(layer))
      expect((yield* run(Approver.layerAutomatic))._tag).toBe("Approved")
      expect((yield* run(Approver.layerAlwaysAsk))._tag).toBe("Deferred")
      expect((yield* run(Approver.layerDenyAll))._tag).toBe("Rejected")
      const custom = Approver.layer(
        Approver.fromFunction((r) => new Approver.Approved({ by: `nurse:${r.guard.verdict}` }))
      )
      expect(yield* run(custom)).toStrictEqual(new Approver.Approved({ by: "nurse:clear" }))
    }))

  it.effect("fromFunction accepts effects, and a throwing or dying approver defers", () =>
    Effect.gen(function*() {
      const effectful = Approver.fromFunction(() => Effect.succeed(new Approver.Approved({ by: "x" })))
      expect((yield* effectful.decide(request()))._tag).toBe("Approved")
      const throwing = Approver.fromFunction(() => {
        throw new Error("boom")
      })
      expect(yield* throwing.decide(request())).toStrictEqual(new Approver.Undecided({ reason: "the approver failed" }))
      const dying = Approver.fromFunction(() => Effect.die("boom"))
      expect((yield* dying.decide(request()))._tag).toBe("Deferred")
    }))

  it("decisions are serialisable", () => {
    const encode = Schema.encodeSync(Approver.ApprovalDecision)
    const decode = Schema.decodeUnknownSync(Approver.ApprovalDecision)
    for (
      const d of [
        new Approver.Approved({ by: "a" }),
        new Approver.Rejected({ by: "b", reason: "r" }),
        new Approver.Undecided({ reason: "d" })
      ]
    ) {
      expect(decode(JSON.parse(JSON.stringify(encode(d))))).toStrictEqual(d)
    }
  })
})
