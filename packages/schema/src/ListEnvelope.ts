/**
 * The `{ data, count }` envelope of every list response.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Attachment } from "./Attachment.js"
import { EhrCandidate, PatientV1, PatientV2, PatientV3 } from "./Patient.js"

/**
 * A list response: `data` and `count` (the docs do not say whether `count` is the page size or
 * the total).
 *
 * @since 0.1.0
 * @category constructors
 */
export const ListEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ data: Schema.Array(item), count: Schema.Number })

/**
 * A paged list response (v3): `count` may be missing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const PagedListEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ data: Schema.Array(item), count: Schema.optionalWith(Schema.Number, { nullable: true }) })

/**
 * A list of items with its `count`.
 *
 * @since 0.1.0
 * @category models
 */
export interface List<A> {
  readonly data: ReadonlyArray<A>
  readonly count: number
}

/**
 * One page of a paged list.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly count?: number | undefined
}

/**
 * @since 0.1.0
 * @category schemas
 */
export const EhrCandidateList = ListEnvelope(EhrCandidate).annotations({ identifier: "EhrCandidateList" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const PatientV1List = ListEnvelope(PatientV1).annotations({ identifier: "PatientV1List" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const PatientV2List = ListEnvelope(PatientV2).annotations({ identifier: "PatientV2List" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const PatientV3List = PagedListEnvelope(PatientV3).annotations({ identifier: "PatientV3List" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const AttachmentList = ListEnvelope(Attachment).annotations({ identifier: "AttachmentList" })
