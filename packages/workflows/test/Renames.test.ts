import { describe, expect, it } from "@effect/vitest"
import { Approver } from "@hero-effect/workflows"
import { Effect, Schema } from "effect"

// 0.2.0 renames: the old names are the same values and types, and nothing persisted changes.
describe("Approver.Undecided (was Approver.Deferred)", () => {
  it("the deprecated name is the same class", () => {
    expect(Approver.Deferred).toBe(Approver.Undecided)
    const old: Approver.Deferred = new Approver.Deferred({ reason: "r" })
    const current: Approver.Undecided = old
    expect(current).toBeInstanceOf(Approver.Undecided)
    expect(current).toStrictEqual(new Approver.Undecided({ reason: "r" }))
  })

  it("keeps the persisted tag \"Deferred\": stored decisions decode as Undecided", () => {
    const encode = Schema.encodeSync(Approver.ApprovalDecision)
    const decode = Schema.decodeUnknownSync(Approver.ApprovalDecision)
    expect(encode(new Approver.Undecided({ reason: "d", reviewId: "r1" }))).toStrictEqual({
      _tag: "Deferred",
      reason: "d",
      reviewId: "r1"
    })
    const stored = decode({ _tag: "Deferred", reason: "waiting for a review", reviewId: "r1" })
    expect(stored).toBeInstanceOf(Approver.Undecided)
    expect(stored).toStrictEqual(new Approver.Undecided({ reason: "waiting for a review", reviewId: "r1" }))
  })

  it.effect("the approvers defer with Undecided", () =>
    Effect.gen(function*() {
      const request = { guard: { findings: [], verdict: "clear" } } as unknown as Approver.ApprovalRequest
      const decision = yield* Approver.alwaysAsk.decide(request)
      expect(decision).toBeInstanceOf(Approver.Undecided)
      expect(decision._tag).toBe("Deferred")
    }))
})
