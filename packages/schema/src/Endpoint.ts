/**
 * The endpoint table: every Patients operation as data — method, path template, the schemas of
 * its query, body and success, the statuses the OpenAPI document lists, and whether it writes.
 * The client builds its calls from it and the sandbox its routes, so an operation's path is
 * written once and "which operations write" has one meaning.
 *
 * @example
 * ```ts
 * import * as Endpoint from "@hero-effect/schema/Endpoint"
 *
 * const merge = Endpoint.endpoints.mergePatient
 * merge.method                              // "POST"
 * Endpoint.renderPath(merge, "100001")      // "/v1/patients/100001/merge"
 * Endpoint.writeOperationIds.has("previewPatientMerge") // false: a POST that changes nothing
 * ```
 *
 * @since 0.2.0
 */
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
import { BillingInfo } from "./Billing.js"
import { ConnectPatientEhrRequest } from "./EhrConnection.js"
import { decodeOnce } from "./internal/decodeOnce.js"
import { AttachmentList, EhrCandidateList, PatientV1List, PatientV2List, PatientV3List } from "./ListEnvelope.js"
import { MergePatientRequest, MergePreview, PreviewPatientMergeRequest } from "./Merge.js"
import { PatientV1, PatientV2 } from "./Patient.js"
import { PaymentMethodsResponse } from "./PaymentMethod.js"
import {
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest,
  RegisterPatientResult
} from "./Registration.js"
import { GetPatientByIdV2Params, ListPatientsParams, ListPatientsV2Params, ListPatientsV3Params } from "./Search.js"

/**
 * One operation of the Patients API.
 *
 * @since 0.2.0
 * @category models
 */
export interface Endpoint<
  Id extends string = string,
  HasPathId extends boolean = boolean,
  Query extends Schema.Schema.AnyNoContext | undefined = Schema.Schema.AnyNoContext | undefined,
  Body extends Schema.Schema.AnyNoContext | undefined = Schema.Schema.AnyNoContext | undefined,
  Success extends Schema.Schema.AnyNoContext | undefined = Schema.Schema.AnyNoContext | undefined,
  NotFound extends boolean = boolean,
  Conflicts extends boolean = boolean
> {
  /** The OpenAPI operationId. */
  readonly operationId: Id
  readonly method: "GET" | "POST"
  /** The path template; `{id}` is the Hero patient id where `pathId` is true. */
  readonly path: string
  readonly pathId: HasPathId
  /** The query parameters (encoded to strings), or `undefined` for none. */
  readonly query: Query
  /** The JSON body, or `undefined` for none. */
  readonly body: Body
  /** The 200 body, or `undefined` where a 200 carries nothing the caller needs. */
  readonly success: Success
  /** The statuses the OpenAPI document lists (every operation can also see others). */
  readonly statuses: ReadonlyArray<number>
  /** Changes the server's state (a link, a merge, a new patient). */
  readonly writes: boolean
  /**
   * Safe to send again after a failure whose outcome is unknown (a timeout, a 5xx): sending it
   * twice has the effect of sending it once. Reads are; no write is documented to be.
   */
  readonly idempotent: boolean
  /** A 404 means the patient (in the path or the body) is not there. */
  readonly notFound: NotFound
  /** A 409 means the write conflicts with the record's state (undocumented; seen in practice). */
  readonly conflicts: Conflicts
}

const read = <
  const Id extends string,
  const HasPathId extends boolean,
  Query extends Schema.Schema.AnyNoContext | undefined,
  Success extends Schema.Schema.AnyNoContext
>(
  operationId: Id,
  path: string,
  pathId: HasPathId,
  query: Query,
  success: Success
): Endpoint<Id, HasPathId, Query, undefined, Success, HasPathId, false> => ({
  operationId,
  method: "GET",
  path,
  pathId,
  query,
  body: undefined,
  success,
  statuses: [200, 429],
  writes: false,
  idempotent: true,
  notFound: pathId,
  conflicts: false
})

// A POST: a 404 means the patient is missing where the path names one (or `notFound` says so);
// a 409 is possible only where it acts on a named patient.
const post = <
  const Id extends string,
  const HasPathId extends boolean,
  Body extends Schema.Schema.AnyNoContext,
  Success extends Schema.Schema.AnyNoContext | undefined,
  const NotFound extends boolean = HasPathId
>(
  operationId: Id,
  path: string,
  pathId: HasPathId,
  body: Body,
  success: Success,
  options: {
    readonly writes: boolean
    readonly statuses?: ReadonlyArray<number>
    readonly notFound?: NotFound
  }
): Endpoint<Id, HasPathId, undefined, Body, Success, NotFound, HasPathId> => ({
  operationId,
  method: "POST",
  path,
  pathId,
  query: undefined,
  body,
  success,
  statuses: options.statuses ?? [200, 429],
  writes: options.writes,
  idempotent: !options.writes,
  // without `notFound`, NotFound is HasPathId
  notFound: options.notFound ?? (pathId as boolean as NotFound),
  conflicts: pathId
})

const registration = [200, 400, 401, 404, 429, 500] as const

/**
 * Every operation, in the docs' order.
 *
 * @since 0.2.0
 * @category constants
 */
export const endpoints = {
  listPatientEhrCandidates: read(
    "listPatientEhrCandidates",
    "/v1/patients/{id}/ehr/candidates",
    true,
    undefined,
    EhrCandidateList
  ),
  connectPatientEhr: post(
    "connectPatientEhr",
    "/v1/patients/{id}/ehr/connect",
    true,
    ConnectPatientEhrRequest,
    undefined,
    { writes: true }
  ),
  // A POST that changes nothing: it returns a merge token and the records as they would be merged.
  previewPatientMerge: post(
    "previewPatientMerge",
    "/v1/patients/{id}/merge/preview",
    true,
    PreviewPatientMergeRequest,
    MergePreview,
    { writes: false }
  ),
  mergePatient: post("mergePatient", "/v1/patients/{id}/merge", true, MergePatientRequest, undefined, {
    writes: true
  }),
  getPatientById: read("getPatientById", "/v1/patients/{id}", true, undefined, PatientV1),
  listPatientAttachments: read(
    "listPatientAttachments",
    "/v1/patients/{id}/attachments",
    true,
    undefined,
    AttachmentList
  ),
  listPatients: read("listPatients", "/v1/patients", false, ListPatientsParams, PatientV1List),
  registerPatientPds: post(
    "registerPatientPds",
    "/v1/patients/register_pds",
    false,
    RegisterPatientPdsRequest,
    RegisterPatientPdsResult,
    { writes: true, statuses: registration, notFound: true }
  ),
  registerPatient: post(
    "registerPatient",
    "/v1/patients/register",
    false,
    RegisterPatientRequest,
    RegisterPatientResult,
    { writes: true, statuses: registration, notFound: true }
  ),
  patientBillingInfo: read("patientBillingInfo", "/v1/patients/{id}/billing_info", true, undefined, BillingInfo),
  listPatientPaymentMethods: read(
    "listPatientPaymentMethods",
    "/v1/patients/{id}/payment_methods",
    true,
    undefined,
    PaymentMethodsResponse
  ),
  getPatientByIdV2: read("getPatientByIdV2", "/v2/patients/{id}", true, GetPatientByIdV2Params, PatientV2),
  listPatientsV2: read("listPatientsV2", "/v2/patients", false, ListPatientsV2Params, PatientV2List),
  listPatientsV3: read("listPatientsV3", "/v3/patients", false, ListPatientsV3Params, PatientV3List)
} as const

/**
 * The table's type: each operationId to its endpoint.
 *
 * @since 0.2.0
 * @category models
 */
export type Endpoints = typeof endpoints

/**
 * Every operationId of the Patients API.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationId = keyof Endpoints

/**
 * Every operationId, in the docs' order.
 *
 * @since 0.2.0
 * @category constants
 */
export const operationIds: ReadonlyArray<OperationId> = Object.keys(endpoints) as Array<OperationId>

/**
 * The operations that change the server's state. The merge preview is a POST but changes
 * nothing, so it is not one.
 *
 * @since 0.2.0
 * @category constants
 */
export const writeOperationIds: ReadonlySet<OperationId> = new Set(
  operationIds.filter((id) => endpoints[id].writes)
)

/**
 * The operations that take a JSON body (the writes and the merge preview).
 *
 * @since 0.2.0
 * @category constants
 */
export const bodyOperationIds: ReadonlySet<OperationId> = new Set(
  operationIds.filter((id) => endpoints[id].body !== undefined)
)

/**
 * An endpoint's path with the patient id in place of `{id}` (an id the caller has checked: it
 * is inserted as it is, not encoded).
 *
 * @since 0.2.0
 * @category utils
 */
export const renderPath = (endpoint: Endpoint, id?: string): string =>
  endpoint.pathId && id !== undefined ? endpoint.path.replace("{id}", id) : endpoint.path

/**
 * The decoder of a response body: `Schema.decodeUnknownEither(schema, { onExcessProperty:
 * "ignore" })`, with the same results and errors, but each value validated once — a struct with
 * renamed or defaulted fields is not validated a second time after its renames (a third of the
 * cost of decoding a patient). Build it once per schema and reuse it.
 *
 * @example
 * ```ts
 * import * as Endpoint from "@hero-effect/schema/Endpoint"
 * import { PatientV1 } from "@hero-effect/schema/Patient"
 *
 * const decodePatient = Endpoint.responseDecoder(PatientV1)
 * const patient = decodePatient({ id: "1001", data_source: "emis", status: "unarchived" })
 * ```
 *
 * @since 0.2.0
 * @category decoding
 */
export const responseDecoder: <A, I>(
  schema: Schema.Schema<A, I>
) => (input: unknown) => Either.Either<A, ParseResult.ParseError> = decodeOnce
