// Crash and resume on the durable engine: `durable.ts` (ProcessPatient on a SQLite file) runs
// against the sandbox's HTTP server, started in this test's process, and is killed with SIGKILL at
// a dozen seeded moments — each just after the sandbox applied a seeded number of further writes,
// when the write activity in flight is the one the engine will run again — then started again on
// the same file and run id, until a run completes. It proves that every patient ends with one
// outcome, that no merge or connect was applied twice (the sandbox's counters), that no write was
// even sent again after it applied (a second connect or merge would answer 2xx or 409 with no new
// write), and that twins and family are never merged.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { expectEachWriteAppliedOnce, expectNoTwinOrFamilyMerged, sandboxJob } from "./support/applied.js"
import { prng, runKillable } from "./support/killable.js"

const seed = 23
const kills = 12

/**
 * Runs the durable job once; with `killAt`, kills it as soon as the sandbox has applied that many
 * writes (polled every 5 ms).
 */
const runJob = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  writes: () => number,
  killAt: number | undefined
) =>
  runKillable({ script: "durable.ts", args, env, progress: writes, killAt, pollMillis: 5, deadlineMillis: 300_000 })
    .then((run) => ({ ...run, killedAtWrites: run.killedAt }))

describe("the durable job, killed and resumed", () => {
  it.scopedLive(
    "killed with SIGKILL a dozen times just after writes, it resumes from the SQLite file: nothing applied or sent twice",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const { dir, env, ids, idsFile } = yield* sandboxJob("hero-durable-crash-")
        const reportFile = path.join(dir, "report.json")
        const args = [
          "--ids",
          idsFile,
          "--db",
          path.join(dir, "engine.db"),
          "--run-id",
          "crash-1",
          "--concurrency",
          "4",
          "--rate-limit",
          "0",
          "--report",
          reportFile
        ]
        const writes = () => Effect.runSync(sandbox.counters).writes

        const random = prng(seed)
        const runs: Array<Awaited<ReturnType<typeof runJob>>> = []
        const started = Date.now()
        while (runs.length < kills + 5) {
          const killAt = runs.length < kills ? writes() + 1 + Math.floor(random() * 4) : undefined
          const run = yield* Effect.promise(() => runJob(args, env, writes, killAt))
          runs.push(run)
          expect(run.timedOut, `run ${runs.length} took more than 300 s:\n${run.output}`).toBe(false)
          if (run.code === 0) break
          expect(run.signal, `run ${runs.length} ended on its own, code ${run.code}:\n${run.output}`).toBe("SIGKILL")
        }
        const last = runs[runs.length - 1]!
        const killed = runs.filter((r) => r.signal === "SIGKILL")
        console.log(
          `durable-crash: ${ids.length} patients, ${runs.length} runs in ${Date.now() - started} ms; killed at writes ${
            killed.map((r) => r.killedAtWrites).join(", ")
          }; ${writes()} writes in the end; ${
            runs.reduce((n, r) => n + (r.output.match(/write activity executed again/g) ?? []).length, 0)
          } write activities executed again`
        )
        expect(last.code, last.output).toBe(0)
        expect(killed.length).toBeGreaterThanOrEqual(10)

        // Every patient has exactly one outcome in the final report.
        const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as {
          readonly patients: ReadonlyArray<{ readonly patientId: string; readonly outcome: { readonly _tag: string } }>
        }
        expect(report.patients.map((p) => p.patientId).sort()).toStrictEqual([...ids].sort())
        expect(report.patients.filter((p) => p.outcome._tag === "Failed")).toStrictEqual([])

        // No merge and no connect applied twice …
        yield* expectEachWriteAppliedOnce
        // … nor sent again: every accepted connect and merge is one the sandbox applied.
        const writeLog = yield* sandbox.writeLog
        const exchanges = yield* sandbox.exchanges
        const accepted = (operation: string) =>
          exchanges.filter((x) => x.operation === operation && x.outcome._tag === "Respond" && x.outcome.status < 300)
            .length
        expect(accepted("connectPatientEhr")).toBe(writeLog.filter((w) => w.operation === "connectPatientEhr").length)
        expect(accepted("mergePatient")).toBe(writeLog.filter((w) => w.operation === "mergePatient").length)
        const refusedMerges = exchanges.filter((x) =>
          x.operation === "mergePatient" && x.outcome._tag === "Respond" && x.outcome.status === 409
        )
        expect(refusedMerges).toStrictEqual([])
        yield* expectNoTwinOrFamilyMerged
      }).pipe(
        Effect.provide(
          SandboxServer.layer({ port: 0 }).pipe(
            Layer.provideMerge(Sandbox.layer({ seed, patients: 60, exchangeLogSize: 100_000 }))
          )
        )
      ),
    900_000
  )
})
