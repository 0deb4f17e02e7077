/**
 * Date of birth: a calendar date, not an instant.
 *
 * @since 0.1.0
 */
import type * as Brand from "effect/Brand"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A calendar date `YYYY-MM-DD`, checked to exist (leap years included).
 *
 * @since 0.1.0
 * @category models
 */
export type DateOfBirth = string & Brand.Brand<"DateOfBirth">

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/
// A date-time whose date part is kept as written: converting to UTC first could move a UK birth
// date stored as local midnight onto the day before.
const isoDateTime = /^(\d{4}-\d{2}-\d{2})[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

const isCalendarDate = (s: string): boolean => {
  const m = isoDate.exec(s)
  if (!m) return false
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/**
 * A date of birth in canonical `YYYY-MM-DD` form. `CanonicalDateOfBirth.make("1980-02-29")` brands
 * a date known to be real (and throws on any other).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CanonicalDateOfBirth = Schema.String.pipe(
  Schema.filter(isCalendarDate, {
    message: () => "A date of birth must be a real calendar date YYYY-MM-DD",
    arbitrary: () => (fc) =>
      fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10))
  }),
  Schema.brand("DateOfBirth"),
  Schema.annotations({ identifier: "DateOfBirth" })
)

/**
 * Decodes a date of birth from `YYYY-MM-DD` or from a full ISO 8601 date-time (the docs use both;
 * the date part is kept as written) and encodes it as `YYYY-MM-DD`. The message of a rejection
 * never repeats the value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateOfBirth: Schema.Schema<DateOfBirth, string> = Schema.transformOrFail(
  Schema.String,
  CanonicalDateOfBirth,
  {
    strict: true,
    decode: (input, _, ast) => {
      const trimmed = input.trim()
      const dateTime = isoDateTime.exec(trimmed)
      const date = dateTime ? dateTime[1]! : trimmed
      return isCalendarDate(date) ? ParseResult.succeed(date) : ParseResult.fail(
        new ParseResult.Type(
          ast,
          "(date withheld)",
          "A date of birth must be YYYY-MM-DD or an ISO 8601 date-time with a real calendar date"
        )
      )
    },
    encode: ParseResult.succeed
  }
).annotations({ identifier: "DateOfBirthFromString" })

/**
 * A date of birth as a response carries it: a real calendar date decodes as {@link DateOfBirth};
 * anything else a server can send (`0000-01-01T00:00:00Z` is valid RFC 3339 but no calendar
 * date; a stray string) decodes as `null` — unusable for matching — instead of failing the whole
 * patient; `null` stays `null`. Requests keep the strict {@link DateOfBirth}.
 *
 * @example
 * ```ts
 * import { ReceivedDateOfBirth } from "@hero-effect/schema/DateOfBirth"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(ReceivedDateOfBirth)("0000-01-01T00:00:00Z") // null
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReceivedDateOfBirth: Schema.Schema<DateOfBirth | null, string | null> = Schema.transform(
  Schema.NullOr(Schema.String),
  Schema.NullOr(CanonicalDateOfBirth),
  {
    strict: true,
    decode: (input) => {
      if (input === null) return null
      const trimmed = input.trim()
      const dateTime = isoDateTime.exec(trimmed)
      const date = dateTime ? dateTime[1]! : trimmed
      return isCalendarDate(date) ? CanonicalDateOfBirth.make(date) : null
    },
    encode: (dob) => dob
  }
).annotations({ identifier: "ReceivedDateOfBirth" })

/**
 * Builds a date of birth from its parts, if they make a real date.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDateOfBirth = (year: number, month: number, day: number): DateOfBirth | undefined => {
  const s = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`
  return isCalendarDate(s) ? CanonicalDateOfBirth.make(s) : undefined
}
