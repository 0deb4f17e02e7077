import type { MergePreview } from "@hero-effect/schema/Merge"
import { MergePreview as MergePreviewSchema } from "@hero-effect/schema/Merge"
import { testRangeNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV1Encoded, PatientV2, PatientV2Encoded } from "@hero-effect/schema/Patient"
import { PatientV1 as V1, PatientV2 as V2 } from "@hero-effect/schema/Patient"
import { Schema } from "effect"

// Synthetic people only: NHS numbers from the never-issued 999 range.
export const nhsA = testRangeNhsNumber(1)
export const nhsB = testRangeNhsNumber(5000)
export const invalidNhs = "9990000000" // fails the check digit

export const baseWire: PatientV1Encoded = {
  id: "1001",
  dob: "1984-03-07",
  first_name: "Martha",
  last_name: "Pemberton",
  sex: "Female",
  nhs_number: nhsA,
  postcode: "LS6 2AB",
  address_line_1: "12 Holly Road",
  town: "Leeds",
  data_source: "hero",
  status: "unarchived",
  restricted: false
}

export const hero = (overrides: Partial<PatientV1Encoded> = {}): PatientV1 =>
  Schema.decodeUnknownSync(V1)({ ...baseWire, ...overrides })

export const candidate = (overrides: Partial<PatientV2Encoded> = {}): PatientV2 => {
  const { address_line_1, data_source: _ds, id: _id, status: _st, ...rest } = baseWire
  return Schema.decodeUnknownSync(V2)({
    ...rest,
    line_1: address_line_1,
    ehr_partner_id: "EMIS-1",
    identifiers: [],
    ehr_registered: true,
    ...overrides
  })
}

export const preview = (
  main: Partial<PatientV1Encoded>,
  incoming: Partial<PatientV1Encoded>,
  result: Partial<PatientV1Encoded>
): MergePreview =>
  Schema.decodeUnknownSync(MergePreviewSchema)({
    main_patient: { ...baseWire, ...main },
    incoming_patient: { ...baseWire, id: "1002", ...incoming },
    result_patient: { ...baseWire, ...result },
    merge_token: "secret-token-value"
  })

// Every patient value a test uses, to assert none leaks into explanations, reasons or journals.
export const patientValues = (p: PatientV1Encoded): ReadonlyArray<string> =>
  [p.first_name, p.last_name, p.dob, p.nhs_number, p.postcode, p.address_line_1, p.town]
    .filter((v): v is string => typeof v === "string" && v.length > 2)
