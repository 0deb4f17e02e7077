/**
 * Which write activities have started: what tells a write's first execution from a
 * re-execution. A workflow engine runs activities at least once — the one in flight at a crash
 * runs again — and the Hero API takes no idempotency key, so a connect or merge claims its key
 * here (durably) before it sends anything; an execution that finds its key claimed already
 * reads the records and verifies (`Verify`) before it writes again, and writes only if the
 * write had not applied. The happy path costs no extra request.
 *
 * Keys are `Activity.idempotencyKey` digests of the execution and the activity: no patient data.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ensureTable } from "./internal/sqlTable.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * Records that the write named by `key` is about to be sent: `true` the first time (durable
   * when it returns), `false` when an earlier execution claimed it already.
   */
  readonly claim: (executionId: string, key: string) => Effect.Effect<boolean>
  /** Forgets the claims of finished executions (see `DurableEngine.purge`). */
  readonly forget: (executionIds: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class WriteAttempts extends Context.Tag("@hero-effect/workflows/WriteAttempts")<WriteAttempts, Service>() {}

/**
 * Claims in memory: for `WorkflowEngine.layerMemory` (whose executions die with the process) and
 * tests.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const claimed = new Map<string, Set<string>>()
  return {
    claim: (executionId, key) =>
      Effect.sync(() => {
        let keys = claimed.get(executionId)
        if (keys === undefined) claimed.set(executionId, keys = new Set())
        if (keys.has(key)) return false
        keys.add(key)
        return true
      }),
    forget: (executionIds) => Effect.sync(() => executionIds.forEach((id) => claimed.delete(id)))
  }
})

/**
 * The table the SQL claims live in.
 *
 * @since 0.2.0
 * @category constants
 */
export const table = "hero_write_attempts"

/**
 * Claims in a SQL table beside the engine's own (`hero_write_attempts`: the key, its execution and
 * when it was claimed, in epoch milliseconds), created if missing. `INSERT … ON CONFLICT DO NOTHING
 * RETURNING` tells the first claim from a later one in one statement, on SQLite and PostgreSQL.
 * A claim that cannot be stored is a defect: the write is then not sent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeSql: Effect.Effect<Service, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* ensureTable(sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
    key VARCHAR(255) PRIMARY KEY,
    execution_id VARCHAR(255) NOT NULL,
    claimed_at BIGINT NOT NULL
  )`)
  return {
    claim: (executionId, key) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          sql`INSERT INTO ${sql(table)} (key, execution_id, claimed_at) VALUES (${key}, ${executionId}, ${now})
          ON CONFLICT DO NOTHING RETURNING key`
      ).pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie
      ),
    forget: (executionIds) =>
      executionIds.length === 0
        ? Effect.void
        : Effect.orDie(sql`DELETE FROM ${sql(table)} WHERE ${sql.in("execution_id", executionIds)}`)
  }
})

/**
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<WriteAttempts> = Layer.effect(WriteAttempts, makeMemory)

/**
 * @since 0.2.0
 * @category layers
 */
export const layerSql: Layer.Layer<WriteAttempts, SqlError, SqlClient.SqlClient> = Layer.effect(WriteAttempts, makeSql)
