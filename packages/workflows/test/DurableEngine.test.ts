// ProcessPatient on the SQLite engine (cluster workflow engine, one runner): the same outcomes and
// writes as the JSONL pipeline, a run id again answers from storage, and a new process on the same
// file returns the stored outcomes without asking the API anything. Real clock: the cluster's
// runner polls and takes locks on timers; nothing here depends on how fast it is.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema"
import { DurableEngine, ProcessPatient } from "@hero-effect/workflows"
import { Effect } from "effect"
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
        const ids = sandbox.world.patients.map((p) => p.id as PatientId)
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
})
