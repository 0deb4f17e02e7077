/**
 * When each execution of a run was first submitted: what retention by age reads. The workflow
 * engine's own tables say which executions exist but not when they began, so
 * `ProcessPatient.runDurable` records each `(runId, patientId)` here the first time it submits it
 * (later submissions — a resumed run, another worker — keep the first time), and
 * `DurableEngine.purgeOlderThan` finds the runs to purge from it.
 *
 * Rows hold a run id, a patient id and a time: no patient data.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { PatientId } from "@hero-effect/schema/Ids"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { ensureTable } from "./internal/sqlTable.js"

/**
 * One recorded execution.
 *
 * @since 0.2.0
 * @category models
 */
export interface Entry {
  readonly runId: string
  readonly patientId: PatientId
  /** When it was first submitted, in epoch milliseconds of the `Clock`. */
  readonly submittedAt: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** Records the submission of a run's patient, keeping the first time if it was recorded before. */
  readonly submitted: (runId: string, patientId: PatientId) => Effect.Effect<void>
  /** Every execution first submitted before `cutoffMillis`, oldest first. */
  readonly submittedBefore: (cutoffMillis: number) => Effect.Effect<ReadonlyArray<Entry>>
  /** Forgets the named executions of a run (once purged). */
  readonly forget: (runId: string, patientIds: ReadonlyArray<PatientId>) => Effect.Effect<void>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class RunLedger extends Context.Tag("@hero-effect/workflows/RunLedger")<RunLedger, Service>() {}

/**
 * The ledger in memory (for `DurableEngine.layerMemory` and tests).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const entries = new Map<string, Entry>()
  const keyOf = (runId: string, patientId: string) => JSON.stringify([runId, patientId])
  return {
    submitted: (runId, patientId) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          const key = keyOf(runId, patientId)
          if (!entries.has(key)) entries.set(key, { runId, patientId, submittedAt: now })
        })),
    submittedBefore: (cutoff) =>
      Effect.sync(() =>
        [...entries.values()].filter((e) => e.submittedAt < cutoff).sort((a, b) =>
          a.submittedAt - b.submittedAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0)
        )
      ),
    forget: (runId, patientIds) => Effect.sync(() => patientIds.forEach((id) => entries.delete(keyOf(runId, id))))
  }
})

/**
 * The table the SQL ledger lives in.
 *
 * @since 0.2.0
 * @category constants
 */
export const table = "hero_run_ledger"

// The rows as read back: the patient id decoded (only `submitted` writes it, from a `PatientId`),
// and the time a number (PostgreSQL returns BIGINT as a string).
const decodeRows = Schema.decodeUnknown(Schema.Array(Schema.Struct({
  run_id: Schema.String,
  patient_id: PatientId,
  submitted_at: Schema.Union(Schema.Number, Schema.NumberFromString)
})))

/**
 * The ledger in a SQL table beside the engine's (`hero_run_ledger`), created if missing; the same
 * statements on SQLite and PostgreSQL. A submission that cannot be recorded is a defect (the
 * execution would then escape retention).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSql: Effect.Effect<Service, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* ensureTable(sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
    run_id VARCHAR(255) NOT NULL,
    patient_id VARCHAR(255) NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, patient_id)
  )`)
  return {
    submitted: (runId, patientId) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql`INSERT INTO ${sql(table)} (run_id, patient_id, submitted_at) VALUES (${runId}, ${patientId}, ${now})
          ON CONFLICT DO NOTHING`
      ).pipe(Effect.asVoid, Effect.orDie),
    submittedBefore: (cutoff) =>
      sql`
        SELECT run_id, patient_id, submitted_at FROM ${sql(table)}
        WHERE submitted_at < ${cutoff} ORDER BY submitted_at, run_id, patient_id`.pipe(
        Effect.flatMap(decodeRows),
        Effect.map((rows) =>
          rows.map((r) => ({ runId: r.run_id, patientId: r.patient_id, submittedAt: r.submitted_at }))
        ),
        Effect.orDie
      ),
    forget: (runId, patientIds) =>
      patientIds.length === 0
        ? Effect.void
        : Effect.orDie(sql`DELETE FROM ${sql(table)} WHERE run_id = ${runId} AND ${sql.in("patient_id", patientIds)}`)
  }
})

/**
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<RunLedger> = Layer.effect(RunLedger, makeMemory)

/**
 * @since 0.2.0
 * @category layers
 */
export const layerSql: Layer.Layer<RunLedger, SqlError, SqlClient.SqlClient> = Layer.effect(RunLedger, makeSql)
