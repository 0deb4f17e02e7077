// Crash and resume: the main job (`main.ts --live`) runs against the sandbox's HTTP server, started
// in this test's process, with a durable journal file, and is killed with SIGKILL at a dozen seeded
// moments (after a seeded number of further journal lines), then started again on the same journal,
// until a run completes. It proves that a job killed at any point, even between a write and its
// journaled result, resumes without applying any merge or connect twice, that every patient ends
// with a PatientOutcome in the journal file, and that twins and family are never merged.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { sandboxJob } from "./support/applied.js"
import { prng, runKillable } from "./support/killable.js"

const seed = 17
const kills = 12

const lineCount = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim().length > 0).length : 0

/**
 * Runs the main job once; with `killAt`, kills it as soon as the journal holds that many lines
 * (polled every 10 ms).
 */
const runJob = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  journal: string,
  killAt: number | undefined
) =>
  runKillable({
    script: "main.ts",
    args,
    env,
    progress: () => lineCount(journal),
    killAt,
    pollMillis: 10,
    deadlineMillis: 600_000
  }).then((run) => ({ ...run, killedAtLines: run.killedAt, stderr: run.output }))

describe("the main job, killed and resumed", () => {
  it.scopedLive(
    "killed with SIGKILL a dozen times, it resumes from its journal: nothing applied twice, an outcome for all",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const { dir, env, ids, idsFile } = yield* sandboxJob("hero-crash-")
        const journal = path.join(dir, "journal.jsonl")
        const args = ["--live", "--ids", idsFile, "--journal", journal, "--concurrency", "4", "--rate-limit", "0"]

        // About six journal lines per patient: spread the kills over the first two thirds of the work.
        const random = prng(seed)
        const step = Math.max(2, Math.floor((ids.length * 6 * 2) / 3 / kills) * 2)
        const runs: Array<Awaited<ReturnType<typeof runJob>>> = []
        const started = Date.now()
        while (runs.length < kills + 5) {
          const killAt = runs.length < kills ? lineCount(journal) + 1 + Math.floor(random() * step) : undefined
          const run = yield* Effect.promise(() => runJob(args, env, journal, killAt))
          runs.push(run)
          expect(run.timedOut, `run ${runs.length} took more than 180 s:\n${run.stderr}`).toBe(false)
          if (run.code === 0) break
          expect(run.signal, `run ${runs.length} ended on its own, code ${run.code}:\n${run.stderr}`).toBe("SIGKILL")
        }
        const last = runs[runs.length - 1]!
        console.log(
          `crash-resume: ${ids.length} patients, ${runs.length} runs in ${
            Date.now() - started
          } ms; killed at journal lines ${
            runs.filter((r) => r.signal === "SIGKILL").map((r) => r.killedAtLines).join(", ")
          }; ${lineCount(journal)} lines in the end`
        )
        expect(last.code, last.stderr).toBe(0)
        expect(runs.filter((r) => r.signal === "SIGKILL").length).toBeGreaterThanOrEqual(10)

        // Every patient has an outcome in the journal file.
        const entries = fs.readFileSync(journal, "utf8").split("\n").filter((l) => l.trim().length > 0)
          .map((l) => JSON.parse(l) as { _tag: string; runId: string; patientId: string; key?: string })
        // Writes whose journaled start was cut off by a kill (no end in the same run): resumed by verifying.
        const cut = entries.filter((e, i) =>
          e._tag === "StepStarted" && /^(merge|connect):/.test(e.key ?? "") &&
          !entries.slice(i + 1).some((f) => f._tag === "StepFinished" && f.key === e.key && f.runId === e.runId)
        ).length
        console.log(`  ${
          new Set(entries.map((e) => e.runId)).size
        } run ids in the journal; ${cut} connect/merge steps cut off by a kill`)
        const withOutcome = new Set(
          entries.filter((e) =>
            e._tag === "PatientOutcome"
          ).map((e) => e.patientId)
        )
        expect(ids.filter((id) => !withOutcome.has(id))).toStrictEqual([])

        // No merge and no connect applied twice.
        const counters = yield* sandbox.counters
        const writeLog = yield* sandbox.writeLog
        const story = (...patientIds: ReadonlyArray<string>) =>
          JSON.stringify(
            {
              journal: entries.filter((e) => patientIds.includes(e.patientId)),
              writes: writeLog.filter((w) => patientIds.includes(w.patientId) || patientIds.includes(w.other ?? ""))
            },
            null,
            1
          )
        const twice: Array<string> = []
        for (const w of writeLog) {
          const other = w.other ?? ""
          if (
            w.operation === "mergePatient" &&
            counters.mergesApplied(w.patientId, other) + counters.mergesApplied(other, w.patientId) > 1
          ) twice.push(`merge ${w.patientId} ← ${other}\n${story(w.patientId, other)}`)
          if (w.operation === "connectPatientEhr" && counters.connectsApplied(w.patientId, other) > 1) {
            twice.push(`connect ${w.patientId} → ${other}\n${story(w.patientId)}`)
          }
        }
        expect(twice).toStrictEqual([])
        expect(writeLog.some((w) => w.operation === "mergePatient")).toBe(true)

        // Twins and family are never merged.
        for (const truth of sandbox.truth) {
          if (truth.kind !== "twins" && truth.kind !== "family") continue
          for (const a of truth.heroIds) {
            for (const b of truth.heroIds) {
              if (a !== b) expect(counters.mergesApplied(a, b), `${truth.kind} ${a} ← ${b}\n${story(a, b)}`).toBe(0)
            }
          }
        }
      }).pipe(
        Effect.provide(SandboxServer.layer({ port: 0 }).pipe(Layer.provideMerge(Sandbox.layer({ seed, patients: 60 }))))
      ),
    600_000
  )
})
