/**
 * NHS numbers: the branded, validated {@link NhsNumber} that requests require, and the
 * {@link ReceivedNhsNumber} that responses carry, which keeps a number that fails validation
 * without ever passing it off as valid.
 *
 * @since 0.1.0
 */
import type * as Arbitrary from "effect/Arbitrary"
import type * as Brand from "effect/Brand"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internal from "./internal/nhsNumber.js"

/**
 * Why a string is not a valid NHS number.
 *
 * @since 0.1.0
 * @category models
 */
export type NhsNumberInvalidReason = internal.Reason

/**
 * The reasons, as a schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NhsNumberInvalidReason = Schema.Literal("length", "non-digit", "check-digit", "repeated-digit")

const validArbitrary: Arbitrary.LazyArbitrary<string> = (fc) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }).map((digits) => {
    const nine = digits.join("")
    const check = internal.checkDigit(nine)
    return check === undefined ? undefined : `${nine}${check}`
  }).filter((s): s is string => s !== undefined && internal.classify(s)._tag === "Valid")

/**
 * A validated NHS number in canonical form: ten digits, Modulus 11 check digit correct, not one
 * digit repeated. Use {@link NhsNumber} to get one from user input.
 *
 * @since 0.1.0
 * @category models
 */
export type NhsNumber = string & Brand.Brand<"NhsNumber">

/**
 * The canonical form only (`"9434765919"`), with no normalisation: a type guard's schema.
 * `CanonicalNhsNumber.make("9434765919")` brands a canonical number known to be valid (a literal,
 * a test's value) and throws on any other; decode input with {@link NhsNumber} instead.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CanonicalNhsNumber = Schema.String.pipe(
  Schema.filter((s) => internal.isCanonical(s), {
    message: (issue) =>
      typeof issue.actual === "string" ?
        internal.message(invalidReason(issue.actual), internal.safeHint(issue.actual)) :
        "Invalid NHS number: not a string",
    arbitrary: () => (fc) => validArbitrary(fc)
  }),
  Schema.brand("NhsNumber"),
  Schema.annotations({ identifier: "NhsNumber", description: "NHS number, 10 digits with a Modulus 11 check digit" })
)

const invalidReason = (s: string): internal.Reason => {
  const c = internal.classify(s)
  return c._tag === "Invalid" ? c.reason : "non-digit"
}

/**
 * Decodes a string to a validated {@link NhsNumber}. Surrounding whitespace and the separators of
 * the 3-3-4 display forms (`943 476 5919`, `943-476-5919`) are removed; then the number must have
 * ten digits, a correct Modulus 11 check digit and must not be one digit repeated. There is no range
 * restriction (Scottish CHI, Northern Irish and `999` test-range numbers are valid). Encodes to the
 * canonical ten digits.
 *
 * A rejection's message states the reason and never contains the input (at most its last 3
 * digits), because parse errors end up in logs.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NhsNumber: Schema.Schema<NhsNumber, string> = Schema.transformOrFail(Schema.String, CanonicalNhsNumber, {
  strict: true,
  decode: (input, _, ast) => {
    const c = internal.classify(input)
    return c._tag === "Valid"
      ? ParseResult.succeed(c.canonical)
      : ParseResult.fail(new ParseResult.Type(ast, internal.mask(input), internal.message(c.reason, c.hint)))
  },
  encode: ParseResult.succeed
}).annotations({ identifier: "NhsNumberFromString" })

/**
 * Why a string is or is not a valid NHS number, without throwing.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateNhsNumber = (
  input: string
): { readonly _tag: "Valid"; readonly nhsNumber: NhsNumber } | {
  readonly _tag: "Invalid"
  readonly reason: NhsNumberInvalidReason
  readonly message: string
} => {
  const c = internal.classify(input)
  return c._tag === "Valid"
    ? { _tag: "Valid", nhsNumber: CanonicalNhsNumber.make(c.canonical) }
    : { _tag: "Invalid", reason: c.reason, message: internal.message(c.reason, c.hint) }
}

/**
 * Whether a value is an NHS number in canonical, validated form.
 *
 * @since 0.1.0
 * @category guards
 */
export const isNhsNumber: (u: unknown) => u is NhsNumber = Schema.is(CanonicalNhsNumber)

/**
 * Formats an NHS number for people: `943 476 5919`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatNhsNumber = (nhsNumber: NhsNumber): string =>
  `${nhsNumber.slice(0, 3)} ${nhsNumber.slice(3, 6)} ${nhsNumber.slice(6)}`

/**
 * A fast-check arbitrary of valid NHS numbers, for property tests.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const nhsNumberArbitrary: Arbitrary.LazyArbitrary<NhsNumber> = (fc) =>
  validArbitrary(fc).map((s) => CanonicalNhsNumber.make(s))

/**
 * A fast-check arbitrary of valid NHS numbers from the `999` range, which is never issued to a
 * real person: use it for synthetic patients.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const testRangeNhsNumberArbitrary: Arbitrary.LazyArbitrary<NhsNumber> = (fc) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }).map((digits) => {
    const nine = `999${digits.join("")}`
    const check = internal.checkDigit(nine)
    return check === undefined ? undefined : `${nine}${check}`
  }).filter((s): s is string => s !== undefined && internal.classify(s)._tag === "Valid").map((s) =>
    CanonicalNhsNumber.make(s)
  )

/**
 * The first valid `999` test-range NHS number at or after `seed` (modulo the range), for
 * deterministic synthetic data.
 *
 * @since 0.1.0
 * @category constructors
 */
export const testRangeNhsNumber = (seed: number): NhsNumber => {
  for (let i = 0; i < 1_000_000; i++) {
    const body = (Math.abs(Math.trunc(seed)) + i) % 1_000_000
    const nine = `999${String(body).padStart(6, "0")}`
    const check = internal.checkDigit(nine)
    if (check !== undefined) {
      const candidate = `${nine}${check}`
      if (internal.classify(candidate)._tag === "Valid") return CanonicalNhsNumber.make(candidate)
    }
  }
  /* c8 ignore next */
  return CanonicalNhsNumber.make("9990000018")
}

const maskedInspect = (self: { readonly value: string; readonly _tag: string }) =>
  `${self._tag}(${internal.mask(self.value)})`

/**
 * An NHS number received from the API that passed validation.
 *
 * @since 0.1.0
 * @category models
 */
export class VerifiedNhsNumber extends Schema.TaggedClass<VerifiedNhsNumber>()("VerifiedNhsNumber", {
  value: CanonicalNhsNumber
}) {
  /** @since 0.1.0 */
  override toString(): string {
    return maskedInspect(this)
  }
  /** @since 0.1.0 */
  toJSON(): unknown {
    return { _tag: this._tag, value: internal.mask(this.value) }
  }
  /** @since 0.1.0 */
  [NodeInspectSymbol](): string {
    return maskedInspect(this)
  }
}

/**
 * An NHS number received from the API that fails validation. It is kept (so a patient still
 * decodes and a person can look at it) but typed apart, so nobody mistakes it for a validated
 * {@link NhsNumber}. Printing it shows only its last 3 digits.
 *
 * @since 0.1.0
 * @category models
 */
export class UnverifiedNhsNumber extends Schema.TaggedClass<UnverifiedNhsNumber>()("UnverifiedNhsNumber", {
  value: Schema.String,
  reason: NhsNumberInvalidReason
}) {
  /** @since 0.1.0 */
  override toString(): string {
    return maskedInspect(this)
  }
  /** @since 0.1.0 */
  toJSON(): unknown {
    return { _tag: this._tag, reason: this.reason, value: internal.mask(this.value) }
  }
  /** @since 0.1.0 */
  [NodeInspectSymbol](): string {
    return maskedInspect(this)
  }
}

// `classify` has just checked the number (length, digits, the modulus-11 check digit), so the
// instances are built without validating their fields again (the `true` of the constructors).
const classifyReceived = (input: string): VerifiedNhsNumber | UnverifiedNhsNumber => {
  const c = internal.classify(input)
  return c._tag === "Valid"
    ? new VerifiedNhsNumber({ value: CanonicalNhsNumber.make(c.canonical, true) }, true)
    : new UnverifiedNhsNumber({ value: input, reason: c.reason }, true)
}

const ReceivedNhsNumberType = Schema.Union(VerifiedNhsNumber, UnverifiedNhsNumber).annotations({
  arbitrary: () => (fc) =>
    fc.oneof(
      nhsNumberArbitrary(fc).map(classifyReceived),
      fc.string().map(classifyReceived),
      fc.stringMatching(/^\d{10}$/).map(classifyReceived)
    )
})

/**
 * A received NHS number, verified or not.
 *
 * @since 0.1.0
 * @category models
 */
export type ReceivedNhsNumber = VerifiedNhsNumber | UnverifiedNhsNumber

/**
 * Decodes any string the API sends as an NHS number, never failing: a valid one becomes
 * {@link VerifiedNhsNumber} (canonical form), anything else {@link UnverifiedNhsNumber} (kept as
 * sent, with the reason). Encodes back to the string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReceivedNhsNumber: Schema.Schema<ReceivedNhsNumber, string> = Schema.transform(
  Schema.String,
  // The type side only (an instanceof check): the classes' own decoding would take the instance
  // apart and validate and build it again.
  Schema.typeSchema(ReceivedNhsNumberType),
  {
    strict: true,
    decode: classifyReceived,
    encode: (received) => received.value
  }
).annotations({ identifier: "ReceivedNhsNumber" })

/**
 * The validated NHS number of a received one, if it is valid.
 *
 * @since 0.1.0
 * @category getters
 */
export const verifiedNhsNumber = (received: ReceivedNhsNumber | undefined): Option.Option<NhsNumber> =>
  received?._tag === "VerifiedNhsNumber" ? Option.some(received.value) : Option.none()
