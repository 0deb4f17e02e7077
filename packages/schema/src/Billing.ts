/**
 * Billing details of a patient.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as F from "./internal/fields.js"

/**
 * The patient's insurance. Required and nullable flags are undocumented: every field is optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Insurance = Schema.Struct({
  insurer: F.optional("insurer", Schema.String),
  membershipNumber: F.optional("membership_number", Schema.String),
  authCode: F.optional("auth_code", Schema.String)
}).annotations({ identifier: "Insurance" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Insurance extends Schema.Schema.Type<typeof Insurance> {}

/**
 * `GET /v1/patients/{id}/billing_info`. Every field is optional (flags undocumented).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BillingInfo = Schema.Struct({
  id: F.optional("id", Schema.String),
  externalBillingId: F.optional("external_billing_id", Schema.String),
  insurance: F.optional("insurance", Insurance),
  billingNote: F.optional("billing_note", Schema.String),
  confidential: F.optional("confidential", Schema.Boolean)
}).annotations({ identifier: "BillingInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export interface BillingInfo extends Schema.Schema.Type<typeof BillingInfo> {}
