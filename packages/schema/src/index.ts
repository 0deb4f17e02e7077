/**
 * @since 0.1.0
 */

/**
 * Patient attachments.
 *
 * @since 0.1.0
 */
export * as Attachment from "./Attachment.js"

/**
 * Billing details of a patient.
 *
 * @since 0.1.0
 */
export * as Billing from "./Billing.js"

/**
 * Where a patient record came from, and where v2 reads it from.
 *
 * @since 0.1.0
 */
export * as DataSource from "./DataSource.js"

/**
 * Date of birth: a calendar date, not an instant.
 *
 * @since 0.1.0
 */
export * as DateOfBirth from "./DateOfBirth.js"

/**
 * Linking a Hero patient to a record in the practice's EHR.
 *
 * @since 0.1.0
 */
export * as EhrConnection from "./EhrConnection.js"

/**
 * The endpoint table: every operation's method, path, schemas and statuses, read by the client
 * and the sandbox.
 *
 * @since 0.2.0
 */
export * as Endpoint from "./Endpoint.js"

/**
 * The identifiers a patient is known by.
 *
 * @since 0.1.0
 */
export * as Identifier from "./Identifier.js"

/**
 * Branded identifiers.
 *
 * @since 0.1.0
 */
export * as Ids from "./Ids.js"

/**
 * The `{ data, count }` envelope of every list response.
 *
 * @since 0.1.0
 */
export * as ListEnvelope from "./ListEnvelope.js"

/**
 * Merging two Hero patients.
 *
 * @since 0.1.0
 */
export * as Merge from "./Merge.js"

/**
 * The merge token.
 *
 * @since 0.1.0
 */
export * as MergeToken from "./MergeToken.js"

/**
 * Name similarity (Jaro, Jaro-Winkler).
 *
 * @since 0.1.0
 */
export * as NameSimilarity from "./NameSimilarity.js"

/**
 * NHS numbers.
 *
 * @since 0.1.0
 */
export * as NhsNumber from "./NhsNumber.js"

/**
 * The patient shapes v1, v2 (EHR candidate) and v3.
 *
 * @since 0.1.0
 */
export * as Patient from "./Patient.js"

/**
 * The v1 patient status.
 *
 * @since 0.1.0
 */
export * as PatientStatus from "./PatientStatus.js"

/**
 * Payment methods.
 *
 * @since 0.1.0
 */
export * as PaymentMethod from "./PaymentMethod.js"

/**
 * Registering patients.
 *
 * @since 0.1.0
 */
export * as Registration from "./Registration.js"

/**
 * Query parameters of the look-ups and searches.
 *
 * @since 0.1.0
 */
export * as Search from "./Search.js"

/**
 * Administrative sex.
 *
 * @since 0.1.0
 */
export * as Sex from "./Sex.js"

/**
 * Instants on the wire.
 *
 * @since 0.1.0
 */
export * as Timestamp from "./Timestamp.js"

/**
 * Patient titles.
 *
 * @since 0.1.0
 */
export * as Title from "./Title.js"

/**
 * The documented 400 body.
 *
 * @since 0.1.0
 */
export * as ValidationError from "./ValidationError.js"

/**
 * Webhook event names and bodies.
 *
 * @since 0.1.0
 */
export * as Webhook from "./Webhook.js"
