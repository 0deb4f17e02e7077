import { expect } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import type { OperationId } from "@hero-effect/client/Operation"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { PatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { CanonicalNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { Effect } from "effect"
import { type Reply, wirePatientV1, wirePatientV2 } from "./scripted.js"

const id = PatientId.make("1001")
const other = PatientId.make("1002")
export const nhs = CanonicalNhsNumber.make("9434765919")
const dob = CanonicalDateOfBirth.make("1989-04-11")

export interface Case {
  readonly call: (c: HeroHealthClientService) => Effect.Effect<unknown, { readonly _tag: string }>
  readonly method: "GET" | "POST"
  readonly path: string
  readonly query?: Record<string, string>
  readonly body?: unknown
  readonly ok: Reply
  readonly check: (result: unknown) => void
  readonly hasPatient: boolean
  readonly conflicts: boolean
}

const list = (item: unknown) => ({ status: 200, body: { data: [item], count: 1 } })

// One case per operationId: the request it must send, a documented answer, what it decodes to.
export const cases: Record<OperationId, Case> = {
  listPatientEhrCandidates: {
    call: (c) => c.listPatientEhrCandidates(id),
    method: "GET",
    path: "/v1/patients/1001/ehr/candidates",
    ok: list(wirePatientV2),
    check: (r) => expect(r).toMatchObject({ count: 1, data: [{ heroId: "1002", ehrPartnerId: "EHR-1" }] }),
    hasPatient: true,
    conflicts: false
  },
  connectPatientEhr: {
    call: (c) => c.connectPatientEhr(id, { ehrPartnerId: "EHR-1" as never }),
    method: "POST",
    path: "/v1/patients/1001/ehr/connect",
    body: { ehr_partner_id: "EHR-1" },
    ok: { status: 200 },
    check: (r) => expect(r).toBeUndefined(),
    hasPatient: true,
    conflicts: true
  },
  previewPatientMerge: {
    call: (c) => c.previewPatientMerge(id, { incomingPatientId: other }),
    method: "POST",
    path: "/v1/patients/1001/merge/preview",
    body: { patient_id: "1002" },
    ok: {
      status: 200,
      body: {
        main_patient: wirePatientV1,
        incoming_patient: { ...wirePatientV1, id: "1002" },
        result_patient: wirePatientV1,
        merge_token: "tok-1"
      }
    },
    check: (r) => expect(r).toMatchObject({ incomingPatient: { id: "1002" } }),
    hasPatient: true,
    conflicts: true
  },
  mergePatient: {
    call: (c) => c.mergePatient(id, { mergeToken: makeMergeToken("tok-1"), incomingPatientId: other }),
    method: "POST",
    path: "/v1/patients/1001/merge",
    body: { merge_token: "tok-1", patient_id: "1002" },
    ok: { status: 200 },
    check: (r) => expect(r).toBeUndefined(),
    hasPatient: true,
    conflicts: true
  },
  getPatientById: {
    call: (c) => c.getPatientById(id),
    method: "GET",
    path: "/v1/patients/1001",
    ok: { status: 200, body: wirePatientV1 },
    check: (r) => expect(r).toMatchObject({ id: "1001", firstName: "Ada", dateOfBirth: "1989-04-11" }),
    hasPatient: true,
    conflicts: false
  },
  listPatientAttachments: {
    call: (c) => c.listPatientAttachments(id),
    method: "GET",
    path: "/v1/patients/1001/attachments",
    ok: list({ id: "att-1", name: "letter.pdf" }),
    check: (r) => expect(r).toMatchObject({ data: [{ id: "att-1" }] }),
    hasPatient: true,
    conflicts: false
  },
  listPatients: {
    call: (c) => c.listPatients({ field: "nhs_number", search: nhs }),
    method: "GET",
    path: "/v1/patients",
    query: { field: "nhs_number", search: nhs },
    ok: list(wirePatientV1),
    check: (r) => expect(r).toMatchObject({ data: [{ id: "1001" }] }),
    hasPatient: false,
    conflicts: false
  },
  registerPatientPds: {
    call: (c) => c.registerPatientPds({ _tag: "ByNhsNumber", nhsNumber: nhs, dateOfBirth: dob }),
    method: "POST",
    path: "/v1/patients/register_pds",
    body: { nhs_number: nhs, dob: "1989-04-11" },
    ok: { status: 200, body: { patient_id: "1001" } },
    check: (r) => expect(r).toStrictEqual({ _tag: "PatientRegistered", patientId: "1001" }),
    hasPatient: true,
    conflicts: false
  },
  registerPatient: {
    call: (c) => c.registerPatient({ dateOfBirth: dob, firstName: "Ada", lastName: "Lovelace", mobile: "07700900123" }),
    method: "POST",
    path: "/v1/patients/register",
    body: { dob: "1989-04-11", first_name: "Ada", last_name: "Lovelace", mobile: "07700900123" },
    ok: { status: 200, body: { patient_id: "1001" } },
    check: (r) => expect(r).toMatchObject({ patientId: "1001" }),
    hasPatient: true,
    conflicts: false
  },
  patientBillingInfo: {
    call: (c) => c.patientBillingInfo(id),
    method: "GET",
    path: "/v1/patients/1001/billing_info",
    ok: { status: 200, body: { id: "b1", insurance: { insurer: "Bupa" }, confidential: false } },
    check: (r) => expect(r).toMatchObject({ id: "b1", insurance: { insurer: "Bupa" } }),
    hasPatient: true,
    conflicts: false
  },
  listPatientPaymentMethods: {
    call: (c) => c.listPatientPaymentMethods(id),
    method: "GET",
    path: "/v1/patients/1001/payment_methods",
    ok: { status: 200, body: { data: [{ id: "pm_1", brand: "visa" }] } },
    check: (r) => expect(r).toMatchObject({ data: [{ id: "pm_1" }] }),
    hasPatient: true,
    conflicts: false
  },
  getPatientByIdV2: {
    call: (c) => c.getPatientByIdV2(id, { dataSource: "ehr" }),
    method: "GET",
    path: "/v2/patients/1001",
    query: { data_source: "ehr" },
    ok: { status: 200, body: wirePatientV2 },
    check: (r) => expect(r).toMatchObject({ heroId: "1002" }),
    hasPatient: true,
    conflicts: false
  },
  listPatientsV2: {
    call: (c) => c.listPatientsV2({ field: "ehr_partner_id", search: "EHR-1", dataSource: "hero" }),
    method: "GET",
    path: "/v2/patients",
    query: { field: "ehr_partner_id", search: "EHR-1", dataSource: "hero" },
    ok: list(wirePatientV2),
    check: (r) => expect(r).toMatchObject({ count: 1 }),
    hasPatient: false,
    conflicts: false
  },
  listPatientsV3: {
    call: (c) => c.listPatientsV3({ lastName: "Lovelace", dateOfBirth: dob, pageIndex: 1, pageSize: 10 }),
    method: "GET",
    path: "/v3/patients",
    query: { last_name: "Lovelace", dob: "1989-04-11", page_index: "1", page_size: "10" },
    ok: { status: 200, body: { data: [{ ...wirePatientV2, ods_code: "A81001" }], count: 11 } },
    check: (r) => expect(r).toMatchObject({ count: 11, data: [{ odsCode: "A81001" }] }),
    hasPatient: false,
    conflicts: false
  }
}
