/**
 * The steps of the pipeline "find EHR candidate → connect → preview → merge → verify".
 *
 * @since 0.1.0
 */
import * as Endpoint from "@hero-effect/schema/Endpoint"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category constants
 */
export const steps = ["candidates", "connect", "preview", "merge", "verify"] as const

/**
 * A pipeline step.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Step = Schema.Literal(...steps).annotations({ identifier: "Step" })

/**
 * @since 0.1.0
 * @category models
 */
export type Step = typeof Step.Type

/**
 * The operation each step calls (`verify` reads the patient back).
 *
 * @since 0.2.0
 * @category constants
 */
export const operationOf: { readonly [S in Step]: Endpoint.OperationId } = {
  candidates: "listPatientEhrCandidates",
  connect: "connectPatientEhr",
  preview: "previewPatientMerge",
  merge: "mergePatient",
  verify: "getPatientById"
}

/**
 * Whether a step changes patient data on the server: where its operation is one of the endpoint
 * table's writes (`connect` and `merge`). After a crash or a failure with an unknown outcome,
 * such a step must be verified, never repeated blindly. The other steps are safe to repeat
 * (`preview` only issues a new token).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isWrite = (step: Step): boolean => Endpoint.writeOperationIds.has(operationOf[step])

/**
 * The journal key of a step on a patient or pair: `candidates:<patient>`,
 * `connect:<patient>:<ehrPartnerId>`, `merge:<main>:<incoming>` …
 *
 * @since 0.1.0
 * @category constructors
 */
export const key = (step: Step, ...ids: ReadonlyArray<string>): string => [step, ...ids].join(":")
