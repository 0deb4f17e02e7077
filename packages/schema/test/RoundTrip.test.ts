import { describe, expect, it } from "@effect/vitest"
import * as S from "@hero-effect/schema"
import { Arbitrary, FastCheck, Schema } from "effect"

// Every record, request and response: values generated from the schema's own arbitrary are encoded
// to wire values; those must decode, re-encode to the same wire value, and decode to the same value.
const schemas: ReadonlyArray<readonly [string, Schema.Schema<any, any>]> = [
  ["PatientV1", S.Patient.PatientV1],
  ["PatientV2", S.Patient.PatientV2],
  ["PatientV3", S.Patient.PatientV3],
  ["EhrCandidateList", S.ListEnvelope.EhrCandidateList],
  ["PatientV1List", S.ListEnvelope.PatientV1List],
  ["PatientV2List", S.ListEnvelope.PatientV2List],
  ["PatientV3List", S.ListEnvelope.PatientV3List],
  ["AttachmentList", S.ListEnvelope.AttachmentList],
  ["MergePreview", S.Merge.MergePreview],
  ["PreviewPatientMergeRequest", S.Merge.PreviewPatientMergeRequest],
  ["MergePatientRequest", S.Merge.MergePatientRequest],
  ["ConnectPatientEhrRequest", S.EhrConnection.ConnectPatientEhrRequest],
  ["BillingInfo", S.Billing.BillingInfo],
  ["PaymentMethod", S.PaymentMethod.PaymentMethod],
  ["PaymentMethodsResponse", S.PaymentMethod.PaymentMethodsResponse],
  ["RegisterPatientRequest", S.Registration.RegisterPatientRequest],
  ["RegisterPatientPdsRequest", S.Registration.RegisterPatientPdsRequest],
  ["RegisterPatientPdsResult", S.Registration.RegisterPatientPdsResult],
  ["RegisterPatientResult", S.Registration.RegisterPatientResult],
  ["ValidationErrorBody", S.ValidationError.ValidationErrorBody],
  ["PatientWebhookEvent", S.Webhook.PatientWebhookEvent],
  ["Identifier", S.Identifier.Identifier],
  ["ListPatientsParams", S.Search.ListPatientsParams],
  ["ListPatientsV2Params", S.Search.ListPatientsV2Params],
  ["GetPatientByIdV2Params", S.Search.GetPatientByIdV2Params],
  ["ListPatientsV3Params", S.Search.ListPatientsV3Params]
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
