/**
 * Instants on the wire: ISO 8601 date-times in UTC.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"

/**
 * An ISO 8601 date-time decoded to `DateTime.Utc` and encoded back as an ISO string. Its arbitrary
 * stays within 1900–2100 so generated values are realistic wire values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.transform(
  Schema.String,
  Schema.DateTimeUtc,
  {
    strict: true,
    // RFC 3339 allows a lower-case "t"/"z" and a leap second; Date parsing does not.
    decode: (s) => s.replace(/^(\d{4}-\d{2}-\d{2})t/, "$1T").replace(/z$/, "Z").replace(/(T\d{2}:\d{2}):60/, "$1:59"),
    encode: (s) => s
  }
).annotations({
  identifier: "Timestamp",
  arbitrary: () => (fc) =>
    fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => DateTime.unsafeMake(d))
})

/**
 * @since 0.1.0
 * @category models
 */
export type Timestamp = typeof Timestamp.Type
