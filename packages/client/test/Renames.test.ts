import { describe, expect, it } from "@effect/vitest"
import * as Operation from "@hero-effect/client/Operation"
import * as Endpoint from "@hero-effect/schema/Endpoint"

// 0.2.0 renames: the old names are the same values.
describe("Operation.writeOperationIds (was Operation.writeOperations)", () => {
  it("is the endpoint table's set of writes, and the deprecated name is the same set", () => {
    expect(Operation.writeOperationIds).toBe(Endpoint.writeOperationIds)
    expect(Operation.writeOperations).toBe(Operation.writeOperationIds)
    expect(Operation.writeOperationIds.has("connectPatientEhr")).toBe(true)
    expect(Operation.writeOperationIds.has("previewPatientMerge")).toBe(false)
  })
})
