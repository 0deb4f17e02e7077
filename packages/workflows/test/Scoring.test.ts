import { describe, expect, it } from "@effect/vitest"
import { testRangeNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1Encoded } from "@hero-effect/schema/Patient"
import { Scoring } from "@hero-effect/workflows"
import { FastCheck } from "effect"
import { baseWire, candidate, hero, invalidNhs, nhsB, patientValues } from "./support/patients.js"

const pair = (a: Partial<PatientV1Encoded>, b: Partial<PatientV1Encoded>, config?: Scoring.ScoringConfig) =>
  Scoring.scorePatients(hero(a), hero({ id: "1002", ...b }), config)

const noValues = (result: Scoring.ScoreResult, ...people: Array<Partial<PatientV1Encoded>>) => {
  const text = result.explanation.join("\n")
  for (const p of [baseWire, ...people]) {
    for (const v of patientValues({ ...baseWire, ...p })) expect(text).not.toContain(v)
  }
}

describe("Scoring", () => {
  it("the same person matches on every field", () => {
    const r = pair({}, {})
    expect(r.vector).toStrictEqual({
      nhsNumber: "exact",
      dateOfBirth: "exact",
      lastName: "exact",
      firstName: "exact",
      sex: "exact",
      postcode: "exact",
      addressLine1: "exact",
      town: "exact"
    })
    expect(r.score).toBe(44)
    expect(r.grade).toBe("match")
  })

  it("an EHR candidate (v2 shape) of the same person matches", () => {
    const r = Scoring.scoreCandidate(hero(), candidate())
    expect(r.grade).toBe("match")
    expect(r.score).toBe(44)
  })

  it("the same person without NHS numbers still matches", () => {
    const r = pair({ nhs_number: null }, { nhs_number: null })
    expect(r.vector.nhsNumber).toBe("missing")
    expect(r.score).toBe(28)
    expect(r.grade).toBe("match")
  })

  it("a typo in the surname is a typo and still a match", () => {
    const r = pair({ nhs_number: null }, { nhs_number: null, last_name: "Pembertno" })
    expect(r.vector.lastName).toBe("typo")
    expect(r.grade).toBe("match")
  })

  it("normalises case, accents and punctuation", () => {
    const r = pair({ last_name: "O'Brien", first_name: "Zoë" }, { last_name: "OBRIEN", first_name: "ZOE" })
    expect(r.vector.lastName).toBe("exact")
    expect(r.vector.firstName).toBe("exact")
  })

  it("a double-barrelled surname that contains the other is partial", () => {
    const r = pair({}, { last_name: "Pemberton-Whyte" })
    expect(r.vector.lastName).toBe("partial")
  })

  it("a changed surname (marriage, moved house) with the same NHS number still matches", () => {
    const r = pair({}, {
      last_name: "Okafor",
      postcode: "M1 4BT",
      address_line_1: "3 Canal Street",
      town: "Manchester"
    })
    expect(r.vector.lastName).toBe("different")
    expect(r.vector.postcode).toBe("different")
    expect(r.grade).toBe("match")
  })

  it("a changed surname and a move without NHS numbers is only possible", () => {
    const r = pair({ nhs_number: null }, {
      nhs_number: null,
      last_name: "Okafor",
      postcode: "M1 4BT",
      address_line_1: "3 Canal Street",
      town: "Manchester"
    })
    expect(r.grade).toBe("possible")
  })

  it("twins (same dob, surname and address, different forename and NHS number) never match", () => {
    const twin = { first_name: "Harriet", nhs_number: nhsB }
    const r = pair({}, twin)
    expect(r.vector.nhsNumber).toBe("different")
    expect(r.vector.firstName).toBe("different")
    expect(r.grade).toBe("no-match")
  })

  it("twins without NHS numbers are at most possible, never a match", () => {
    const r = pair({ nhs_number: null }, { nhs_number: null, first_name: "Harriet" })
    expect(r.grade).toBe("possible")
  })

  it("a family member (same surname and address, different dob and forename) is no match", () => {
    const r = pair({ nhs_number: null }, { nhs_number: null, first_name: "George", sex: "Male", dob: "2012-11-30" })
    expect(r.vector.dateOfBirth).toBe("different")
    expect(r.grade).toBe("no-match")
  })

  it("differing verified NHS numbers give no-match whatever the score", () => {
    const config = Scoring.makeConfig({ weights: { nhsNumber: { different: 100 } } })
    const r = pair({}, { nhs_number: nhsB }, config)
    expect(r.score).toBeGreaterThan(100)
    expect(r.grade).toBe("no-match")
    expect(r.explanation).toContain("capped at no-match: verified NHS numbers differ (hard rule)")
  })

  it("an unverified NHS number compares as invalid, never as exact", () => {
    const r = pair({ nhs_number: invalidNhs }, { nhs_number: invalidNhs })
    expect(r.vector.nhsNumber).toBe("invalid")
    const one = pair({}, { nhs_number: invalidNhs })
    expect(one.vector.nhsNumber).toBe("invalid")
    expect(pair({}, { nhs_number: null }).vector.nhsNumber).toBe("missing")
  })

  it("dates of birth: transposed day and month or one digit off are close", () => {
    expect(pair({ dob: "1984-03-07" }, { dob: "1984-07-03" }).vector.dateOfBirth).toBe("close")
    expect(pair({ dob: "1984-03-07" }, { dob: "1984-03-08" }).vector.dateOfBirth).toBe("close")
    expect(pair({ dob: "1984-03-07" }, { dob: "1994-03-07" }).vector.dateOfBirth).toBe("close")
    expect(pair({ dob: "1984-03-07" }, { dob: "1985-04-07" }).vector.dateOfBirth).toBe("different")
    expect(pair({ dob: "1984-03-07" }, { dob: null }).vector.dateOfBirth).toBe("missing")
  })

  it("a different date of birth caps the grade at possible (configurable)", () => {
    const r = pair({}, { dob: "1990-01-01" })
    expect(r.score).toBeGreaterThanOrEqual(Scoring.defaultConfig.thresholds.match)
    expect(r.grade).toBe("possible")
    const uncapped = pair({}, { dob: "1990-01-01" }, Scoring.makeConfig({ caps: [] }))
    expect(uncapped.grade).toBe("match")
  })

  it("sex: unknown values compare as missing", () => {
    expect(pair({ sex: "Not known" }, {}).vector.sex).toBe("missing")
    expect(pair({ sex: "Not specified" }, { sex: "Not specified" }).vector.sex).toBe("missing")
    expect(pair({ sex: "Male" }, { sex: "Female" }).vector.sex).toBe("different")
    expect(pair({ sex: "Other" }, { sex: "Other" }).vector.sex).toBe("exact")
    expect(pair({ sex: "Something new" }, { sex: "Something new" }).vector.sex).toBe("exact")
    expect(pair({ sex: "Something new" }, { sex: "Female" }).vector.sex).toBe("different")
    expect(pair({ sex: "" }, { sex: "Female" }).vector.sex).toBe("missing")
  })

  it("postcodes: normalised exact, same outward code close", () => {
    expect(pair({ postcode: "ls6 2ab" }, { postcode: "LS62AB" }).vector.postcode).toBe("exact")
    expect(pair({ postcode: "LS6 2AB" }, { postcode: "LS6 4QX" }).vector.postcode).toBe("close")
    expect(pair({ postcode: "LS6 2AB" }, { postcode: "LS16 2AB" }).vector.postcode).toBe("different")
    expect(pair({ postcode: "LS6 2AB" }, { postcode: " " }).vector.postcode).toBe("missing")
  })

  it("address lines: abbreviations expanded, a different house number is different", () => {
    expect(pair({ address_line_1: "12 Holly Road" }, { address_line_1: "12, holly rd." }).vector.addressLine1).toBe(
      "exact"
    )
    expect(pair({ address_line_1: "12 Holly Road" }, { address_line_1: "12 Holy Road" }).vector.addressLine1).toBe(
      "close"
    )
    expect(pair({ address_line_1: "12 Holly Road" }, { address_line_1: "14 Holly Road" }).vector.addressLine1).toBe(
      "different"
    )
    expect(pair({ town: "Leeds" }, { town: "LEEDS" }).vector.town).toBe("exact")
    expect(pair({ town: "Leeds" }, { town: "Leed" }).vector.town).toBe("close")
    expect(pair({ town: "Leeds" }, { town: "York" }).vector.town).toBe("different")
  })

  it("explains every field with level and points, and the total, without any value", () => {
    const other = { last_name: "Pembertno", first_name: "Marhta", postcode: "LS6 4QX" }
    const r = pair({}, other)
    expect(r.explanation.slice(0, 8)).toStrictEqual([
      "nhsNumber: exact (+16.0)",
      "dateOfBirth: exact (+7.0)",
      "lastName: typo (+4.0)",
      "firstName: typo (+3.0)",
      "sex: exact (+1.0)",
      "postcode: close (+1.5)",
      "addressLine1: exact (+3.0)",
      "town: exact (+1.0)"
    ])
    expect(r.explanation[8]).toBe("score: 36.5 (match >= 22.0, possible >= 7.0)")
    expect(r.explanation[9]).toBe("grade: match")
    noValues(r, other)
    const twin = { first_name: "Harriet", nhs_number: nhsB }
    noValues(pair({}, twin), twin)
  })

  it("is symmetric", () => {
    const a = { last_name: "Pembertno", dob: "1984-07-03", postcode: "LS6 4QX" }
    expect(Scoring.scorePatients(hero(), hero(a))).toStrictEqual(Scoring.scorePatients(hero(a), hero()))
  })

  it("thresholds and weights are configurable", () => {
    const strict = Scoring.makeConfig({ thresholds: { match: 40 }, weights: { lastName: { typo: -3 } } })
    const r = pair({}, { last_name: "Pembertno" }, strict)
    expect(r.vector.lastName).toBe("typo")
    expect(r.score).toBe(35)
    expect(r.grade).toBe("possible")
    expect(strict.thresholds.possible).toBe(7)
    expect(strict.weights.nhsNumber).toStrictEqual(Scoring.defaultConfig.weights.nhsNumber)
  })

  it("never throws on odd data and ignores non-finite weights", () => {
    const weird = Scoring.score({ firstName: "", lastName: "!!!", postcode: "x", addressLine1: " ", town: "" }, {})
    expect(weird.grade).toBe("no-match")
    expect(Object.values(weird.vector).every((l) => l === "missing")).toBe(true)
    const nan = Scoring.makeConfig({ weights: { town: { exact: Number.NaN } } })
    expect(Number.isFinite(pair({}, {}, nan).score)).toBe(true)
  })

  it("summary keeps score, grade and vector; grades order match > possible > no-match", () => {
    const r = pair({}, {})
    expect(Scoring.summary(r)).toStrictEqual({ score: 44, grade: "match", vector: r.vector })
    expect(Scoring.compareGrades("match", "possible")).toBeGreaterThan(0)
    expect(Scoring.compareGrades("no-match", "possible")).toBeLessThan(0)
    expect(Scoring.formatPoints(0)).toBe("0.0")
    expect(Scoring.formatPoints(-0.5)).toBe("-0.5")
  })
})

describe("Scoring properties (seeded)", () => {
  const name = FastCheck.stringMatching(/^[a-z]{2,8}$/).map((s) => `Qx${s}`)
  const person = FastCheck.record({
    first_name: name,
    last_name: name,
    dob: FastCheck.date({ min: new Date("1900-01-01"), max: new Date("2025-12-31"), noInvalidDate: true }).map((d) =>
      d.toISOString().slice(0, 10)
    ),
    sex: FastCheck.constantFrom("Male", "Female", "Other", "Not known"),
    postcode: FastCheck.stringMatching(/^[A-Z]{2}[0-9] [0-9][A-Z]{2}$/).map((p) => `QX${p}`),
    nhs_number: FastCheck.option(FastCheck.integer({ min: 0, max: 999_999 }).map((i) => testRangeNhsNumber(i)), {
      nil: null
    })
  })

  it("is symmetric, stays within its thresholds and never explains with a value", () => {
    FastCheck.assert(
      FastCheck.property(person, person, (a, b) => {
        const ab = Scoring.scorePatients(hero(a), hero({ id: "1002", ...b }))
        const ba = Scoring.scorePatients(hero({ id: "1002", ...b }), hero(a))
        expect(ab).toStrictEqual(ba)
        const text = ab.explanation.join("\n")
        expect(text).not.toMatch(/Qx|QX|\d{4}-\d{2}-\d{2}|\d{10}/)
        if (ab.grade === "match") expect(ab.score).toBeGreaterThanOrEqual(Scoring.defaultConfig.thresholds.match)
        if (ab.vector.nhsNumber === "different") expect(ab.grade).toBe("no-match")
        const self = Scoring.scorePatients(hero(a), hero({ id: "1002", ...a }))
        expect(self.grade).toBe("match")
      }),
      { seed: 20261123, numRuns: 300 }
    )
  })
})
