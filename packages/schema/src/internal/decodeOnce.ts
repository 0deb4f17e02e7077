/**
 * A decoder that validates once. A struct whose fields are renamed (`fromKey`) or defaulted
 * (`optionalWith`) is a Transformation between two TypeLiterals: Effect's decoder validates the
 * wire side (decoding every field), applies the renames, then validates the result again against
 * the type side — for a patient, about a third of the decode's cost, checking values the first
 * pass has just produced. Here such a node becomes a declaration that decodes the wire side and
 * applies the property-signature transformations exactly as Effect's `TypeLiteralTransformation`
 * does, then orders the keys as the type side would; structs and arrays around it are rebuilt
 * with the declaration inside; everything else (refinements, unions, other transformations) is
 * left to Effect as it is. On a failure anywhere, the input is decoded
 * again by the full schema, so errors are the full schema's, word for word.
 *
 * Equivalence with `Schema.decodeUnknownEither` is held by a property test over every endpoint's
 * success schema (`test/DecodeOnce.test.ts`).
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

const parseOptions: AST.ParseOptions = { onExcessProperty: "ignore" }
const hasOwn = Object.prototype.hasOwnProperty

/** The wire side decoded once, then the renames and defaults, keys in the type side's order. */
const renamedStruct = (
  from: AST.TypeLiteral,
  to: AST.TypeLiteral,
  transformation: AST.TypeLiteralTransformation,
  whole: AST.AST
): AST.AST => {
  const decodeFrom = ParseResult.decodeUnknownEither(Schema.make(rewrite(from)), parseOptions)
  const transformations = transformation.propertySignatureTransformations
  const order = to.propertySignatures.map((signature) => signature.name)
  const decode = (input: unknown, options: AST.ParseOptions) => {
    const decoded = decodeFrom(input, options)
    if (Either.isLeft(decoded)) return ParseResult.decodeUnknownEither(Schema.make(whole))(input, options)
    const fields = decoded.right as Record<PropertyKey, unknown>
    for (const t of transformations) {
      const value = t.decode(hasOwn.call(fields, t.from) ? Option.some(fields[t.from]) : Option.none())
      delete fields[t.from]
      if (Option.isSome(value)) fields[t.to] = value.value
    }
    const out: Record<PropertyKey, unknown> = {}
    for (const key of order) if (hasOwn.call(fields, key)) out[key] = fields[key]
    return Either.right(out)
  }
  return new AST.Declaration(
    [],
    () => decode,
    // never used to encode: `decodeOnce` only decodes
    () => (input, _, self) => Either.left(new ParseResult.Forbidden(self, input, "decodeOnce does not encode")),
    whole.annotations
  )
}

const rewrite = (ast: AST.AST): AST.AST => {
  switch (ast._tag) {
    case "Transformation": {
      const { from, to, transformation } = ast
      if (
        transformation._tag === "TypeLiteralTransformation" && from._tag === "TypeLiteral" &&
        to._tag === "TypeLiteral" && to.indexSignatures.length === 0
      ) {
        return renamedStruct(from, to, transformation, ast)
      }
      const rewritten = rewrite(from)
      return rewritten === from ? ast : new AST.Transformation(rewritten, to, transformation, ast.annotations)
    }
    case "TypeLiteral": {
      let changed = false
      const signatures = ast.propertySignatures.map((signature) => {
        const type = rewrite(signature.type)
        if (type === signature.type) return signature
        changed = true
        return new AST.PropertySignature(
          signature.name,
          type,
          signature.isOptional,
          signature.isReadonly,
          signature.annotations
        )
      })
      return changed ? new AST.TypeLiteral(signatures, ast.indexSignatures, ast.annotations) : ast
    }
    case "TupleType": {
      const elements = ast.elements.map((element) => {
        const type = rewrite(element.type)
        return type === element.type ? element : new AST.OptionalType(type, element.isOptional, element.annotations)
      })
      const rest = ast.rest.map((element) => {
        const type = rewrite(element.type)
        return type === element.type ? element : new AST.Type(type, element.annotations)
      })
      const changed = elements.some((e, i) => e !== ast.elements[i]) || rest.some((r, i) => r !== ast.rest[i])
      return changed ? new AST.TupleType(elements, rest, ast.isReadonly, ast.annotations) : ast
    }
    // Unions are left whole: Effect picks a member by its literal fields, which a declaration
    // would hide, and the order members are tried in could change.
    default:
      return ast
  }
}

/**
 * `Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })`, validating each value
 * once (see the module's comment). Same results, same errors.
 *
 * @internal
 */
export const decodeOnce = <A, I>(
  schema: Schema.Schema<A, I>
): (input: unknown) => Either.Either<A, ParseResult.ParseError> => {
  const full = Schema.decodeUnknownEither(schema, parseOptions)
  const rewritten = rewrite(schema.ast)
  if (rewritten === schema.ast) return full
  const fast = ParseResult.decodeUnknownEither(Schema.make(rewritten), parseOptions)
  return (input) => {
    const decoded = fast(input)
    // A failure takes the full schema's path, for its error exactly as it would be.
    return Either.isRight(decoded) ? Either.right(decoded.right as A) : full(input)
  }
}
