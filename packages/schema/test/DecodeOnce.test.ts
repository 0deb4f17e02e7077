/**
 * `Endpoint.responseDecoder` (validate once) against Effect's own decoder, for every endpoint's
 * success schema: on wire values generated from the schema (valid), the same values with fields
 * broken, dropped, nulled or added (mostly invalid), and the document's samples — the same
 * result, the same key order, and on a failure the same message.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Endpoint from "@hero-effect/schema/Endpoint"
import { PatientV1 } from "@hero-effect/schema/Patient"
import { Arbitrary, Either, FastCheck, ParseResult, Schema } from "effect"

const same = (schema: Schema.Schema<any, any>, input: unknown) => {
  const full = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })(input)
  const once = Endpoint.responseDecoder(schema)(input)
  expect(Either.isRight(once)).toBe(Either.isRight(full))
  if (Either.isRight(full) && Either.isRight(once)) {
    expect(once.right).toEqual(full.right)
    // the same key order, all the way down (reports and fingerprints serialise them)
    expect(JSON.stringify(once.right)).toBe(JSON.stringify(full.right))
  }
  if (Either.isLeft(full) && Either.isLeft(once)) {
    expect(ParseResult.TreeFormatter.formatErrorSync(once.left)).toBe(
      ParseResult.TreeFormatter.formatErrorSync(full.left)
    )
  }
}

/** A wire value with one field broken, dropped, nulled or an extra one added. */
const mutated = (value: unknown, fc: typeof FastCheck) =>
  fc.tuple(fc.nat(), fc.constantFrom("drop", "null", "number", "string", "extra", "array")).map(([n, how]) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value
    const copy: Record<string, unknown> = { ...value }
    const keys = Object.keys(copy)
    const key = keys.length === 0 ? "x" : keys[n % keys.length]!
    if (how === "drop") delete copy[key]
    else if (how === "null") copy[key] = null
    else if (how === "number") copy[key] = n
    else if (how === "string") copy[key] = `s${n}`
    else if (how === "extra") copy[`extra_${n}`] = n
    else copy[key] = [n]
    return copy
  })

const schemas = Endpoint.operationIds.flatMap((id) => {
  const success: Schema.Schema.AnyNoContext | undefined = Endpoint.endpoints[id].success
  return success === undefined ? [] : [[id, success] as const]
})

describe("Endpoint.responseDecoder", () => {
  it("validates a patient once: the same value as the full decode", () => {
    const wire = {
      id: "1001",
      dob: "1989-04-11",
      data_source: "emis",
      status: "unarchived",
      first_name: "Ada",
      nhs_number: "943 476 5919",
      address_line_1: "1 High Street",
      restricted: null,
      surplus: true
    }
    same(PatientV1, wire)
    const decoded = Endpoint.responseDecoder(PatientV1)(wire)
    expect(Either.isRight(decoded) && decoded.right.addressLine1).toBe("1 High Street")
    expect(Either.isRight(decoded) && decoded.right.restricted).toBe(false)
    expect(Either.isRight(decoded) && decoded.right.nhsNumber?._tag).toBe("VerifiedNhsNumber")
  })

  for (const [id, schema] of schemas) {
    it(`${id}: the same results and errors as Schema.decodeUnknownEither`, () => {
      const wire = Arbitrary.make(Schema.encodedSchema(schema))
      FastCheck.assert(FastCheck.property(wire, (value) => same(schema, value)), { numRuns: 150, seed: 1 })
      FastCheck.assert(
        FastCheck.property(wire.chain((value) => mutated(value, FastCheck)), (value) => same(schema, value)),
        { numRuns: 300, seed: 2 }
      )
      for (const odd of [null, undefined, 1, "x", [], {}, { data: null }, { data: [null] }, { data: [{}] }]) {
        same(schema, odd)
      }
    })
  }
})
