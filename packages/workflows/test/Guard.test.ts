import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import type { PatientV1Encoded } from "@hero-effect/schema/Patient"
import { Guard } from "@hero-effect/workflows"
import { Option, pipe } from "effect"
import { baseWire, invalidNhs, nhsB, patientValues, preview } from "./support/patients.js"

const ctx = (
  main: Partial<PatientV1Encoded> = {},
  incoming: Partial<PatientV1Encoded> = {},
  result: Partial<PatientV1Encoded> = {},
  requested?: Guard.GuardContext["requested"]
) => Guard.contextFromPreview(preview(main, incoming, { ...main, ...result }), { requested })

const ids = (main: string, incoming: string) => ({
  mainPatientId: PatientId.make(main),
  incomingPatientId: PatientId.make(incoming)
})

// Each rule: a context where it stays quiet, one where it fires, and the severity it fires with.
const cases: ReadonlyArray<{
  readonly rule: Guard.GuardRule
  readonly code: string
  readonly severity: Guard.Severity
  readonly passing: Guard.GuardContext
  readonly failing: ReadonlyArray<Guard.GuardContext>
}> = [
  {
    rule: Guard.sameRecord,
    code: "SAME_RECORD",
    severity: "refuse",
    passing: ctx(),
    failing: [ctx({}, { id: "1001" })]
  },
  {
    rule: Guard.previewPairMismatch,
    code: "PREVIEW_PAIR_MISMATCH",
    severity: "refuse",
    passing: ctx({}, {}, {}, ids("1001", "1002")),
    failing: [ctx({}, {}, {}, ids("1001", "1003")), ctx({}, {}, {}, ids("1002", "1001"))]
  },
  {
    rule: Guard.resultNotMain,
    code: "RESULT_NOT_MAIN",
    severity: "refuse",
    passing: ctx(),
    failing: [ctx({}, {}, { id: "1002" })]
  },
  {
    rule: Guard.incomingArchived,
    code: "INCOMING_ARCHIVED",
    severity: "refuse",
    passing: ctx({ status: "archived" }),
    failing: [ctx({}, { status: "archived" })]
  },
  {
    rule: Guard.mainArchived,
    code: "MAIN_ARCHIVED",
    severity: "refuse",
    passing: ctx({}, { status: "archived" }),
    failing: [ctx({ status: "archived" })]
  },
  {
    rule: Guard.unrecognisedStatus,
    code: "UNRECOGNISED_STATUS",
    severity: "review",
    passing: ctx({ status: "archived" }, { status: "unarchived" }),
    failing: [ctx({ status: "deleted" }), ctx({}, { status: "suspended" })]
  },
  {
    rule: Guard.nhsNumberMismatch,
    code: "NHS_NUMBER_MISMATCH",
    severity: "refuse",
    passing: ctx({}, { nhs_number: null }),
    failing: [ctx({}, { nhs_number: nhsB })]
  },
  {
    rule: Guard.nhsNumberInvalid,
    code: "NHS_NUMBER_INVALID",
    severity: "review",
    passing: ctx({}, { nhs_number: null }),
    failing: [ctx({ nhs_number: invalidNhs }), ctx({}, { nhs_number: "12345" })]
  },
  {
    rule: Guard.nhsNumberLost,
    code: "NHS_NUMBER_LOST",
    severity: "review",
    passing: ctx({ nhs_number: null }, { nhs_number: null }, { nhs_number: null }),
    failing: [ctx({}, {}, { nhs_number: null })]
  },
  {
    rule: Guard.dobMismatch,
    code: "DOB_MISMATCH",
    severity: "review",
    passing: ctx({}, { dob: "1984-07-03" }),
    failing: [ctx({}, { dob: "1984-03-08" }), ctx({}, { dob: "1948-03-07" })]
  },
  {
    rule: Guard.deceasedMismatch,
    code: "DECEASED_MISMATCH",
    severity: "review",
    passing: ctx({ deceased_at: "2024-01-01T00:00:00Z" }, { deceased_at: "2024-01-02T00:00:00Z" }),
    failing: [ctx({ deceased_at: "2024-01-01T00:00:00Z" }), ctx({}, { deceased_at: "2024-01-01T00:00:00Z" })]
  },
  {
    rule: Guard.restricted,
    code: "RESTRICTED",
    severity: "review",
    passing: ctx(),
    failing: [ctx({ restricted: true }), ctx({}, { restricted: true })]
  },
  {
    rule: Guard.sexMismatch,
    code: "SEX_MISMATCH",
    severity: "review",
    passing: ctx({ sex: "Female" }, { sex: "Not known" }),
    failing: [
      ctx({ sex: "Female" }, { sex: "Male" }),
      ctx({ sex: "Other" }, { sex: "Female" }),
      ctx({ sex: "Intersex" }, { sex: "Female" })
    ]
  },
  {
    rule: Guard.namesTooFar(),
    code: "NAMES_TOO_FAR",
    severity: "review",
    passing: ctx({}, { last_name: "Pembertno", first_name: null }),
    failing: [
      ctx({}, { last_name: "Okafor", nhs_number: null }),
      ctx({}, { first_name: "Harriet" }),
      ctx({}, { first_name: "Harriet", last_name: "Okafor" })
    ]
  },
  {
    rule: Guard.nhsNumberDemographicsConflict,
    code: "NHS_NUMBER_DEMOGRAPHICS_CONFLICT",
    severity: "review",
    // A married name with the same number, forename and date of birth is no conflict.
    passing: ctx({}, { last_name: "Okafor" }),
    failing: [
      ctx({}, { first_name: "Harriet" }),
      ctx({}, { first_name: "Marta" }),
      ctx({}, { dob: "1948-11-20" }),
      ctx({}, { first_name: "Harriet", last_name: "Okafor" })
    ]
  },
  {
    rule: Guard.dobDayMonthSwap,
    code: "DOB_DAY_MONTH_SWAP",
    severity: "review",
    passing: ctx({}, { dob: "1984-03-08" }),
    failing: [ctx({}, { dob: "1984-07-03" })]
  },
  {
    rule: Guard.sexChangeRecorded,
    code: "SEX_CHANGE_RECORDED",
    severity: "review",
    passing: ctx({}, { sex: "Male" }),
    failing: [ctx({}, { sex: "Male", sex_changed_at: "2020-05-01T00:00:00Z" })]
  },
  {
    rule: Guard.placeholderName,
    code: "PLACEHOLDER_NAME",
    severity: "review",
    passing: ctx({ first_name: "Babette" }, { first_name: "Babette" }),
    failing: [
      ctx({ first_name: "Baby" }, { first_name: "Baby" }),
      ctx({}, { first_name: "Twin 1" }),
      ctx({ first_name: "Unknown", last_name: "Unknown" }),
      ctx({}, { last_name: "Test" })
    ]
  },
  {
    rule: Guard.sentinelDob,
    code: "SENTINEL_DOB",
    severity: "review",
    passing: ctx({ dob: "1990-01-01" }, { dob: "1990-01-01" }),
    failing: [ctx({ dob: "1900-01-01" }, { dob: "1900-01-01" })]
  },
  {
    rule: Guard.sexNotKnown,
    code: "SEX_NOT_KNOWN",
    severity: "review",
    passing: ctx({ sex: "Not specified" }),
    failing: [ctx({ sex: "Not known" }), ctx({}, { sex: "Not known" })]
  },
  {
    rule: Guard.lookalikePresent,
    code: "LOOKALIKE_PRESENT",
    severity: "review",
    passing: { ...ctx(), evidence: { lookalikes: [] } },
    failing: [{
      ...ctx(),
      evidence: { lookalikes: [{ source: "ehr", ehrPartnerId: "E-9", reason: "nhs-number-differs" }] }
    }]
  }
]

describe("Guard rules", () => {
  for (const c of cases) {
    it(`${c.code}: quiet when safe, ${c.severity} when it applies`, () => {
      expect(c.rule.code).toBe(c.code)
      expect(Guard.defaultRules.find((r) => r.code === c.code)).toBeDefined()
      expect(c.rule.description.length).toBeGreaterThan(0)
      expect(c.rule.check(c.passing)).toStrictEqual(Option.none())
      for (const failing of c.failing) {
        const finding = c.rule.check(failing)
        expect(Option.isSome(finding)).toBe(true)
        if (Option.isSome(finding)) {
          expect(finding.value.code).toBe(c.code)
          expect(finding.value.severity).toBe(c.severity)
          for (const v of patientValues({ ...baseWire, ...failing.incoming, id: "x", dob: "1984-03-07" })) {
            expect(finding.value.reason).not.toContain(v)
          }
          expect(finding.value.reason).not.toMatch(/\d{4}-\d{2}-\d{2}/)
          expect(finding.value.reason).not.toMatch(/\d{6,}/)
        }
      }
    })
  }

  it("every default rule has a distinct code and is covered here", () => {
    const codes = Guard.defaultRules.map((r) => r.code)
    expect(new Set(codes).size).toBe(codes.length)
    expect([...codes].sort()).toStrictEqual(cases.map((c) => c.code).sort())
  })

  it("NHS_NUMBER_MISMATCH says to route to PCSE", () => {
    const f = Guard.nhsNumberMismatch.check(ctx({}, { nhs_number: nhsB }))
    expect(Option.getOrThrow(f).reason).toBe("verified NHS numbers differ: route to PCSE, never merge or link locally")
  })

  it("NAMES_TOO_FAR says which name is far, with custom thresholds", () => {
    const both = Guard.namesTooFar().check(ctx({}, { first_name: "Harriet", last_name: "Okafor" }))
    expect(Option.getOrThrow(both).reason).toMatch(/^surname and forename too far apart/)
    const lenient = Guard.namesTooFar({ lastName: 0.1, firstName: 0.1 })
    expect(lenient.check(ctx({}, { first_name: "Harriet", last_name: "Okafor" }))).toStrictEqual(Option.none())
  })
})

describe("Guard.evaluate", () => {
  it("a clean pair of duplicates is clear", () => {
    expect(Guard.evaluate(Guard.defaultRules, ctx())).toStrictEqual({ findings: [], verdict: "clear" })
  })

  it("review when only review findings, refuse when any refusal", () => {
    const review = Guard.evaluate(Guard.defaultRules, ctx({ restricted: true }))
    expect(review.verdict).toBe("review")
    expect(Guard.codes(review)).toStrictEqual(["RESTRICTED"])
    const refuse = Guard.evaluate(
      Guard.defaultRules,
      ctx({ restricted: true }, { nhs_number: nhsB, status: "archived" })
    )
    expect(refuse.verdict).toBe("refuse")
    expect(Guard.codes(refuse)).toStrictEqual(["INCOMING_ARCHIVED", "NHS_NUMBER_MISMATCH", "RESTRICTED"])
  })

  it("is data-last too", () => {
    expect(Guard.evaluate(ctx())(Guard.defaultRules).verdict).toBe("clear")
  })

  it("a rule that throws refuses under its own code (fail safe)", () => {
    const broken = Guard.make({
      code: "BROKEN",
      description: "throws",
      check: () => {
        throw new Error("boom")
      }
    })
    const r = Guard.evaluate([broken], ctx())
    expect(r).toStrictEqual({
      findings: [{ code: "BROKEN", severity: "refuse", reason: "the rule could not be evaluated" }],
      verdict: "refuse"
    })
  })
})

describe("Guard combinators", () => {
  it("without removes rules by code", () => {
    const rules = Guard.without(Guard.defaultRules, "RESTRICTED")
    expect(rules.map((r) => r.code)).not.toContain("RESTRICTED")
    expect(Guard.evaluate(rules, ctx({ restricted: true })).verdict).toBe("clear")
    const fewer = pipe(Guard.defaultRules, Guard.without(["RESTRICTED", "SAME_RECORD"]))
    expect(fewer.length).toBe(Guard.defaultRules.length - 2)
  })

  it("regrade changes a rule's severity", () => {
    const rules = Guard.regrade(Guard.defaultRules, "RESTRICTED", "refuse")
    expect(Guard.evaluate(rules, ctx({ restricted: true })).verdict).toBe("refuse")
    const softer = pipe(Guard.defaultRules, Guard.regrade("DOB_MISMATCH", "review"))
    expect(Guard.evaluate(softer, ctx({}, { dob: "1984-07-03" })).verdict).toBe("review")
  })

  it("add appends a new rule or replaces one with the same code", () => {
    const placeholder = Guard.fromPredicate({
      code: "PLACEHOLDER_IDENTITY",
      description: "A record looks like a placeholder",
      severity: "refuse",
      reason: "a record looks like a placeholder identity",
      when: (c) => c.incoming.lastName?.toLowerCase() === "doe"
    })
    const rules = Guard.add(Guard.defaultRules, placeholder)
    expect(rules.length).toBe(Guard.defaultRules.length + 1)
    expect(Guard.codes(Guard.evaluate(rules, ctx({}, { last_name: "Doe" })))).toContain("PLACEHOLDER_IDENTITY")
    const replaced = Guard.add(rules, { ...Guard.restricted, check: () => Option.none() })
    expect(replaced.length).toBe(rules.length)
    expect(Guard.evaluate(replaced, ctx({ restricted: true })).verdict).toBe("clear")
  })
})
