// Several workers on PostgreSQL, killed and restarted: three `durable.ts --postgres` workers run one
// run over the sandbox's HTTP server (in this test's process, 10% mixed faults on every operation,
// applied-then-lost writes among them). At a dozen seeded moments — each when the sandbox has
// applied a seeded number of further writes — a seeded worker is killed with SIGKILL and started
// again. Every worker submits every patient (each from its own place in the list) and reports them
// all. It proves that every patient ends with one outcome (the same in every worker's report), that
// no connect or merge was applied twice (the sandbox's counters), and that twins and family are
// never merged. The workers' leases and write claims are in Postgres (advisory locks and
// hero_write_attempts); each execution runs on one worker at a time.
//
// Size: a world of 150 people by default (about 250 patient records, for CI's time: the dozen
// kills still land at a dozen distinct points over the first third of the writes, and the run is
// dominated by the workers taking over a dead worker's shards, not by the patients);
// HERO_CRASH_WORKERS_PATIENTS=1250 (about 2,030 records) is the full-size run:
// `pnpm --filter @hero-effect/examples test:workers`.
import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { postgresServer, skipPostgres } from "../../packages/workflows/test/support/postgresServer.js"
import { expectEachWriteAppliedOnce, expectNoTwinOrFamilyMerged, sandboxJob } from "./support/applied.js"
import { type Killable, prng, startKillable } from "./support/killable.js"

const seed = 31
const workers = 3
const kills = 12
const patients = Number(process.env.HERO_CRASH_WORKERS_PATIENTS ?? "150")
// A hang detector, generous for a loaded machine (the full-size run took 860 s at load 15).
const timeoutMillis = patients > 500 ? 3_600_000 : 900_000

interface Report {
  readonly patients: ReadonlyArray<{ readonly patientId: string; readonly outcome: { readonly _tag: string } }>
}

describe("durable workers on PostgreSQL, killed and restarted", () => {
  it.scopedLive.skipIf(skipPostgres)(
    `${workers} workers, ${patients} patients, 10% faults, a worker SIGKILLed ${kills} times: one outcome each, nothing applied twice`,
    () =>
      Effect.gen(function*() {
        const { url } = yield* postgresServer
        const sandbox = yield* Sandbox.Sandbox
        yield* sandbox.setFaults([
          Faults.random({
            operation: "*",
            probability: 0.1,
            seed,
            faults: [
              Faults.Fault.Status({ status: 503 }),
              Faults.Fault.Status({ status: 500 }),
              Faults.Fault.Reset(),
              Faults.Fault.AppliedThenLost(),
              Faults.Fault.RateLimited({ retryAfter: 1 }),
              Faults.Fault.Latency({ duration: "100 millis" })
            ]
          })
        ])
        const { dir, env, ids, idsFile } = yield* sandboxJob("hero-durable-workers-")
        const reportOf = (index: number) => path.join(dir, `report-${index}.json`)
        const start = (index: number): Killable =>
          startKillable({
            script: "durable.ts",
            args: [
              "--ids",
              idsFile,
              "--run-id",
              "workers-1",
              "--postgres",
              url,
              "--worker-index",
              String(index),
              "--worker-count",
              String(workers),
              "--concurrency",
              "4",
              "--rate-limit",
              "0",
              "--report",
              reportOf(index)
            ],
            env
          })
        const writes = () => Effect.runSync(sandbox.counters).writes

        // The kill plan: after a seeded number of further applied writes, a seeded worker.
        const random = prng(seed)
        const gap = Math.max(3, Math.floor(patients / 25))
        const plan: Array<{ readonly atWrites: number; readonly victim: number }> = []
        for (let k = 0, at = 0; k < kills; k++) {
          at += 1 + Math.floor(random() * gap)
          plan.push({ atWrites: at, victim: Math.floor(random() * workers) })
        }

        const result = yield* Effect.promise(async () => {
          const slots = Array.from({ length: workers }, (_, index) => ({
            index,
            child: start(index),
            exit: undefined as { readonly code: number | null; readonly signal: NodeJS.Signals | null } | undefined,
            restarts: 0
          }))
          // An exit counts only for the slot's current child (not one this loop killed).
          const watch = (slot: (typeof slots)[number]) => {
            const child = slot.child
            child.exited.then((e) => {
              if (slot.child === child) slot.exit = e
            })
          }
          slots.forEach(watch)
          const killed: Array<{ readonly victim: number; readonly atWrites: number }> = []
          const deadline = Date.now() + timeoutMillis - 60_000
          let next = 0
          while (Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 5))
            const failed = slots.find((s) => s.exit !== undefined && s.exit.code !== 0)
            if (failed !== undefined) return { killed, slots, failed }
            if (next < plan.length && writes() >= plan[next]!.atWrites) {
              const { victim } = plan[next]!
              const slot = slots[victim]!
              next++
              if (slot.exit !== undefined) continue // it had finished: nothing to kill
              const dying = slot.child
              slot.child = start(victim)
              dying.kill()
              await dying.exited
              killed.push({ victim, atWrites: writes() })
              slot.restarts++
              watch(slot)
              continue
            }
            if (slots.every((s) => s.exit?.code === 0)) return { killed, slots, failed: undefined }
          }
          for (const s of slots) s.child.kill()
          return { killed, slots, failed: slots[0] }
        })

        const { failed, killed, slots } = result
        const reports0 = (all: typeof slots) => JSON.parse(fs.readFileSync(reportOf(all[0]!.index), "utf8")) as Report
        expect(failed, failed === undefined ? "" : `worker ${failed.index}: ${failed.child.output()}`).toBeUndefined()
        console.log(
          `durable-workers: ${ids.length} patients, ${workers} workers; killed ${
            killed.map((k) => `w${k.victim}@${k.atWrites}`).join(", ")
          }; ${writes()} writes; faults injected ${(yield* sandbox.faultLog).length}; ${
            slots.reduce((n, s) => n + (s.child.output().match(/write activity executed again/g) ?? []).length, 0)
          } write activities executed again (last runs); outcomes ${
            JSON.stringify(
              reports0(slots).patients.reduce<Record<string, number>>(
                (n, p) => ({ ...n, [p.outcome._tag]: (n[p.outcome._tag] ?? 0) + 1 }),
                {}
              )
            )
          }`
        )
        expect(killed.length).toBeGreaterThanOrEqual(10)

        // Every patient has exactly one outcome, the same in every worker's report.
        const reports = slots.map((s) => JSON.parse(fs.readFileSync(reportOf(s.index), "utf8")) as Report)
        const outcomes = (r: Report) =>
          Object.fromEntries(r.patients.map((p) => [p.patientId, JSON.stringify(p.outcome)]))
        for (const report of reports) {
          expect(report.patients.map((p) => p.patientId).sort()).toStrictEqual([...ids].sort())
          expect(outcomes(report)).toStrictEqual(outcomes(reports[0]!))
        }

        // No merge and no connect applied twice; twins and family never merged.
        yield* expectEachWriteAppliedOnce
        yield* expectNoTwinOrFamilyMerged
      }).pipe(
        Effect.provide(
          SandboxServer.layer({ port: 0 }).pipe(
            Layer.provideMerge(Sandbox.layer({ seed, patients, exchangeLogSize: 10_000 }))
          )
        )
      ),
    timeoutMillis
  )
})
