import { describe, expect, it } from "@effect/vitest"
import { Protocol } from "@hero-effect/sandbox"

// 0.2.0 renames: the old names are the same values and types.
describe("Protocol.Answer (was Protocol.Outcome)", () => {
  it("the deprecated name is the same constructors and matchers", () => {
    expect(Protocol.Outcome).toBe(Protocol.Answer)
    const old: Protocol.Outcome = Protocol.Outcome.Reset({ applied: true })
    const current: Protocol.Answer = old
    expect(current).toStrictEqual(Protocol.Answer.Reset({ applied: true }))
  })

  it("builds and matches the three answers", () => {
    const answers: ReadonlyArray<Protocol.Answer> = [
      Protocol.Answer.Respond({ status: 200, headers: {}, body: { ok: true } }),
      Protocol.Answer.Reset({ applied: false }),
      Protocol.Answer.Hang()
    ]
    expect(answers.map((a) => a._tag)).toStrictEqual(["Respond", "Reset", "Hang"])
    expect(answers.filter(Protocol.Answer.$is("Respond")).map(Protocol.bodyText)).toStrictEqual(["{\"ok\":true}"])
    const describeAnswer = Protocol.Answer.$match({
      Respond: (r) => `status ${r.status}`,
      Reset: (r) => `reset (applied: ${r.applied})`,
      Hang: () => "hang"
    })
    expect(answers.map(describeAnswer)).toStrictEqual(["status 200", "reset (applied: false)", "hang"])
  })
})
