import type * as Arr from "effect/Array"
import * as Schema from "effect/Schema"

/**
 * A received enum that does not fail on a value the API adds later: the known literals, or any
 * other string branded as unrecognised, so code that switches on the known values still sees the
 * new one as different.
 * @internal
 */
export const openEnum = <const Literals extends Arr.NonEmptyReadonlyArray<string>, const Name extends string>(
  name: Name,
  literals: Literals
) => {
  const known: ReadonlyArray<string> = literals
  const Unrecognised = Schema.String.pipe(
    Schema.filter((s) => !known.includes(s)),
    Schema.brand(`Unrecognised${name}`)
  )
  return Schema.Union(Schema.Literal(...literals), Unrecognised).annotations({ identifier: name })
}
