// The review queue on both storages: proposing is idempotent and keyed by the records, decisions
// close an item once, changed records supersede the open item, waiters are woken once their item
// closes, paging and filters; the queue approver answers from people's decisions (a refusal of
// the rules still wins).
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientV1 } from "@hero-effect/schema/Patient"
import { Approver, ReviewQueue } from "@hero-effect/workflows"
import { Clock, Effect, Layer, Option, TestClock } from "effect"
import { idsOf } from "./support/durable.js"
import { journalRun, mergeRequest, queueApproverWorld } from "./support/review.js"

const queues: ReadonlyArray<[string, Layer.Layer<ReviewQueue.ReviewQueue, unknown>]> = [
  ["memory", ReviewQueue.layerMemory],
  ["sql", ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))]
]

// Three records of a small world, read through the client as the pipeline reads them.
const records = Effect.gen(function*() {
  const client = yield* HeroHealthClient
  const sandbox = yield* Sandbox.Sandbox
  const ids = sandbox.world.patients.slice(0, 3).map((p) => p.id)
  return yield* Effect.forEach(ids, (id) => client.getPatientById(id))
}).pipe(Effect.provide(Sandbox.layerClient({ seed: 11, patients: 6 })))

const proposal = (request: Approver.ApprovalRequest): ReviewQueue.Proposal => ({
  runId: "run-1",
  patientId: request.kind === "link" ? request.patientId : request.incomingPatientId,
  request,
  reason: "guard asks for review"
})

for (const [name, layer] of queues) {
  describe(`ReviewQueue (${name})`, () => {
    it.effect("proposing twice gives one item; the item holds ids, codes and field names, the evidence the records", () =>
      Effect.gen(function*() {
        const queue = yield* ReviewQueue.ReviewQueue
        const [a, b] = yield* records
        const request = mergeRequest(a!, b!)
        const first = yield* queue.propose(proposal(request))
        const again = yield* queue.propose(proposal(request))
        expect(again.id).toBe(first.id)
        expect(first.status).toBe("pending")
        expect(first.kind).toBe("merge")
        expect(first.mainPatientId).toBe(a!.id)
        expect(first.incomingPatientId).toBe(b!.id)
        expect(first.codes).toContain("SEX_MISMATCH")
        expect(first.id).toMatch(/^rv_[0-9a-f]{32}$/)
        // No value of either record in the item.
        const text = JSON.stringify(first)
        for (const r of [a!, b!]) {
          for (const value of [r.firstName, r.lastName, r.dateOfBirth]) {
            if (typeof value === "string" && value.length > 2) expect(text).not.toContain(value)
          }
        }
        const evidence = yield* queue.evidence(first.id)
        expect(evidence._tag).toBe("MergeEvidence")
        if (evidence._tag === "MergeEvidence") expect(evidence.incoming.id).toBe(b!.id)
        expect((yield* queue.counts).pending).toBe(1)
        expect(Option.getOrThrow(yield* queue.find(ReviewQueue.pairKey(request), ReviewQueue.fingerprint(request)!)).id)
          .toBe(first.id)
      }).pipe(Effect.provide(layer)))

    it.effect("a decision closes the item once and records who and when; a second one is refused", () =>
      Effect.gen(function*() {
        const queue = yield* ReviewQueue.ReviewQueue
        const [a, b] = yield* records
        const item = yield* queue.propose(proposal(mergeRequest(a!, b!)))
        yield* TestClock.adjust("1 hour")
        const deferred = yield* queue.decide(item.id, { _tag: "Defer", note: "ask the practice" }, "dr-a")
        expect(deferred.status).toBe("deferred")
        const rejected = yield* queue.decide(item.id, { _tag: "Reject", reason: "related-people" }, "dr-b")
        expect(rejected.status).toBe("rejected")
        expect(rejected.decision).toMatchObject({ decision: "reject", by: "dr-b", reason: "related-people" })
        expect(rejected.decision!.at).toBe(new Date(3_600_000).toISOString())
        const again = yield* Effect.flip(queue.decide(item.id, { _tag: "Approve" }, "dr-c"))
        expect(again._tag).toBe("ReviewClosed")
        expect((yield* queue.get(item.id)).status).toBe("rejected")
        const missing = yield* Effect.flip(queue.decide("rv_nope", { _tag: "Approve" }, "dr-c"))
        expect(missing._tag).toBe("ReviewNotFound")
        const invalid = yield* Effect.flip(queue.decide(item.id, { _tag: "Approve", note: "x".repeat(2001) }, "dr-c"))
        expect(invalid._tag).toBe("ReviewInvalid")
        const anonymous = yield* Effect.flip(queue.decide(item.id, { _tag: "Approve" }, " "))
        expect(anonymous._tag).toBe("ReviewInvalid")
        // A rejected pair about the same records is not proposed again.
        const proposedAgain = yield* queue.propose(proposal(mergeRequest(a!, b!)))
        expect(proposedAgain.status).toBe("rejected")
      }).pipe(Effect.provide(layer)))

    it.effect("changed records supersede the open item and wake its waiters", () =>
      Effect.gen(function*() {
        const queue = yield* ReviewQueue.ReviewQueue
        const [a, b] = yield* records
        const before = yield* queue.propose(proposal(mergeRequest(a!, b!)))
        expect(yield* queue.wait({ itemId: before.id, token: "t-1" })).toBe("waiting")
        expect(yield* queue.toWake).toStrictEqual([])
        const changed = { ...b!, lastName: `${b!.lastName ?? ""}-Smith` } as PatientV1
        const after = yield* queue.propose(proposal(mergeRequest(a!, changed)))
        expect(after.id).not.toBe(before.id)
        expect((yield* queue.get(before.id)).status).toBe("superseded")
        expect(yield* queue.toWake).toStrictEqual([{ itemId: before.id, token: "t-1" }])
        yield* queue.woken("t-1")
        expect(yield* queue.toWake).toStrictEqual([])
        // Waiting on a closed item returns at once.
        expect(yield* queue.wait({ itemId: before.id, token: "t-2" })).toBe("closed")
        const page = yield* queue.list()
        expect(page.items.map((i) => i.id)).toStrictEqual([after.id])
      }).pipe(Effect.provide(layer)))

    it.effect("lists page oldest first with a cursor and filter by status, kind and run", () =>
      Effect.gen(function*() {
        const queue = yield* ReviewQueue.ReviewQueue
        const [a, b, c] = yield* records
        const ids: Array<string> = []
        for (const [main, incoming] of [[a!, b!], [a!, c!], [b!, c!]] as const) {
          ids.push((yield* queue.propose(proposal(mergeRequest(main, incoming)))).id)
          yield* TestClock.adjust("1 second")
        }
        const first = yield* queue.list({ limit: 2 })
        expect(first.items.map((i) => i.id)).toStrictEqual(ids.slice(0, 2))
        const second = yield* queue.list({ limit: 2, cursor: first.nextCursor })
        expect(second.items.map((i) => i.id)).toStrictEqual(ids.slice(2))
        expect(second.nextCursor).toBeUndefined()
        yield* queue.decide(ids[1]!, { _tag: "Approve" }, "dr-a")
        expect((yield* queue.list({ status: ["approved"] })).items.map((i) => i.id)).toStrictEqual([ids[1]])
        expect((yield* queue.list({ kind: "link" })).items).toStrictEqual([])
        expect((yield* queue.list({ runId: "another" })).items).toStrictEqual([])
        expect((yield* Effect.flip(queue.list({ limit: 0 })))._tag).toBe("ReviewInvalid")
        expect((yield* Effect.flip(queue.list({ cursor: "not-a-cursor" })))._tag).toBe("ReviewInvalid")
        // Retention: closed items older than the cutoff go, open ones stay.
        yield* TestClock.adjust("1 day")
        expect(yield* queue.purge(yield* Clock.currentTimeMillis)).toBe(1)
        expect((yield* Effect.flip(queue.get(ids[1]!)))._tag).toBe("ReviewNotFound")
        expect((yield* queue.counts).pending).toBe(2)
      }).pipe(Effect.provide(layer)))
  })
}

describe("ReviewQueue.approver", () => {
  it.effect("defers to the queue, then answers with people's decisions about the same records", () =>
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      const approver = ReviewQueue.approver(queue, Approver.automatic)
      const [a, b, c] = yield* records
      const request = mergeRequest(a!, b!)
      const first = yield* approver.decide(request)
      expect(first._tag).toBe("Deferred")
      const reviewId = (first as Approver.Undecided).reviewId!
      expect(yield* approver.decide(request)).toMatchObject({ _tag: "Deferred", reviewId })
      yield* queue.decide(reviewId, { _tag: "Approve" }, "dr-a")
      expect(yield* approver.decide(request)).toMatchObject({ _tag: "Approved", by: "reviewer:dr-a", reviewId })
      // Other records: a new question.
      const other = mergeRequest(a!, c!)
      const second = yield* approver.decide(other)
      yield* queue.decide(
        (second as Approver.Undecided).reviewId!,
        { _tag: "Reject", reason: "different-people" },
        "dr-b"
      )
      expect(yield* approver.decide(other)).toMatchObject({ _tag: "Rejected", by: "reviewer:dr-b" })
      // What the inner approver decides itself never reaches the queue.
      const refused = yield* approver.decide({ ...request, guard: { verdict: "refuse", findings: [] } })
      expect(refused._tag).toBe("Rejected")
      // Without records there is nothing to show a person: the inner approver alone.
      const bare = yield* approver.decide({ ...mergeRequest(b!, c!), records: undefined })
      expect(bare).toMatchObject({ _tag: "Deferred" })
      expect((bare as Approver.Undecided).reviewId).toBeUndefined()
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))
})

describe("the journal pipeline with the queue approver", () => {
  it.effect("a first run leaves items to review; the next run applies approvals once and refuses rejections", () =>
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      const sandbox = yield* Sandbox.Sandbox
      const ids = yield* idsOf
      const run = (runId: string) => journalRun(ids, runId)
      const first = yield* run("first")
      const waiting = first.patients.flatMap(({ outcome }) =>
        outcome._tag === "NeedsReview" && outcome.reviewId !== undefined ? [outcome.reviewId] : []
      )
      const merges = (yield* queue.list({ kind: "merge", limit: 100 })).items
      expect(merges.length).toBeGreaterThanOrEqual(2)
      // Every pending item is named by some patient's outcome.
      for (const item of merges) expect(waiting).toContain(item.id)
      const [approved, ...rejected] = merges
      yield* queue.decide(approved!.id, { _tag: "Approve" }, "dr-a")
      for (const item of rejected) yield* queue.decide(item.id, { _tag: "Reject", reason: "different-people" }, "dr-b")
      const second = yield* run("second")
      const counters = yield* sandbox.counters
      expect(counters.mergesApplied(approved!.mainPatientId!, approved!.incomingPatientId!)).toBe(1)
      for (const item of rejected) {
        expect(counters.mergesApplied(item.mainPatientId!, item.incomingPatientId!)).toBe(0)
        const outcome = second.patients.map((p) => p.outcome).find((o) =>
          o._tag === "Refused" && o.reviewId === item.id
        )
        expect(outcome).toMatchObject({ _tag: "Refused", codes: expect.arrayContaining(["REJECTED_BY_REVIEWER"]) })
      }
      // A third run asks nobody again and writes nothing twice.
      yield* run("third")
      expect((yield* sandbox.counters).mergesApplied(approved!.mainPatientId!, approved!.incomingPatientId!)).toBe(1)
    }).pipe(Effect.provide(queueApproverWorld())))
})
