import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Activity from "@effect/workflow/Activity"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import * as Approver from "../Approver.js"
import * as Guard from "../Guard.js"
import * as MergeDiff from "../MergeDiff.js"
import type * as ReviewQueue from "../ReviewQueue.js"
import {
  ReviewClosed,
  ReviewDecision,
  ReviewEvidence,
  ReviewInvalid,
  ReviewItem,
  ReviewNotFound,
  ReviewStorageError
} from "../ReviewQueue.js"
import * as Scoring from "../Scoring.js"
import * as Step from "../Step.js"
import { ensureTable } from "./sqlTable.js"

const encodeV1 = Schema.encodeSync(PatientV1)
const encodeV2 = Schema.encodeSync(PatientV2)
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** @internal */
export const pairKey = (request: Approver.ApprovalRequest): string =>
  request.kind === "link"
    ? Step.key("connect", request.patientId, request.ehrPartnerId)
    : Step.key("merge", request.mainPatientId, request.incomingPatientId)

/** @internal */
export const fingerprint = (request: Approver.ApprovalRequest): string | undefined => {
  if (request.kind === "link") {
    const records = request.records
    return records === undefined
      ? undefined
      : sha256(JSON.stringify(["link", encodeV1(records.patient), encodeV2(records.candidate)]))
  }
  const records = request.records
  return records === undefined
    ? undefined
    : sha256(JSON.stringify(["merge", encodeV1(records.main), encodeV1(records.incoming), encodeV1(records.result)]))
}

// Opaque in URLs: a hash of the pair and the records, nothing readable.
const itemId = (key: string, print: string) => `rv_${sha256(`${key}\n${print}`).slice(0, 32)}`

const open = new Set<ReviewQueue.ReviewStatus>(["pending", "deferred"])
const isOpen = (status: ReviewQueue.ReviewStatus) => open.has(status)

const evidenceOf = (request: Approver.ApprovalRequest): ReviewQueue.ReviewEvidence | undefined => {
  if (request.kind === "link") {
    return request.records === undefined ? undefined : { _tag: "LinkEvidence", ...request.records }
  }
  return request.records === undefined ? undefined : { _tag: "MergeEvidence", ...request.records }
}

// What identifies a proposal: its pair, the fingerprint of its records, the item id, the evidence.
const partsOf = (proposal: ReviewQueue.Proposal) =>
  Effect.suspend(() => {
    const print = fingerprint(proposal.request)
    const shown = evidenceOf(proposal.request)
    if (print === undefined || shown === undefined) {
      return Effect.fail(new ReviewInvalid({ reason: "the request has no records to show" }))
    }
    const key = pairKey(proposal.request)
    return Effect.succeed({ id: itemId(key, print), key, print, shown })
  })

const newItem = (
  proposal: ReviewQueue.Proposal,
  key: string,
  print: string,
  now: string
): ReviewItem => {
  const { request } = proposal
  const codes = [
    ...Guard.codes(request.guard),
    ...(request.score.grade !== "match" ? ["SCORE_NOT_MATCH"] : [])
  ]
  const common = {
    id: itemId(key, print),
    pairKey: key,
    fingerprint: print,
    runId: proposal.runId,
    patientId: proposal.patientId,
    codes: [...new Set(codes)],
    score: request.score.score,
    grade: request.score.grade,
    reason: proposal.reason,
    createdAt: now,
    updatedAt: now,
    status: "pending" as const
  }
  return request.kind === "link"
    ? new ReviewItem({
      ...common,
      kind: "link",
      ehrPartnerId: request.ehrPartnerId,
      fields: Scoring.differingFields(request.score.vector).map((field) => ({ field, change: "differs" }))
    })
    : new ReviewItem({
      ...common,
      kind: "merge",
      mainPatientId: request.mainPatientId,
      incomingPatientId: request.incomingPatientId,
      fields: MergeDiff.changes(request.diff).map(({ field, kind }) => ({ field, change: kind }))
    })
}

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

const maxNote = 2000
const maxReviewer = 200

const validate = (decision: ReviewQueue.Decision, by: string): ReviewInvalid | undefined => {
  if (by.trim().length === 0) return new ReviewInvalid({ reason: "the reviewer is not named" })
  if (by.length > maxReviewer) {
    return new ReviewInvalid({ reason: `the reviewer name is over ${maxReviewer} characters` })
  }
  if (decision.note !== undefined && decision.note.length > maxNote) {
    return new ReviewInvalid({ reason: `the note is over ${maxNote} characters` })
  }
  return undefined
}

const decided = (
  item: ReviewItem,
  decision: ReviewQueue.Decision,
  by: string,
  at: string
): ReviewItem =>
  new ReviewItem({
    ...item,
    updatedAt: at,
    status: decision._tag === "Approve" ? "approved" : decision._tag === "Reject" ? "rejected" : "deferred",
    decision: new ReviewDecision({
      decision: decision._tag === "Approve" ? "approve" : decision._tag === "Reject" ? "reject" : "defer",
      by,
      at,
      ...(decision._tag === "Reject" ? { reason: decision.reason } : {}),
      ...(decision.note !== undefined ? { note: decision.note } : {})
    })
  })

const statuses: ReadonlyArray<ReviewQueue.ReviewStatus> = ["pending", "deferred", "approved", "rejected", "superseded"]
const noCounts = () => Object.fromEntries(statuses.map((s) => [s, 0])) as Record<ReviewQueue.ReviewStatus, number>

interface Cursor {
  readonly createdAt: string
  readonly id: string
}

const encodeCursor = (item: ReviewItem) =>
  Buffer.from(JSON.stringify([item.createdAt, item.id]), "utf8").toString("base64url")

const decodeCursor = (cursor: string | undefined): Cursor | undefined | ReviewInvalid => {
  if (cursor === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    if (
      Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string"
    ) {
      return { createdAt: parsed[0], id: parsed[1] }
    }
  } catch {
    // an invalid cursor below
  }
  return new ReviewInvalid({ reason: "the cursor is not one this queue gave" })
}

const limitOf = (limit: number | undefined): number | ReviewInvalid => {
  const n = limit ?? 50
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : new ReviewInvalid({ reason: "limit must be 1 to 100" })
}

const after = (item: ReviewItem, cursor: Cursor | undefined) =>
  cursor === undefined || item.createdAt > cursor.createdAt ||
  (item.createdAt === cursor.createdAt && item.id > cursor.id)

const byAge = (a: ReviewItem, b: ReviewItem) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

const page = (sorted: ReadonlyArray<ReviewItem>, limit: number): ReviewQueue.ListPage =>
  sorted.length > limit
    ? { items: sorted.slice(0, limit), nextCursor: encodeCursor(sorted[limit - 1]!) }
    : { items: sorted }

/** @internal */
export const makeMemory: Effect.Effect<ReviewQueue.Service> = Effect.gen(function*() {
  const items = new Map<string, ReviewItem>()
  const evidence = new Map<string, ReviewQueue.ReviewEvidence>()
  const waiters = new Map<string, { readonly itemId: string; woken: boolean }>()
  const closed = yield* Queue.unbounded<void>()
  const get = (id: string) =>
    Effect.suspend(() => {
      const item = items.get(id)
      return item === undefined ? Effect.fail(new ReviewNotFound({ id })) : Effect.succeed(item)
    })
  const service: ReviewQueue.Service = {
    propose: (proposal) =>
      Effect.gen(function*() {
        const { id, key, print, shown } = yield* partsOf(proposal)
        const at = yield* nowIso
        const known = items.get(id)
        if (known !== undefined && known.status !== "superseded") return known
        let supersededAny = false
        for (const item of items.values()) {
          if (item.pairKey === key && item.id !== id && isOpen(item.status)) {
            items.set(item.id, new ReviewItem({ ...item, status: "superseded", updatedAt: at }))
            supersededAny = true
          }
        }
        const item = known === undefined
          ? newItem(proposal, key, print, at)
          : new ReviewItem({ ...known, status: "pending", updatedAt: at })
        items.set(id, item)
        evidence.set(id, shown)
        if (supersededAny) yield* Queue.offer(closed, undefined)
        return item
      }),
    find: (key, print) => Effect.sync(() => Option.fromNullable(items.get(itemId(key, print)))),
    get,
    evidence: (id) =>
      Effect.suspend(() => {
        const shown = evidence.get(id)
        return shown === undefined ? Effect.fail(new ReviewNotFound({ id })) : Effect.succeed(shown)
      }),
    list: (query = {}) =>
      Effect.suspend(() => {
        const limit = limitOf(query.limit)
        if (typeof limit !== "number") return Effect.fail(limit)
        const cursor = decodeCursor(query.cursor)
        if (cursor instanceof ReviewInvalid) return Effect.fail(cursor)
        const wanted = new Set(query.status ?? ["pending", "deferred"])
        const matching = [...items.values()].filter((item) =>
          wanted.has(item.status) && (query.kind === undefined || item.kind === query.kind) &&
          (query.runId === undefined || item.runId === query.runId) && after(item, cursor)
        ).sort(byAge)
        return Effect.succeed(page(matching, limit))
      }),
    counts: Effect.sync(() => {
      const counts = noCounts()
      for (const item of items.values()) counts[item.status]++
      return counts
    }),
    decide: (id, decision, by) =>
      Effect.gen(function*() {
        const invalid = validate(decision, by)
        if (invalid !== undefined) return yield* Effect.fail(invalid)
        const item = yield* get(id)
        if (!isOpen(item.status)) return yield* Effect.fail(new ReviewClosed({ id, status: item.status }))
        const next = decided(item, decision, by, yield* nowIso)
        items.set(id, next)
        if (!isOpen(next.status)) yield* Queue.offer(closed, undefined)
        return next
      }),
    wait: (waiter) =>
      Effect.gen(function*() {
        const item = yield* get(waiter.itemId)
        if (!waiters.has(waiter.token)) waiters.set(waiter.token, { itemId: waiter.itemId, woken: false })
        return isOpen(item.status) ? "waiting" as const : "closed" as const
      }),
    toWake: Effect.sync(() =>
      [...waiters.entries()].filter(([, w]) => !w.woken && !isOpen(items.get(w.itemId)?.status ?? "superseded"))
        .map(([token, w]) => ({ itemId: w.itemId, token }))
    ),
    woken: (token) =>
      Effect.sync(() => {
        const waiter = waiters.get(token)
        if (waiter !== undefined) waiter.woken = true
      }),
    closedSignal: Effect.zipRight(Queue.take(closed), Effect.asVoid(Queue.takeAll(closed))),
    purge: (before) =>
      Effect.sync(() => {
        let n = 0
        for (const item of [...items.values()]) {
          if (!isOpen(item.status) && Date.parse(item.updatedAt) < before) {
            items.delete(item.id)
            evidence.delete(item.id)
            for (const [token, w] of waiters) if (w.itemId === item.id && w.woken) waiters.delete(token)
            n++
          }
        }
        return n
      })
  }
  return service
})

const itemsTable = "hero_review_items"
const waitersTable = "hero_review_waiters"

// Made on first use: this module and `ReviewQueue` import each other, so the classes are not
// defined yet while this module loads.
const lazy = <A>(make: () => A): () => A => {
  let made: A | undefined
  return () => made ??= make()
}
const itemJson = lazy(() => ({
  encode: Schema.encodeSync(Schema.parseJson(ReviewItem)),
  decode: Schema.decodeUnknown(Schema.parseJson(ReviewItem))
}))
const evidenceJson = lazy(() => ({
  encode: Schema.encodeSync(Schema.parseJson(ReviewEvidence)),
  decode: Schema.decodeUnknown(Schema.parseJson(ReviewEvidence))
}))
const encodeItem = (item: ReviewItem) => itemJson().encode(item)
const decodeItem = (json: string) => itemJson().decode(json)
const encodeEvidence = (evidence: ReviewQueue.ReviewEvidence) => evidenceJson().encode(evidence)
const decodeEvidence = (json: string) => evidenceJson().decode(json)

interface ItemRow {
  readonly item: string
}

/** @internal */
export const makeSql: Effect.Effect<ReviewQueue.Service, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* ensureTable(sql`CREATE TABLE IF NOT EXISTS ${sql(itemsTable)} (
    id VARCHAR(64) PRIMARY KEY,
    pair_key VARCHAR(255) NOT NULL,
    status VARCHAR(16) NOT NULL,
    kind VARCHAR(8) NOT NULL,
    run_id VARCHAR(255) NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL,
    item TEXT NOT NULL,
    evidence TEXT NOT NULL
  )`)
  yield* ensureTable(sql`CREATE INDEX IF NOT EXISTS hero_review_items_pair ON ${sql(itemsTable)} (pair_key)`)
  yield* ensureTable(
    sql`CREATE INDEX IF NOT EXISTS hero_review_items_status ON ${sql(itemsTable)} (status, created_at, id)`
  )
  yield* ensureTable(sql`CREATE TABLE IF NOT EXISTS ${sql(waitersTable)} (
    token VARCHAR(512) PRIMARY KEY,
    item_id VARCHAR(64) NOT NULL,
    woken INTEGER NOT NULL
  )`)
  const closed = yield* Queue.unbounded<void>()
  const storage = (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.mapError(effect, (cause) => new ReviewStorageError({ operation, cause }))

  const decodeRows = (rows: ReadonlyArray<ItemRow>) => Effect.forEach(rows, (row) => decodeItem(row.item))
  const load = (id: string) =>
    sql<ItemRow>`SELECT item FROM ${sql(itemsTable)} WHERE id = ${id}`.pipe(
      Effect.flatMap(decodeRows),
      Effect.map((items) => Option.fromNullable(items[0]))
    )
  const get = (id: string) =>
    load(id).pipe(
      storage("get"),
      Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new ReviewNotFound({ id })),
        onSome: Effect.succeed
      }))
    )
  const put = (item: ReviewItem) =>
    sql`UPDATE ${sql(itemsTable)} SET status = ${item.status}, updated_at = ${item.updatedAt},
      item = ${encodeItem(item)} WHERE id = ${item.id}`

  const service: ReviewQueue.Service = {
    propose: (proposal) =>
      Effect.gen(function*() {
        const { id, key, print, shown } = yield* partsOf(proposal)
        const result = yield* Effect.gen(function*() {
          const at = yield* nowIso
          const known = yield* load(id)
          if (Option.isSome(known) && known.value.status !== "superseded") {
            return { item: known.value, supersededAny: false }
          }
          const others = yield* sql<ItemRow>`SELECT item FROM ${sql(itemsTable)}
            WHERE pair_key = ${key} AND id <> ${id} AND status IN ('pending', 'deferred')`.pipe(
            Effect.flatMap(decodeRows)
          )
          for (const other of others) yield* put(new ReviewItem({ ...other, status: "superseded", updatedAt: at }))
          if (Option.isSome(known)) {
            const reopened = new ReviewItem({ ...known.value, status: "pending", updatedAt: at })
            yield* put(reopened)
            return { item: reopened, supersededAny: others.length > 0 }
          }
          const item = newItem(proposal, key, print, at)
          yield* sql`INSERT INTO ${sql(itemsTable)}
            (id, pair_key, status, kind, run_id, created_at, updated_at, item, evidence)
            VALUES (${id}, ${key}, ${item.status}, ${item.kind}, ${item.runId}, ${item.createdAt}, ${item.updatedAt},
              ${encodeItem(item)}, ${encodeEvidence(shown)})
            ON CONFLICT DO NOTHING`
          // Another process may have inserted it first: its row is the item.
          const stored = yield* load(id)
          return { item: Option.getOrElse(stored, () => item), supersededAny: others.length > 0 }
        }).pipe(sql.withTransaction, storage("propose"))
        if (result.supersededAny) yield* Queue.offer(closed, undefined)
        return result.item
      }),
    find: (key, print) => storage("find")(load(itemId(key, print))),
    get,
    evidence: (id) =>
      sql<{ readonly evidence: string }>`SELECT evidence FROM ${sql(itemsTable)} WHERE id = ${id}`.pipe(
        Effect.flatMap((rows) =>
          rows.length === 0 ? Effect.succeed(Option.none()) : Effect.map(decodeEvidence(rows[0]!.evidence), Option.some)
        ),
        storage("evidence"),
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new ReviewNotFound({ id })),
          onSome: Effect.succeed
        }))
      ),
    list: (query = {}) =>
      Effect.gen(function*() {
        const limit = limitOf(query.limit)
        if (typeof limit !== "number") return yield* Effect.fail(limit)
        const cursor = decodeCursor(query.cursor)
        if (cursor instanceof ReviewInvalid) return yield* Effect.fail(cursor)
        const wanted = query.status ?? ["pending", "deferred"]
        if (wanted.length === 0) return { items: [] }
        const conditions = [
          sql.in("status", wanted),
          ...(query.kind === undefined ? [] : [sql`kind = ${query.kind}`]),
          ...(query.runId === undefined ? [] : [sql`run_id = ${query.runId}`]),
          ...(cursor === undefined ? [] : [
            sql`(created_at > ${cursor.createdAt} OR (created_at = ${cursor.createdAt} AND id > ${cursor.id}))`
          ])
        ]
        const rows = yield* sql<ItemRow>`SELECT item FROM ${sql(itemsTable)} WHERE ${sql.and(conditions)}
          ORDER BY created_at, id LIMIT ${limit + 1}`.pipe(Effect.flatMap(decodeRows), storage("list"))
        return page(rows, limit)
      }),
    counts: sql<{ readonly status: ReviewQueue.ReviewStatus; readonly n: number | string }>`
      SELECT status, COUNT(*) AS n FROM ${sql(itemsTable)} GROUP BY status`.pipe(
      Effect.map((rows) => {
        const counts = noCounts()
        for (const row of rows) if (row.status in counts) counts[row.status] = Number(row.n)
        return counts
      }),
      storage("counts")
    ),
    decide: (id, decision, by) =>
      Effect.gen(function*() {
        const invalid = validate(decision, by)
        if (invalid !== undefined) return yield* Effect.fail(invalid)
        const next = yield* Effect.gen(function*() {
          const item = yield* get(id)
          if (!isOpen(item.status)) return yield* Effect.fail(new ReviewClosed({ id, status: item.status }))
          const next = decided(item, decision, by, yield* nowIso)
          // Only while it is still the status read: two reviewers deciding at once, one wins.
          const updated = yield* sql<{ readonly id: string }>`UPDATE ${sql(itemsTable)}
            SET status = ${next.status}, updated_at = ${next.updatedAt}, item = ${encodeItem(next)}
            WHERE id = ${id} AND status = ${item.status} RETURNING id`.pipe(storage("decide"))
          if (updated.length === 0) {
            const now = yield* get(id)
            return yield* Effect.fail(new ReviewClosed({ id, status: now.status }))
          }
          return next
        })
        if (!isOpen(next.status)) yield* Queue.offer(closed, undefined)
        return next
      }),
    wait: (waiter) =>
      Effect.gen(function*() {
        // The waiter first, then the status: a decision in between still finds the waiter.
        yield* sql`INSERT INTO ${
          sql(waitersTable)
        } (token, item_id, woken) VALUES (${waiter.token}, ${waiter.itemId}, 0)
          ON CONFLICT DO NOTHING`.pipe(storage("wait"))
        const item = yield* get(waiter.itemId)
        return isOpen(item.status) ? "waiting" as const : "closed" as const
      }),
    toWake: sql<{ readonly token: string; readonly item_id: string }>`
      SELECT w.token, w.item_id FROM ${sql(waitersTable)} w JOIN ${sql(itemsTable)} i ON i.id = w.item_id
      WHERE w.woken = 0 AND i.status IN ('approved', 'rejected', 'superseded') ORDER BY i.updated_at, w.token`.pipe(
      Effect.map((rows) => rows.map((r) => ({ itemId: r.item_id, token: r.token }))),
      storage("toWake")
    ),
    woken: (token) =>
      Effect.asVoid(sql`UPDATE ${sql(waitersTable)} SET woken = 1 WHERE token = ${token}`).pipe(storage("woken")),
    closedSignal: Effect.zipRight(Queue.take(closed), Effect.asVoid(Queue.takeAll(closed))),
    purge: (before) =>
      Effect.gen(function*() {
        const cutoff = new Date(before).toISOString()
        const ids = yield* sql<{ readonly id: string }>`SELECT id FROM ${sql(itemsTable)}
          WHERE status IN ('approved', 'rejected', 'superseded') AND updated_at < ${cutoff}`
        if (ids.length === 0) return 0
        const list = ids.map((r) => r.id)
        yield* sql`DELETE FROM ${sql(waitersTable)} WHERE woken = 1 AND ${sql.in("item_id", list)}`
        yield* sql`DELETE FROM ${sql(itemsTable)} WHERE ${sql.in("id", list)}`
        return list.length
      }).pipe(sql.withTransaction, storage("purge"))
  }
  return service
})

/** @internal */
export const approver = (queue: ReviewQueue.Service, inner: Approver.Service): Approver.Service => ({
  decide: (request) =>
    Effect.gen(function*() {
      const print = fingerprint(request)
      // A refusal of the rules wins over any person's approval: the inner approver decides it.
      if (print === undefined || request.guard.verdict === "refuse") return yield* inner.decide(request)
      const found = yield* queue.find(pairKey(request), print)
      if (Option.isSome(found)) {
        const item = found.value
        const by = `reviewer:${item.decision?.by ?? "unknown"}`
        if (item.status === "approved") return new Approver.Approved({ by, reviewId: item.id })
        if (item.status === "rejected") {
          return new Approver.Rejected({
            by,
            reason: `reviewer rejected: ${item.decision?.reason ?? "other"}`,
            reviewId: item.id
          })
        }
        if (isOpen(item.status)) return new Approver.Undecided({ reason: "waiting for a review", reviewId: item.id })
      }
      const decision = yield* inner.decide(request)
      if (decision._tag !== "Deferred") return decision
      const item = yield* queue.propose({
        runId: request.runId ?? "",
        patientId: request.kind === "link" ? request.patientId : request.incomingPatientId,
        request,
        reason: decision.reason
      })
      return new Approver.Undecided({ reason: decision.reason, reviewId: item.id })
    }).pipe(
      Effect.catchAll((error) =>
        Effect.as(
          Effect.logWarning("review queue unavailable: deferring").pipe(Effect.annotateLogs({ error: error._tag })),
          new Approver.Undecided({ reason: "the review queue is unavailable" })
        )
      )
    )
})

// The carrier of the deferred's schema: the name comes from each waiter's token.
const reviewClosed = DurableDeferred.make("hero-effect/review-closed")

/**
 * Waits in a workflow until the item closes (or returns at once if it has, or if the queue
 * cannot register the wait: `false` then — end with the review outcome rather than hang).
 * @internal
 */
export const awaitDecision = (
  queue: ReviewQueue.Service,
  itemId: string,
  occurrence: number
): Effect.Effect<boolean, never, WorkflowEngine | WorkflowInstance> =>
  Effect.gen(function*() {
    const deferred = DurableDeferred.make(`review/${itemId}/${occurrence}`)
    const token = yield* DurableDeferred.token(deferred)
    const state = yield* Activity.make({
      name: `review-wait:${itemId}#${occurrence}`,
      success: Schema.Literal("waiting", "closed", "unavailable"),
      error: Schema.Never,
      execute: queue.wait({ itemId, token }).pipe(
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning("review wait not registered").pipe(Effect.annotateLogs({ error: error._tag })),
            "unavailable" as const
          )
        )
      )
    })
    if (state === "unavailable") return false
    if (state === "waiting") yield* DurableDeferred.await(deferred)
    return true
  })

/** @internal */
export const resumer = (queue: ReviewQueue.Service, options: ReviewQueue.ResumerOptions) =>
  Effect.gen(function*() {
    const interval = Duration.decode(options.pollInterval ?? "2 seconds")
    const wakeAll = Effect.gen(function*() {
      const waiting = yield* queue.toWake
      for (const waiter of waiting) {
        yield* DurableDeferred.done(reviewClosed, {
          token: waiter.token as DurableDeferred.Token,
          exit: Exit.void
        })
        yield* queue.woken(waiter.token)
      }
    }).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning("waking reviewed workflows failed; trying again").pipe(
          Effect.annotateLogs({ error: error._tag })
        )
      )
    )
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(wakeAll, Effect.race(queue.closedSignal, Effect.sleep(interval))))
    )
  })
