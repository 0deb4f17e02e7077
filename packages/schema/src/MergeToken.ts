/**
 * The merge token that Preview Patient Merging issues and Merge Patients consumes.
 *
 * @since 0.1.0
 */
import type * as Brand from "effect/Brand"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * A merge token. It is a `Redacted` value: logs, `toString`, `JSON.stringify` and error JSON show
 * `<redacted>`; only {@link mergeTokenValue} reads it, when the request body is encoded.
 *
 * @since 0.1.0
 * @category models
 */
export type MergeToken = Redacted.Redacted<string> & Brand.Brand<"MergeToken">

/**
 * Decodes the wire string into a {@link MergeToken} and encodes it back.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MergeToken = Schema.Redacted(Schema.String).pipe(
  Schema.brand("MergeToken"),
  Schema.annotations({ identifier: "MergeToken" })
)

/**
 * Wraps a token string you obtained elsewhere (for example from a journal).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMergeToken = (token: string): MergeToken => MergeToken.make(Redacted.make(token))

/**
 * Reads the token's value. Never log the result.
 *
 * @since 0.1.0
 * @category getters
 */
export const mergeTokenValue = (token: MergeToken): string => Redacted.value(token)
