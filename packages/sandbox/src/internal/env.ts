/**
 * What the pipeline works on: the configuration and the state it reads and changes (the world,
 * the fault plan and its log, the rate-limit windows, the exchange log).
 *
 * @internal
 */
import type * as Ref from "effect/Ref"
import type { FaultLogEntry, FaultPlan, FaultState } from "../Faults.js"
import type { Exchange } from "../Protocol.js"
import type { SandboxConfig } from "../SandboxConfig.js"
import type { WorldState } from "../World.js"
import type * as RateLimit from "./rateLimit.js"

/** Everything the core works on. @internal */
export interface Env {
  readonly config: SandboxConfig
  readonly state: Ref.Ref<WorldState>
  readonly faults: Ref.Ref<{ readonly plan: FaultPlan; readonly state: FaultState }>
  readonly faultLog: Ref.Ref<ReadonlyArray<FaultLogEntry>>
  readonly windows: Ref.Ref<Windows>
  readonly exchanges: Ref.Ref<ReadonlyArray<Exchange>>
}

/** Rate-limit state per API key (fixed windows or sliding logs). @internal */
export type Windows = RateLimit.Windows
