import { describe, expect, it } from "@effect/vitest"
import { NetworkError, RateLimited, Timeout } from "@hero-effect/client/HeroHealthError"
import { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import { Outcome, Step } from "@hero-effect/workflows"
import { Either } from "effect"

const p1 = PatientId.make("1001")
const p2 = PatientId.make("1002")
const ehr = EhrPartnerId.make("EMIS-1")

describe("Outcome", () => {
  const all: ReadonlyArray<Outcome.Outcome> = [
    new Outcome.Linked({ patientId: p1, ehrPartnerId: ehr }),
    new Outcome.Merged({ mainPatientId: p1, incomingPatientId: p2 }),
    new Outcome.Merged({ mainPatientId: p1, incomingPatientId: p2, ehrPartnerId: ehr }),
    new Outcome.AlreadyLinked({ patientId: p1, ehrPartnerId: ehr }),
    new Outcome.NoCandidate({ patientId: p1 }),
    new Outcome.NeedsReview({ reasons: ["several-matches"] }),
    new Outcome.Refused({ codes: ["NHS_NUMBER_MISMATCH"] }),
    new Outcome.Failed({ error: "Timeout", message: "m", step: "merge", outcomeUnknown: true })
  ]

  it("every outcome round-trips through JSON", () => {
    for (const o of all) {
      const json = JSON.parse(JSON.stringify(Either.getOrThrow(Outcome.encode(o))))
      expect(json._tag).toBe(o._tag)
      expect(Outcome.decodeUnknown(json)).toStrictEqual(Either.right(o))
    }
  })

  it("rejects JSON that is not an outcome", () => {
    expect(Either.isLeft(Outcome.decodeUnknown({ _tag: "Exploded" }))).toBe(true)
    expect(Either.isLeft(Outcome.decodeUnknown({ _tag: "Failed", step: "nope", error: "x", message: "y" }))).toBe(true)
  })

  it("fromClientError keeps the tag and the privacy-safe message, and whether the write may have happened", () => {
    const timeout = Outcome.fromClientError(
      "merge",
      new Timeout({ operation: "mergePatient", scope: "attempt", afterMillis: 1000 })
    )
    expect(timeout).toMatchObject({ _tag: "Failed", error: "Timeout", step: "merge", outcomeUnknown: true })
    expect(timeout.message).toContain("mergePatient")
    const limited = Outcome.fromClientError("connect", new RateLimited({ operation: "connectPatientEhr" }))
    expect(limited.outcomeUnknown).toBe(false)
    const unsent = Outcome.fromClientError(
      "connect",
      new NetworkError({ operation: "connectPatientEhr", mayHaveReachedServer: false, reason: "refused" })
    )
    expect(unsent.outcomeUnknown).toBe(false)
  })

  it("isSuccess", () => {
    expect(all.map(Outcome.isSuccess)).toStrictEqual([true, true, true, true, true, false, false, false])
  })
})

describe("Step", () => {
  it("keys and write steps", () => {
    expect(Step.key("merge", "1001", "1002")).toBe("merge:1001:1002")
    expect(Step.steps.filter(Step.isWrite)).toStrictEqual(["connect", "merge"])
  })
})
