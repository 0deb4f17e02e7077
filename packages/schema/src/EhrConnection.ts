/**
 * Linking a Hero patient to a record in the practice's EHR.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { EhrPartnerIdInput } from "./Ids.js"
import * as F from "./internal/fields.js"

/**
 * Body of `POST /v1/patients/{id}/ehr/connect`: the EHR's own id of the chosen record.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConnectPatientEhrRequest = Schema.Struct({
  ehrPartnerId: F.required("ehr_partner_id", EhrPartnerIdInput)
}).annotations({ identifier: "ConnectPatientEhrRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ConnectPatientEhrRequest extends Schema.Schema.Type<typeof ConnectPatientEhrRequest> {}
