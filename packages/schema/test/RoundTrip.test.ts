import { describe, expect, it } from "@effect/vitest"
import * as S from "@hero-effect/schema"
import { Arbitrary, FastCheck, Schema } from "effect"

// Every record, request and response: values generated from the schema's own arbitrary are encoded
// to wire values; those must decode, re-encode to the same wire value, and decode to the same value.
const schemas: ReadonlyArray<readonly [string, Schema.Schema<any, any>]> = [
  ["PatientV1", S.PatientV1],
  ["PatientV2", S.PatientV2],
  ["PatientV3", S.PatientV3],
  ["EhrCandidateList", S.EhrCandidateList],
  ["PatientV1List", S.PatientV1List],
  ["PatientV2List", S.PatientV2List],
  ["PatientV3List", S.PatientV3List],
  ["AttachmentList", S.AttachmentList],
  ["MergePreview", S.MergePreview],
  ["PreviewPatientMergeRequest", S.PreviewPatientMergeRequest],
  ["MergePatientRequest", S.MergePatientRequest],
  ["ConnectPatientEhrRequest", S.ConnectPatientEhrRequest],
  ["BillingInfo", S.BillingInfo],
  ["PaymentMethod", S.PaymentMethod],
  ["PaymentMethodsResponse", S.PaymentMethodsResponse],
  ["RegisterPatientRequest", S.RegisterPatientRequest],
  ["RegisterPatientPdsRequest", S.RegisterPatientPdsRequest],
  ["RegisterPatientPdsResult", S.RegisterPatientPdsResult],
  ["RegisterPatientResult", S.RegisterPatientResult],
  ["ValidationErrorBody", S.ValidationErrorBody],
  ["PatientWebhookEvent", S.PatientWebhookEvent],
  ["Identifier", S.Identifier],
  ["ListPatientsParams", S.ListPatientsParams],
  ["ListPatientsV2Params", S.ListPatientsV2Params],
  ["GetPatientByIdV2Params", S.GetPatientByIdV2Params],
  ["ListPatientsV3Params", S.ListPatientsV3Params]
]

describe("decode → encode → decode round trips", () => {
  it.each(schemas)("%s", (_name, schema) => {
    const encode = Schema.encodeSync(schema)
    const decode = Schema.decodeUnknownSync(schema)
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(schema), (value) => {
        const wire = encode(value)
        const decoded = decode(wire)
        const rewire = encode(decoded)
        expect(rewire).toStrictEqual(wire)
        expect(decode(rewire)).toStrictEqual(decoded)
      }),
      { seed: 20261123, numRuns: 60 }
    )
  })
})
