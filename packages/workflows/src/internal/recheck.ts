/** @internal */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
import { PatientId } from "@hero-effect/schema/Ids"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as PR from "../PatientRecheck.js"
import { EventStore } from "../PatientRecheck.js"
import { ProcessPatient } from "../ProcessPatient.js"
import { ensureTable } from "./sqlTable.js"

/** @internal */
export const table = "hero_webhook_events"

/** @internal */
export const RecheckEvent = Schema.Struct({ ...PatientWebhook.PatientWebhookEvent.fields, id: PatientId }).annotations({
  identifier: "RecheckEvent"
})

const storeError = (operation: "record" | "release") => (cause: unknown) =>
  new PatientWebhook.DeliveryStoreError({ operation, cause })

/** @internal */
export const makeMemory: Effect.Effect<PR.EventStoreService> = Effect.sync(() => {
  const rows = new Map<string, { patientId: string; startedAt: number | undefined }>()
  return {
    record: (key, event) =>
      Effect.sync(() => {
        if (rows.has(key)) return "duplicate" as const
        rows.set(key, { patientId: event.id, startedAt: undefined })
        return "new" as const
      }),
    release: (key) => Effect.sync(() => void rows.delete(key)),
    startedAfter: (patientId, millis) =>
      Effect.sync(() => {
        for (const row of rows.values()) {
          if (row.patientId === patientId && row.startedAt !== undefined && row.startedAt > millis) return true
        }
        return false
      }),
    markStarted: (key, at) =>
      Effect.sync(() => {
        const row = rows.get(key)
        if (row !== undefined) row.startedAt = at
      })
  }
})

/** @internal */
export const makeSql: Effect.Effect<PR.EventStoreService, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* ensureTable(sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
    delivery_key VARCHAR(64) PRIMARY KEY,
    patient_id VARCHAR(255) NOT NULL,
    practice_group_id VARCHAR(255) NOT NULL,
    received_at BIGINT NOT NULL,
    started_at BIGINT
  )`)
  yield* ensureTable(sql`CREATE INDEX IF NOT EXISTS hero_webhook_events_patient ON ${sql(table)} (patient_id)`)
  return {
    record: (key, event, info) =>
      sql`INSERT INTO ${sql(table)} (delivery_key, patient_id, practice_group_id, received_at)
        VALUES (${key}, ${event.id}, ${event.practiceGroupId}, ${info.receivedAtMillis})
        ON CONFLICT DO NOTHING RETURNING delivery_key`.pipe(
        Effect.map((rows) => rows.length > 0 ? "new" as const : "duplicate" as const),
        Effect.mapError(storeError("record"))
      ),
    release: (key) =>
      sql`DELETE FROM ${sql(table)} WHERE delivery_key = ${key}`.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("release"))
      ),
    startedAfter: (patientId, millis) =>
      sql<{ readonly n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}
        WHERE patient_id = ${patientId} AND started_at IS NOT NULL AND started_at > ${millis}`.pipe(
        Effect.map((rows) => Number(rows[0]?.n ?? 0) > 0),
        Effect.mapError(storeError("record"))
      ),
    markStarted: (key, at) =>
      sql`UPDATE ${sql(table)} SET started_at = ${at} WHERE delivery_key = ${key}`.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("record"))
      )
  }
})

/** @internal */
export const handler = (options: PR.HandlerOptions) => {
  const skewMillis = Duration.toMillis(options.skew ?? "1 second")
  return PatientWebhook.makeHandler({
    ...options,
    schema: RecheckEvent,
    onEvent: (event, deliveryKey, verified) =>
      Effect.gen(function*() {
        const store = yield* EventStore
        // A re-check that started after this event happened reads the record as it is since.
        if (yield* store.startedAfter(event.id, verified.timestampMillis + skewMillis)) {
          yield* Effect.logDebug("webhook delivery superseded by a later re-check")
          return
        }
        yield* ProcessPatient.execute({ runId: `recheck/${deliveryKey}`, patientId: event.id }, { discard: true })
        yield* store.markStarted(deliveryKey, yield* Clock.currentTimeMillis)
        yield* Effect.logDebug("webhook re-check started")
      })
  })
}
