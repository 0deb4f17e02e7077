import { describe, expect, it } from "@effect/vitest"
import { EhrPartnerId } from "@hero-effect/schema/Ids"
import { Verify } from "@hero-effect/workflows"
import { hero } from "./support/patients.js"

const emis = EhrPartnerId.make("EMIS-1")

describe("Verify.link", () => {
  it("reads the link from the re-read patient", () => {
    expect(Verify.link(hero({ ehr_partner_id: "EMIS-1" }), emis)).toStrictEqual({
      evidence: "applied",
      reason: "linked"
    })
    expect(Verify.link(hero(), emis)).toStrictEqual({ evidence: "not-applied", reason: "not-linked" })
    expect(Verify.link(hero({ ehr_partner_id: "EMIS-2" }), emis)).toStrictEqual({
      evidence: "unclear",
      reason: "linked-elsewhere"
    })
  })
})

describe("Verify.merge", () => {
  const main = hero()
  const incoming = hero({ id: "1002" })
  it("incoming archived or gone means the merge happened", () => {
    expect(Verify.merge({ main, incoming: hero({ id: "1002", status: "archived" }) }).evidence).toBe("applied")
    expect(Verify.merge({ main, incoming: undefined })).toStrictEqual({ evidence: "applied", reason: "incoming-gone" })
  })
  it("both active means it did not", () => {
    expect(Verify.merge({ main, incoming })).toStrictEqual({ evidence: "not-applied", reason: "both-active" })
  })
  it("anything odd is unclear", () => {
    expect(Verify.merge({ main: undefined, incoming }).reason).toBe("main-missing")
    expect(Verify.merge({ main: hero({ status: "archived" }), incoming }).reason).toBe("main-archived")
    expect(Verify.merge({ main: hero({ status: "merged" }), incoming }).reason).toBe("unrecognised-status")
    expect(Verify.merge({ main, incoming: hero({ id: "1002", status: "merged" }) }).evidence).toBe("unclear")
  })
})
