// Shared by the crash tests (the journal's, the durable engine's single-process and multi-worker
// ones): the job's inputs over the sandbox's HTTP server, and what they prove from the sandbox's
// own counters, whoever wrote to it.
import { expect } from "@effect/vitest"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import type { Batch } from "@hero-effect/workflows"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * A temporary directory (removed with the scope) holding every patient id of the sandbox's world,
 * one per line, and the environment that points a job at the sandbox's server.
 */
export const sandboxJob = (prefix: string) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    const ids = sandbox.world.patients.map((p) => p.id)
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const idsFile = path.join(dir, "ids.txt")
    fs.writeFileSync(idsFile, `${ids.join("\n")}\n`)
    const env: Record<string, string> = {
      HERO_API_KEY: sandbox.credentials.apiKey,
      HERO_PRACTICE_GROUP_ID: sandbox.credentials.practiceGroupId,
      HERO_BASE_URL: server.url
    }
    return { sandbox, ids, dir, idsFile, env }
  })

/** No merge was sent again after it applied: none was answered 409. */
export const expectNoMergeAnswered409 = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const exchanges = yield* sandbox.exchanges
  expect(
    exchanges.filter((x) => x.operation === "mergePatient" && x.outcome._tag === "Respond" && x.outcome.status === 409)
  ).toEqual([])
})

/** The job's `--report` file, checked to hold every patient of `ids`. */
export const readReport = (file: string, ids: ReadonlyArray<string>): Batch.Report => {
  const report = JSON.parse(fs.readFileSync(file, "utf8")) as Batch.Report
  expect(report.patients.map((p) => p.patientId).sort()).toEqual([...ids].sort())
  return report
}

/** Every connect and merge in the sandbox's write log was applied exactly once; some merge was. */
export const expectEachWriteAppliedOnce = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const counters = yield* sandbox.counters
  const writeLog = yield* sandbox.writeLog
  for (const w of writeLog) {
    const other = w.other ?? ""
    if (w.operation === "mergePatient") {
      expect(counters.mergesApplied(w.patientId, other) + counters.mergesApplied(other, w.patientId)).toBe(1)
    }
    if (w.operation === "connectPatientEhr") expect(counters.connectsApplied(w.patientId, other)).toBe(1)
  }
  expect(writeLog.some((w) => w.operation === "mergePatient")).toBe(true)
})

/** No two records of twins or of one family were merged, in either direction. */
export const expectNoTwinOrFamilyMerged = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const counters = yield* sandbox.counters
  for (const truth of sandbox.truth) {
    if (truth.kind !== "twins" && truth.kind !== "family") continue
    for (const a of truth.heroIds) {
      for (const b of truth.heroIds) if (a !== b) expect(counters.mergesApplied(a, b), truth.kind).toBe(0)
    }
  }
})
