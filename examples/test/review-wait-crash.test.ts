// People in the loop, waiting, across crashes: `durable.ts --review-wait` (ProcessPatient with
// reviews "wait" on a SQLite file, the review queue in the same file) runs against the sandbox's
// HTTP server, started in this test's process (its state outlives the job's processes, so the
// merges it applied can be counted). The patients who need no person finish; the others wait on
// their items, and the job says so. A reviewer then approves one merge and rejects everything else
// through the queue on that file while the job runs. The sandbox itself is the kill switch, so the
// kill points are exact, not timed:
// - the first process is killed with SIGKILL when the approved merge's request reaches the sandbox
//   (approved, not merged: the request is dropped unapplied);
// - the same command again (same --db and --run-id) is killed the moment the sandbox has applied
//   the merge, before the job hears of it;
// - the same command once more ends: the approved merge applied exactly once (never sent again),
//   the rejected ones never, and every patient has a final outcome.
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Protocol, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { ReviewQueue } from "@hero-effect/workflows"
import { Effect, Fiber, Layer } from "effect"
import * as path from "node:path"
import { expectEachWriteAppliedOnce, expectNoMergeAnswered409, readReport, sandboxJob } from "./support/applied.js"
import { type Killable, startKillable } from "./support/killable.js"

const seed = 23
const patients = 60
// Hang detectors only (generous for a loaded machine): nothing waits for time.
const deadlineMillis = 300_000

// Where the sandbox stops the job: when a merge's request arrives (before it applies) or once it
// has applied (before the answer goes back). The hook kills the job's process group and drops the
// connection; `undefined` lets the merge through.
type Stage = "arrived" | "applied"
let onMerge: ((stage: Stage) => boolean) | undefined

const isMerge = (request: Protocol.SandboxRequest) =>
  request.method.toUpperCase() === "POST" && /^\/v1\/patients\/[^/]+\/merge$/.test(request.path)

// The sandbox, with the kill switch on its merge requests.
const killSwitchSandbox = Layer.effect(
  Sandbox.Sandbox,
  Effect.map(
    Sandbox.make({ seed, patients, exchangeLogSize: 100_000 }),
    (inner): Sandbox.SandboxService => ({
      ...inner,
      handle: (request) =>
        Effect.gen(function*() {
          const merge = isMerge(request)
          if (merge && onMerge?.("arrived") === true) return Protocol.Answer.Reset({ applied: false })
          const outcome = yield* inner.handle(request)
          if (merge && outcome._tag === "Respond" && outcome.status < 300 && onMerge?.("applied") === true) {
            return Protocol.Answer.Reset({ applied: true })
          }
          return outcome
        })
    })
  )
)

// The job's database, opened by the reviewer beside it (SQLite in WAL mode: readers don't block).
const onJobDatabase = (file: string) => <A, E>(effect: Effect.Effect<A, E, ReviewQueue.ReviewQueue>) =>
  Effect.provide(effect, ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: file }))))

/** Resolves once `ready()` holds (polled), or fails when the child exits first or at the deadline. */
const until = (child: Killable, what: string, ready: () => boolean) =>
  Effect.promise(() =>
    new Promise<{ readonly ok: boolean; readonly why: string }>((resolve) => {
      let exited = false
      void child.exited.then(({ code, signal }) => {
        exited = true
        if (!ready()) resolve({ ok: false, why: `exited (code ${code}, signal ${signal}) before ${what}` })
      })
      const deadline = Date.now() + deadlineMillis
      const poll = setInterval(() => {
        if (ready()) {
          clearInterval(poll)
          resolve({ ok: true, why: "" })
        } else if (exited || Date.now() > deadline) {
          clearInterval(poll)
          if (!exited) child.kill()
          resolve({ ok: false, why: `no ${what} within ${deadlineMillis} ms` })
        }
      }, 10)
    })
  ).pipe(Effect.tap(({ ok, why }) => Effect.sync(() => expect(ok, `${why}:\n${child.output()}`).toBe(true))))

/** The child's end, killing it at the deadline (a hang detector). */
const ended = (child: Killable) =>
  Effect.promise(() => {
    const timer = setTimeout(() => child.kill(), deadlineMillis)
    return child.exited.then((exit) => {
      clearTimeout(timer)
      return { ...exit, output: child.output() }
    })
  })

describe("durable.ts --review-wait, killed between approval and merge", () => {
  it.scopedLive(
    "waiting patients resume on the decisions; killed before and just after the approved merge, it merges once; rejected never",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const { dir, env, ids, idsFile } = yield* sandboxJob("hero-review-wait-crash-")
        yield* Effect.addFinalizer(() => Effect.sync(() => (onMerge = undefined)))
        const dbFile = path.join(dir, "engine.db")
        const reportFile = path.join(dir, "report.json")
        const args = [
          "--ids",
          idsFile,
          "--db",
          dbFile,
          "--run-id",
          "wait-1",
          "--concurrency",
          "4",
          "--rate-limit",
          "0",
          "--review-wait",
          "--report",
          reportFile
        ]
        const start = () => {
          const child = startKillable({ script: "durable.ts", args, env })
          return Effect.as(Effect.addFinalizer(() => Effect.sync(() => child.kill())), child)
        }
        const writes = () => Effect.runSync(sandbox.counters).writes
        const started = Date.now()

        // 1. The job runs until every patient who needs no person is done and the others wait.
        const first = yield* start()
        yield* until(first, "line saying patients wait for a person", () => /wait for a person/.test(first.output()))
        const pending = (yield* Effect.flatMap(ReviewQueue.ReviewQueue, (q) => q.list({ limit: 100 })).pipe(
          onJobDatabase(dbFile)
        )).items
        expect(pending.every((item) => item.status === "pending")).toBe(true)
        const merges = pending.filter((item) => item.kind === "merge").sort((a, b) => a.id < b.id ? -1 : 1)
        expect(merges.length).toBeGreaterThanOrEqual(2)
        const approved = merges[0]!
        const applied = () =>
          Effect.runSync(sandbox.counters).mergesApplied(approved.mainPatientId!, approved.incomingPatientId!)
        expect(applied()).toBe(0)
        const writesBefore = writes()

        // 2. The reviewer: the first merge approved, every other item rejected — and, from now on,
        // whatever is proposed anew (records the approved merge changed) rejected too.
        const decided = new Map<string, "approved" | "rejected">()
        const reviewerQueue = yield* Layer.build(
          ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: dbFile })))
        )
        const decidePending = Effect.gen(function*() {
          const queue = yield* ReviewQueue.ReviewQueue
          for (const item of (yield* queue.list({ status: ["pending"], limit: 100 })).items) {
            const approve = item.id === approved.id
            yield* queue.decide(
              item.id,
              approve ? { _tag: "Approve" } : { _tag: "Reject", reason: "different-people" },
              "dr-test"
            )
            decided.set(item.id, approve ? "approved" : "rejected")
          }
        }).pipe(Effect.provide(reviewerQueue))
        // The kill switch is set before the decisions: the job wakes on them at any moment.
        // Every merge request is dropped unapplied while this switch is set (until the process
        // is gone): the first one kills the job.
        let arrivals = 0
        onMerge = (stage) => {
          if (stage !== "arrived") return false
          if (arrivals++ === 0) first.kill()
          return true
        }
        yield* decidePending
        const reviewer = yield* Effect.forkScoped(
          Effect.forever(
            Effect.zipRight(
              // The job writes to the file too: a busy moment is tried again at the next poll.
              Effect.catchAll(decidePending, () => Effect.void),
              Effect.sleep("50 millis")
            )
          )
        )

        // 3. Woken by the approval, the job sends the merge: killed as its request arrives.
        const firstEnd = yield* ended(first)
        expect(firstEnd.signal, firstEnd.output).toBe("SIGKILL")
        expect(arrivals).toBe(1)
        expect(applied()).toBe(0)
        expect(writes()).toBe(writesBefore)

        // 4. The same command again: killed the moment the sandbox has applied the merge.
        // (Set before the process starts: the switch kills whatever `running` holds then.)
        const running: { child?: Killable } = {}
        let appliedKills = 0
        onMerge = (stage) => {
          if (stage !== "applied" || appliedKills++ > 0) return false
          running.child?.kill()
          return true
        }
        running.child = yield* start()
        const secondEnd = yield* ended(running.child)
        expect(secondEnd.signal, secondEnd.output).toBe("SIGKILL")
        expect(appliedKills).toBe(1)
        expect(applied()).toBe(1)
        expect(writes()).toBe(writesBefore + 1)

        // 5. The same command once more: it ends, writing nothing more.
        onMerge = undefined
        const third = yield* start()
        const thirdEnd = yield* ended(third)
        expect(thirdEnd.code, thirdEnd.output).toBe(0)
        yield* decidePending
        yield* Fiber.interrupt(reviewer)
        console.log(
          `review-wait-crash: ${ids.length} patients, ${pending.length} items (${merges.length} merges) waited on, ${decided.size} decided, 3 runs in ${
            Date.now() - started
          } ms`
        )

        const counters = yield* sandbox.counters
        expect(applied()).toBe(1)
        expect(writes()).toBe(writesBefore + 1)
        yield* expectEachWriteAppliedOnce
        // Every item waited on was decided: approved the one, rejected the others.
        for (const item of pending) expect(decided.get(item.id)).toBe(item.id === approved.id ? "approved" : "rejected")
        for (const item of merges.slice(1)) {
          expect(counters.mergesApplied(item.mainPatientId!, item.incomingPatientId!)).toBe(0)
          expect(counters.mergesApplied(item.incomingPatientId!, item.mainPatientId!)).toBe(0)
        }
        for (const item of pending) {
          if (item.kind === "link") expect(counters.connectsApplied(item.patientId, item.ehrPartnerId!)).toBe(0)
        }
        yield* expectNoMergeAnswered409

        // Every patient has a final outcome: none left waiting for a person, none failed.
        const report = readReport(reportFile, ids)
        const outcomes = report.patients.map((p) => p.outcome)
        expect(outcomes.filter((o) => o._tag === "Failed")).toEqual([])
        expect(outcomes.filter((o) => o._tag === "NeedsReview" && o.reviewId !== undefined)).toEqual([])
        expect(outcomes).toContainEqual(
          expect.objectContaining({
            _tag: "Merged",
            mainPatientId: approved.mainPatientId,
            incomingPatientId: approved.incomingPatientId
          })
        )
        const refusedByReviewer = outcomes.filter((o) =>
          o._tag === "Refused" && o.codes.includes("REJECTED_BY_REVIEWER") &&
          decided.get(o.reviewId ?? "") === "rejected"
        )
        expect(refusedByReviewer.length).toBeGreaterThan(0)
      }).pipe(Effect.provide(SandboxServer.layer({ port: 0 }).pipe(Layer.provideMerge(killSwitchSandbox)))),
    900_000
  )

  it.live(
    "--review-wait with --postgres is refused (exit 2); --help mentions --review-wait",
    () =>
      Effect.gen(function*() {
        // Two independent processes: run side by side.
        const [refused, help] = yield* Effect.all([
          ended(
            startKillable({
              script: "durable.ts",
              args: ["--ids", "ids.txt", "--run-id", "r", "--review-wait", "--postgres", "x"],
              env: {}
            })
          ),
          ended(startKillable({ script: "durable.ts", args: ["--help"], env: {} }))
        ], { concurrency: 2 })
        expect(refused.code, refused.output).toBe(2)
        expect(refused.output).toMatch(/--review-wait/)
        expect(help.code, help.output).toBe(0)
        expect(help.output).toMatch(/--review-wait/)
      }),
    120_000
  )
})
