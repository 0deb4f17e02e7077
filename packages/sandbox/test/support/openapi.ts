/**
 * A small validator of response bodies against the Patients API document
 * (`<repo>/../shared/api/patients.openapi.yaml`): OpenAPI 3.0 schemas converted to JSON Schema
 * (local `$ref`s inlined, `nullable` turned into a `null` type) and checked with ajv + ajv-formats.
 *
 * `oneOf` is checked as `anyOf`: the document's `RegisterPatientPdsResponse` is
 * `oneOf [PatientIdResponse, IdentityVerificationRequired]`, and the second alternative has no
 * required properties and allows extra ones, so every `{ patient_id }` body matches both and a
 * strict `oneOf` would reject the documented success body itself.
 */
import { Ajv } from "ajv"
import type { ValidateFunction } from "ajv"
import addFormats from "ajv-formats"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

type Json = { readonly [key: string]: unknown }

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")

export const documentPath = path.resolve(repoRoot, "..", "shared", "api", "patients.openapi.yaml")

let document: Json | undefined
const load = (): Json => (document ??= parse(fs.readFileSync(documentPath, "utf8")) as Json)

const resolve = (ref: string): unknown =>
  ref.slice(2).split("/").reduce<unknown>((node, token) => (isObject(node) ? node[token] : undefined), load())

const deref = (node: unknown): unknown =>
  isObject(node) && typeof node["$ref"] === "string" ? deref(resolve(node["$ref"])) : node

const convert = (node: unknown): unknown => {
  if (!isObject(node)) return node
  if (typeof node["$ref"] === "string") return convert(resolve(node["$ref"]))
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-") || ["nullable", "example", "discriminator"].includes(key)) continue
    if (key === "properties" && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]))
    } else if ((key === "items" || key === "additionalProperties") && isObject(value)) out[key] = convert(value)
    else if (key === "oneOf" && Array.isArray(value)) out["anyOf"] = value.map(convert)
    else if (["allOf", "anyOf"].includes(key) && Array.isArray(value)) out[key] = value.map(convert)
    else out[key] = value
  }
  if (node["nullable"] === true) {
    if (typeof out["type"] === "string") out["type"] = [out["type"], "null"]
    else return { anyOf: [out, { type: "null" }] }
    if (Array.isArray(out["enum"]) && !out["enum"].includes(null)) out["enum"] = [...out["enum"], null]
  }
  return out
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
const compiled = new Map<string, ValidateFunction | null>()

const operation = (operationId: string): Json => {
  for (const item of Object.values(load()["paths"] as Json)) {
    for (const op of Object.values(item as Json)) {
      if (isObject(op) && op["operationId"] === operationId) return op
    }
  }
  throw new Error(`No operation ${operationId}`)
}

/** The JSON Schema validator of an operation's response body for a status, or `null` when the document defines no body. */
export const responseValidator = (operationId: string, status: number): ValidateFunction | null => {
  const key = `${operationId} ${status}`
  if (!compiled.has(key)) {
    const responses = operation(operationId)["responses"] as Json
    const response = deref(responses[String(status)])
    const content = isObject(response) ? response["content"] : undefined
    const media = isObject(content) ? content["application/json"] : undefined
    compiled.set(key, isObject(media) ? ajv.compile(convert(media["schema"]) as object) : null)
  }
  return compiled.get(key)!
}

/** Whether the document lists the status for the operation. */
export const documentsStatus = (operationId: string, status: number): boolean =>
  String(status) in (operation(operationId)["responses"] as Json)

/** A component schema's validator. */
export const componentValidator = (name: string): ValidateFunction =>
  ajv.compile(convert((load()["components"] as any).schemas[name]) as object)

let validationError: ValidateFunction | undefined

/**
 * The problems of one response against the document (empty when it conforms): a 200 must match
 * the operation's documented body (or have none when the document defines none); a 400 must be the
 * documented ValidationError; other errors must be the sandbox error body, and match the document
 * when it defines a body for that status. `isErrorBody` checks the sandbox's error body.
 */
export const responseProblems = (
  operationId: string,
  status: number,
  body: unknown,
  isErrorBody: (u: unknown) => boolean
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (status === 200) {
    const validate = responseValidator(operationId, 200)
    if (validate === null) {
      if (body !== undefined) problems.push(`${operationId} 200 has a body the document does not define`)
    } else if (!validate(body)) {
      problems.push(`${operationId} 200: ${JSON.stringify(validate.errors)}`)
    }
  } else if (status === 400) {
    validationError ??= componentValidator("ValidationError")
    if (!validationError(body)) problems.push(`${operationId} 400: ${JSON.stringify(validationError.errors)}`)
  } else {
    if (!isErrorBody(body)) problems.push(`${operationId} ${status}: not an error body`)
    if (documentsStatus(operationId, status)) {
      const validate = responseValidator(operationId, status)
      if (validate !== null && !validate(body)) {
        problems.push(`${operationId} ${status}: ${JSON.stringify(validate.errors)}`)
      }
    }
  }
  return problems
}
