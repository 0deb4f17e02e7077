/**
 * Registering patients: from your own demographics (`register`) or traced on the NHS Spine
 * (`register_pds`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { DataSourceInput } from "./DataSource.js"
import { DateOfBirth } from "./DateOfBirth.js"
import { EhrPartnerIdInput, ReceivedPatientId } from "./Ids.js"
import * as F from "./internal/fields.js"
import { NhsNumber } from "./NhsNumber.js"
import { SexInput } from "./Sex.js"
import { TitleInput } from "./Title.js"

/**
 * A UK postcode, normalised to upper case with one space before the inward code (`SW1A 1AA`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UkPostcode = Schema.transform(
  Schema.String,
  Schema.String.pipe(
    Schema.pattern(/^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/, {
      message: () => "A postcode must be a UK postcode such as SW1A 1AA"
    }),
    Schema.brand("UkPostcode")
  ),
  {
    strict: false,
    decode: (s) => {
      const compact = s.replace(/\s+/g, "").toUpperCase()
      return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact
    },
    encode: (s) => s
  }
).annotations({ identifier: "UkPostcode" })

/**
 * @since 0.1.0
 * @category models
 */
export type UkPostcode = typeof UkPostcode.Type

/**
 * Body of `POST /v1/patients/register`. Strict: the NHS number must be valid, the date of birth a
 * real date, the enums their documented values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientRequest = Schema.Struct({
  dateOfBirth: F.required("dob", DateOfBirth),
  firstName: F.required("first_name", F.text("First name")),
  lastName: F.required("last_name", F.text("Last name")),
  mobile: F.required("mobile", F.text("Mobile")),
  ehrPartnerId: F.optionalInput("ehr_partner_id", EhrPartnerIdInput),
  nhsNumber: F.optionalInput("nhs_number", NhsNumber),
  sex: F.optionalInput("sex", SexInput),
  title: F.optionalInput("title", TitleInput),
  landline: F.optionalInput("landline", Schema.String),
  addressLine1: F.optionalInput("address_line_1", Schema.String),
  addressLine2: F.optionalInput("address_line_2", Schema.String),
  addressLine3: F.optionalInput("address_line_3", Schema.String),
  town: F.optionalInput("town", Schema.String),
  county: F.optionalInput("county", Schema.String),
  country: F.optionalInput("country", Schema.String),
  postcode: F.optionalInput("postcode", Schema.String),
  dataSource: F.optionalInput("data_source", DataSourceInput),
  caller: F.optionalInput("caller", Schema.String),
  email: F.optionalInput("email", Schema.String)
}).annotations({ identifier: "RegisterPatientRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterPatientRequest extends Schema.Schema.Type<typeof RegisterPatientRequest> {}

const ehrFields = {
  ehrPartner: F.optionalInput("ehr_partner", F.text("EHR partner")),
  ehrPartnerId: F.optionalInput("ehr_partner_id", EhrPartnerIdInput)
}

// Excess properties are errors, so a body with both sets of fields matches neither alternative.
const exact = { parseOptions: { onExcessProperty: "error" } } as const

/**
 * Trace on PDS by NHS number and date of birth.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientPdsByNhsNumber = Schema.Struct({
  nhsNumber: F.required("nhs_number", NhsNumber),
  dateOfBirth: F.required("dob", DateOfBirth),
  ...ehrFields
}).pipe(Schema.attachPropertySignature("_tag", "ByNhsNumber")).annotations({
  identifier: "RegisterPatientPdsByNhsNumber",
  ...exact
})

/**
 * Trace on PDS by name, date of birth and postcode.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientPdsByDemographics = Schema.Struct({
  forename: F.required("forename", F.text("Forename")),
  surname: F.required("surname", F.text("Surname")),
  dateOfBirth: F.required("dob", DateOfBirth),
  postcode: F.required("postcode", UkPostcode),
  ...ehrFields
}).pipe(Schema.attachPropertySignature("_tag", "ByDemographics")).annotations({
  identifier: "RegisterPatientPdsByDemographics",
  ...exact
})

/**
 * Body of `POST /v1/patients/register_pds`: one alternative or the other, told apart by `_tag` in
 * the domain (the tag is not sent), so a mix of the two cannot be built.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientPdsRequest = Schema.Union(RegisterPatientPdsByNhsNumber, RegisterPatientPdsByDemographics)
  .annotations({ identifier: "RegisterPatientPdsRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterPatientPdsRequest = typeof RegisterPatientPdsRequest.Type

/**
 * The Hero id of the registered (or already known) patient: `{ patient_id }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientRegistered = Schema.Struct({
  patientId: F.required("patient_id", ReceivedPatientId)
}).pipe(Schema.attachPropertySignature("_tag", "PatientRegistered")).annotations({ identifier: "PatientRegistered" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientRegistered extends Schema.Schema.Type<typeof PatientRegistered> {}

/**
 * The patient must verify their identity first (`{ message, login_url }`); retry after they have.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentityCheckRequired = Schema.Struct({
  message: F.optional("message", Schema.String),
  loginUrl: F.optional("login_url", Schema.String)
}).pipe(Schema.attachPropertySignature("_tag", "IdentityCheckRequired")).annotations({
  identifier: "IdentityCheckRequired"
})

/**
 * @since 0.1.0
 * @category models
 */
export interface IdentityCheckRequired extends Schema.Schema.Type<typeof IdentityCheckRequired> {}

/**
 * Result of `register_pds`: {@link PatientRegistered} or {@link IdentityCheckRequired}, matched on
 * `_tag`. A body with `patient_id` is a registration; any other is an identity check.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientPdsResult = Schema.Union(PatientRegistered, IdentityCheckRequired).annotations({
  identifier: "RegisterPatientPdsResult"
})

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterPatientPdsResult = typeof RegisterPatientPdsResult.Type

/**
 * Result of `register`: `{ patient_id }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterPatientResult = PatientRegistered.annotations({ identifier: "RegisterPatientResult" })

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterPatientResult = PatientRegistered
