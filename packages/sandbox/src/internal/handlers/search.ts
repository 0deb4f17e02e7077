/**
 * The searches: v1 and v2 by one field and value (both required, the field one of the search
 * fields), and v3 by its filters, paged (`page_size` at most `maxPageSize`).
 *
 * @internal
 */
import { PatientV1List, PatientV2List, PatientV3List } from "@hero-effect/schema/ListEnvelope"
import { ListPatientsParams, ListPatientsV2Params, ListPatientsV3Params } from "@hero-effect/schema/Search"
import type { ValidationIssue } from "@hero-effect/schema/ValidationError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { OperationId } from "../../Faults.js"
import type { Invalid } from "../decode.js"
import { invalid } from "../decode.js"
import { encoded } from "../outcomes.js"
import * as W from "../world.js"
import type { Handler } from "./context.js"

const fieldAndSearch = (
  field: string | undefined,
  search: string | undefined
): Either.Either<readonly [W.SearchField, string], Invalid> => {
  const issues: Array<ValidationIssue> = []
  if (field === undefined) issues.push({ code: "missing", expected: "is missing", path: ["field"] })
  else if (!W.isSearchField(field)) {
    issues.push({ code: "refinement", expected: `one of ${W.searchFields.join(", ")}`, path: ["field"] })
  }
  if (search === undefined) issues.push({ code: "missing", expected: "is missing", path: ["search"] })
  return issues.length > 0 || field === undefined || search === undefined || !W.isSearchField(field)
    ? Either.left(invalid(issues))
    : Either.right([field, search] as const)
}

/** @internal */
export const listPatients: Handler = (c) =>
  c.withQuery(ListPatientsParams, (params) =>
    Either.match(fieldAndSearch(params.field, params.search), {
      onLeft: Effect.succeed,
      onRight: ([field, search]) =>
        c.read((state) => {
          const data = W.searchV1(state, field, search, c.config.listArchived)
          return encoded(PatientV1List, { data, count: data.length }, c.config)
        })
    }))

/** @internal */
export const listPatientsV2: Handler = (c) =>
  c.withQuery(ListPatientsV2Params, (params) =>
    Either.match(fieldAndSearch(params.field, params.search), {
      onLeft: Effect.succeed,
      onRight: ([field, search]) =>
        c.read((state) => {
          const data = W.searchV2(state, field, search, params.dataSource ?? "hero", c.config.listArchived)
          return encoded(PatientV2List, { data, count: data.length }, c.config)
        })
    }))

/** @internal */
export const listPatientsV3: Handler = (c) =>
  c.withQuery(ListPatientsV3Params, (params) => {
    const pageIndex = params.pageIndex ?? 0
    const pageSize = params.pageSize ?? c.config.defaultPageSize
    if (pageSize > c.config.maxPageSize) {
      const expected = `A page size must be at most ${c.config.maxPageSize}`
      return Effect.succeed(invalid([{ code: "refinement", expected, path: ["page_size"] }]))
    }
    return c.read((state) => {
      const all = W.searchV3(state, params, c.config.listArchived)
      const data = all.slice(pageIndex * pageSize, pageIndex * pageSize + pageSize)
      return encoded(PatientV3List, { data, count: all.length }, c.config)
    })
  })

/** This module's operations, by operationId (`handlers.ts` merges every module's). @internal */
export const handlers = { listPatients, listPatientsV2, listPatientsV3 } as const satisfies {
  readonly [K in OperationId]?: Handler
}
