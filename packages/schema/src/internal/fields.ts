import * as Schema from "effect/Schema"

/** A required wire field under another key. @internal */
export const required = <S extends Schema.Schema.All, const Key extends PropertyKey>(key: Key, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/** An optional wire field that may also be `null`; both decode to an absent property. @internal */
export const optional = <S extends Schema.Schema.All, const Key extends PropertyKey>(key: Key, schema: S) =>
  Schema.optionalWith(schema, { nullable: true }).pipe(Schema.fromKey(key))

/** A required-but-nullable wire field: tolerated when missing (decodes to `null`), always sent. @internal */
export const nullable = <S extends Schema.Schema.All, const Key extends PropertyKey>(key: Key, schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null }).pipe(Schema.fromKey(key))

/** An optional field of a request: omitted when absent, never `null`. @internal */
export const optionalInput = <S extends Schema.Schema.All, const Key extends PropertyKey>(key: Key, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

/** A non-empty, trimmed string for requests. @internal */
export const text = (what: string) =>
  Schema.String.pipe(
    Schema.nonEmptyString({ message: () => `${what} must not be empty` }),
    Schema.trimmed({ message: () => `${what} must not have surrounding whitespace` })
  )
