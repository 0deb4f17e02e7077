/**
 * The identifiers a patient is known by.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { openEnum } from "./internal/openEnum.js"

/**
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierSource = openEnum("IdentifierSource", ["nhs", "gha", "ehr_partner", "hero"])

/**
 * @since 0.1.0
 * @category models
 */
export type IdentifierSource = typeof IdentifierSource.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierName = openEnum("IdentifierName", [
  "nhs_number",
  "gha_number",
  "ehr_partner_id",
  "hero_id",
  "hero_uid"
])

/**
 * @since 0.1.0
 * @category models
 */
export type IdentifierName = typeof IdentifierName.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierRole = openEnum("IdentifierRole", ["main", "secondary"])

/**
 * @since 0.1.0
 * @category models
 */
export type IdentifierRole = typeof IdentifierRole.Type

/**
 * The display label (`EMIS`, `Systm One` … tells which EHR an `ehr_partner_id` belongs to).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierLabel = openEnum("IdentifierLabel", ["NHS", "GHA", "EMIS", "Hero", "Systm One"])

/**
 * @since 0.1.0
 * @category models
 */
export type IdentifierLabel = typeof IdentifierLabel.Type

/**
 * One identifier of a patient. `value` is kept as a plain string: for an `nhs_number` it is
 * not validated here (use `ReceivedNhsNumber` to classify it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Identifier = Schema.Struct({
  source: IdentifierSource,
  name: IdentifierName,
  role: IdentifierRole,
  label: IdentifierLabel,
  value: Schema.String
}).annotations({ identifier: "Identifier" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Identifier extends Schema.Schema.Type<typeof Identifier> {}
