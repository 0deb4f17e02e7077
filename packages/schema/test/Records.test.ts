import { describe, expect, it } from "@effect/vitest"
import { BillingInfo } from "@hero-effect/schema/Billing"
import { ConnectPatientEhrRequest } from "@hero-effect/schema/EhrConnection"
import { EhrCandidateList, PatientV3List } from "@hero-effect/schema/ListEnvelope"
import { MergePatientRequest, MergePreview } from "@hero-effect/schema/Merge"
import { makeMergeToken, mergeTokenValue } from "@hero-effect/schema/MergeToken"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import { paymentMethodsOf } from "@hero-effect/schema/PaymentMethod"
import {
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest
} from "@hero-effect/schema/Registration"
import { ListPatientsV3Params } from "@hero-effect/schema/Search"
import { ValidationErrorBody } from "@hero-effect/schema/ValidationError"
import { DateTime, Either, ParseResult, Redacted, Schema } from "effect"

const format = (e: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(e)

const wirePatientV1 = {
  id: "1001",
  uid: "u-1001",
  emis_id: "E-55",
  ehr_partner_id: "EHR-9",
  dob: "1989-04-11",
  deceased_at: null,
  title: "Ms",
  first_name: "Ada",
  last_name: "Lovelace",
  sex: "Female",
  nhs_number: "943 476 5919",
  email: "ada@example.org",
  emails: ["ada@example.org"],
  mobile: "07700900000",
  last_sync_at: "2026-01-02T03:04:05Z",
  address_line_1: "1 Analytical Row",
  address_line_2: null,
  country: "United Kingdom",
  postcode: "SW1A 1AA",
  town: "London",
  county: null,
  notes: null,
  verification_credentials: [],
  data_source: "emis",
  restricted: false,
  sex_changed_at: null,
  status: "unarchived",
  identifiers: [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: "9434765919" }],
  ehr_registered: true
}

describe("PatientV1", () => {
  it("decodes the wire form into camelCase domain values", () => {
    const patient = Schema.decodeUnknownSync(PatientV1)(wirePatientV1)
    expect(patient.id).toBe("1001")
    expect(patient.dateOfBirth).toBe("1989-04-11")
    expect(patient.firstName).toBe("Ada")
    expect(patient.addressLine1).toBe("1 Analytical Row")
    expect(patient.addressLine2).toBeUndefined()
    expect(patient.nhsNumber).toMatchObject({ _tag: "VerifiedNhsNumber", value: "9434765919" })
    expect(DateTime.formatIso(patient.lastSyncAt!)).toBe("2026-01-02T03:04:05.000Z")
    expect(patient.identifiers?.[0]?.label).toBe("NHS")
  })

  it("ignores fields it does not know and keeps enum values Hero adds later", () => {
    const patient = Schema.decodeUnknownSync(PatientV1)({
      ...wirePatientV1,
      brand_new_field: { nested: true },
      title: "Admiral",
      data_source: "cerner",
      sex: "Intersex",
      identifiers: [{ source: "ods", name: "ods_code", role: "tertiary", label: "Cerner", value: "X" }]
    })
    expect(patient.title).toBe("Admiral")
    expect(patient.dataSource).toBe("cerner")
    expect(patient).not.toHaveProperty("brand_new_field")
  })

  it("keeps a received NHS number that fails validation, typed apart, instead of failing", () => {
    const patient = Schema.decodeUnknownSync(PatientV1)({ ...wirePatientV1, nhs_number: "9434765918" })
    expect(patient.nhsNumber).toMatchObject({ _tag: "UnverifiedNhsNumber", reason: "check-digit" })
  })

  it("tolerates a missing nullable-required dob and restricted, and sends them back", () => {
    const { dob: _dob, restricted: _restricted, ...rest } = wirePatientV1
    const patient = Schema.decodeUnknownSync(PatientV1)(rest)
    expect(patient.dateOfBirth).toBeNull()
    expect(patient.restricted).toBe(false)
    expect(Schema.encodeSync(PatientV1)(patient)).toMatchObject({ dob: null, restricted: false })
  })

  it("refuses a record without its id", () => {
    const { id: _id, ...rest } = wirePatientV1
    expect(Either.isLeft(Schema.decodeUnknownEither(PatientV1)(rest))).toBe(true)
  })
})

describe("PatientV2 and EHR candidates", () => {
  it("maps line_1..3 to addressLine1..3 and defaults identifiers", () => {
    const list = Schema.decodeUnknownSync(EhrCandidateList)({
      data: [{
        dob: "2019-08-24T14:15:22Z",
        line_1: "2 Engine St",
        hero_id: "77",
        ehr_partner_id: "E1",
        ehr_registered: null
      }],
      count: 1
    })
    expect(list.data[0]).toMatchObject({
      addressLine1: "2 Engine St",
      heroId: "77",
      identifiers: [],
      ehrRegistered: null
    })
    expect(Schema.encodeSync(PatientV2)(list.data[0]!)).toMatchObject({ line_1: "2 Engine St", hero_id: "77" })
  })

  it("v3 pages carry odsCode and may omit count", () => {
    const page = Schema.decodeUnknownSync(PatientV3List)({
      data: [{ dob: "1990-12-31", ods_code: "A81001", identifiers: [], ehr_registered: false }]
    })
    expect(page.count).toBeUndefined()
    expect(page.data[0]?.odsCode).toBe("A81001")
  })
})

describe("merge", () => {
  it("the preview's token never prints, and the merge request sends it", () => {
    const preview = Schema.decodeUnknownSync(MergePreview)({
      main_patient: wirePatientV1,
      incoming_patient: { ...wirePatientV1, id: "1002" },
      result_patient: wirePatientV1,
      merge_token: "secret-token-123"
    })
    expect(String(preview.mergeToken)).not.toContain("secret")
    expect(JSON.stringify(preview)).not.toContain("secret-token-123")
    expect(mergeTokenValue(preview.mergeToken)).toBe("secret-token-123")
    const body = Schema.encodeSync(MergePatientRequest)({
      mergeToken: preview.mergeToken,
      incomingPatientId: preview.incomingPatient.id
    })
    expect(body).toStrictEqual({ merge_token: "secret-token-123", patient_id: "1002" })
    expect(Redacted.isRedacted(makeMergeToken("x"))).toBe(true)
  })

  it("refuses a non-numeric patient id in the merge request", () => {
    const result = Schema.decodeUnknownEither(MergePatientRequest)({ merge_token: "t", patient_id: "../1" })
    expect(Either.isLeft(result)).toBe(true)
  })

  it("connect needs a non-empty EHR id", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(ConnectPatientEhrRequest)({ ehr_partner_id: "" }))).toBe(true)
    expect(Schema.decodeUnknownSync(ConnectPatientEhrRequest)({ ehr_partner_id: "E1" })).toStrictEqual({
      ehrPartnerId: "E1"
    })
  })
})

describe("registration", () => {
  it("register_pds has two alternatives told apart by _tag, and a mix is refused", () => {
    const byNhs = Schema.decodeUnknownSync(RegisterPatientPdsRequest)({ nhs_number: "943 476 5919", dob: "1992-01-01" })
    expect(byNhs).toStrictEqual({ _tag: "ByNhsNumber", nhsNumber: "9434765919", dateOfBirth: "1992-01-01" })
    expect(Schema.encodeSync(RegisterPatientPdsRequest)(byNhs)).toStrictEqual({
      nhs_number: "9434765919",
      dob: "1992-01-01"
    })
    const byDemographics = Schema.decodeUnknownSync(RegisterPatientPdsRequest)({
      forename: "Ada",
      surname: "Lovelace",
      dob: "1989-04-11",
      postcode: "sw1a1aa",
      ehr_partner: "emis",
      ehr_partner_id: "E-1"
    })
    expect(byDemographics).toMatchObject({ _tag: "ByDemographics", postcode: "SW1A 1AA", ehrPartnerId: "E-1" })
    const mix = Schema.decodeUnknownEither(RegisterPatientPdsRequest)({
      nhs_number: "9434765919",
      dob: "1992-01-01",
      forename: "Ada",
      surname: "Lovelace",
      postcode: "SW1A 1AA"
    })
    expect(Either.isLeft(mix)).toBe(true)
  })

  it("register_pds results are matched on _tag", () => {
    const decode = Schema.decodeUnknownSync(RegisterPatientPdsResult)
    expect(decode({ patient_id: "123" })).toStrictEqual({ _tag: "PatientRegistered", patientId: "123" })
    expect(decode({ message: "Verify", login_url: "https://login.example" })).toStrictEqual({
      _tag: "IdentityCheckRequired",
      message: "Verify",
      loginUrl: "https://login.example"
    })
  })

  it("register requires a valid NHS number, a real dob and documented enums", () => {
    const valid = { dob: "1989-04-11", first_name: "Ada", last_name: "Lovelace", mobile: "07700900000" }
    expect(
      Schema.decodeUnknownSync(RegisterPatientRequest)({
        ...valid,
        nhs_number: "9434765919",
        title: "Ms",
        sex: "Female",
        data_source: "hero"
      })
    )
      .toMatchObject({ nhsNumber: "9434765919", title: "Ms" })
    for (
      const bad of [{ nhs_number: "9434765918" }, { dob: "1989-02-30" }, { title: "Admiral" }, { first_name: "" }, {
        data_source: "cerner"
      }]
    ) {
      expect(Either.isLeft(Schema.decodeUnknownEither(RegisterPatientRequest)({ ...valid, ...bad }))).toBe(true)
    }
    const messages = Schema.decodeUnknownEither(RegisterPatientRequest)({ ...valid, nhs_number: "9434765918" })
    expect(Either.isLeft(messages) && format(messages.left)).toContain("check digit")
  })
})

describe("other records", () => {
  it("billing info: every field optional, insurance nested", () => {
    expect(Schema.decodeUnknownSync(BillingInfo)({})).toStrictEqual({})
    expect(Schema.decodeUnknownSync(BillingInfo)({ insurance: { membership_number: "M1" }, confidential: true }))
      .toStrictEqual({ insurance: { membershipNumber: "M1" }, confidential: true })
  })

  it("payment methods are read out of an undocumented body tolerantly", () => {
    expect(paymentMethodsOf({ data: [{ id: "pm_1", brand: "visa", last4: "4242", exp_month: 1, exp_year: 2030 }, 42] }))
      .toStrictEqual([{ id: "pm_1", brand: "visa", last4: "4242", expMonth: 1, expYear: 2030 }])
    expect(paymentMethodsOf({})).toStrictEqual([])
  })

  it("the documented 400 body decodes into structured issues", () => {
    const body = Schema.decodeUnknownSync(ValidationErrorBody)({
      error: true,
      statusCode: 400,
      message: [{ code: "invalid_type", expected: "string", path: ["dob"] }]
    })
    expect(body.issues[0]).toStrictEqual({ code: "invalid_type", expected: "string", path: ["dob"] })
  })

  it("v3 search needs a filter and sends page numbers as strings", () => {
    expect(Either.isLeft(Schema.encodeEither(ListPatientsV3Params)({ pageIndex: 0 }))).toBe(true)
    expect(Schema.decodeUnknownSync(ListPatientsV3Params)({ last_name: "Lovelace", page_index: "2", page_size: "50" }))
      .toStrictEqual({ lastName: "Lovelace", pageIndex: 2, pageSize: 50 })
    expect(Either.isLeft(Schema.decodeUnknownEither(ListPatientsV3Params)({ last_name: "L", page_index: "-1" }))).toBe(
      true
    )
  })
})

describe("a date of birth a response can carry", () => {
  it("an impossible one (year 0000, not a date) decodes as unusable, not as a failed patient", () => {
    const decode = Schema.decodeUnknownEither(PatientV1)
    for (const dob of ["0000-01-01T00:00:00Z", "2023-02-30", "not a date", "   "]) {
      const patient = decode({ id: "1", data_source: "hero", status: "unarchived", dob })
      expect(patient._tag, dob).toBe("Right")
      if (patient._tag === "Right") expect(patient.right.dateOfBirth, dob).toBeNull()
    }
    const fine = decode({ id: "1", data_source: "hero", status: "unarchived", dob: "1984-03-07T00:00:00Z" })
    expect(fine._tag === "Right" && fine.right.dateOfBirth).toBe("1984-03-07")
  })
})
