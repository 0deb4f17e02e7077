/**
 * The steps of the pipeline "find EHR candidate → connect → preview → merge → verify".
 *
 * @since 0.1.0
 */
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
 * Whether a step changes data on the server (its outcome must be verified after a crash or an
 * unknown failure instead of being repeated blindly). `preview` counts: it issues a token.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isWrite = (step: Step): boolean => step === "connect" || step === "merge" || step === "preview"

/**
 * The journal key of a step on a patient or pair: `candidates:<patient>`,
 * `connect:<patient>:<ehrPartnerId>`, `merge:<main>:<incoming>` …
 *
 * @since 0.1.0
 * @category constructors
 */
export const key = (step: Step, ...ids: ReadonlyArray<string>): string => [step, ...ids].join(":")
