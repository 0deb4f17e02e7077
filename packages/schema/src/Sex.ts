/**
 * Administrative sex as Hero records it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { openEnum } from "./internal/openEnum.js"

/**
 * The documented values.
 *
 * @since 0.1.0
 * @category constants
 */
export const sexes = ["Not known", "Not specified", "Male", "Female", "Other"] as const

/**
 * Sex on a request: one of {@link sexes}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SexInput = Schema.Literal(...sexes).annotations({ identifier: "SexInput" })

/**
 * @since 0.1.0
 * @category models
 */
export type SexInput = typeof SexInput.Type

/**
 * Sex on a response: one of {@link sexes}, or a later value kept as unrecognised.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Sex = openEnum("Sex", sexes)

/**
 * @since 0.1.0
 * @category models
 */
export type Sex = typeof Sex.Type
