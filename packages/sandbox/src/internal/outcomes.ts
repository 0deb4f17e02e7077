/**
 * What the pipeline answers with: error outcomes in the documented shape (`{ error, statusCode,
 * code, message }` and the 400 validation body), an operation's result (success, a world
 * `Failure` or an `Invalid` request) and the outcome it becomes, and success bodies encoded
 * through their schema, with every `dob` in the configured format.
 *
 * @internal
 */
import { ValidationErrorBody } from "@hero-effect/schema/ValidationError"
import * as Schema from "effect/Schema"
import type { ErrorCode } from "../Protocol.js"
import { Answer } from "../Protocol.js"
import type { SandboxConfig } from "../SandboxConfig.js"
import type { Invalid } from "./decode.js"
import type { Failure } from "./world.js"

/** @internal */
export const json = { "content-type": "application/json" }

/** An error answer: the status, the documented error body, and any extra headers. @internal */
export const errorResponse = (
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {}
) =>
  Answer.Respond({
    status,
    headers: { ...json, ...headers },
    body: { error: true, statusCode: status, code, message }
  })

/** The 404 of a method and path no route matches. @internal */
export const noRoute = () => errorResponse(404, "not_found", "No such route")

const fromFailure = (f: Failure) => errorResponse(f.status, f.code as ErrorCode, f.message)

const encodeValidation = Schema.encodeSync(ValidationErrorBody)

const invalidResponse = (i: Invalid) =>
  Answer.Respond({
    status: 400,
    headers: json,
    body: encodeValidation({ error: true, statusCode: 400, issues: i.issues })
  })

/** An operation that succeeded, with its encoded body (`undefined`: none). @internal */
export interface Success {
  readonly _tag: "Success"
  readonly body: unknown
}

/** What an operation's handler gives. @internal */
export type OpResult = Success | Failure | Invalid

/** @internal */
export const success = (body: unknown): Success => ({ _tag: "Success", body })

const dateOnly = /^\d{4}-\d{2}-\d{2}$/

/** Writes every `dob` as a date-time when configured. @internal */
const withDobFormat = (value: unknown, config: SandboxConfig): unknown => {
  if (config.dobFormat === "date") return value
  const walk = (u: unknown): unknown => {
    if (Array.isArray(u)) return u.map(walk)
    if (typeof u === "object" && u !== null) {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(u)) {
        out[k] = k === "dob" && typeof v === "string" && dateOnly.test(v) ? `${v}T00:00:00.000Z` : walk(v)
      }
      return out
    }
    return u
  }
  return walk(value)
}

/** A success whose body is `value` encoded through `schema`. @internal */
export const encoded = <A, I>(schema: Schema.Schema<A, I>, value: NoInfer<A>, config: SandboxConfig): Success =>
  success(withDobFormat(Schema.encodeSync(schema)(value), config))

/** The outcome of an operation's result: 200, its failure's error, or the 400 of its issues. @internal */
export const toOutcome = (result: OpResult): Answer => {
  switch (result._tag) {
    case "Success":
      return Answer.Respond({ status: 200, headers: result.body === undefined ? {} : json, body: result.body })
    case "Failure":
      return fromFailure(result)
    case "Invalid":
      return invalidResponse(result)
  }
}
