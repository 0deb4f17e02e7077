/**
 * Branded identifiers, so a patient id can never be passed where an EHR id is expected.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A Hero patient id: a string of digits (`^\d+$`, as Hero documents it on `id`, `hero_id` and the
 * merge body's `patient_id`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientId = Schema.String.pipe(
  Schema.pattern(/^\d+$/, { message: () => "A Hero patient id must be a string of digits" }),
  Schema.brand("PatientId"),
  Schema.annotations({ identifier: "PatientId", description: "Hero patient id (digits)" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type PatientId = typeof PatientId.Type

/**
 * A Hero patient id as the register endpoints return it. The document gives `patient_id` there no
 * pattern, so any string is kept as Hero sent it (same brand; the client still refuses unsafe ids
 * before putting one in a path).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReceivedPatientId: Schema.Schema<PatientId, string> = Schema.String.pipe(
  Schema.brand("PatientId"),
  Schema.annotations({ identifier: "ReceivedPatientId" })
)

/**
 * A Hero patient uid (`uid`, `hero_uid`). Format undocumented: any string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientUid = Schema.String.pipe(
  Schema.brand("PatientUid"),
  Schema.annotations({ identifier: "PatientUid" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type PatientUid = typeof PatientUid.Type

/**
 * The id the connected EHR (EMIS Web, SystmOne) uses for a patient, as received. Format
 * undocumented: any string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EhrPartnerId = Schema.String.pipe(
  Schema.brand("EhrPartnerId"),
  Schema.annotations({ identifier: "EhrPartnerId" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type EhrPartnerId = typeof EhrPartnerId.Type

/**
 * An EHR partner id as a request carries it: trimmed and not empty.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EhrPartnerIdInput: Schema.Schema<EhrPartnerId, string> = Schema.String.pipe(
  Schema.nonEmptyString({ message: () => "An EHR partner id must not be empty" }),
  Schema.trimmed({ message: () => "An EHR partner id must not have surrounding whitespace" }),
  Schema.brand("EhrPartnerId"),
  Schema.annotations({ identifier: "EhrPartnerIdInput" })
)

/**
 * An EMIS Web patient id (`emis_id`). Format undocumented: any string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmisId = Schema.String.pipe(Schema.brand("EmisId"), Schema.annotations({ identifier: "EmisId" }))

/**
 * @since 0.1.0
 * @category models
 */
export type EmisId = typeof EmisId.Type

/**
 * A Hero practice group id, sent in the `x-practice-group-id` header: not empty, no whitespace or
 * control characters (it must be a valid header value).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PracticeGroupId = Schema.String.pipe(
  Schema.pattern(/^[\x21-\x7e]+$/, {
    message: () => "A practice group id must be non-empty printable ASCII without spaces"
  }),
  Schema.brand("PracticeGroupId"),
  Schema.annotations({ identifier: "PracticeGroupId" })
)

/**
 * @since 0.1.0
 * @category models
 */
export type PracticeGroupId = typeof PracticeGroupId.Type

/**
 * An ODS code (NHS organisation code) as received on v3 patients. Format undocumented: any string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OdsCode = Schema.String.pipe(Schema.brand("OdsCode"), Schema.annotations({ identifier: "OdsCode" }))

/**
 * @since 0.1.0
 * @category models
 */
export type OdsCode = typeof OdsCode.Type
