import { describe, expect, it } from "@effect/vitest"
import { Scoring, Selection } from "@hero-effect/workflows"
import { candidate, hero, nhsB } from "./support/patients.js"

const scored = (name: string, grade: Scoring.Grade, score: number): Selection.Scored<string> => ({
  candidate: name,
  result: { ...Scoring.scorePatients(hero(), hero()), grade, score }
})

describe("Selection.select", () => {
  it("selects exactly one match", () => {
    const s = Selection.select([scored("a", "possible", 10), scored("b", "match", 30), scored("c", "no-match", 0)])
    expect(s._tag).toBe("Selected")
    if (s._tag === "Selected") expect(s.candidate).toBe("b")
  })

  it("sends several matches to review, best first", () => {
    const s = Selection.select([scored("a", "match", 25), scored("b", "match", 30), scored("c", "possible", 10)])
    expect(s._tag).toBe("NeedsReview")
    if (s._tag === "NeedsReview") {
      expect(s.reason).toBe("several-matches")
      expect(s.candidates.map((c) => c.candidate)).toStrictEqual(["b", "a"])
    }
  })

  it("sends only-possible candidates to review", () => {
    const s = Selection.select([scored("a", "possible", 10), scored("b", "no-match", 0), scored("c", "possible", 12)])
    expect(s).toMatchObject({ _tag: "NeedsReview", reason: "only-possible" })
    if (s._tag === "NeedsReview") expect(s.candidates.map((c) => c.candidate)).toStrictEqual(["c", "a"])
  })

  it("gives NoCandidate for no candidates or only no-matches", () => {
    expect(Selection.select([])).toStrictEqual(Selection.noCandidate)
    expect(Selection.select([scored("a", "no-match", 3)])).toStrictEqual({ _tag: "NoCandidate" })
  })

  it("rank is stable for equal scores", () => {
    const r = Selection.rank([scored("a", "match", 30), scored("b", "match", 30), scored("c", "match", 31)])
    expect(r.map((s) => s.candidate)).toStrictEqual(["c", "a", "b"])
  })
})

describe("Selection.selectCandidate", () => {
  it("selects the EHR record of the same person", () => {
    const s = Selection.selectCandidate(hero(), [
      candidate(),
      candidate({ ehr_partner_id: "EMIS-2", nhs_number: nhsB })
    ])
    expect(s._tag).toBe("Selected")
    if (s._tag === "Selected") expect(s.candidate.ehrPartnerId).toBe("EMIS-1")
  })

  it("reports a candidate already linked to this patient", () => {
    const s = Selection.selectCandidate(hero(), [candidate({ hero_id: "1001" })])
    expect(s._tag).toBe("AlreadyLinked")
    const byEhrId = Selection.selectCandidate(hero({ ehr_partner_id: "EMIS-7" }), [
      candidate(),
      candidate({ ehr_partner_id: "EMIS-7", last_name: "Other" })
    ])
    expect(byEhrId._tag === "AlreadyLinked" && byEhrId.candidate.ehrPartnerId).toBe("EMIS-7")
  })

  it("sends a match already linked to another Hero patient to review", () => {
    const s = Selection.selectCandidate(hero(), [candidate({ hero_id: "2002" })])
    expect(s).toMatchObject({ _tag: "NeedsReview", reason: "linked-to-another-patient" })
  })

  it("two EHR records of the same person need review", () => {
    const s = Selection.selectCandidate(hero(), [candidate(), candidate({ ehr_partner_id: "EMIS-2" })])
    expect(s).toMatchObject({ _tag: "NeedsReview", reason: "several-matches" })
  })

  it("no candidates at all", () => {
    expect(Selection.selectCandidate(hero(), [])._tag).toBe("NoCandidate")
  })
})
