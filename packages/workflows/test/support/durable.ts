// Shared by the durable tests: a seeded world, the JSONL pipeline's run over it (the reference),
// the durable pipeline's layers and run, and what the sandbox saw.
import type { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import { Approver, Batch, Journal, PatientLease, ProcessPatient } from "@hero-effect/workflows"
import { Effect, Layer, Stream } from "effect"

export const seed = 11

export const sandboxLayer = (options: Sandbox.ClientOptions = {}) =>
  Sandbox.layerClient({ seed, patients: 60, exchangeLogSize: 100_000, ...options })

export type World = Layer.Layer<HeroHealthClient | Sandbox.Sandbox, unknown>

export const observe = <E, R>(report: Effect.Effect<Batch.Report, E, R>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const result = yield* report
    const exchanges = yield* sandbox.exchanges
    const count = (operation: string) => exchanges.filter((x) => x.operation === operation).length
    return {
      report: result,
      writes: yield* sandbox.writeLog,
      counters: yield* sandbox.counters,
      requests: exchanges.length,
      connects: count("connectPatientEhr"),
      merges: count("mergePatient"),
      previews: count("previewPatientMerge")
    }
  })

export const idsOf = Effect.map(Sandbox.Sandbox, (s) => s.world.patients.map((p) => p.id))

/** The JSONL pipeline (`Batch.run`) over its own world: the reference. */
export const reference = (world: World = sandboxLayer(), approver = Approver.layerAutomatic) =>
  observe(Effect.flatMap(idsOf, (ids) => Batch.run(Stream.fromIterable(ids), { runId: "ref", concurrency: 1 }))).pipe(
    Effect.provide(Layer.mergeAll(world, Journal.layerMemory, PatientLease.layerMemory, approver))
  )

/** The durable pipeline over every patient of the world in context. */
export const durable = (runId: string, concurrency = 1) =>
  observe(Effect.flatMap(idsOf, (ids) => ProcessPatient.runDurable(Stream.fromIterable(ids), { runId, concurrency })))

/** The durable pipeline's layers: the workflow on an engine, over a world. */
export const durableWorld = <Engine>(
  engine: Layer.Layer<Engine, unknown>,
  world: World = sandboxLayer(),
  options: ProcessPatient.Options = {},
  approver = Approver.layerAutomatic
) =>
  ProcessPatient.layer(options).pipe(
    Layer.provideMerge(engine),
    Layer.provideMerge(Layer.mergeAll(world, PatientLease.layerMemory, approver))
  )
