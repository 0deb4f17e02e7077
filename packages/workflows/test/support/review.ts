// Shared by the review tests: approval requests about sandbox records (merges) and a synthetic
// link, proposals, the record values that must never leave through an item, and queues that
// count the calls made to them or fail.
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import type { PatientV1 } from "@hero-effect/schema/Patient"
import { Approver, Batch, Journal, MergeDiff, PatientLease, ReviewQueue, Scoring } from "@hero-effect/workflows"
import { Effect, Layer, Stream } from "effect"
import { sandboxLayer } from "./durable.js"
import { candidate, hero } from "./patients.js"

/**
 * The queue approver over a seeded world where some merges need a person (60 patients), with a
 * memory lease and queue: what the end-to-end review tests run on.
 */
export const queueApproverWorld = (patients = 60) =>
  ReviewQueue.layerApprover(Approver.automatic).pipe(
    Layer.provideMerge(Layer.mergeAll(sandboxLayer({ patients }), PatientLease.layerMemory, ReviewQueue.layerMemory))
  )

/** The journal pipeline over `ids`, each run with its own journal (a journal with an outcome skips the patient). */
export const journalRun = (ids: ReadonlyArray<PatientId>, runId: string) =>
  Batch.run(Stream.fromIterable(ids), { runId, concurrency: 1 }).pipe(Effect.provide(Journal.layerMemory))

export const guardReview = {
  verdict: "review" as const,
  findings: [{ code: "SEX_MISMATCH", severity: "review" as const, reason: "the records disagree on sex" }]
}

export const mergeRequest = (main: PatientV1, incoming: PatientV1, runId = "run-1"): Approver.MergeApprovalRequest => ({
  kind: "merge",
  runId,
  mainPatientId: main.id,
  incomingPatientId: incoming.id,
  diff: MergeDiff.diff({ main, incoming, result: main }),
  score: Scoring.scorePatients(main, incoming),
  guard: guardReview,
  records: { main, incoming, result: main }
})

/** A link of a synthetic Hero patient to an EHR record of someone with a near name. */
export const linkRequest = (runId = "run-2"): Approver.LinkApprovalRequest => {
  const patient = hero()
  const record = candidate({ first_name: "Marta" })
  return {
    kind: "link",
    runId,
    patientId: patient.id,
    ehrPartnerId: record.ehrPartnerId!,
    score: Scoring.scorePatients(patient, hero({ first_name: "Marta" })),
    guard: guardReview,
    records: { patient, candidate: record }
  }
}

/** Three records of a small world, read through the client as the pipeline reads them. */
export const records = Effect.gen(function*() {
  const client = yield* HeroHealthClient
  const sandbox = yield* Sandbox.Sandbox
  const ids = sandbox.world.patients.slice(0, 3).map((p) => p.id)
  return yield* Effect.forEach(ids, (id) => client.getPatientById(id))
}).pipe(Effect.provide(Sandbox.layerClient({ seed: 11, patients: 6 })))

export const proposal = (request: Approver.ApprovalRequest): ReviewQueue.Proposal => ({
  runId: request.runId ?? "run-1",
  patientId: request.kind === "link" ? request.patientId : request.incomingPatientId,
  request,
  reason: "guard asks for review"
})

/** The values of a record that identify a person (what no item, log or 401 may show). */
export const valuesOf = (record: PatientV1): ReadonlyArray<string> =>
  [record.firstName, record.lastName, record.nhsNumber, record.postcode, record.addressLine1, record.email]
    .filter((v): v is NonNullable<typeof v> => typeof v === "string" && v.length > 2)
    .map(String)

/** How often each operation of a queue was called, and in all. */
export interface Calls {
  total: number
  readonly byOperation: Record<string, number>
}

/**
 * A memory queue (`inner`: to seed and inspect without counting) and the same queue counting
 * every call made through it (`queue`: what the API is given).
 */
export const countingQueue = Effect.gen(function*() {
  const inner = yield* ReviewQueue.makeMemory
  const calls: Calls = { total: 0, byOperation: {} }
  const count = (operation: string) =>
    Effect.sync(() => {
      calls.total++
      calls.byOperation[operation] = (calls.byOperation[operation] ?? 0) + 1
    })
  const counted = <Args extends ReadonlyArray<unknown>, A, E>(
    operation: string,
    f: (...args: Args) => Effect.Effect<A, E>
  ) =>
  (...args: Args) => Effect.zipRight(count(operation), f(...args))
  const queue: ReviewQueue.Service = {
    propose: counted("propose", inner.propose),
    find: counted("find", inner.find),
    get: counted("get", inner.get),
    evidence: counted("evidence", inner.evidence),
    list: counted("list", inner.list),
    counts: Effect.zipRight(count("counts"), inner.counts),
    decide: counted("decide", inner.decide),
    wait: counted("wait", inner.wait),
    toWake: Effect.zipRight(count("toWake"), inner.toWake),
    woken: counted("woken", inner.woken),
    closedSignal: inner.closedSignal,
    purge: counted("purge", inner.purge)
  }
  return { inner, queue, calls }
})

/** What a failing database might say: values included. */
export const leakyCause = new Error("duplicate key value (first_name)=(Martha)")

/** A queue whose storage fails on every read and decision, with a cause holding data. */
export const failingQueue: ReviewQueue.Service = (() => {
  const fail = (operation: string) => Effect.fail(new ReviewQueue.ReviewStorageError({ operation, cause: leakyCause }))
  return {
    propose: () => fail("propose"),
    find: () => fail("find"),
    get: () => fail("get"),
    evidence: () => fail("evidence"),
    list: () => fail("list"),
    counts: fail("counts"),
    decide: () => fail("decide"),
    wait: () => fail("wait"),
    toWake: fail("toWake"),
    woken: () => fail("woken"),
    closedSignal: Effect.never,
    purge: () => fail("purge")
  }
})()
