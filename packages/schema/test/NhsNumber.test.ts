import { describe, expect, it } from "@effect/vitest"
import {
  CanonicalNhsNumber,
  formatNhsNumber,
  isNhsNumber,
  NhsNumber,
  nhsNumberArbitrary,
  ReceivedNhsNumber,
  testRangeNhsNumber,
  testRangeNhsNumberArbitrary,
  validateNhsNumber,
  verifiedNhsNumber
} from "@hero-effect/schema/NhsNumber"
import { Arbitrary, Either, FastCheck, Option, ParseResult, Schema } from "effect"

const decode = Schema.decodeUnknownEither(NhsNumber)

const rejection = (input: string) => {
  const result = decode(input)
  if (Either.isRight(result)) throw new Error(`expected ${input} to be rejected`)
  return ParseResult.TreeFormatter.formatErrorSync(result.left)
}

// Published numbers from ../shared/notes/anchors.md, each checked there with the algorithm.
const publishedValid = [
  "9000000009",
  "9000000025",
  "9000000033",
  "9111231130",
  "9000000017",
  "9693632109",
  "9733162868",
  "9449305552",
  "9434765919"
]

const publishedInvalid: ReadonlyArray<readonly [string, string]> = [
  ["9000000000", "check digit"],
  ["1234567890", "check digit"],
  ["9434765918", "check digit"],
  ["9000000015", "check digit"],
  ["9912003072", "check digit"],
  ["9999999990", "check digit"]
]

describe("NhsNumber", () => {
  it.each(publishedValid)("accepts the published valid number %s", (n) => {
    expect(decode(n)).toStrictEqual(Either.right(n))
    expect(isNhsNumber(n)).toBe(true)
  })

  it.each(publishedInvalid)("rejects the published invalid number %s (%s) without echoing it", (n, reason) => {
    const message = rejection(n)
    expect(message).toContain(reason)
    expect(message).not.toContain(n)
    expect(isNhsNumber(n)).toBe(false)
  })

  it("normalises the 3-3-4 forms and surrounding whitespace", () => {
    for (const input of ["943 476 5919", "943-476-5919", "  9434765919\n", "\t943 476 5919 "]) {
      expect(decode(input)).toStrictEqual(Either.right("9434765919"))
    }
  })

  it("rejects separators outside the 3-3-4 forms, and mixed separators", () => {
    for (
      const input of ["9434 765919", "943 476-5919", "943  476 5919", "94-34765919", "943.476.5919", "943 4765 919"]
    ) {
      expect(rejection(input)).toContain("only digits")
    }
  })

  it("rejects every repeated-digit number although it passes the checksum", () => {
    for (let d = 0; d <= 9; d++) {
      const n = String(d).repeat(10)
      expect(rejection(n)).toContain("repeated")
      expect(validateNhsNumber(n)).toMatchObject({ _tag: "Invalid", reason: "repeated-digit" })
    }
  })

  it("rejects wrong lengths and non-digits, giving the reason", () => {
    expect(validateNhsNumber("")).toMatchObject({ reason: "length" })
    expect(validateNhsNumber("943476591")).toMatchObject({ reason: "length" })
    expect(validateNhsNumber("94347659190")).toMatchObject({ reason: "length" })
    expect(validateNhsNumber("94347659a9")).toMatchObject({ reason: "non-digit" })
    expect(validateNhsNumber("9434765918")).toMatchObject({ reason: "check-digit" })
    expect(rejection("943476591")).toContain("exactly 10 digits")
  })

  it("rejects a number whose check digit would be 10", () => {
    // 123456789: weighted sum 210, remainder 1, check 10: never issued.
    expect(validateNhsNumber("1234567891")).toMatchObject({ reason: "check-digit" })
  })

  it("accepts Scottish, Northern Irish and 999 test-range numbers (no range restriction)", () => {
    expect(isNhsNumber(testRangeNhsNumber(42))).toBe(true)
    expect(testRangeNhsNumber(42).startsWith("999")).toBe(true)
    // Scottish CHI numbers start with a date of birth (DDMMYY): 0101000000-3112999999.
    const chi = FastCheck.sample(nhsNumberArbitrary(FastCheck).filter((n) => n.startsWith("01")), {
      numRuns: 5,
      seed: 7
    })
    expect(chi.length).toBe(5)
    expect(chi.every(isNhsNumber)).toBe(true)
    // Northern Irish numbers are issued from 320 000 0000 upwards.
    expect(decode("320 000 0007")).toStrictEqual(Either.right("3200000007"))
  })

  it("never puts more than the last 3 digits of the input in a message", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.stringMatching(/^\d{4,12}$/), (input) => {
        const result = validateNhsNumber(input)
        if (result._tag === "Valid") return true
        const digitsInMessage = result.message.match(/\d+/g) ?? []
        return digitsInMessage.every((run) => run.length <= 3)
      }),
      { seed: 1, numRuns: 500 }
    )
  })

  it("keeps the input out of the ParseError, its JSON and the ArrayFormatter output", () => {
    const input = "9434765918"
    const result = decode(input)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(JSON.stringify(result.left)).not.toContain(input)
      expect(String(result.left)).not.toContain(input)
      expect(JSON.stringify(ParseResult.ArrayFormatter.formatErrorSync(result.left))).not.toContain(input)
    }
  })

  it("formats as 3-3-4 and the formatted form decodes back (round trip)", () => {
    FastCheck.assert(
      FastCheck.property(nhsNumberArbitrary(FastCheck), (n) => {
        const formatted = formatNhsNumber(n)
        return /^\d{3} \d{3} \d{4}$/.test(formatted) && Either.getOrThrow(decode(formatted)) === n
      }),
      { seed: 2, numRuns: 300 }
    )
  })

  it("its arbitraries produce valid numbers, the test-range one only 999 numbers", () => {
    const sample = FastCheck.sample(Arbitrary.make(NhsNumber), { numRuns: 200, seed: 3 })
    expect(sample.every(isNhsNumber)).toBe(true)
    const testRange = FastCheck.sample(testRangeNhsNumberArbitrary(FastCheck), { numRuns: 200, seed: 4 })
    expect(testRange.every((n) => isNhsNumber(n) && n.startsWith("999"))).toBe(true)
  })

  it("encodes to the canonical ten digits", () => {
    expect(Schema.encodeSync(NhsNumber)(Either.getOrThrow(decode("943 476 5919")))).toBe("9434765919")
    expect(Schema.is(CanonicalNhsNumber)("943 476 5919")).toBe(false)
  })
})

describe("ReceivedNhsNumber", () => {
  const decodeReceived = Schema.decodeUnknownSync(ReceivedNhsNumber)

  it("never fails: a valid number is verified, anything else is kept unverified with its reason", () => {
    const verified = decodeReceived("943 476 5919")
    expect(verified._tag).toBe("VerifiedNhsNumber")
    expect(verifiedNhsNumber(verified)).toStrictEqual(Option.some("9434765919"))
    const unverified = decodeReceived("9434765918")
    expect(unverified).toMatchObject({ _tag: "UnverifiedNhsNumber", reason: "check-digit", value: "9434765918" })
    expect(verifiedNhsNumber(unverified)).toStrictEqual(Option.none())
    expect(decodeReceived("string")).toMatchObject({ _tag: "UnverifiedNhsNumber", reason: "non-digit" })
    expect(decodeReceived("")).toMatchObject({ _tag: "UnverifiedNhsNumber", reason: "length" })
  })

  it("prints at most the last 3 digits, in toString, JSON and inspection", () => {
    for (const raw of ["9434765918", "9434765919"]) {
      const received = decodeReceived(raw)
      expect(String(received)).not.toContain(raw)
      expect(JSON.stringify(received)).not.toContain(raw)
      expect(JSON.stringify({ patient: { nhsNumber: received } })).not.toContain(raw)
      expect(String(received)).toContain(raw.slice(-3))
    }
  })

  it("encodes back to the string received", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string(),
        (s) =>
          Schema.encodeSync(ReceivedNhsNumber)(decodeReceived(s)) === s.trim() ||
          Schema.encodeSync(ReceivedNhsNumber)(decodeReceived(s)) === s
      ),
      { seed: 5, numRuns: 300 }
    )
  })
})
