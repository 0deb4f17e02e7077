/**
 * A field-by-field diff of a merge preview: what the main record becomes, field by field, and
 * where each new value came from. Values are left out unless the caller asks for them, so the
 * diff can go to the journal and to logs as it is.
 *
 * @since 0.1.0
 */
import type { Identifier } from "@hero-effect/schema/Identifier"
import type { MergePreview } from "@hero-effect/schema/Merge"
import { PatientV1 } from "@hero-effect/schema/Patient"
import * as Schema from "effect/Schema"
import { deepEqual, isAbsent } from "./internal/equal.js"

/**
 * How a field of the main record changes:
 *
 * - `unchanged`: the result has what the main record had (both absent counts as unchanged);
 * - `gained`: the main record lacked it, the result has it;
 * - `lost`: the main record had it, the result lacks it;
 * - `changed`: both have it and the values differ.
 *
 * Absent means `undefined`, `null`, a blank string or an empty list.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChangeKind = Schema.Literal("unchanged", "gained", "lost", "changed")

/**
 * @since 0.1.0
 * @category models
 */
export type ChangeKind = typeof ChangeKind.Type

/**
 * The fields of a v1 patient that the diff covers: every field except `identifiers`, which is
 * diffed as a set.
 *
 * @since 0.1.0
 * @category constants
 */
export const patientFields: ReadonlyArray<keyof PatientV1> = Object.keys(PatientV1.fields).filter((
  k
): k is keyof PatientV1 => k !== "identifiers") as ReadonlyArray<keyof PatientV1>

/**
 * The values of one field, present only when the caller asked for them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FieldValues = Schema.Struct({
  main: Schema.Unknown,
  incoming: Schema.Unknown,
  result: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category models
 */
export interface FieldValues extends Schema.Schema.Type<typeof FieldValues> {}

/**
 * The change of one field. `fromIncoming`: the result's value is the incoming record's (for
 * `gained` and `changed`). `incomingDiffers`: the incoming record has a value for the field that
 * is not the result's (it was not taken).
 *
 * @since 0.1.0
 * @category schemas
 */
export const FieldChange = Schema.Struct({
  field: Schema.String,
  kind: ChangeKind,
  fromIncoming: Schema.Boolean,
  incomingDiffers: Schema.Boolean,
  values: Schema.optionalWith(FieldValues, { exact: true })
}).annotations({ identifier: "FieldChange" })

/**
 * @since 0.1.0
 * @category models
 */
export interface FieldChange extends Schema.Schema.Type<typeof FieldChange> {}

/**
 * An identifier named without its value (unless values were asked for).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierRef = Schema.Struct({
  source: Schema.String,
  name: Schema.String,
  role: Schema.String,
  label: Schema.String,
  value: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "IdentifierRef" })

/**
 * @since 0.1.0
 * @category models
 */
export interface IdentifierRef extends Schema.Schema.Type<typeof IdentifierRef> {}

/**
 * The diff of a merge preview.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MergeDiff = Schema.Struct({
  fields: Schema.Array(FieldChange),
  identifiers: Schema.Struct({
    added: Schema.Array(IdentifierRef),
    removed: Schema.Array(IdentifierRef)
  })
}).annotations({ identifier: "MergeDiff" })

/**
 * @since 0.1.0
 * @category models
 */
export interface MergeDiff extends Schema.Schema.Type<typeof MergeDiff> {}

/**
 * Options of {@link diff}. `includeValues: true` adds each field's and identifier's values: only
 * for a person's review screen, never for logs or the journal.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly includeValues?: boolean | undefined
}

/**
 * The three records of a merge preview.
 *
 * @since 0.1.0
 * @category models
 */
export interface Records {
  readonly main: PatientV1
  readonly incoming: PatientV1
  readonly result: PatientV1
}

const fieldChange = (records: Records, field: keyof PatientV1, includeValues: boolean): FieldChange => {
  const main: unknown = records.main[field]
  const incoming: unknown = records.incoming[field]
  const result: unknown = records.result[field]
  const mainAbsent = isAbsent(main)
  const resultAbsent = isAbsent(result)
  const incomingAbsent = isAbsent(incoming)
  const kind: ChangeKind = mainAbsent && resultAbsent
    ? "unchanged"
    : mainAbsent
    ? "gained"
    : resultAbsent
    ? "lost"
    : deepEqual(main, result)
    ? "unchanged"
    : "changed"
  const fromIncoming = (kind === "gained" || kind === "changed") && !incomingAbsent && deepEqual(incoming, result)
  const incomingDiffers = !incomingAbsent && (resultAbsent || !deepEqual(incoming, result))
  const change: FieldChange = { field, kind, fromIncoming, incomingDiffers }
  return includeValues ? { ...change, values: { main, incoming, result } } : change
}

const identifierKey = (i: Identifier): string => JSON.stringify([i.source, i.name, i.role, i.label, i.value])

const identifierRef = (i: Identifier, includeValues: boolean): IdentifierRef => {
  const ref = { source: i.source, name: i.name, role: i.role, label: i.label }
  return includeValues ? { ...ref, value: i.value } : ref
}

/**
 * Diffs the three records: every field of the main record against the result, and the
 * identifiers as sets (an identifier whose value changed is one removed and one added). Pure;
 * never throws.
 *
 * @since 0.1.0
 * @category constructors
 */
export const diff = (records: Records, options?: Options): MergeDiff => {
  const includeValues = options?.includeValues === true
  const fields = patientFields.map((field) => fieldChange(records, field, includeValues))
  const mainIds = records.main.identifiers ?? []
  const resultIds = records.result.identifiers ?? []
  const mainKeys = new Set(mainIds.map(identifierKey))
  const resultKeys = new Set(resultIds.map(identifierKey))
  return {
    fields,
    identifiers: {
      added: resultIds.filter((i) => !mainKeys.has(identifierKey(i))).map((i) => identifierRef(i, includeValues)),
      removed: mainIds.filter((i) => !resultKeys.has(identifierKey(i))).map((i) => identifierRef(i, includeValues))
    }
  }
}

/**
 * Diffs a merge preview (its token is not looked at).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPreview = (preview: MergePreview, options?: Options): MergeDiff =>
  diff({ main: preview.mainPatient, incoming: preview.incomingPatient, result: preview.resultPatient }, options)

/**
 * The change of one field, if the diff covers it.
 *
 * @since 0.1.0
 * @category getters
 */
export const field = (self: MergeDiff, name: string): FieldChange | undefined =>
  self.fields.find((f) => f.field === name)

/**
 * The fields with a given kind of change.
 *
 * @since 0.1.0
 * @category getters
 */
export const fieldsWith = (self: MergeDiff, kind: ChangeKind): ReadonlyArray<string> =>
  self.fields.filter((f) => f.kind === kind).map((f) => f.field)

/**
 * Every change as field name and kind, without values (what the journal keeps).
 *
 * @since 0.1.0
 * @category getters
 */
export const changes = (self: MergeDiff): ReadonlyArray<{ readonly field: string; readonly kind: ChangeKind }> =>
  self.fields.filter((f) => f.kind !== "unchanged").map((f) => ({ field: f.field, kind: f.kind }))

/**
 * Whether the result differs from the main record at all.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasChanges = (self: MergeDiff): boolean =>
  self.fields.some((f) => f.kind !== "unchanged") || self.identifiers.added.length > 0 ||
  self.identifiers.removed.length > 0

/**
 * The diff with every value removed (for a diff made with `includeValues`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withoutValues = (self: MergeDiff): MergeDiff => ({
  fields: self.fields.map(({ field, fromIncoming, incomingDiffers, kind }) => ({
    field,
    kind,
    fromIncoming,
    incomingDiffers
  })),
  identifiers: {
    added: self.identifiers.added.map(({ label, name, role, source }) => ({ source, name, role, label })),
    removed: self.identifiers.removed.map(({ label, name, role, source }) => ({ source, name, role, label }))
  }
})
