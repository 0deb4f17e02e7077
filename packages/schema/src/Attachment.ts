/**
 * Patient attachments.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An attachment held in the EHR for a patient. Its fields are not documented, so it is kept as the
 * JSON object Hero sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Attachment = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "Attachment"
})

/**
 * @since 0.1.0
 * @category models
 */
export type Attachment = typeof Attachment.Type
