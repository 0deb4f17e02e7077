/**
 * Fault injection: per operation, scripted (the n-th call) or random with a seed.
 *
 * @since 0.1.0
 */
import * as Endpoint from "@hero-effect/schema/Endpoint"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as internal from "./internal/faults.js"

/**
 * The operationIds of the Patients API, as the OpenAPI document names them (the endpoint table's,
 * `@hero-effect/schema`'s `Endpoint`).
 *
 * @since 0.1.0
 * @category models
 */
export type OperationId = Endpoint.OperationId

/**
 * Every operationId.
 *
 * @since 0.1.0
 * @category constants
 */
export const operationIds: ReadonlyArray<OperationId> = Endpoint.operationIds

/**
 * The operations that take a JSON body: the four writes and the merge preview (which changes no
 * record but issues a merge token).
 *
 * @since 0.1.0
 * @category constants
 * @deprecated The name meant something else than the client's `Operation.writeOperationIds`
 *   (which leaves out the preview); use `Endpoint.bodyOperationIds` from `@hero-effect/schema`, or
 *   `Endpoint.writeOperationIds` for the operations that change a record.
 */
export const writeOperations: ReadonlyArray<OperationId> = [...Endpoint.bodyOperationIds]

/**
 * One injected fault.
 *
 * - `Status`: answer 500/502/503/504 with the error body, without running the operation.
 * - `RateLimited`: answer 429 with `Retry-After: retryAfter` (whole seconds).
 * - `Latency`: wait `duration` (with `Effect.sleep`, so `TestClock` controls it), then answer
 *   normally.
 * - `Reset`: drop the connection before the operation runs (nothing applied).
 * - `Hang`: never answer (the request is interruptible).
 * - `MalformedJson`: status 200 with a body that is not JSON (`{"data": [`).
 * - `SchemaBreaking`: status 200 with valid JSON that breaks the operation's schema.
 * - `AppliedThenLost`: run the operation for real, then drop the connection.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Data.TaggedEnum<{
  Status: { readonly status: 500 | 502 | 503 | 504 }
  RateLimited: { readonly retryAfter: number }
  Latency: { readonly duration: Duration.DurationInput }
  Reset: {}
  Hang: {}
  MalformedJson: {}
  SchemaBreaking: {}
  AppliedThenLost: {}
}>

/**
 * Constructors and matchers of {@link Fault}: `Fault.Status({ status: 503 })`, `Fault.Reset()` …
 *
 * @since 0.1.0
 * @category constructors
 */
export const Fault = Data.taggedEnum<Fault>()

/**
 * Fail the listed calls of an operation (1-based: `nth: [1, 3]` is the first and the third call).
 * With `operation: "*"` the numbers count every call that reaches fault injection, across operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptedFault {
  readonly operation: OperationId | "*"
  readonly nth: ReadonlyArray<number>
  readonly fault: Fault
}

/**
 * Fail each call of an operation with `probability`, choosing one of `faults`, from a pseudo-random
 * stream seeded by `seed`: the same seed and the same sequence of calls give the same faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface RandomFaults {
  readonly operation: OperationId | "*"
  readonly probability: number
  readonly faults: ReadonlyArray<Fault>
  readonly seed: number | string
}

/**
 * A fault rule.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultRule = ScriptedFault | RandomFaults

/**
 * The rules, tried in order for each call; the first that fires decides the fault.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultPlan = ReadonlyArray<FaultRule>

/**
 * One fault that was injected.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultLogEntry {
  readonly operation: OperationId
  /** The call number of this operation (1-based). */
  readonly call: number
  readonly fault: Fault
  /** When, in epoch milliseconds of the `Clock`. */
  readonly at: number
}

/**
 * Fails the listed calls of an operation with a fault.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scripted = (operation: OperationId | "*", nth: ReadonlyArray<number>, fault: Fault): ScriptedFault => ({
  operation,
  nth,
  fault
})

/**
 * Fails calls at random with a seeded stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const random = (options: RandomFaults): RandomFaults => options

/**
 * The call counters and random streams of a plan.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultState {
  readonly calls: ReadonlyMap<OperationId | "*", number>
  readonly streams: ReadonlyArray<number>
}

/**
 * The state of a plan before any call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialState: (plan: FaultPlan) => FaultState = internal.initialState

/**
 * Counts a call of `operation` and decides its fault, if any. Pure: the same plan, state and
 * operation always give the same answer.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decide: (
  plan: FaultPlan,
  state: FaultState,
  operation: OperationId
) => readonly [{ readonly fault: Fault | undefined; readonly call: number }, FaultState] = internal.decide

/**
 * The body a `SchemaBreaking` fault sends for an operation: valid JSON that breaks the operation's
 * documented schema (for connect and merge, which document no body, an unexpected JSON string).
 *
 * @since 0.1.0
 * @category constants
 */
export const schemaBreakingBody: (operation: OperationId) => unknown = internal.schemaBreakingBody
