/**
 * The request of a call, from what the operation was given: the wire path, query and body it
 * describes (`RequestSpec`), the URL and headers built from them once per call (whatever the
 * number of attempts), and the `InvalidInput` an operation fails with when its input does not
 * encode. Nothing here sends or waits.
 * @internal
 */
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import type { Options } from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import type * as Transport from "../HeroHealthTransport.js"
import type { OperationId } from "../Operation.js"
import { issuesOf } from "./redact.js"

/** A request ready to send: wire path (ids already encoded), query and body. @internal */
export interface RequestSpec {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: unknown
  /** Which 4xx statuses this operation documents or can meet; others are unexpected. */
  readonly notFound?: { readonly patientId?: string | undefined } | undefined
  readonly conflicts?: boolean | undefined
}

/** A built request, before each attempt gives it its own time limit (and the size limit). @internal */
export type BuiltRequest = Omit<Transport.TransportRequest, "timeoutMillis" | "maxResponseBytes">

/** The request builder of a client: its base URL and headers fixed. @internal */
export const makeBuildRequest = (config: Options): (spec: RequestSpec) => BuiltRequest => {
  // The same headers on every request: built once.
  const headers: Readonly<Record<string, string>> = {
    "x-api-key": Redacted.value(config.apiKey),
    "x-practice-group-id": config.practiceGroupId,
    "accept": "application/json",
    "user-agent": "hero-effect/0.1.0"
  }
  const jsonHeaders: Readonly<Record<string, string>> = { ...headers, "content-type": "application/json" }

  return (spec) => {
    let url = `${config.baseUrl}${spec.path}`
    if (spec.query !== undefined) {
      const params = new URLSearchParams()
      for (const [key, value] of Object.entries(spec.query)) {
        if (value !== undefined) {
          params.append(key, value)
        }
      }
      const search = params.toString()
      if (search.length > 0) {
        url = `${url}?${search}`
      }
    }
    return spec.body === undefined
      ? { method: spec.method, url, headers, body: undefined }
      : { method: spec.method, url, headers: jsonHeaders, body: JSON.stringify(spec.body) }
  }
}

/** The query keys of a request for its span, values redacted: `a=REDACTED&b=REDACTED`. @internal */
export const redactedQuery = (spec: RequestSpec): string => {
  if (spec.query === undefined) return ""
  let query = ""
  for (const key in spec.query) {
    if (spec.query[key] !== undefined) query += query === "" ? `${key}=REDACTED` : `&${key}=REDACTED`
  }
  return query
}

const isParseError = (u: unknown): u is ParseResult.ParseError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "ParseError"

/** An operation's input that did not encode (or a non-ParseError thrown while encoding it). @internal */
export const invalidInput = (operation: OperationId, error: unknown): Errors.InvalidInput =>
  new Errors.InvalidInput({
    operation,
    issues: isParseError(error) ? issuesOf(error) : [{ path: "", message: String(error) }]
  })
