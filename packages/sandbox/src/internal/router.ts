/**
 * The router: which operation a method and path name, and the path's `{id}`. It owns the route
 * table (method, path template, operationId) and the operations that take a JSON body; a path
 * no route matches is the pipeline's 404. The table is data so that it can later come from one
 * endpoint table shared with the client.
 *
 * @internal
 */
import type { OperationId } from "../Faults.js"

interface Endpoint {
  readonly method: "GET" | "POST"
  /** A path with `{id}` where a path segment is the patient id. */
  readonly path: string
  readonly operation: OperationId
}

// Matched in order, the first match wins.
const endpoints: ReadonlyArray<Endpoint> = [
  { method: "GET", path: "/v1/patients/{id}/ehr/candidates", operation: "listPatientEhrCandidates" },
  { method: "POST", path: "/v1/patients/{id}/ehr/connect", operation: "connectPatientEhr" },
  { method: "POST", path: "/v1/patients/{id}/merge/preview", operation: "previewPatientMerge" },
  { method: "POST", path: "/v1/patients/{id}/merge", operation: "mergePatient" },
  { method: "GET", path: "/v1/patients/{id}/attachments", operation: "listPatientAttachments" },
  { method: "GET", path: "/v1/patients/{id}/billing_info", operation: "patientBillingInfo" },
  { method: "GET", path: "/v1/patients/{id}/payment_methods", operation: "listPatientPaymentMethods" },
  { method: "POST", path: "/v1/patients/register_pds", operation: "registerPatientPds" },
  { method: "POST", path: "/v1/patients/register", operation: "registerPatient" },
  { method: "GET", path: "/v1/patients", operation: "listPatients" },
  { method: "GET", path: "/v1/patients/{id}", operation: "getPatientById" },
  { method: "GET", path: "/v2/patients", operation: "listPatientsV2" },
  { method: "GET", path: "/v2/patients/{id}", operation: "getPatientByIdV2" },
  { method: "GET", path: "/v3/patients", operation: "listPatientsV3" }
]

const escape = (literal: string): string => literal.replace(/[.*+?^$()|[\]\\]/g, "\\$&")

/** A path template as an anchored pattern, `{id}` capturing one path segment. */
const compile = (template: string): RegExp => new RegExp(`^${template.split("{id}").map(escape).join("([^/]+)")}$`)

const routes = endpoints.map((endpoint) => ({ ...endpoint, pattern: compile(endpoint.path) }))

/** The operations that take a JSON body (the writes). @internal */
export const bodyOperations: ReadonlySet<OperationId> = new Set<OperationId>([
  "connectPatientEhr",
  "previewPatientMerge",
  "mergePatient",
  "registerPatient",
  "registerPatientPds"
])

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
