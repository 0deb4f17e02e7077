import { describe, expect, it } from "@effect/vitest"
import { Scoring, Selection } from "@hero-effect/workflows"
import { Equal } from "effect"
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

describe("Selection results are tagged enums", () => {
  const match = scored("b", "match", 30)

  it("$is tells the cases of select's result apart", () => {
    const s = Selection.select([scored("a", "possible", 10), match])
    expect(Selection.$is("Selected")(s)).toBe(true)
    expect(Selection.$is("NeedsReview")(s)).toBe(false)
    expect(Selection.$is("NoCandidate")(s)).toBe(false)
    if (Selection.$is("Selected")(s)) expect(s.candidate).toBe("b")
    expect(Selection.$is("NoCandidate")(Selection.select([]))).toBe(true)
    expect(Selection.$is("NeedsReview")(Selection.select([scored("a", "possible", 10)]))).toBe(true)
  })

  it("$match is exhaustive: one function per case", () => {
    const say = (s: Selection.Selection<string>) =>
      Selection.$match(s, {
        Selected: (x) => `selected ${x.candidate}`,
        NeedsReview: (x) => `review ${x.reason}`,
        NoCandidate: () => "none"
      })
    expect(say(Selection.select([match]))).toBe("selected b")
    expect(say(Selection.select([match, scored("c", "match", 25)]))).toBe("review several-matches")
    expect(say(Selection.select([]))).toBe("none")
    // @ts-expect-error a missing case does not compile
    Selection.$match(Selection.select([match]), { Selected: () => 1, NeedsReview: () => 2 })
    const candidateCase = Selection.CandidateSelection.$match({
      Selected: () => "Selected",
      NeedsReview: () => "NeedsReview",
      NoCandidate: () => "NoCandidate",
      AlreadyLinked: (x) => `AlreadyLinked ${x.candidate}`
    })
    expect(candidateCase(Selection.alreadyLinked("a"))).toBe("AlreadyLinked a")
    expect(candidateCase(Selection.selectCandidate(hero(), []))).toBe("NoCandidate")
    const linked = Selection.CandidateSelection.$match(
      Selection.selectCandidate(hero(), [candidate({ hero_id: "1001" })]),
      {
        Selected: () => undefined,
        NeedsReview: () => undefined,
        NoCandidate: () => undefined,
        AlreadyLinked: (x) => x.candidate.ehrPartnerId
      }
    )
    expect(linked).toBe("EMIS-1")
    // @ts-expect-error AlreadyLinked is missing
    Selection.CandidateSelection.$match({ Selected: () => 1, NeedsReview: () => 2, NoCandidate: () => 3 })
  })

  it("proposeLink's result matches with LinkProposal", () => {
    const tag = (p: Selection.LinkProposal) =>
      Selection.LinkProposal.$match(p, {
        Proposed: (x) => `Proposed ${x.guard.verdict}`,
        NhsNumberMismatch: (x) => `NhsNumberMismatch ${x.candidate.ehrPartnerId}`,
        NeedsReview: (x) => `NeedsReview ${x.reason}`,
        NoCandidate: () => "NoCandidate",
        AlreadyLinked: (x) => `AlreadyLinked ${x.candidate.ehrPartnerId}`
      })
    expect(tag(Selection.proposeLink(hero(), [candidate()], []))).toBe("Proposed clear")
    expect(tag(Selection.proposeLink(hero(), [candidate({ nhs_number: nhsB })], []))).toBe("NhsNumberMismatch EMIS-1")
    expect(tag(Selection.proposeLink(hero(), [candidate({ hero_id: "1001" })], []))).toBe("AlreadyLinked EMIS-1")
    expect(tag(Selection.proposeLink(hero(), [], []))).toBe("NoCandidate")
    expect(Selection.LinkProposal.$is("Proposed")(Selection.proposeLink(hero(), [candidate()], []))).toBe(true)
  })

  it("the constructors and the 0.1 constructor functions build the same values, with the same fields", () => {
    const { result } = match
    const s = Selection.selected("b", result)
    expect(Equal.equals(s, Selection.Selected({ candidate: "b", result }))).toBe(true)
    expect(Equal.equals(Selection.select([match]), s)).toBe(true)
    // Plain arrays inside compare by reference (as in any `Data` value).
    const candidates = [match]
    expect(Equal.equals(
      Selection.needsReview("only-possible", candidates),
      Selection.NeedsReview({ reason: "only-possible", candidates })
    )).toBe(true)
    expect(Equal.equals(Selection.alreadyLinked("a"), Selection.AlreadyLinked({ candidate: "a" }))).toBe(true)
    expect(Equal.equals(Selection.noCandidate, Selection.NoCandidate())).toBe(true)
    // The same own fields and `_tag` as the 0.1 plain objects.
    expect({ ...s }).toStrictEqual({ _tag: "Selected", candidate: "b", result })
    expect(JSON.parse(JSON.stringify(Selection.needsReview("several-matches", [match])))).toStrictEqual(
      JSON.parse(JSON.stringify({ _tag: "NeedsReview", reason: "several-matches", candidates: [match] }))
    )
    expect({ ...Selection.noCandidate }).toStrictEqual({ _tag: "NoCandidate" })
    expect({ ...Selection.alreadyLinked("a") }).toStrictEqual({ _tag: "AlreadyLinked", candidate: "a" })
    const proposed = Selection.proposeLink(hero(), [candidate()], [])
    expect(Object.keys(proposed).sort()).toStrictEqual(["_tag", "candidate", "context", "guard", "result"])
    const mismatch = Selection.proposeLink(hero(), [candidate({ nhs_number: nhsB })], [])
    expect(Object.keys(mismatch).sort()).toStrictEqual(["_tag", "candidate", "result"])
    // select and proposeLink still return the one noCandidate value.
    expect(Selection.select([])).toBe(Selection.noCandidate)
    expect(Selection.proposeLink(hero(), [], [])).toBe(Selection.noCandidate)
  })

  it("the case types still take plain objects", () => {
    const { result } = match
    const s: Selection.Selected<string> = { _tag: "Selected", candidate: "b", result }
    const n: Selection.NoCandidate = { _tag: "NoCandidate" }
    const r: Selection.NeedsReview<string> = { _tag: "NeedsReview", reason: "only-possible", candidates: [match] }
    const all: ReadonlyArray<Selection.CandidateSelection<string>> = [s, n, r, {
      _tag: "AlreadyLinked",
      candidate: "a"
    }]
    expect(all.map((x) => x._tag)).toStrictEqual(["Selected", "NoCandidate", "NeedsReview", "AlreadyLinked"])
  })
})
