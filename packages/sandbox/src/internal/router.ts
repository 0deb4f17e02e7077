/**
 * The router: which operation a method and path name, and the path's `{id}`. It owns the route
 * table (method, path template, operationId) and the operations that take a JSON body; a path
 * no route matches is the pipeline's 404. The table is the client's: `Endpoint` of
 * `@hero-effect/schema`.
 *
 * @internal
 */
import * as Endpoint from "@hero-effect/schema/Endpoint"
import type { OperationId } from "../Faults.js"

const escape = (literal: string): string => literal.replace(/[.*+?^$()|[\]\\]/g, "\\$&")

/** A path template as an anchored pattern, `{id}` capturing one path segment. */
const compile = (template: string): RegExp => new RegExp(`^${template.split("{id}").map(escape).join("([^/]+)")}$`)

// The endpoint table's routes. The patterns are anchored and the methods compared, so no two
// routes match the same request and the order does not matter.
const routes = Endpoint.operationIds.map((operation) => {
  const endpoint: Endpoint.Endpoint = Endpoint.endpoints[operation]
  return { method: endpoint.method, operation, pattern: compile(endpoint.path) }
})

/** The operations that take a JSON body (the writes and the merge preview). @internal */
export const bodyOperations: ReadonlySet<OperationId> = Endpoint.bodyOperationIds

/** A matched route: its operation and the path id (decoded), if the path has one. @internal */
export interface Route {
  readonly operation: OperationId
  readonly id: string | undefined
}

/** Which operation a method and path name, with the path id; `undefined` is no route. @internal */
export const route = (method: string, path: string): Route | undefined => {
  const clean = path.length > 1 ? path.replace(/\/+$/, "") : path
  for (const r of routes) {
    if (r.method !== method.toUpperCase()) continue
    const match = r.pattern.exec(clean)
    if (match) {
      let pathId: string | undefined = match[1]
      try {
        pathId = pathId === undefined ? undefined : decodeURIComponent(pathId)
      } catch {
        // keep it as sent
      }
      return { operation: r.operation, id: pathId }
    }
  }
  return undefined
}
