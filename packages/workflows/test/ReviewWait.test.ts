// The durable pipeline waiting on people: with `reviews: "wait"`, a patient whose merge needs a
// person suspends on a durable deferred; the reviewer's decisions (taken while the batch runs)
// resume it. Approved merges are applied exactly once, rejected ones never; the batch ends only
// when every item is decided, and running it again writes nothing.
import { FetchHttpClient, HttpApiBuilder, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import { DurableEngine, ProcessPatient, ReviewApi, ReviewQueue } from "@hero-effect/workflows"
import { Context, Effect, Fiber, Layer, Redacted, Stream, TestClock } from "effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { idsOf } from "./support/durable.js"
import { journalRun, queueApproverWorld } from "./support/review.js"

const patients = 60

// Which merges the rules send to a person in this world: the journal pipeline with the queue
// approver over its own copy of the world (the item ids are derived from the records, so the
// durable run's items carry the same ids).
const itemsToReview = Effect.gen(function*() {
  const queue = yield* ReviewQueue.ReviewQueue
  const ids = yield* idsOf
  yield* journalRun(ids, "reference")
  return (yield* queue.list({ limit: 100 })).items
}).pipe(Effect.provide(queueApproverWorld(patients)))

// No `ReviewQueue.layerResumer` here: the waiting workflow layer runs its own.
const waitingWorld = ProcessPatient.layer({ reviews: "wait" }).pipe(
  Layer.provideMerge(DurableEngine.layerMemory),
  Layer.provideMerge(queueApproverWorld(patients))
)

type Decide = (id: string, decision: ReviewQueue.Decision) => Effect.Effect<unknown, unknown>

// The reviewer decides through the queue itself, or through the HTTP API (served on a loopback
// port over the same queue, called with the typed client and a reviewer's token).
const reviewers: ReadonlyArray<
  [string, Effect.Effect<Decide, unknown, ReviewQueue.ReviewQueue | Scope.Scope>]
> = [
  [
    "the queue",
    Effect.map(ReviewQueue.ReviewQueue, (queue): Decide => (id, decision) => queue.decide(id, decision, "dr-test"))
  ],
  [
    "the HTTP API",
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      const token = Redacted.make("token-of-dr-test")
      const context = yield* Layer.build(
        HttpApiBuilder.serve().pipe(
          Layer.provide(ReviewApi.layer),
          Layer.provide(ReviewApi.ReviewAuth.layerBearer({ "dr-test": token })),
          Layer.provide(Layer.succeed(ReviewQueue.ReviewQueue, queue)),
          Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
        )
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      const port = address._tag === "TcpAddress" ? address.port : 0
      const client = yield* ReviewApi.client(`http://127.0.0.1:${port}`, token).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      return (id, decision) =>
        // One request type per decision in the client; the reviewer's decision is any of them.
        client.reviews.decide({ path: { id }, payload: decision } as Parameters<typeof client.reviews.decide>[0]).pipe(
          Effect.provide(FetchHttpClient.layer)
        )
    })
  ]
]

describe("ProcessPatient with reviews: \"wait\"", () => {
  for (const [through, reviewer] of reviewers) {
    it.scoped(`suspends the patients a person must decide; decisions through ${through} resume them, approved merges once, rejected never`, () =>
      Effect.gen(function*() {
        const expected = yield* itemsToReview
        const merges = expected.filter((item) => item.kind === "merge").map((item) => item.id).sort()
        expect(merges.length).toBeGreaterThanOrEqual(2)
        const approve = new Set(merges.slice(0, 1))

        const queue = yield* ReviewQueue.ReviewQueue
        const decide = yield* reviewer
        const sandbox = yield* Sandbox.Sandbox
        const ids = yield* idsOf
        const run = ProcessPatient.runDurable(Stream.fromIterable(ids), { runId: "wait", concurrency: 4 })
        const fiber = yield* Effect.fork(run)

        // The reviewer, while the batch runs: every item that turns up is decided (the chosen merge
        // approved, everything else rejected); the clock moves so the engine looks again.
        const decided = new Map<string, "approved" | "rejected">()
        for (let round = 0; round < 600 && fiber.unsafePoll() === null; round++) {
          for (const item of (yield* queue.list({ status: ["pending"], limit: 100 })).items) {
            const approved = approve.has(item.id)
            yield* decide(item.id, approved ? { _tag: "Approve" } : { _tag: "Reject", reason: "different-people" })
            decided.set(item.id, approved ? "approved" : "rejected")
          }
          yield* TestClock.adjust("1 second")
        }
        // Not a hang: a batch still waiting after every decision fails here.
        expect(fiber.unsafePoll()).not.toBeNull()
        const report = yield* Fiber.join(fiber)

        // The run found the same items as the reference, and every one was decided before it ended.
        expect([...decided.keys()].sort()).toEqual(expected.map((item) => item.id).sort())
        const counters = yield* sandbox.counters
        for (const item of expected.filter((item) => item.kind === "merge")) {
          const applied = counters.mergesApplied(item.mainPatientId!, item.incomingPatientId!)
          expect(applied).toBe(approve.has(item.id) ? 1 : 0)
        }
        const outcomes = report.patients.map((p) => p.outcome)
        // Nobody is left waiting: each decided item's patient ended with the decision.
        expect(outcomes.filter((o) => o._tag === "NeedsReview" && o.reviewId !== undefined)).toEqual([])
        for (const [id, decision] of decided) {
          if (decision === "rejected") {
            expect(outcomes).toContainEqual(
              expect.objectContaining({
                _tag: "Refused",
                reviewId: id,
                codes: expect.arrayContaining(["REJECTED_BY_REVIEWER"])
              })
            )
          }
        }
        const [approved] = approve
        const item = expected.find((i) => i.id === approved)!
        expect(outcomes).toContainEqual(
          expect.objectContaining({
            _tag: "Merged",
            mainPatientId: item.mainPatientId,
            incomingPatientId: item.incomingPatientId
          })
        )

        // The same run again: stored outcomes, not one more write.
        const writes = (yield* sandbox.writeLog).length
        const again = yield* run
        expect(again.patients).toEqual(report.patients)
        expect((yield* sandbox.writeLog).length).toBe(writes)
      }).pipe(Effect.provide(waitingWorld)))
  }
})
