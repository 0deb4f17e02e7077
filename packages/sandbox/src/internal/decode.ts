/**
 * Request decoding: a query or a write body against its schema, into the value or an `Invalid`
 * (the issues of a documented 400 body). Bodies are exact, flat and bounded: unknown fields,
 * strings and field names over `maxFieldLength`, and values nested too deep are refused, and
 * issue messages never echo the value sent.
 *
 * @internal
 */
import type { ValidationIssue } from "@hero-effect/schema/ValidationError"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Unparseable } from "../Protocol.js"
import type { SandboxConfig } from "../SandboxConfig.js"

/** A request that does not decode: the issues of its 400 body. @internal */
export interface Invalid {
  readonly _tag: "Invalid"
  readonly issues: ReadonlyArray<ValidationIssue>
}

/** @internal */
export const invalid = (issues: ReadonlyArray<ValidationIssue>): Invalid => ({ _tag: "Invalid", issues })

const codeOf = (tag: string): string => tag.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()

// Default messages end in ", actual <value>": the value can be patient data, so it is cut.
const safeMessage = (message: string): string => message.replace(/,?\s*actual[\s\S]*$/, "").trim() || "is invalid"

/** At most this many issues are reported in one 400 body (a body of junk fields is not echoed). @internal */
export const maxIssues = 100

/** Bodies are flat objects: deeper values are refused without being walked. @internal */
const maxDepth = 8

/** Decodes `input` (a query, or a body with `exact`: no excess fields) into the value or its issues. @internal */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown,
  options: { readonly exact?: boolean } = {}
): Either.Either<A, Invalid> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema, {
      errors: "all",
      ...(options.exact === true ? { onExcessProperty: "error" as const } : {})
    })(input),
    (error) =>
      invalid(
        ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, maxIssues).map((issue) => ({
          code: codeOf(issue._tag),
          expected: safeMessage(issue.message),
          path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))
        }))
      )
  )

/**
 * Strings and field names longer than `maxLength`, and values nested deeper than a flat body
 * needs, walked breadth first without recursion (a body can be nested a million levels deep).
 */
const oversized = (body: unknown, maxLength: number): ReadonlyArray<ValidationIssue> => {
  const issues: Array<ValidationIssue> = []
  const queue: Array<readonly [unknown, ReadonlyArray<string | number>]> = [[body, []]]
  for (let i = 0; i < queue.length && issues.length < maxIssues; i++) {
    const [value, path] = queue[i]!
    if (typeof value === "string") {
      if (value.length > maxLength) {
        issues.push({ code: "refinement", expected: `A text must be at most ${maxLength} characters`, path })
      }
    } else if (typeof value === "object" && value !== null) {
      if (path.length >= maxDepth) {
        issues.push({ code: "refinement", expected: `A value must be nested at most ${maxDepth} levels`, path })
        continue
      }
      const entries: ReadonlyArray<readonly [string | number, unknown]> = Array.isArray(value)
        ? value.map((v, index) => [index, v] as const)
        : Object.entries(value)
      for (const [key, v] of entries) {
        if (typeof key === "string" && key.length > maxLength) {
          issues.push({ code: "refinement", expected: `A field name must be at most ${maxLength} characters`, path })
          if (issues.length >= maxIssues) break
        } else {
          queue.push([v, [...path, key]])
        }
      }
    }
  }
  return issues
}

/**
 * A write body. Every write body is exact: a field that does not belong is a 400 `unexpected`,
 * and no string (or field name) is longer than `maxFieldLength`.
 * @internal
 */
export const decodeBody = <A, I>(
  schema: Schema.Schema<A, I>,
  body: unknown,
  config: SandboxConfig
): Either.Either<A, Invalid> => {
  if (body === Unparseable) return Either.left(invalid([{ code: "invalid_json", expected: "a JSON body", path: [] }]))
  if (body === undefined) return Either.left(invalid([{ code: "missing", expected: "a JSON object body", path: [] }]))
  const tooLong = oversized(body, config.maxFieldLength)
  return tooLong.length > 0 ? Either.left(invalid(tooLong)) : decode(schema, body, { exact: true })
}
