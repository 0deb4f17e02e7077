/**
 * The reads of one patient by path id: the patient (v1, and v2 from Hero or its linked EHR
 * record), its attachments, billing info and payment methods.
 *
 * @internal
 */
import { BillingInfo } from "@hero-effect/schema/Billing"
import { AttachmentList } from "@hero-effect/schema/ListEnvelope"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import { PaymentMethodsResponse } from "@hero-effect/schema/PaymentMethod"
import { GetPatientByIdV2Params } from "@hero-effect/schema/Search"
import type { OperationId } from "../../Faults.js"
import { encoded } from "../outcomes.js"
import * as W from "../world.js"
import type { Handler } from "./context.js"

/** @internal */
export const getPatientById: Handler = (c) => c.patient((p) => encoded(PatientV1, p, c.config))

/** @internal */
export const getPatientByIdV2: Handler = (c) =>
  c.withQuery(GetPatientByIdV2Params, (params) =>
    c.patient((p, state) => {
      if (params.dataSource !== "ehr") return encoded(PatientV2, W.toV2(p), c.config)
      const ehr = W.linkedEhr(state, p.id)
      return ehr === undefined
        ? W.failure(404, "ehr_record_not_found", "The patient is not linked to an EHR record")
        : encoded(PatientV2, ehr, c.config)
    }))

/** @internal */
export const listPatientAttachments: Handler = (c) =>
  c.patient((p, state) => {
    const data = state.attachments[p.id] ?? []
    return encoded(AttachmentList, { data, count: data.length }, c.config)
  })

/** @internal */
export const patientBillingInfo: Handler = (c) =>
  c.patient((p, state) =>
    encoded(BillingInfo, state.billing[p.id] ?? { id: `bill_${p.id}`, confidential: false }, c.config)
  )

/** @internal */
export const listPatientPaymentMethods: Handler = (c) =>
  c.patient((p, state) =>
    encoded(PaymentMethodsResponse, state.paymentMethods[p.id] ?? { object: "list", data: [] }, c.config)
  )

/** This module's operations, by operationId (`handlers.ts` merges every module's). @internal */
export const handlers = {
  getPatientById,
  getPatientByIdV2,
  listPatientAttachments,
  patientBillingInfo,
  listPatientPaymentMethods
} as const satisfies { readonly [K in OperationId]?: Handler }
