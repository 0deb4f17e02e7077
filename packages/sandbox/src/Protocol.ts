/**
 * The socket-free protocol of the sandbox core: the request it handles, the {@link Answer} it
 * gives (a response, a dropped connection, or no answer at all), and the error bodies it sends.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import type { OperationId } from "./Faults.js"

/**
 * The marker for a request body that is not valid JSON.
 *
 * @since 0.1.0
 * @category constants
 */
export const Unparseable: unique symbol = Symbol.for("@hero-effect/sandbox/Protocol/Unparseable")

/**
 * The marker for a request body larger than the sandbox accepts (`maxBodyBytes`): it was not
 * parsed (over HTTP, not even read to its end), and the core answers 413 `payload_too_large`.
 *
 * @since 0.1.0
 * @category constants
 */
export const TooLarge: unique symbol = Symbol.for("@hero-effect/sandbox/Protocol/TooLarge")

/**
 * A request as the core sees it. `body` is the parsed JSON, `undefined` for no body,
 * {@link Unparseable} or {@link TooLarge}. Header names are lower case.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: unknown
}

/**
 * Parses a body text: `undefined` when empty, {@link Unparseable} when not JSON.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseBody = (text: string | undefined): unknown => {
  if (text === undefined || text.trim() === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return Unparseable
  }
}

const encoder = new TextEncoder()

/**
 * The UTF-8 size of a text in bytes, computed only as far as needed to compare it with `limit`:
 * `true` when it is larger.
 *
 * @since 0.1.0
 * @category getters
 */
export const exceedsBytes = (text: string, limit: number): boolean =>
  // A UTF-16 code unit takes 1 to 3 bytes.
  text.length > limit ? true : text.length * 3 <= limit ? false : encoder.encode(text).length > limit

/**
 * Builds a {@link SandboxRequest} from a URL (only its path and query are used), headers (any
 * case) and a body text. With `maxBodyBytes`, a body text of more UTF-8 bytes is not parsed: the
 * body is {@link TooLarge}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRequest = (options: {
  readonly method: string
  readonly url: string | URL
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  readonly bodyText?: string | undefined
  readonly maxBodyBytes?: number | undefined
}): SandboxRequest => {
  const url = typeof options.url === "string" ? new URL(options.url, "http://sandbox.invalid") : options.url
  const query: Record<string, string> = {}
  for (const [key, value] of url.searchParams) if (!(key in query)) query[key] = value
  const headers: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[key.toLowerCase()] = value
  return {
    method: options.method.toUpperCase(),
    path: url.pathname,
    query,
    headers,
    body: options.bodyText !== undefined && options.maxBodyBytes !== undefined &&
        exceedsBytes(options.bodyText, options.maxBodyBytes)
      ? TooLarge
      : parseBody(options.bodyText)
  }
}

/**
 * What the core answers.
 *
 * - `Respond`: a response; `body` is the JSON value (`undefined`: no body), or `text` a raw body
 *   (a malformed-JSON fault).
 * - `Reset`: the connection is dropped; `applied` tells whether the operation ran.
 * - `Hang`: no answer, ever (until the caller gives up).
 *
 * @since 0.2.0
 * @category models
 */
export type Answer = Data.TaggedEnum<{
  Respond: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: unknown
    readonly text?: string | undefined
  }
  Reset: { readonly applied: boolean }
  Hang: {}
}>

/**
 * Constructors and matchers of {@link Answer}.
 *
 * @since 0.2.0
 * @category constructors
 */
export const Answer = Data.taggedEnum<Answer>()

/**
 * @since 0.1.0
 * @category models
 * @deprecated Use {@link Answer}: `Outcome` read as the workflows' `Outcome` (a patient's result).
 */
export type Outcome = Answer

/**
 * @since 0.1.0
 * @category constructors
 * @deprecated Use {@link Answer} (the same constructors and matchers).
 */
export const Outcome = Answer

/**
 * The body text of a `Respond` answer, `undefined` for no body.
 *
 * @since 0.1.0
 * @category getters
 */
export const bodyText = (outcome: Extract<Answer, { readonly _tag: "Respond" }>): string | undefined =>
  outcome.text !== undefined ? outcome.text : outcome.body === undefined ? undefined : JSON.stringify(outcome.body)

/**
 * The machine codes of the error bodies.
 *
 * @since 0.1.0
 * @category constants
 */
export const errorCodes = [
  "unauthorised",
  "forbidden",
  "not_found",
  "patient_not_found",
  "ehr_record_not_found",
  "no_pds_match",
  "ehr_record_linked_to_other_patient",
  "patient_archived",
  "same_patient",
  "merge_token_invalid",
  "merge_token_used",
  "merge_token_expired",
  "merge_token_mismatch",
  "merge_token_stale",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "internal_error",
  "bad_gateway",
  "service_unavailable",
  "gateway_timeout"
] as const

/**
 * An error code.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorCode = typeof errorCodes[number]

/**
 * The body of every error except 400: `{ error: true, statusCode, code, message }`. The message
 * never contains patient data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorBody = Schema.Struct({
  error: Schema.Literal(true),
  statusCode: Schema.Number,
  code: Schema.Literal(...errorCodes),
  message: Schema.String
}).annotations({ identifier: "SandboxErrorBody" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody extends Schema.Schema.Type<typeof ErrorBody> {}

/**
 * One request the core answered, and how: the sandbox keeps the most recent ones so a test can
 * check every response of a suite (for example against the OpenAPI document).
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  /** `undefined` for an unknown route. */
  readonly operation: OperationId | undefined
  readonly method: string
  readonly path: string
  readonly outcome: Answer
  /**
   * When the core received the request, in epoch milliseconds of the `Clock` (so `TestClock`
   * time in tests): the time its rate limit was checked at.
   */
  readonly at: number
}
