/**
 * The endpoint table against the API document: every documented operation is in it with the
 * document's method, path, statuses, body and query parameters, and nothing else is; the
 * writes are POSTs, never idempotent; a success schema is given only where the document
 * describes a JSON body.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Endpoint from "@hero-effect/schema/Endpoint"
import * as AST from "effect/SchemaAST"
import { findOperation, operationResponseSchema, operations } from "./support/openapi.js"

/** The wire names of a Struct schema's fields (after renames such as `pageIndex` → `page_index`). */
const encodedKeys = (ast: AST.AST): ReadonlyArray<string> =>
  AST.getPropertySignatures(AST.encodedAST(ast)).map((p) => String(p.name)).sort()

const documented = operations().filter((o) => !o.webhook)

describe("Endpoint", () => {
  it("has every documented operation, and only those, in the docs' order", () => {
    expect([...Endpoint.operationIds]).toEqual(documented.map((o) => o.operationId))
  })

  for (const operationId of Endpoint.operationIds) {
    it(`${operationId}: method, path, statuses, body and query as documented`, () => {
      const endpoint: Endpoint.Endpoint = Endpoint.endpoints[operationId]
      const { method, operation, path } = findOperation(operationId)
      expect(endpoint.operationId).toBe(operationId)
      expect(endpoint.method).toBe(method.toUpperCase())
      expect(endpoint.path).toBe(path)
      expect(endpoint.pathId).toBe(path.includes("{id}"))
      const responses = Object.keys(operation["responses"] as object).map(Number).sort((a, b) => a - b)
      expect([...endpoint.statuses]).toEqual(responses)
      expect(endpoint.body !== undefined).toBe(operation["requestBody"] !== undefined)
      const parameters = (operation["parameters"] as ReadonlyArray<{ in: string; name: string }> | undefined) ?? []
      const queryNames = parameters.filter((p) => p.in === "query").map((p) => p.name).sort()
      if (queryNames.length === 0) expect(endpoint.query).toBeUndefined()
      else expect(encodedKeys(endpoint.query!.ast)).toEqual(queryNames)
      if (endpoint.success !== undefined) expect(operationResponseSchema(operationId, 200)).toBeDefined()
    })
  }

  it("writes are POSTs, never idempotent; reads are idempotent; the preview is a read with a body", () => {
    expect([...Endpoint.writeOperationIds].sort()).toEqual(
      ["connectPatientEhr", "mergePatient", "registerPatient", "registerPatientPds"]
    )
    for (const id of Endpoint.operationIds) {
      const endpoint: Endpoint.Endpoint = Endpoint.endpoints[id]
      expect(endpoint.idempotent).toBe(!endpoint.writes)
      if (endpoint.writes) expect(endpoint.method).toBe("POST")
    }
    expect(Endpoint.bodyOperationIds.has("previewPatientMerge")).toBe(true)
    expect(Endpoint.writeOperationIds.has("previewPatientMerge")).toBe(false)
  })

  it("renders a path with the patient id", () => {
    expect(Endpoint.renderPath(Endpoint.endpoints.mergePatient, "100001")).toBe("/v1/patients/100001/merge")
    expect(Endpoint.renderPath(Endpoint.endpoints.listPatientsV3)).toBe("/v3/patients")
  })
})
