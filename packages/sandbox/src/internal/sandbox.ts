import { PracticeGroupId } from "@hero-effect/schema/Ids"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { FaultLogEntry, FaultPlan } from "../Faults.js"
import * as Faults from "../Faults.js"
import type { Exchange } from "../Protocol.js"
import type { SandboxOptions, SandboxService } from "../Sandbox.js"
import * as SandboxConfig from "../SandboxConfig.js"
import * as SeedGenerator from "../SeedGenerator.js"
import type { Counters, WorldState } from "../World.js"
import * as Core from "./core.js"
import * as W from "./world.js"

const countersOf = (state: WorldState): Counters => ({
  mergesApplied: (main, incoming) => state.merges.get(W.mergeKey(main, incoming)) ?? 0,
  connectsApplied: (patientId, ehrPartnerId) => state.connects.get(W.connectKey(patientId, ehrPartnerId)) ?? 0,
  registrationsApplied: (patientId) =>
    patientId === undefined
      ? [...state.registrations.values()].reduce((a, b) => a + b, 0)
      : state.registrations.get(patientId) ?? 0,
  writes: state.writes
})

/** @internal */
export const make = (options: SandboxOptions = {}): Effect.Effect<SandboxService> =>
  Effect.gen(function*() {
    const world = options.world ?? SeedGenerator.generate(options)
    const worldKeys = world.keys.length > 0
      ? world.keys
      : [{ ...SandboxConfig.defaultApiKey, practiceGroupId: world.practiceGroupId }]
    const config = SandboxConfig.make(options, worldKeys)
    const seed = String(options.seed ?? 1)
    const initial = W.fromWorld(world, seed, config.writeLogSize)
    const state = yield* Ref.make(initial)
    const faults = yield* Ref.make({ plan: config.faults, state: Faults.initialState(config.faults) })
    const faultLog = yield* Ref.make<ReadonlyArray<FaultLogEntry>>([])
    const windows = yield* Ref.make<Core.Windows>(new Map())
    const exchanges = yield* Ref.make<ReadonlyArray<Exchange>>([])
    const env: Core.Env = { config, state, faults, faultLog, windows, exchanges }
    const key = config.keys.find((k) => k.scopes.includes("patients") && k.practiceGroupId === world.practiceGroupId) ??
      config.keys[0]!
    // The credentials carry the brand the client's configuration takes. A seed file's practice
    // group is decoded as one already; a hand-built world's must be one too (never quoted: a
    // defect, like any other invalid literal).
    const practiceGroupId = yield* Schema.decode(PracticeGroupId)(world.practiceGroupId).pipe(
      Effect.orDieWith(() =>
        new Error("Sandbox: the world's practiceGroupId is not a valid practice group id (printable ASCII, no spaces)")
      )
    )
    const credentials = { apiKey: key.key, practiceGroupId }
    const setFaults = (plan: FaultPlan) => Ref.set(faults, { plan, state: Faults.initialState(plan) })
    return {
      config,
      world,
      credentials,
      headers: { "x-api-key": credentials.apiKey, "x-practice-group-id": credentials.practiceGroupId },
      truth: world.truth,
      handle: Core.handle(env),
      admit: Core.admit(env),
      state: Ref.get(state),
      patient: (id) => Effect.map(Ref.get(state), (s) => Option.fromNullable(s.patients.get(id))),
      ehrRecord: (id) => Effect.map(Ref.get(state), (s) => Option.fromNullable(s.ehrRecords.get(id))),
      counters: Effect.map(Ref.get(state), countersOf),
      writeLog: Effect.map(Ref.get(state), (s) => s.writeLog),
      faultLog: Ref.get(faultLog),
      exchanges: Ref.get(exchanges),
      setFaults,
      reset: Effect.all([
        Ref.set(state, initial),
        setFaults(config.faults),
        Ref.set(faultLog, []),
        Ref.set(windows, new Map()),
        Ref.set(exchanges, [])
      ], { discard: true })
    } satisfies SandboxService
  })
