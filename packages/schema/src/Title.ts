/**
 * Patient titles.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { openEnum } from "./internal/openEnum.js"

/**
 * The 50 titles Hero accepts on input, in the order the docs list them.
 *
 * @since 0.1.0
 * @category constants
 */
export const titles = [
  "Baron",
  "Baroness",
  "Brigadier",
  "Count",
  "Colonel",
  "Countess",
  "Captain",
  "Dame",
  "The Dowager Viscountess",
  "Dr",
  "Duchess",
  "Duke",
  "Earl",
  "His Excellency",
  "Father",
  "H.E. Ambassador Mr",
  "H.E. Mr",
  "H.E. Mrs",
  "Her Grace",
  "His Grace",
  "The Hon",
  "The Hon Mr",
  "The Hon Mrs",
  "HRH",
  "HRH Prince",
  "HRH Princess",
  "Insurance",
  "HM King",
  "Lady",
  "Lord",
  "Major",
  "Master",
  "Miss",
  "Mr",
  "Mrs",
  "Ms",
  "Mss",
  "Mx",
  "Pr",
  "Professor",
  "HM Queen",
  "Rabbi",
  "Reverend",
  "Sheikh",
  "Sheikha",
  "Sir",
  "The",
  "Viscount",
  "Viscountess"
] as const

/**
 * A title as a request carries it: one of {@link titles}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TitleInput = Schema.Literal(...titles).annotations({ identifier: "TitleInput" })

/**
 * @since 0.1.0
 * @category models
 */
export type TitleInput = typeof TitleInput.Type

/**
 * A title as a response carries it: one of {@link titles}, the empty string (responses only), or a
 * title Hero adds later (kept, branded as unrecognised, never a decode failure).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Title = openEnum("Title", [...titles, ""])

/**
 * @since 0.1.0
 * @category models
 */
export type Title = typeof Title.Type
