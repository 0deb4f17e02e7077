import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Frequencies, Guard, Lookalike, Placeholder, Scoring, Selection, Survivor } from "@hero-effect/workflows"
import { Option } from "effect"
import { baseWire, candidate, hero, nhsB } from "./support/patients.js"

const level = (field: "firstName" | "lastName", a: string, b: string) =>
  Scoring.compare({ [field]: a }, { [field]: b })[field]

describe("name levels", () => {
  it("tells nicknames, typos and parts from look-alike real names", () => {
    expect(level("firstName", "Robert", "Bob")).toBe("nickname")
    expect(level("firstName", "Elizabeth", "Liz")).toBe("nickname")
    expect(level("firstName", "Jon", "John")).toBe("similar")
    expect(level("firstName", "Stephen", "Steven")).toBe("similar")
    expect(level("firstName", "Aron", "Aaron")).toBe("similar")
    expect(level("firstName", "John", "Jhon")).toBe("typo")
    expect(level("firstName", "Oliver", "Olvier")).toBe("typo")
    expect(level("firstName", "Mary Jane", "Mary")).toBe("partial")
    expect(level("firstName", "Oliver", "Isla")).toBe("different")
    expect(level("lastName", "Smith-Jones", "Smith")).toBe("partial")
    expect(level("lastName", "Pemberton", "Pembertno")).toBe("typo")
    expect(level("lastName", "Harris", "Harrison")).toBe("different")
  })

  it("similar forenames with equal dob and surname (the twin pattern) never grade match", () => {
    const r = Scoring.scorePatients(
      hero({ nhs_number: null, first_name: "Jon" }),
      hero({ nhs_number: null, first_name: "John" })
    )
    expect(r.vector.firstName).toBe("similar")
    expect(r.grade).toBe("possible")
  })

  it("another flat at the same postcode caps the grade at possible", () => {
    const a = hero({ nhs_number: null, address_line_1: "Flat 3, 12 Marlowe Court" })
    const b = hero({ nhs_number: null, address_line_1: "Flat 7, 12 Marlowe Court" })
    const r = Scoring.scorePatients(a, b)
    expect(r.vector.addressLine1).toBe("different")
    expect(r.score).toBeGreaterThanOrEqual(22)
    expect(r.grade).toBe("possible")
  })
})

describe("Frequencies", () => {
  it("agreement on a common surname, a crowded postcode and 1 January earns less, never more", () => {
    const crowded = Frequencies.fromRecords(Array.from({ length: 40 }, () => ({ postcode: "LS6 2AB" })))
    const config = Scoring.makeConfig({ frequencies: crowded })
    const plain = Scoring.scorePatients(hero(), hero(), Scoring.makeConfig({ frequencies: Frequencies.none }))
    const adjusted = Scoring.scorePatients(hero(), hero(), config)
    expect(adjusted.contributions.find((c) => c.field === "postcode")!.adjustment).toBeLessThan(0)
    expect(adjusted.score).toBeLessThan(plain.score)
    const smith = Scoring.scorePatients(hero({ last_name: "Smith" }), hero({ last_name: "Smith" }))
    expect(smith.contributions.find((c) => c.field === "lastName")!.adjustment).toBeLessThan(0)
    expect(Frequencies.adjustment(Frequencies.prior, "lastName", "Zebedee")).toBe(0)
    expect(Frequencies.adjustment(Frequencies.prior, "dateOfBirth", "1970-01-01")).toBe(-2)
    expect(adjusted.explanation.find((l) => l.startsWith("postcode"))).toMatch(/frequency -/)
  })
})

describe("Placeholder", () => {
  it("finds placeholder names, sentinel dates of birth and an unknown sex, with configurable lists", () => {
    expect(Placeholder.codes({ firstName: "Baby", lastName: "Smith" })).toStrictEqual(["PLACEHOLDER_NAME"])
    expect(Placeholder.codes({ firstName: "Twin1", lastName: "Smith" })).toStrictEqual(["PLACEHOLDER_NAME"])
    expect(
      Placeholder.codes({ firstName: "Unknown", lastName: "Unknown", dateOfBirth: "1900-01-01", sex: "Not known" })
    )
      .toStrictEqual(["PLACEHOLDER_NAME", "SENTINEL_DOB", "SEX_NOT_KNOWN"])
    expect(Placeholder.codes({ firstName: "Babette", lastName: "Testa", dateOfBirth: "1990-01-01" })).toStrictEqual([])
    const custom = Placeholder.makeConfig({ sentinelDatesOfBirth: ["1970-01-01"] })
    expect(Placeholder.codes({ dateOfBirth: "1970-01-01" }, custom)).toStrictEqual(["SENTINEL_DOB"])
  })
})

describe("Survivor", () => {
  const c = (id: string, extra: Partial<Survivor.Contender> = {}): Survivor.Contender => ({
    id: PatientId.make(id),
    filled: 10,
    ...extra
  })
  it("keeps the EHR link holder, then the verified NHS number, then the more complete, then the lower id", () => {
    const verified = hero().nhsNumber
    expect(Survivor.choose([c("2"), c("9", { ehrPartnerId: "E" as never })]).survivor.id).toBe("9")
    expect(Survivor.choose([c("2"), c("9", { nhsNumber: verified })]).decidedBy).toBe("verified-nhs-number")
    expect(Survivor.choose([c("2"), c("9", { filled: 12 })]).survivor.id).toBe("9")
    expect(Survivor.choose([c("100010"), c("99999")]).survivor.id).toBe("99999")
  })
  it("gives the same survivor for any order of the group", () => {
    const group = [c("5", { filled: 9 }), c("3", { filled: 9 }), c("4", { filled: 8 })]
    const answers = [group, [...group].reverse(), [group[1]!, group[2]!, group[0]!]].map((g) =>
      Survivor.choose(g).survivor.id
    )
    expect(new Set(answers)).toStrictEqual(new Set(["3"]))
  })
})

describe("Lookalike", () => {
  const twinEhr = candidate({ ehr_partner_id: "EMIS-2", first_name: "Jon", nhs_number: nhsB })
  const seen = (c: ReturnType<typeof candidate>): Lookalike.Seen => ({
    source: "ehr",
    ehrPartnerId: c.ehrPartnerId,
    demographics: Scoring.fromV2(c)
  })
  it("a twin's record next to the chosen one blocks a patient without NHS number, not one with", () => {
    const patient = Scoring.fromV1(hero({ nhs_number: null, first_name: "John" }))
    const chosen = Scoring.fromV2(candidate({ first_name: "John" }))
    const others = [seen(twinEhr)]
    const found = Lookalike.find({ subject: patient, chosen, chosenIds: { ehrPartnerId: "EMIS-1" as never }, others })
    expect(found).toStrictEqual([{ source: "ehr", ehrPartnerId: "EMIS-2", reason: "nhs-number-differs" }])
    expect(Lookalike.blocking({ subject: patient, chosen, found, others })).toHaveLength(1)
    const withNumber = Scoring.fromV1(hero({ first_name: "John" }))
    expect(Lookalike.blocking({ subject: withNumber, chosen, found, others })).toStrictEqual([])
  })
  it("an unrelated forename does not block in distinguishable mode, does in strict mode", () => {
    const sister = candidate({ ehr_partner_id: "EMIS-3", first_name: "Harriet", nhs_number: nhsB })
    const patient = Scoring.fromV1(hero({ nhs_number: null }))
    const chosen = Scoring.fromV2(candidate())
    const others = [seen(sister)]
    const found = Lookalike.find({ subject: patient, chosen, chosenIds: { ehrPartnerId: "EMIS-1" as never }, others })
    expect(found).toHaveLength(1)
    expect(Lookalike.blocking({ subject: patient, chosen, found, others })).toStrictEqual([])
    expect(Lookalike.blocking({ subject: patient, chosen, found, others, mode: "strict" })).toHaveLength(1)
  })
})

describe("Selection.proposeLink", () => {
  it("a twin's record that scores close to the patient's own asks a person (margin, look-alike)", () => {
    const patient = hero({ nhs_number: null, first_name: "John" })
    const own = candidate({ first_name: "John", postcode: "M1 4BT", line_1: "3 Canal Street", town: "Manchester" })
    const twin = candidate({ ehr_partner_id: "EMIS-2", first_name: "Jon", nhs_number: nhsB })
    const proposal = Selection.proposeLink(patient, [twin, own], [])
    expect(proposal._tag).not.toBe("Proposed")
    const near = candidate({ ehr_partner_id: "EMIS-4", first_name: "John", nhs_number: nhsB, line_1: "14 Holly Road" })
    const p2 = Selection.proposeLink(patient, [near, candidate({ first_name: "John" })], [])
    expect(p2._tag).toBe("Proposed")
    if (p2._tag === "Proposed") {
      expect(Guard.codes(p2.guard)).toContain("LOOKALIKE_PRESENT")
      expect(p2.guard.verdict).toBe("review")
    }
  })
  it("a candidate agreeing on everything but a verified NHS number is reported, not dropped", () => {
    const proposal = Selection.proposeLink(hero(), [candidate({ nhs_number: nhsB })], [])
    expect(proposal._tag).toBe("NhsNumberMismatch")
  })
  it("strong identity links even beside a twin", () => {
    const twin = candidate({ ehr_partner_id: "EMIS-2", first_name: "Harriet", nhs_number: nhsB })
    const proposal = Selection.proposeLink(hero(), [twin, candidate()], [])
    expect(proposal._tag).toBe("Proposed")
    if (proposal._tag === "Proposed") expect(proposal.guard.verdict).toBe("clear")
  })
})

describe("link rules", () => {
  const context = (overrides: Partial<Guard.LinkContext> = {}): Guard.LinkContext => {
    const patient = hero()
    const c = candidate()
    return {
      patient,
      candidate: c,
      score: Scoring.scoreCandidate(patient, c),
      margin: 6,
      evidence: { lookalikes: [] },
      ...overrides
    }
  }
  const fires = (rule: Guard.LinkRule, ctx: Guard.LinkContext) => Option.isSome(rule.check(ctx))
  it("each link rule stays quiet on a clean link and fires on its case", () => {
    const clean = context()
    for (const rule of Guard.defaultLinkRules) expect(fires(rule, clean), rule.code).toBe(false)
    const weak = Scoring.scoreCandidate(hero({ nhs_number: null }), candidate({ nhs_number: null }))
    expect(fires(Guard.linkRules.candidateMargin, context({ score: weak, runnerUp: { score: weak } }))).toBe(true)
    const possible = Scoring.scoreCandidate(hero(), candidate({ first_name: "Harriet", nhs_number: null }))
    expect(fires(Guard.linkRules.candidateNotMatch, context({ score: possible }))).toBe(true)
    expect(fires(Guard.linkRules.linkedToAnotherPatient, context({ candidate: candidate({ hero_id: "2002" }) })))
      .toBe(true)
    expect(fires(Guard.linkRules.placeholderName, context({ patient: hero({ first_name: "Baby" }) }))).toBe(true)
    const restrictedWeak = hero({ restricted: true, nhs_number: null })
    expect(fires(Guard.linkRules.restricted, context({ patient: restrictedWeak, score: weak }))).toBe(true)
    expect(fires(Guard.linkRules.restricted, context({ patient: hero({ restricted: true }) }))).toBe(false)
    expect(Guard.evaluate(Guard.defaultLinkRules, clean)).toStrictEqual({ findings: [], verdict: "clear" })
    expect(baseWire.first_name).toBe("Martha")
  })
})

describe("a verified NHS number on someone else's record", () => {
  it("is reviewed, not dropped as no candidate", () => {
    const stranger = candidate({
      first_name: "Colin",
      last_name: "Ramsden",
      sex: "Male",
      dob: "1945-09-30",
      line_1: "1 Far Street",
      postcode: "YO1 7HH",
      town: "York"
    })
    const proposal = Selection.proposeLink(hero(), [stranger], [])
    expect(proposal).toMatchObject({ _tag: "NeedsReview", reason: "NHS_NUMBER_DEMOGRAPHICS_CONFLICT" })
  })
})
