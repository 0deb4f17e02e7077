import { describe, expect, it } from "@effect/vitest"
import { DateOfBirth, makeDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { Arbitrary, Either, FastCheck, ParseResult, Schema } from "effect"

const decode = Schema.decodeUnknownEither(DateOfBirth)

describe("DateOfBirth", () => {
  it("accepts a plain date and a full date-time, keeping the date as written", () => {
    expect(decode("1989-04-11")).toStrictEqual(Either.right("1989-04-11"))
    expect(decode("2019-08-24T14:15:22Z")).toStrictEqual(Either.right("2019-08-24"))
    expect(decode("1992-01-01T00:00:00.000Z")).toStrictEqual(Either.right("1992-01-01"))
    // Local midnight in BST stored as UTC would move the birthday if converted: keep the written date.
    expect(decode("1990-06-01T00:00:00+01:00")).toStrictEqual(Either.right("1990-06-01"))
  })

  it("is sent as YYYY-MM-DD", () => {
    const dob = Either.getOrThrow(decode("2019-08-24T14:15:22Z"))
    expect(Schema.encodeSync(DateOfBirth)(dob)).toBe("2019-08-24")
  })

  it("rejects dates that do not exist, other formats, and does not echo the value", () => {
    for (
      const input of ["2023-02-29", "1990-13-01", "1990-00-10", "1990-04-31", "11/04/1989", "1989-4-11", "", "string"]
    ) {
      const result = decode(input)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result) && input.length > 0) {
        expect(ParseResult.TreeFormatter.formatErrorSync(result.left)).not.toContain(input)
      }
    }
    expect(decode("2024-02-29")).toStrictEqual(Either.right("2024-02-29"))
    expect(decode("2000-02-29")).toStrictEqual(Either.right("2000-02-29"))
    expect(Either.isLeft(decode("1900-02-29"))).toBe(true)
  })

  it("builds from parts only when they make a real date", () => {
    expect(makeDateOfBirth(1989, 4, 11)).toBe("1989-04-11")
    expect(makeDateOfBirth(1989, 2, 30)).toBeUndefined()
  })

  it("round-trips its arbitrary", () => {
    FastCheck.assert(
      FastCheck.property(
        Arbitrary.make(DateOfBirth),
        (dob) => Either.getOrThrow(decode(Schema.encodeSync(DateOfBirth)(dob))) === dob
      ),
      { seed: 11, numRuns: 300 }
    )
  })
})
