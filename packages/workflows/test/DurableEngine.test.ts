// ProcessPatient on the SQLite engine (cluster workflow engine, one runner): the same outcomes and
// writes as the JSONL pipeline, a run id again answers from storage, and a new process on the same
// file returns the stored outcomes without asking the API anything. Real clock: the cluster's
// runner polls and takes locks on timers; nothing here depends on how fast it is.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import { DurableEngine, ProcessPatient, RunLedger } from "@hero-effect/workflows"
import { Clock, Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { durable, durableWorld, reference, sandboxLayer } from "./support/durable.js"

// A smaller world than the memory tests': every step is a row written and read back.
const world = () => sandboxLayer({ patients: 20 })

describe("ProcessPatient on SQLite", () => {
  it.live(
    "in :memory: — the JSONL pipeline's outcomes and writes; the same run id again asks nothing",
    () =>
      Effect.gen(function*() {
        const expected = yield* reference(world())
        const { again, first } = yield* Effect.gen(function*() {
          const first = yield* durable("ref")
          const again = yield* durable("ref")
          return { first, again }
        }).pipe(Effect.provide(durableWorld(DurableEngine.layerSqlite({ filename: ":memory:" }), world())))
        expect(expected.report.outcomes["Merged"] ?? 0).toBeGreaterThan(0)
        expect(first.report.patients).toStrictEqual(expected.report.patients)
        expect(first.writes.map(({ at: _at, ...w }) => w)).toStrictEqual(expected.writes.map(({ at: _at, ...w }) => w))
        expect(first.requests).toBe(expected.requests)
        expect(again.report.patients).toStrictEqual(first.report.patients)
        expect(again.requests).toBe(first.requests)
      }),
    300_000
  )

  it.scopedLive(
    "in a file — a new process on the same file returns the stored outcomes without a request",
    () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "hero-durable-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        )
        const filename = path.join(dir, "engine.db")
        const first = yield* durable("run-1", 4).pipe(
          Effect.provide(durableWorld(DurableEngine.layerSqlite({ filename }), world()))
        )
        expect(first.requests).toBeGreaterThan(0)
        // Another "process": a new engine on the file, against a world nobody has touched.
        const second = yield* durable("run-1", 4).pipe(
          Effect.provide(durableWorld(DurableEngine.layerSqlite({ filename }), world()))
        )
        expect(second.report.patients).toStrictEqual(first.report.patients)
        expect(second.requests).toBe(0)
        expect(second.writes).toStrictEqual([])
      }),
    300_000
  )

  it.live(
    "retention: purge deletes a run's finished executions; the run id then processes them again",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const ids = sandbox.world.patients.map((p) => p.id)
        const first = yield* durable("old-run", 4)
        const purged = yield* DurableEngine.purge("old-run", ids)
        expect(purged).toStrictEqual({ purged: ids.length, skipped: 0 })
        for (const patientId of ids.slice(0, 3)) {
          const executionId = yield* ProcessPatient.ProcessPatient.executionId({ runId: "old-run", patientId })
          expect(yield* ProcessPatient.ProcessPatient.poll(executionId)).toBeUndefined()
        }
        // Nothing left to purge; and the run id starts afresh (reading the world its first pass changed).
        expect(yield* DurableEngine.purge("old-run", ids)).toStrictEqual({ purged: 0, skipped: ids.length })
        const again = yield* durable("old-run", 4)
        expect(again.requests).toBeGreaterThan(first.requests)
        expect(again.report.outcomes["Merged"] ?? 0).toBe(0)
      }).pipe(
        Effect.provide(
          durableWorld(DurableEngine.layerSqlite({ filename: ":memory:" }), world())
        )
      ),
    300_000
  )

  it.live(
    "retention by age: purgeOlderThan purges the runs first submitted before the cutoff, and only those",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const ids = sandbox.world.patients.map((p) => p.id)
        // The old run is submitted 40 days ago: its fibers read a clock 40 days behind (timers as usual).
        const real = yield* Effect.clock
        const offset = 40 * 86_400_000
        const fortyDaysAgo: Clock.Clock = {
          [Clock.ClockTypeId]: Clock.ClockTypeId,
          unsafeCurrentTimeMillis: () => real.unsafeCurrentTimeMillis() - offset,
          unsafeCurrentTimeNanos: () => real.unsafeCurrentTimeNanos() - BigInt(offset) * 1_000_000n,
          currentTimeMillis: Effect.sync(() => real.unsafeCurrentTimeMillis() - offset),
          currentTimeNanos: Effect.sync(() => real.unsafeCurrentTimeNanos() - BigInt(offset) * 1_000_000n),
          sleep: (duration) => real.sleep(duration)
        }
        const old = yield* Effect.withClock(durable("old-run", 4), fortyDaysAgo)
        expect(old.report.outcomes["Failed"] ?? 0).toBe(0)
        yield* durable("new-run", 4)
        const ledger = yield* RunLedger.RunLedger
        const all = yield* ledger.submittedBefore(Number.MAX_SAFE_INTEGER)
        expect(all.length).toBe(2 * ids.length)

        const report = yield* DurableEngine.purgeOlderThan("30 days")
        expect(report).toStrictEqual({
          runs: [{ runId: "old-run", purged: ids.length, skipped: 0 }],
          purged: ids.length,
          skipped: 0
        })
        const complete = (runId: string, patientId: PatientId) =>
          Effect.flatMap(
            ProcessPatient.ProcessPatient.executionId({ runId, patientId }),
            (executionId) => Effect.map(ProcessPatient.ProcessPatient.poll(executionId), (r) => r?._tag === "Complete")
          )
        for (const patientId of ids) {
          expect(yield* complete("old-run", patientId)).toBe(false)
          expect(yield* complete("new-run", patientId)).toBe(true)
        }
        // The ledger forgot what was purged; nothing is old enough any more.
        expect((yield* ledger.submittedBefore(Number.MAX_SAFE_INTEGER)).map((e) => e.runId)).toStrictEqual(
          ids.map(() => "new-run")
        )
        expect(yield* DurableEngine.purgeOlderThan("30 days")).toStrictEqual({ runs: [], purged: 0, skipped: 0 })
      }).pipe(
        Effect.provide(
          durableWorld(DurableEngine.layerSqlite({ filename: ":memory:" }), world())
        )
      ),
    900_000
  )
})
