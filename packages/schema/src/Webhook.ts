/**
 * Webhook event names and the patient event body.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as F from "./internal/fields.js"

/**
 * Every webhook event name of the API (the patient ones are `patient.medical-record-updated` and
 * `patient.added-to-sequence`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookEventName = Schema.Literal(
  "appointment.confirmed",
  "appointment.cancelled",
  "appointment.rescheduled",
  "prescription.issued",
  "patient.medical-record-updated",
  "patient.added-to-sequence",
  "write-to-record.succeeded",
  "write-to-record.failed"
).annotations({ identifier: "WebhookEventName" })

/**
 * @since 0.1.0
 * @category models
 */
export type WebhookEventName = typeof WebhookEventName.Type

/**
 * The body Hero posts for `patient.medical-record-updated`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientWebhookEvent = Schema.Struct({
  object: Schema.Literal("Patient"),
  id: Schema.String,
  practiceGroupId: F.required("practice_group_id", Schema.String),
  event: Schema.Literal("patient.medical-record-updated")
}).annotations({ identifier: "PatientWebhookEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PatientWebhookEvent extends Schema.Schema.Type<typeof PatientWebhookEvent> {}
