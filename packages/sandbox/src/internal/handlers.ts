/**
 * The operations' handlers over the world state, one per operationId (grouped by resource under
 * `handlers/`): what an admitted request does, as an `OpResult` the pipeline turns into its
 * outcome (or a fault replaces).
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type { OperationId } from "../Faults.js"
import type { SandboxRequest } from "../Protocol.js"
import type { Env } from "./env.js"
import type { Handler } from "./handlers/context.js"
import * as Context from "./handlers/context.js"
import * as Ehr from "./handlers/ehr.js"
import * as Merge from "./handlers/merge.js"
import * as Patient from "./handlers/patient.js"
import * as Register from "./handlers/register.js"
import * as Search from "./handlers/search.js"
import type { OpResult } from "./outcomes.js"

// Every module's handlers; the type makes the compiler refuse an operation without one.
const handlers: { readonly [K in OperationId]: Handler } = {
  ...Patient.handlers,
  ...Search.handlers,
  ...Ehr.handlers,
  ...Merge.handlers,
  ...Register.handlers
}

/** Runs `operation` for `request` (`pathId`: the path's id, `""` when none). @internal */
export const run = (
  env: Env,
  operation: OperationId,
  request: SandboxRequest,
  pathId: string
): Effect.Effect<OpResult> => handlers[operation](Context.make(env, request, pathId))
