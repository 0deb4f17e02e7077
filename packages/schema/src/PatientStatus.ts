/**
 * The v1 patient status.
 *
 * @since 0.1.0
 */
import { openEnum } from "./internal/openEnum.js"

/**
 * `archived` (for example the incoming record of a merge) or `unarchived`; a later value is kept
 * as unrecognised, and safety checks must treat it as unknown.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PatientStatus = openEnum("PatientStatus", ["archived", "unarchived"])

/**
 * @since 0.1.0
 * @category models
 */
export type PatientStatus = typeof PatientStatus.Type
