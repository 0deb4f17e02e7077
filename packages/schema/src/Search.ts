/**
 * Query parameters of the patient look-ups and searches.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ReadSource } from "./DataSource.js"
import { DateOfBirth } from "./DateOfBirth.js"
import { EhrPartnerIdInput } from "./Ids.js"
import * as F from "./internal/fields.js"
import { NhsNumber } from "./NhsNumber.js"

/**
 * Field names seen in the docs for the v1/v2 look-ups. Others are allowed (the list is
 * undocumented) as long as they look like a field name.
 *
 * @since 0.1.0
 * @category constants
 */
export const knownSearchFields = [
  "emis_id",
  "ehr_partner_id",
  "nhs_number",
  "gha_number",
  "hero_id",
  "hero_uid"
] as const

/**
 * The `field` of a v1/v2 look-up: a snake_case field name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SearchField = Schema.Union(
  Schema.Literal(...knownSearchFields),
  Schema.String.pipe(
    Schema.pattern(/^[a-z][a-z0-9_]*$/, { message: () => "A search field must be a snake_case field name" })
  )
).annotations({ identifier: "SearchField" })

/**
 * @since 0.1.0
 * @category models
 */
export type SearchField = typeof SearchField.Type

const searchValue = F.text("A search value")

/**
 * Query of `GET /v1/patients`: which field to match, and the value (which can be an NHS number:
 * the client never logs it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListPatientsParams = Schema.Struct({
  field: Schema.optionalWith(SearchField, { exact: true }),
  search: Schema.optionalWith(searchValue, { exact: true })
}).annotations({ identifier: "ListPatientsParams" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ListPatientsParams extends Schema.Schema.Type<typeof ListPatientsParams> {}

/**
 * Query of `GET /v2/patients`. `dataSource` is sent as the camelCase `dataSource` that one docs
 * version shows.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListPatientsV2Params = Schema.Struct({
  field: Schema.optionalWith(SearchField, { exact: true }),
  search: Schema.optionalWith(searchValue, { exact: true }),
  dataSource: Schema.optionalWith(ReadSource, { exact: true })
}).annotations({ identifier: "ListPatientsV2Params" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ListPatientsV2Params extends Schema.Schema.Type<typeof ListPatientsV2Params> {}

/**
 * Query of `GET /v2/patients/{id}`: read from Hero or from the EHR.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetPatientByIdV2Params = Schema.Struct({
  dataSource: F.optionalInput("data_source", ReadSource)
}).annotations({ identifier: "GetPatientByIdV2Params" })

/**
 * @since 0.1.0
 * @category models
 */
export interface GetPatientByIdV2Params extends Schema.Schema.Type<typeof GetPatientByIdV2Params> {}

const pageNumber = (what: string, min: number) =>
  Schema.compose(
    Schema.NumberFromString,
    Schema.Int.pipe(Schema.greaterThanOrEqualTo(min, { message: () => `${what} must be a whole number ≥ ${min}` }))
  )

/**
 * The filters of a v3 search (at least one is required).
 *
 * @since 0.1.0
 * @category constants
 */
export const v3Filters = ["firstName", "lastName", "dateOfBirth", "nhsNumber", "ehrPartnerId"] as const

/**
 * Query of `GET /v3/patients`: named filters, combined, at least one given; zero-based paging.
 * Page numbers are numbers here and strings on the wire, as documented.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListPatientsV3Params = Schema.Struct({
  firstName: F.optionalInput("first_name", F.text("First name")),
  lastName: F.optionalInput("last_name", F.text("Last name")),
  dateOfBirth: F.optionalInput("dob", DateOfBirth),
  nhsNumber: F.optionalInput("nhs_number", NhsNumber),
  ehrPartnerId: F.optionalInput("ehr_partner_id", EhrPartnerIdInput),
  pageIndex: F.optionalInput("page_index", pageNumber("A page index", 0)),
  pageSize: F.optionalInput("page_size", pageNumber("A page size", 1))
}).pipe(
  Schema.filter((params) => v3Filters.some((key) => params[key] !== undefined), {
    message: () => "A v3 patient search needs at least one filter (first name, last name, dob, NHS number, EHR id)"
  })
).annotations({ identifier: "ListPatientsV3Params" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListPatientsV3Params = typeof ListPatientsV3Params.Type
