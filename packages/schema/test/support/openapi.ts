/**
 * The Patients API document (`<repo>/../shared/api/patients.openapi.yaml`, OpenAPI 3.0.3) as JSON
 * Schema, for tests: look up a component, an operation's request or response body, generate
 * deterministic samples with json-schema-faker and validate values with ajv.
 *
 * Test support only (not part of any package's API), written to be reused by other packages' tests,
 * for example to check the sandbox's HTTP responses against the same document.
 *
 * The conversion from OpenAPI 3.0 Schema Objects to JSON Schema (draft-07):
 * - local `$ref`s (`#/components/...`) are inlined, recursively (a recursive reference throws: the
 *   document has none, and inlining could not end); as OpenAPI 3.0 says, keys beside a `$ref` are
 *   ignored;
 * - `nullable: true` allows `null`: `"null"` is added to `type`, and `null` to `enum` if absent;
 *   a nullable schema without `type` becomes `anyOf: [schema, { type: "null" }]`;
 * - the boolean `exclusiveMinimum`/`exclusiveMaximum` of 3.0 become the numeric ones of draft-07;
 * - `x-*` extensions, `example`, `discriminator`, `xml` and `externalDocs` are dropped.
 * Property names are never taken for keywords (a property called `example` or `x-id` is kept).
 */
import { Ajv } from "ajv"
import type { ErrorObject, ValidateFunction } from "ajv"
import addFormats from "ajv-formats"
import { generateSync } from "json-schema-faker"
import type { JsonSchema as FakerSchema } from "json-schema-faker"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

/** A JSON Schema: an object of keywords, or a boolean. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown }

/** The parsed OpenAPI document, as plain JSON. */
export type OpenApiDocument = { readonly [key: string]: unknown }

type Json = { readonly [key: string]: unknown }

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/** The root of the repository (this file is `<repo>/packages/schema/test/support/openapi.ts`). */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")

/**
 * Where the document is: `shared/` sits beside the repository (locally `/work/shared` next to
 * `/work/main`, and CI clones it there too).
 */
export const documentPath: string = path.resolve(repoRoot, "..", "shared", "api", "patients.openapi.yaml")

const documents = new Map<string, OpenApiDocument>()

/** The parsed document, read once per path. */
export const loadDocument = (file: string = documentPath): OpenApiDocument => {
  let document = documents.get(file)
  if (document === undefined) {
    const parsed: unknown = parse(fs.readFileSync(file, "utf8"))
    if (!isObject(parsed) || typeof parsed["openapi"] !== "string") {
      throw new Error(`${file} is not an OpenAPI document`)
    }
    document = parsed
    documents.set(file, document)
  }
  return document
}

/** The value a local JSON pointer (`#/components/schemas/PatientV1`) designates. */
export const resolvePointer = (document: OpenApiDocument, ref: string): unknown => {
  if (!ref.startsWith("#")) throw new Error(`Only local $refs are supported, got ${ref}`)
  const tokens = ref.slice(1).split("/").slice(1).map((t) =>
    decodeURIComponent(t).replace(/~1/g, "/").replace(/~0/g, "~")
  )
  let node: unknown = document
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)]
    else if (isObject(node) && token in node) node = node[token]
    else throw new Error(`Unresolvable $ref ${ref}`)
  }
  return node
}

/** Follows `$ref`s (of parameters, request bodies, responses …) until a node without one. */
const deref = (document: OpenApiDocument, node: unknown, seen: ReadonlyArray<string> = []): unknown => {
  if (isObject(node) && typeof node["$ref"] === "string") {
    const ref = node["$ref"]
    if (seen.includes(ref)) throw new Error(`Recursive $ref ${[...seen, ref].join(" -> ")}`)
    return deref(document, resolvePointer(document, ref), [...seen, ref])
  }
  return node
}

const droppedKeywords = new Set(["nullable", "example", "discriminator", "xml", "externalDocs"])
const schemaKeywords = new Set(["items", "additionalProperties", "not"])
const schemaArrayKeywords = new Set(["allOf", "anyOf", "oneOf"])
const schemaMapKeywords = new Set(["properties", "patternProperties"])

const convert = (document: OpenApiDocument, node: unknown, stack: ReadonlyArray<string>): JsonSchema => {
  if (typeof node === "boolean") return node
  if (!isObject(node)) throw new Error(`Not a Schema Object: ${JSON.stringify(node)}`)
  if (typeof node["$ref"] === "string") {
    const ref = node["$ref"]
    if (stack.includes(ref)) throw new Error(`Recursive $ref ${[...stack, ref].join(" -> ")} cannot be inlined`)
    return convert(document, resolvePointer(document, ref), [...stack, ref])
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-") || droppedKeywords.has(key)) continue
    if (schemaKeywords.has(key) && (isObject(value) || typeof value === "boolean")) {
      out[key] = convert(document, value, stack)
    } else if (schemaArrayKeywords.has(key) && Array.isArray(value)) {
      out[key] = value.map((s) => convert(document, s, stack))
    } else if (schemaMapKeywords.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, convert(document, s, stack)]))
    } else {
      out[key] = value
    }
  }
  for (const bound of ["Minimum", "Maximum"] as const) {
    const exclusive = out[`exclusive${bound}`]
    if (typeof exclusive === "boolean") {
      const limit = out[bound.toLowerCase()]
      delete out[`exclusive${bound}`]
      if (exclusive && typeof limit === "number") {
        out[`exclusive${bound}`] = limit
        delete out[bound.toLowerCase()]
      }
    }
  }
  if (node["nullable"] === true) {
    const type = out["type"]
    if (typeof type === "string" || Array.isArray(type)) {
      const types: Array<unknown> = Array.isArray(type) ? [...type] : [type]
      if (!types.includes("null")) types.push("null")
      out["type"] = types
      const values = out["enum"]
      if (Array.isArray(values) && !values.includes(null)) out["enum"] = [...values, null]
    } else {
      return { anyOf: [out, { type: "null" }] }
    }
  }
  return out
}

/** Converts one OpenAPI 3.0 Schema Object of the document to a self-contained JSON Schema. */
export const toJsonSchema = (schema: unknown, document: OpenApiDocument = loadDocument()): JsonSchema =>
  convert(document, schema, [])

const componentSchemas = (document: OpenApiDocument): Json => {
  const components = document["components"]
  const schemas = isObject(components) ? components["schemas"] : undefined
  return isObject(schemas) ? schemas : {}
}

/** The names of `components.schemas`, in document order. */
export const componentSchemaNames = (document: OpenApiDocument = loadDocument()): ReadonlyArray<string> =>
  Object.keys(componentSchemas(document))

/** `components.schemas[name]` as JSON Schema. Throws for an unknown name. */
export const componentSchema = (name: string, document: OpenApiDocument = loadDocument()): JsonSchema => {
  const schemas = componentSchemas(document)
  if (!(name in schemas)) throw new Error(`No component schema ${name}`)
  return toJsonSchema(schemas[name], document)
}

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const

/** One operation of the document (`paths`, and the `x-webhooks` the document uses for webhooks). */
export interface Operation {
  readonly operationId: string
  readonly method: string
  /** The path, or the webhook name for `x-webhooks`. */
  readonly path: string
  readonly webhook: boolean
  readonly operation: Json
}

/** Every operation with an `operationId`. */
export const operations = (document: OpenApiDocument = loadDocument()): ReadonlyArray<Operation> => {
  const result: Array<Operation> = []
  for (const [section, webhook] of [["paths", false], ["webhooks", true], ["x-webhooks", true]] as const) {
    const items = document[section]
    if (!isObject(items)) continue
    for (const [p, rawItem] of Object.entries(items)) {
      const item = deref(document, rawItem)
      if (!isObject(item)) continue
      for (const method of httpMethods) {
        const operation = item[method]
        if (isObject(operation) && typeof operation["operationId"] === "string") {
          result.push({ operationId: operation["operationId"], method, path: p, webhook, operation })
        }
      }
    }
  }
  return result
}

/** The operation with this `operationId`. Throws if there is none. */
export const findOperation = (operationId: string, document: OpenApiDocument = loadDocument()): Operation => {
  const found = operations(document).find((o) => o.operationId === operationId)
  if (found === undefined) throw new Error(`No operation ${operationId}`)
  return found
}

const jsonBodySchema = (document: OpenApiDocument, body: unknown): JsonSchema | undefined => {
  const resolved = deref(document, body)
  const content = isObject(resolved) ? resolved["content"] : undefined
  if (!isObject(content)) return undefined
  const mediaType = content["application/json"] ??
    Object.entries(content).find(([type]) => /^application\/(.+\+)?json\b/.test(type))?.[1]
  return isObject(mediaType) && mediaType["schema"] !== undefined
    ? toJsonSchema(mediaType["schema"], document)
    : undefined
}

/**
 * The JSON Schema of an operation's JSON response body for a status (`200`, or a number), falling
 * back to the `2XX`-style range and then `default`, as OpenAPI does. `undefined` when the response
 * is documented without a JSON body. Throws for an unknown operation or an undocumented status.
 */
export const operationResponseSchema = (
  operationId: string,
  status: number | string,
  document: OpenApiDocument = loadDocument()
): JsonSchema | undefined => {
  const { operation } = findOperation(operationId, document)
  const responses = operation["responses"]
  if (!isObject(responses)) throw new Error(`${operationId} documents no responses`)
  const code = String(status)
  const key = [code, `${code[0]}XX`, `${code[0]}xx`, "default"].find((k) => k in responses)
  if (key === undefined) throw new Error(`${operationId} documents no response for status ${code}`)
  return jsonBodySchema(document, responses[key])
}

/**
 * The JSON Schema of an operation's JSON request body; `undefined` when it has none. Throws for an
 * unknown operation.
 */
export const operationRequestSchema = (
  operationId: string,
  document: OpenApiDocument = loadDocument()
): JsonSchema | undefined => jsonBodySchema(document, findOperation(operationId, document).operation["requestBody"])

/** One example value found in the document, with the schema it is an instance of. */
export interface DocumentExample {
  /** JSON pointer of the example value in the document. */
  readonly pointer: string
  readonly value: unknown
  /** The JSON Schema the example illustrates, when the document gives one. */
  readonly schema: JsonSchema | undefined
}

const pointerToken = (key: string | number) => String(key).replace(/~/g, "~0").replace(/\//g, "~1")

const dataKeywords = new Set(["enum", "default", "const"])

const nameMaps = new Set([
  "paths",
  "webhooks",
  "x-webhooks",
  "callbacks",
  "properties",
  "patternProperties",
  "schemas",
  "parameters",
  "responses",
  "requestBodies",
  "headers",
  "securitySchemes",
  "links",
  "content",
  "encoding",
  "variables"
])

/**
 * Every `example` and `examples` value of the document: on Schema Objects (the example is an
 * instance of that schema), on Parameter Objects and Media Type Objects (an instance of their
 * `schema`), `examples` maps of Example Objects (their `value`, `$ref`s to `components/examples`
 * followed) and JSON Schema `examples` arrays. Names of properties are never taken for keywords.
 */
export const documentExamples = (document: OpenApiDocument = loadDocument()): ReadonlyArray<DocumentExample> => {
  const found: Array<DocumentExample> = []
  const schemaOf = (owner: Json): JsonSchema | undefined => {
    const isSchemaOwner = ("in" in owner && "name" in owner) || "encoding" in owner || "schema" in owner
    if (isSchemaOwner) return owner["schema"] === undefined ? undefined : toJsonSchema(owner["schema"], document)
    return toJsonSchema(owner, document)
  }
  const walk = (node: unknown, pointer: string, inNameMap: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`, false))
      return
    }
    if (!isObject(node)) return
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${pointerToken(key)}`
      if (!inNameMap && (dataKeywords.has(key) || (pointer === "#/components" && key === "examples"))) {
        // Values, not document structure (`components.examples` is reached through the `$ref`s).
        continue
      } else if (!inNameMap && key === "example") {
        found.push({ pointer: here, value, schema: schemaOf(node) })
      } else if (!inNameMap && key === "examples" && Array.isArray(value)) {
        value.forEach((v, i) => found.push({ pointer: `${here}/${i}`, value: v, schema: schemaOf(node) }))
      } else if (!inNameMap && key === "examples" && isObject(value)) {
        for (const [name, example] of Object.entries(value)) {
          const resolved = deref(document, example)
          if (isObject(resolved) && "value" in resolved) {
            found.push({
              pointer: `${here}/${pointerToken(name)}/value`,
              value: resolved["value"],
              schema: schemaOf(node)
            })
          }
        }
      } else if (inNameMap || !key.startsWith("x-") || nameMaps.has(key)) {
        // The children of `properties` (and the other maps keyed by name) are names, not keywords.
        walk(value, here, !inNameMap && nameMaps.has(key))
      }
    }
  }
  walk(document, "#", false)
  return found
}

/** How {@link fake} generates. */
export interface FakeOptions {
  /** Probability that an optional property is generated (default 0.5, so both cases occur). */
  readonly optionalsProbability?: number
  /** Most items of an array without `maxItems` (default 3). */
  readonly maxItems?: number
}

/**
 * A value generated from a JSON Schema by json-schema-faker, deterministic for a seed (its
 * Mulberry32 generator is seeded; nothing else is random). Optional properties are generated with
 * probability {@link FakeOptions.optionalsProbability}, so over many seeds some samples have a
 * property and others do not.
 */
export const fake = (schema: JsonSchema, seed: number, options: FakeOptions = {}): unknown =>
  generateSync(schema as FakerSchema, {
    seed,
    alwaysFakeOptionals: false,
    fillProperties: false,
    optionalsProbability: options.optionalsProbability ?? 0.5,
    maxDefaultItems: options.maxItems ?? 3,
    useDefaultValue: false,
    useExamplesValue: false
  })

/** `count` samples of a schema, for the seeds `firstSeed`, `firstSeed + 1`, … */
export const fakeMany = (
  schema: JsonSchema,
  count: number,
  firstSeed = 1,
  options: FakeOptions = {}
): ReadonlyArray<{ readonly seed: number; readonly value: unknown }> =>
  Array.from({ length: count }, (_, i) => ({ seed: firstSeed + i, value: fake(schema, firstSeed + i, options) }))

let ajv: Ajv | undefined

const getAjv = (): Ajv => {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
    addFormats.default(ajv)
  }
  return ajv
}

/** A validation failure: ajv's errors. */
export type ValidationErrors = ReadonlyArray<ErrorObject>

/**
 * A validator for a JSON Schema (ajv with ajv-formats, `strict: false`, all errors): `null` when
 * the value is valid, its errors otherwise. Compile once, call many times.
 */
export const validator = (schema: JsonSchema): (value: unknown) => ValidationErrors | null => {
  const validate: ValidateFunction = getAjv().compile(schema as object | boolean)
  return (value) => (validate(value) ? null : [...(validate.errors ?? [])])
}

/** ajv's errors as one line each (`/data/0/id must match pattern "^\d+$"`). */
export const formatValidationErrors = (errors: ValidationErrors): string =>
  errors.map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join("\n")
