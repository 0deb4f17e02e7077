// `reviews: "wait"` on the durable SQLite engine (cluster workflow engine, one runner). While
// patients wait for a person, every patient who needs no review finishes (a waiting execution
// gives its batch slot back); once decided, the waiting ones complete — approved merges applied
// once, rejected pairs never written — in the same process or in a new one on the same file.
// Real clock (the runner polls on timers), but nothing waits for time: the tests wait for the
// batch to have finished or parked every patient, and for the batch itself.
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, type Batch, DurableEngine, PatientLease, ProcessPatient, ReviewQueue } from "@hero-effect/workflows"
import { Deferred, Effect, Exit, Fiber, Layer, Queue, Scope, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { idsOf, sandboxLayer } from "./support/durable.js"

// The world of the memory test (test/ReviewWait.test.ts): some merges need a person.
const patients = 60
const concurrency = 4

/** What a process's queue tells the test: the executions parked on an item, the proposals made. */
interface Watch {
  readonly waiting: Set<string>
  readonly proposed: Queue.Queue<void>
  /** Run after each change of `waiting`. */
  onChange: Effect.Effect<void>
}

// The SQL queue of the engine's file, telling the test when an execution parks on an item (a wait
// registered), when the resumer wakes it, and when an item is proposed.
const watchedQueue = (watch: Watch) =>
  Layer.effect(
    ReviewQueue.ReviewQueue,
    Effect.map(ReviewQueue.makeSql, (inner): ReviewQueue.Service => {
      const changed = Effect.suspend(() => watch.onChange)
      return {
        ...inner,
        propose: (proposal) => Effect.tap(inner.propose(proposal), () => Queue.offer(watch.proposed, undefined)),
        wait: (waiter) =>
          Effect.tap(inner.wait(waiter), (state) =>
            state === "waiting"
              ? Effect.zipRight(Effect.sync(() => watch.waiting.add(waiter.token)), changed)
              : Effect.void),
        woken: (token) =>
          Effect.tap(inner.woken(token), () => Effect.zipRight(Effect.sync(() => watch.waiting.delete(token)), changed))
      }
    })
  )

// One process: the engine on the file, the queue in the same file, the queue approver, a memory
// lease (a process's leases die with it) and the waiting workflow. The Hero API (the sandbox) is
// the caller's: it outlives the processes.
const processLayer = (filename: string, watch: Watch) =>
  ProcessPatient.layer({ reviews: "wait" }).pipe(
    Layer.provideMerge(ReviewQueue.layerApprover(Approver.automatic)),
    Layer.provideMerge(watchedQueue(watch)),
    Layer.provideMerge(Layer.merge(DurableEngine.layerSqlite({ filename }), PatientLease.layerMemory))
  )

const makeWatch = Effect.map(
  Queue.unbounded<void>(),
  (proposed): Watch => ({ waiting: new Set(), proposed, onChange: Effect.void })
)

const tempFile = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "hero-review-wait-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => path.join(dir, "engine.db")
)

type Decisions = Map<string, "approved" | "rejected">

// Decides every pending item: the ones `approve` names approved, every other rejected.
const decidePending = (queue: ReviewQueue.Service, approve: ReadonlySet<string>, decided: Decisions) =>
  Effect.gen(function*() {
    for (const item of (yield* queue.list({ status: ["pending"], limit: 100 })).items) {
      const approved = approve.has(item.id)
      yield* queue.decide(
        item.id,
        approved ? { _tag: "Approve" } : { _tag: "Reject", reason: "different-people" },
        "dr-test"
      )
      decided.set(item.id, approved ? "approved" : "rejected")
    }
  })

// A reviewer at work: decides what is pending, then whatever is proposed next.
const reviewer = (queue: ReviewQueue.Service, watch: Watch, approve: ReadonlySet<string>, decided: Decisions) =>
  Effect.forever(
    Effect.zipRight(
      decidePending(queue, approve, decided),
      Effect.zipRight(Queue.take(watch.proposed), Queue.takeAll(watch.proposed))
    )
  )

// The batch in a fiber, and a signal once every patient has either an outcome or a wait
// registered (the patients who need no review have all finished): how many of each then.
const startBatch = (ids: ReadonlyArray<PatientId>, runId: string, watch: Watch) =>
  Effect.gen(function*() {
    const parked = yield* Deferred.make<{ readonly finished: number; readonly waiting: number }>()
    let finished = 0
    watch.onChange = Effect.suspend(() =>
      finished + watch.waiting.size === ids.length
        ? Deferred.succeed(parked, { finished, waiting: watch.waiting.size })
        : Effect.void
    )
    const fiber = yield* ProcessPatient.runDurable(Stream.fromIterable(ids), {
      runId,
      concurrency,
      onOutcome: () => Effect.zipRight(Effect.sync(() => finished++), watch.onChange)
    }).pipe(Effect.fork)
    return { fiber, parked: Deferred.await(parked) }
  })

// What every decided item must have led to, in the outcomes and in the sandbox.
const expectDecisionsApplied = (report: Batch.Report, decided: Decisions) =>
  Effect.gen(function*() {
    const queue = yield* ReviewQueue.ReviewQueue
    const counters = yield* (yield* Sandbox.Sandbox).counters
    const outcomes = report.patients.map((p) => p.outcome)
    // Nobody is left waiting.
    expect(outcomes.filter((o) => o._tag === "NeedsReview" && o.reviewId !== undefined)).toEqual([])
    for (const [id, decision] of decided) {
      const item = yield* queue.get(id)
      if (item.kind === "merge") {
        expect(counters.mergesApplied(item.mainPatientId!, item.incomingPatientId!)).toBe(
          decision === "approved" ? 1 : 0
        )
      } else if (decision === "rejected") {
        expect(counters.connectsApplied(item.patientId, item.ehrPartnerId!)).toBe(0)
      }
      if (decision === "rejected") {
        expect(outcomes).toContainEqual(
          expect.objectContaining({
            _tag: "Refused",
            reviewId: id,
            codes: expect.arrayContaining(["REJECTED_BY_REVIEWER"])
          })
        )
      } else if (item.kind === "merge") {
        expect(outcomes).toContainEqual(
          expect.objectContaining({
            _tag: "Merged",
            mainPatientId: item.mainPatientId,
            incomingPatientId: item.incomingPatientId
          })
        )
      }
    }
  })

// The first merge among the items (by id): the one the reviewer approves.
const firstMerge = (items: ReadonlyArray<ReviewQueue.ReviewItem>) =>
  items.filter((item) => item.kind === "merge").map((item) => item.id).sort().slice(0, 1)

describe("ProcessPatient with reviews: \"wait\" on DurableEngine.layerSqlite", () => {
  it.scopedLive(
    "patients needing no review all finish while others wait; decisions complete the waiting ones, approved merges once, rejected never",
    () =>
      Effect.gen(function*() {
        const filename = yield* tempFile
        const ids = yield* idsOf
        const watch = yield* makeWatch
        yield* Effect.gen(function*() {
          const queue = yield* ReviewQueue.ReviewQueue
          const batch = yield* startBatch(ids, "wait-sqlite", watch)
          const parked = yield* batch.parked

          // Nobody has decided anything: the batch is still running, with every patient who needs
          // no review finished and the others parked on items that are all still pending.
          expect(batch.fiber.unsafePoll()).toBeNull()
          expect(parked.waiting).toBeGreaterThanOrEqual(2)
          expect(parked.finished).toBe(ids.length - parked.waiting)
          const pending = (yield* queue.list({ status: ["pending"], limit: 100 })).items
          expect(pending.filter((item) => item.kind === "merge").length).toBeGreaterThanOrEqual(2)

          // A reviewer now: the first merge approved, everything else rejected.
          const decided: Decisions = new Map()
          const approve = new Set(firstMerge(pending))
          const reviewing = yield* Effect.forkScoped(reviewer(queue, watch, approve, decided))
          const report = yield* Fiber.join(batch.fiber)
          yield* Fiber.interrupt(reviewing)

          expect(report.total).toBe(ids.length)
          expect([...decided.values()]).toContain("approved")
          for (const item of pending) expect(decided.has(item.id)).toBe(true)
          yield* expectDecisionsApplied(report, decided)

          // The same run again: the stored outcomes, not one more write.
          const sandbox = yield* Sandbox.Sandbox
          const writes = (yield* sandbox.counters).writes
          const again = yield* ProcessPatient.runDurable(Stream.fromIterable(ids), {
            runId: "wait-sqlite",
            concurrency
          })
          expect(again.patients).toEqual(report.patients)
          expect((yield* sandbox.counters).writes).toBe(writes)
        }).pipe(Effect.provide(processLayer(filename, watch)))
      }).pipe(Effect.provide(sandboxLayer({ patients }))),
    300_000
  )

  it.scopedLive(
    "a new process on the same file, after the decisions, completes the waiting patients: approved merges once, rejected never",
    () =>
      Effect.gen(function*() {
        const filename = yield* tempFile
        const ids = yield* idsOf
        const sandbox = yield* Sandbox.Sandbox

        // The first process: runs until every patient has finished or waits, then stops.
        const waiting = yield* Effect.gen(function*() {
          const watch = yield* makeWatch
          const scope = yield* Scope.make()
          const context = yield* Layer.buildWithScope(processLayer(filename, watch), scope)
          const batch = yield* startBatch(ids, "restart", watch).pipe(Effect.provide(context))
          const parked = yield* batch.parked
          expect(batch.fiber.unsafePoll()).toBeNull()
          expect(parked.finished).toBe(ids.length - parked.waiting)
          // The process stops (its batch, its runner, its file handle) with patients waiting.
          yield* Fiber.interrupt(batch.fiber)
          yield* Scope.close(scope, Exit.void)
          return parked.waiting
        })
        expect(waiting).toBeGreaterThanOrEqual(2)
        const writesBefore = (yield* sandbox.counters).writes

        // A reviewer decides while no process runs, through the queue in the file.
        const decided: Decisions = new Map()
        const approve = yield* Effect.gen(function*() {
          const queue = yield* ReviewQueue.ReviewQueue
          const pending = (yield* queue.list({ status: ["pending"], limit: 100 })).items
          expect(pending.filter((item) => item.kind === "merge").length).toBeGreaterThanOrEqual(2)
          const approve = new Set(firstMerge(pending))
          yield* decidePending(queue, approve, decided)
          return approve
        }).pipe(Effect.provide(ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename })))))
        expect((yield* sandbox.counters).writes).toBe(writesBefore)

        // The second process: the same run finishes, each decision applied once.
        const watch = yield* makeWatch
        yield* Effect.gen(function*() {
          const queue = yield* ReviewQueue.ReviewQueue
          // Items proposed anew (records changed by the approved merge) are rejected too.
          yield* Effect.forkScoped(reviewer(queue, watch, approve, decided))
          const report = yield* ProcessPatient.runDurable(Stream.fromIterable(ids), { runId: "restart", concurrency })
          expect(report.total).toBe(ids.length)
          yield* expectDecisionsApplied(report, decided)
          const [approved] = approve
          const item = yield* queue.get(approved!)
          expect((yield* sandbox.counters).mergesApplied(item.mainPatientId!, item.incomingPatientId!)).toBe(1)
        }).pipe(Effect.provide(processLayer(filename, watch)))
      }).pipe(Effect.provide(sandboxLayer({ patients }))),
    300_000
  )
})
