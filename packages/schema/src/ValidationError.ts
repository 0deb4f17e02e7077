/**
 * The documented 400 body of the register endpoints.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as F from "./internal/fields.js"

/**
 * One validation issue: a code, what was expected, and the path to the offending field.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValidationIssue = Schema.Struct({
  code: Schema.String,
  expected: Schema.String,
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number, Schema.Unknown))
}).annotations({ identifier: "ValidationIssue" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ValidationIssue extends Schema.Schema.Type<typeof ValidationIssue> {}

/**
 * `{ error, statusCode, message: [issue] }`; `message` is called `issues` here.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValidationErrorBody = Schema.Struct({
  error: Schema.Boolean,
  statusCode: Schema.Number,
  issues: F.required("message", Schema.Array(ValidationIssue))
}).annotations({ identifier: "ValidationErrorBody" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ValidationErrorBody extends Schema.Schema.Type<typeof ValidationErrorBody> {}
