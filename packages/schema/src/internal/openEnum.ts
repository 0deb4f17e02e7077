import type * as Arr from "effect/Array"
import type * as Brand from "effect/Brand"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * A received enum that does not fail on a value the API adds later: the known literals, or any
 * other string branded as unrecognised, so code that switches on the known values still sees the
 * new one as different.
 *
 * Every value of it is a string, so decoding is one `typeof` check — written as a declaration
 * rather than `Union(Literal(...), String.pipe(filter, brand))`, whose union machinery cost
 * several microseconds per field (a record carries a dozen of these).
 * @internal
 */
export const openEnum = <const Literals extends Arr.NonEmptyReadonlyArray<string>, const Name extends string>(
  name: Name,
  literals: Literals
): Schema.Schema<Literals[number] | (string & Brand.Brand<`Unrecognised${Name}`>), string> => {
  const known: ReadonlyArray<string> = literals
  type A = Literals[number] | (string & Brand.Brand<`Unrecognised${Name}`>)
  const isString = (u: unknown): u is A => typeof u === "string"
  const Type = Schema.declare(isString, {
    identifier: name,
    description: `one of ${known.join(", ")}, or a later value kept as unrecognised`,
    arbitrary: () => (fc) => fc.oneof(fc.constantFrom(...known), fc.string()) as never,
    jsonSchema: { type: "string" },
    pretty: () => (a: A) => JSON.stringify(a)
  })
  return Schema.transformOrFail(Schema.String, Type, {
    strict: true,
    decode: (s) => ParseResult.succeed(s as A),
    encode: (a) => ParseResult.succeed(a)
  }).annotations({ identifier: name })
}
