/**
 * Merging two Hero patients: the preview request, the preview with its token, the merge request.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PatientId } from "./Ids.js"
import * as F from "./internal/fields.js"
import { MergeToken } from "./MergeToken.js"
import { PatientV1 } from "./Patient.js"

/**
 * Body of `POST /v1/patients/{id}/merge/preview`: the Hero id of the patient to merge into the one
 * in the path.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PreviewPatientMergeRequest = Schema.Struct({
  incomingPatientId: F.required("patient_id", PatientId)
}).annotations({ identifier: "PreviewPatientMergeRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PreviewPatientMergeRequest extends Schema.Schema.Type<typeof PreviewPatientMergeRequest> {}

/**
 * The preview: the main record (the path id, which stays), the incoming one (the body's
 * `patient_id`), what the main record becomes, and the token for the merge.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MergePreview = Schema.Struct({
  mainPatient: F.required("main_patient", PatientV1),
  incomingPatient: F.required("incoming_patient", PatientV1),
  resultPatient: F.required("result_patient", PatientV1),
  mergeToken: F.required("merge_token", MergeToken)
}).annotations({ identifier: "MergePreview" })

/**
 * @since 0.1.0
 * @category models
 */
export interface MergePreview extends Schema.Schema.Type<typeof MergePreview> {}

/**
 * Body of `POST /v1/patients/{id}/merge`: the token from the preview and the same incoming patient.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MergePatientRequest = Schema.Struct({
  mergeToken: F.required("merge_token", MergeToken),
  incomingPatientId: F.required("patient_id", PatientId)
}).annotations({ identifier: "MergePatientRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface MergePatientRequest extends Schema.Schema.Type<typeof MergePatientRequest> {}
