import { describe, expectTypeOf, it } from "@effect/vitest"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import type { ConnectPatientEhrRequest } from "@hero-effect/schema/EhrConnection"
import { PatientId } from "@hero-effect/schema/Ids"
import type { MergePatientRequest } from "@hero-effect/schema/Merge"
import type { MergeToken } from "@hero-effect/schema/MergeToken"
import { makeMergeToken, mergeTokenValue } from "@hero-effect/schema/MergeToken"
import type { NhsNumber, VerifiedNhsNumber } from "@hero-effect/schema/NhsNumber"
import { CanonicalNhsNumber, formatNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { RegisterPatientPdsRequest } from "@hero-effect/schema/Registration"

// These are checked by `tsc -b` (part of `pnpm test`): each @ts-expect-error must be an error, or
// the type-check fails. The runtime bodies only keep vitest from reporting empty tests.
const text: string = "9434765919"
const nhsNumber = CanonicalNhsNumber.make("9434765919")
const patientId = PatientId.make("1001")
const dob = CanonicalDateOfBirth.make("1989-04-11")
const token = makeMergeToken("token")
// Calls that must not compile are wrapped so they never run.
const neverRun = (_f: () => unknown) => undefined

describe("type-level guarantees", () => {
  it("an unvalidated string is not an NhsNumber", () => {
    expectTypeOf<string>().not.toMatchTypeOf<NhsNumber>()
    expectTypeOf<NhsNumber>().toMatchTypeOf<string>()
    // @ts-expect-error a plain string cannot be formatted as an NHS number
    neverRun(() => formatNhsNumber(text))
    // @ts-expect-error a plain string cannot go in a request that needs an NHS number
    const _byNhs: RegisterPatientPdsRequest = { _tag: "ByNhsNumber", nhsNumber: text, dateOfBirth: dob }
    const ok: RegisterPatientPdsRequest = { _tag: "ByNhsNumber", nhsNumber, dateOfBirth: dob }
    expectTypeOf(ok).toMatchTypeOf<RegisterPatientPdsRequest>()
  })

  it("a verified received NHS number carries an NhsNumber, an unverified one does not", () => {
    expectTypeOf<VerifiedNhsNumber["value"]>().toEqualTypeOf<NhsNumber>()
  })

  it("an unvalidated string is not a MergeToken", () => {
    expectTypeOf<string>().not.toMatchTypeOf<MergeToken>()
    // @ts-expect-error a plain string cannot be a merge token
    const _merge: MergePatientRequest = { mergeToken: text, incomingPatientId: patientId }
    // @ts-expect-error reading a token needs a MergeToken
    neverRun(() => mergeTokenValue(text))
    const ok: MergePatientRequest = { mergeToken: token, incomingPatientId: patientId }
    expectTypeOf(ok.mergeToken).toEqualTypeOf<MergeToken>()
    expectTypeOf(makeMergeToken).returns.toEqualTypeOf<MergeToken>()
  })

  it("ids are not interchangeable", () => {
    // @ts-expect-error a patient id is not an EHR partner id
    const _connect: ConnectPatientEhrRequest = { ehrPartnerId: patientId }
    // @ts-expect-error a plain string is not a patient id
    const _merge: MergePatientRequest = { mergeToken: token, incomingPatientId: text }
  })

  it("the two register_pds alternatives cannot be mixed", () => {
    const _mixed: RegisterPatientPdsRequest = {
      _tag: "ByNhsNumber",
      nhsNumber,
      dateOfBirth: dob,
      // @ts-expect-error demographic fields do not belong to the NHS-number alternative
      forename: "Ada"
    }
    expectTypeOf(_mixed).toMatchTypeOf<RegisterPatientPdsRequest>()
  })
})
