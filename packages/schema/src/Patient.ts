/**
 * The patient shapes the API returns: v1 (Hero's own record), v2 (also the EHR candidate) and v3
 * (search results). Domain fields are camelCase; the wire is snake_case.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { DataSource } from "./DataSource.js"
import { ReceivedDateOfBirth } from "./DateOfBirth.js"
import { Identifier } from "./Identifier.js"
import { EhrPartnerId, EmisId, OdsCode, PatientId, PatientUid } from "./Ids.js"
import * as F from "./internal/fields.js"
import { ReceivedNhsNumber } from "./NhsNumber.js"
import { PatientStatus } from "./PatientStatus.js"
import { Sex } from "./Sex.js"
import { Timestamp } from "./Timestamp.js"
import { Title } from "./Title.js"

/**
 * Fields that v1 and v2 share under the same wire names.
 */
const commonFields = {
  emisId: F.optional("emis_id", EmisId),
  ehrPartnerId: F.optional("ehr_partner_id", EhrPartnerId),
  dateOfBirth: Schema.optionalWith(ReceivedDateOfBirth, { default: () => null }).pipe(Schema.fromKey("dob")),
  deceasedAt: F.optional("deceased_at", Timestamp),
  title: F.optional("title", Title),
  firstName: F.optional("first_name", Schema.String),
  lastName: F.optional("last_name", Schema.String),
  sex: F.optional("sex", Sex),
  nhsNumber: F.optional("nhs_number", ReceivedNhsNumber),
  email: F.optional("email", Schema.String),
  mobile: F.optional("mobile", Schema.String),
  lastSyncAt: F.optional("last_sync_at", Timestamp),
  town: F.optional("town", Schema.String),
  county: F.optional("county", Schema.String),
  postcode: F.optional("postcode", Schema.String),
  restricted: Schema.optionalWith(Schema.Boolean, { nullable: true, default: () => false })
}

/**
 * A Hero patient in the v1 shape (`GET /v1/patients/{id}`, the merge preview, v1 lists).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientV1 = Schema.Struct({
  id: PatientId,
  uid: F.optional("uid", PatientUid),
  ...commonFields,
  emails: F.optional("emails", Schema.Array(Schema.String)),
  addressLine1: F.optional("address_line_1", Schema.String),
  addressLine2: F.optional("address_line_2", Schema.String),
  addressLine3: F.optional("address_line_3", Schema.String),
  country: F.optional("country", Schema.String),
  notes: F.optional("notes", Schema.String),
  verificationCredentials: F.optional("verification_credentials", Schema.Array(Schema.String)),
  dataSource: F.required("data_source", DataSource),
  sexChangedAt: F.optional("sex_changed_at", Timestamp),
  status: PatientStatus,
  identifiers: F.optional("identifiers", Schema.Array(Identifier)),
  ehrRegistered: F.optional("ehr_registered", Schema.Boolean)
}).annotations({ identifier: "PatientV1" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV1 extends Schema.Schema.Type<typeof PatientV1> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV1Encoded extends Schema.Schema.Encoded<typeof PatientV1> {}

const patientV2Fields = {
  ...commonFields,
  dataSource: F.optional("data_source", DataSource),
  addressLine1: F.optional("line_1", Schema.String),
  addressLine2: F.optional("line_2", Schema.String),
  addressLine3: F.optional("line_3", Schema.String),
  heroId: F.optional("hero_id", PatientId),
  heroUid: F.optional("hero_uid", PatientUid),
  identifiers: Schema.optionalWith(Schema.Array(Identifier), { default: () => [] }),
  ehrRegistered: F.nullable("ehr_registered", Schema.Boolean)
}

/**
 * A patient in the v2 shape (`GET /v2/patients/{id}`, v2 lists, EHR candidates). Hero's ids are
 * `heroId`/`heroUid`; on an EHR candidate they name the Hero patient the EHR record is already
 * linked to, if any. The address lines are `line_1..3` on the wire and `addressLine1..3` here, as
 * in v1.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientV2 = Schema.Struct(patientV2Fields).annotations({ identifier: "PatientV2" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV2 extends Schema.Schema.Type<typeof PatientV2> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV2Encoded extends Schema.Schema.Encoded<typeof PatientV2> {}

/**
 * An EHR-side record that may be this Hero patient (`GET /v1/patients/{id}/ehr/candidates`): the
 * v2 shape.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EhrCandidate = PatientV2.annotations({ identifier: "EhrCandidate" })

/**
 * @since 0.1.0
 * @category models
 */
export interface EhrCandidate extends PatientV2 {}

/**
 * A v3 search result: the v2 shape plus `odsCode`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientV3 = Schema.Struct({
  ...patientV2Fields,
  odsCode: F.optional("ods_code", OdsCode)
}).annotations({ identifier: "PatientV3" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV3 extends Schema.Schema.Type<typeof PatientV3> {}

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientV3Encoded extends Schema.Schema.Encoded<typeof PatientV3> {}
