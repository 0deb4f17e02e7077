/**
 * What a response means: the status → typed error mapping (404 and 409 only where the request
 * says they can happen, see `ErrorsOf`), the error for a body larger than the client reads, and
 * the decoding of a JSON body against an operation's schema. Every error built here is redacted:
 * server codes and issues pass `redact.ts`, bodies appear only as excerpts. The 429 is not here:
 * it is the limiter's (`limiter.ts`), since it holds the client back.
 * @internal
 */
import * as Endpoint from "@hero-effect/schema/Endpoint"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Errors from "../HeroHealthError.js"
import type { OperationId } from "../Operation.js"
import { decodeFailureSummary, excerpt, safeCode, safeIssue } from "./redact.js"
import type { RequestSpec } from "./request.js"

/** @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/**
 * The failures a request can produce: 404 becomes PatientNotFound only where the spec says a
 * patient can be missing, 409 becomes Conflict only where it says conflicts can happen.
 * @internal
 */
export type ErrorsOf<Spec extends RequestSpec> =
  | Errors.CommonError
  | (Spec extends { readonly notFound: object } ? Errors.PatientNotFound : never)
  | (Spec extends { readonly conflicts: true } ? Errors.Conflict : never)

/** A body larger than `maxResponseBytes`: not read further. @internal */
export const responseTooLarge = (operation: OperationId, status: number, maxResponseBytes: number) =>
  new Errors.UnexpectedResponse({
    operation,
    status,
    reason: `the body is larger than the client reads (maxResponseBytes ${maxResponseBytes}); not read further`,
    excerpt: "",
    maxResponseBytes
  })

const serverCode = (text: string): string | undefined => {
  try {
    const code = (JSON.parse(text) as { code?: unknown } | null)?.code
    return typeof code === "string" ? safeCode(code) : undefined
  } catch {
    return undefined
  }
}

const decodeValidation = Schema.decodeUnknownEither(
  Schema.Struct({ message: Schema.Array(Errors.RequestIssue) })
)

/**
 * The error of a response that is neither a success nor a 429. PatientNotFound and Conflict only
 * when `spec` allows them (see ErrorsOf).
 * @internal
 */
export const failure = (operation: OperationId, spec: RequestSpec, response: RawResponse): Errors.HeroHealthError => {
  const { status, text } = response
  if (status === 400 || status === 422) {
    let issues: ReadonlyArray<typeof Errors.RequestIssue.Type> = []
    try {
      const decoded = decodeValidation(JSON.parse(text))
      if (Either.isRight(decoded)) {
        issues = decoded.right.message.map(safeIssue)
      }
    } catch {
      // not the documented body: no issues
    }
    return new Errors.InvalidRequest({ operation, status, issues })
  }
  if (status === 401) {
    return new Errors.Unauthorised({ operation })
  }
  if (status === 403) {
    return new Errors.Forbidden({ operation, code: serverCode(text) })
  }
  if (status === 404 && spec.notFound !== undefined) {
    return new Errors.PatientNotFound({ operation, patientId: spec.notFound.patientId, code: serverCode(text) })
  }
  if (status === 409 && spec.conflicts) {
    return new Errors.Conflict({ operation, code: serverCode(text) })
  }
  if (status >= 500 && status <= 599) {
    return new Errors.ServerError({ operation, status })
  }
  if (status >= 300 && status <= 399) {
    return new Errors.UnexpectedResponse({
      operation,
      status,
      reason: "a redirect, not followed (the API key only goes to the configured base URL)",
      excerpt: excerpt(text)
    })
  }
  return new Errors.UnexpectedResponse({
    operation,
    status,
    reason: "a status this operation does not document",
    excerpt: excerpt(text)
  })
}

/**
 * Decodes a JSON body, or fails with a redacted UnexpectedResponse. The decoder validates each
 * value once (`Endpoint.responseDecoder`: Effect's results and errors, without the second pass
 * after a struct's renames); build this once per operation. @internal
 */
export const decodeBody = <A, I>(operation: OperationId, schema: Schema.Schema<A, I>) => {
  const decode = Endpoint.responseDecoder(schema)
  return (response: RawResponse): Effect.Effect<A, Errors.UnexpectedResponse> => {
    let json: unknown
    try {
      json = JSON.parse(response.text)
    } catch {
      return Effect.fail(
        new Errors.UnexpectedResponse({
          operation,
          status: response.status,
          reason: "the body is not valid JSON",
          excerpt: excerpt(response.text)
        })
      )
    }
    const decoded = decode(json)
    return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(
      new Errors.UnexpectedResponse({
        operation,
        status: response.status,
        reason: `the body does not match the document at ${decodeFailureSummary(decoded.left)}`,
        excerpt: excerpt(response.text)
      })
    )
  }
}
