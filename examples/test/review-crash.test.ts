// People in the loop, across a crash: `durable.ts --review` (ProcessPatient on a SQLite file, the
// review queue in the same file) runs against the sandbox's HTTP server and leaves what needs a
// person in the queue. A reviewer approves one merge and rejects everything else through the
// queue on that file. The next run (a new run id) is killed with SIGKILL the moment the sandbox
// has applied the approved merge — before the job records it — and started again on the same file
// and run id: the approved merge is applied exactly once (never sent again), the rejected never.
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { ReviewQueue } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { expectEachWriteAppliedOnce, expectNoMergeAnswered409, readReport, sandboxJob } from "./support/applied.js"
import { runKillable } from "./support/killable.js"

const seed = 23
const patients = 60

// The job's database, opened by the reviewer beside it (SQLite in WAL mode: readers don't block).
const onJobDatabase = (file: string) => <A, E>(effect: Effect.Effect<A, E, ReviewQueue.ReviewQueue>) =>
  Effect.provide(effect, ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: file }))))

describe("the durable job with reviews, killed between approval and merge", () => {
  it.scopedLive(
    "killed just after the approved merge applied, it resumes and merges once; rejected pairs never",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const { dir, env, ids, idsFile } = yield* sandboxJob("hero-review-crash-")
        const dbFile = path.join(dir, "engine.db")
        const reportFile = path.join(dir, "report.json")
        const args = (runId: string) => [
          "--ids",
          idsFile,
          "--db",
          dbFile,
          "--run-id",
          runId,
          "--concurrency",
          "4",
          "--rate-limit",
          "0",
          "--review",
          "--report",
          reportFile
        ]
        const writes = () => Effect.runSync(sandbox.counters).writes
        const run = (runId: string, killAt: number | undefined) =>
          Effect.promise(() =>
            runKillable({
              script: "durable.ts",
              args: args(runId),
              env,
              progress: writes,
              killAt,
              pollMillis: 5,
              deadlineMillis: 300_000
            })
          )

        // 1. The first run queues what needs a person.
        const first = yield* run("review-1", undefined)
        expect(first.code, first.output).toBe(0)
        const items = (yield* Effect.flatMap(ReviewQueue.ReviewQueue, (q) => q.list({ limit: 100 })).pipe(
          onJobDatabase(dbFile)
        )).items
        const merges = items.filter((item) => item.kind === "merge").sort((a, b) => a.id < b.id ? -1 : 1)
        expect(merges.length).toBeGreaterThanOrEqual(2)
        const approved = merges[0]!
        expect((yield* sandbox.counters).mergesApplied(approved.mainPatientId!, approved.incomingPatientId!)).toBe(0)

        // 2. The reviewer decides: one merge approved, everything else rejected.
        yield* Effect.gen(function*() {
          const queue = yield* ReviewQueue.ReviewQueue
          for (const item of items) {
            yield* queue.decide(
              item.id,
              item.id === approved.id ? { _tag: "Approve" } : { _tag: "Reject", reason: "different-people" },
              "dr-test"
            )
          }
        }).pipe(onJobDatabase(dbFile))

        // 3. The next run: killed as soon as the sandbox applied the one write the decisions allow.
        const writesBefore = writes()
        const second = yield* run("review-2", writesBefore + 1)
        expect(second.timedOut, second.output).toBe(false)
        expect(second.signal, second.output).toBe("SIGKILL")
        expect((yield* sandbox.counters).mergesApplied(approved.mainPatientId!, approved.incomingPatientId!)).toBe(1)

        // 4. The same run again, on the same file: it ends, and writes nothing more.
        const third = yield* run("review-2", undefined)
        expect(third.code, third.output).toBe(0)

        const counters = yield* sandbox.counters
        expect(counters.mergesApplied(approved.mainPatientId!, approved.incomingPatientId!)).toBe(1)
        for (const item of merges.slice(1)) {
          expect(counters.mergesApplied(item.mainPatientId!, item.incomingPatientId!)).toBe(0)
        }
        expect(writes()).toBe(writesBefore + 1)
        yield* expectEachWriteAppliedOnce
        yield* expectNoMergeAnswered409

        const report = readReport(reportFile, ids)
        const outcomes = report.patients.map((p) => p.outcome)
        expect(outcomes).toContainEqual(
          expect.objectContaining({
            _tag: "Merged",
            mainPatientId: approved.mainPatientId,
            incomingPatientId: approved.incomingPatientId
          })
        )
        // A rejected pair is never written; where its records are as reviewed, the patient is
        // refused with the reviewer's code (the approved merge may have changed some of them).
        const rejected = items.filter((item) => item.id !== approved.id)
        for (const item of rejected) {
          if (item.kind === "link") expect(counters.connectsApplied(item.patientId, item.ehrPartnerId!)).toBe(0)
        }
        const refusedByReviewer = outcomes.filter((o) =>
          o._tag === "Refused" && o.codes.includes("REJECTED_BY_REVIEWER") && rejected.some((i) => i.id === o.reviewId)
        )
        expect(refusedByReviewer.length).toBeGreaterThan(0)
      }).pipe(
        Effect.provide(
          SandboxServer.layer({ port: 0 }).pipe(
            Layer.provideMerge(Sandbox.layer({ seed, patients, exchangeLogSize: 100_000 }))
          )
        )
      ),
    900_000
  )
})
