/**
 * Requests per patient: with the API's rate limit as the bottleneck, requests per patient are the
 * batch's speed. The default seeded world of `pnpm start` (seed 1, 120 people) goes through the
 * whole pipeline (journal, leases, the automatic approver, frequencies from the world) on the
 * sandbox's in-memory face, one patient at a time, so every request the sandbox sees between two
 * outcomes belongs to the patient just finished: exact per-patient and per-outcome counts.
 *
 * Reported for the default options, with the population cache off (the searches it saves) and
 * with no population searches at all (what the identity-safety evidence costs).
 */
import { Sandbox } from "@hero-effect/sandbox"
import { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Batch, Frequencies, Journal, PatientLease, Scoring } from "@hero-effect/workflows"
import { Effect, Layer, Stream } from "effect"

export interface RequestsOptions {
  readonly seed: number
  readonly people: number
}

export interface RequestsVariant {
  readonly name: string
  readonly patients: number
  readonly requests: number
  readonly perPatient: number
  /** Requests per patient, by operation. */
  readonly byOperation: Record<string, number>
  /** By outcome kind: patients, and their requests per patient (in total and by operation). */
  readonly byOutcome: Record<
    string,
    { readonly patients: number; readonly perPatient: number; readonly byOperation: Record<string, number> }
  >
}

export interface RequestsResult {
  readonly seed: number
  readonly people: number
  readonly variants: ReadonlyArray<RequestsVariant>
}

const round = (n: number) => Math.round(n * 100) / 100

const variant = (
  name: string,
  options: RequestsOptions,
  pipeline: { readonly populationCache?: boolean; readonly population?: "search" | "none" }
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const ids = sandbox.world.patients.map((p) => PatientId.make(p.id))
    const scoring = Scoring.makeConfig({
      frequencies: Frequencies.fromRecords([...sandbox.world.patients, ...sandbox.world.ehrRecords])
    })
    let seen = 0
    const perOutcome = new Map<string, { patients: number; ops: Map<string, number> }>()
    yield* Batch.run(Stream.fromIterable(ids), {
      runId: `requests-${name}`,
      concurrency: 1,
      scoring,
      ...pipeline,
      onOutcome: (_, outcome) =>
        Effect.gen(function*() {
          const exchanges = yield* sandbox.exchanges
          const mine = exchanges.slice(seen)
          seen = exchanges.length
          const row = perOutcome.get(outcome._tag) ?? { patients: 0, ops: new Map<string, number>() }
          row.patients++
          for (const x of mine) row.ops.set(x.operation ?? "unknown", (row.ops.get(x.operation ?? "unknown") ?? 0) + 1)
          perOutcome.set(outcome._tag, row)
        })
    })
    const total = new Map<string, number>()
    for (const row of perOutcome.values()) for (const [op, n] of row.ops) total.set(op, (total.get(op) ?? 0) + n)
    const requests = [...total.values()].reduce((a, b) => a + b, 0)
    const perOp = (ops: Map<string, number>, patients: number) =>
      Object.fromEntries([...ops].sort(([a], [b]) => a.localeCompare(b)).map(([op, n]) => [op, round(n / patients)]))
    return {
      name,
      patients: ids.length,
      requests,
      perPatient: round(requests / ids.length),
      byOperation: perOp(total, ids.length),
      byOutcome: Object.fromEntries(
        [...perOutcome].sort(([a], [b]) => a.localeCompare(b)).map(([tag, row]) => [tag, {
          patients: row.patients,
          perPatient: round([...row.ops.values()].reduce((a, b) => a + b, 0) / row.patients),
          byOperation: perOp(row.ops, row.patients)
        }])
      )
    } satisfies RequestsVariant
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        // The exchange log holds every request of the run (the default keeps the last 10,000).
        Sandbox.layerClient({ seed: options.seed, patients: options.people, exchangeLogSize: 1_000_000 }),
        Journal.layerMemory,
        PatientLease.layerMemory,
        Approver.layerAutomatic
      )
    )
  )

/** Runs both variants, each on a fresh world. */
export const run = (options: RequestsOptions): Promise<RequestsResult> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const variants = [
        yield* variant("default", options, {}),
        yield* variant("population cache off", options, { populationCache: false }),
        // What the population searches cost: without them no duplicate groups and no Hero
        // look-alikes are seen, so only links with strong identity are automatic.
        yield* variant("population none", options, { population: "none" })
      ]
      return { seed: options.seed, people: options.people, variants }
    })
  )
