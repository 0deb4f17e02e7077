/**
 * Where `ProcessPatient` keeps its executions: one layer choice, the same workflow code.
 *
 * - {@link layerMemory}: `WorkflowEngine.layerMemory` and claims in memory — nothing survives the
 *   process; for tests (under `TestClock`) and one-off runs.
 * - {@link layerSqlite}: the cluster workflow engine on one runner (`SingleRunner`, storage
 *   `sql`) over a SQLite file (`@effect/sql-sqlite-node`), with the write claims in a table of
 *   the same file. One process: after a crash, start the process again on the same file and the
 *   engine drives the unfinished executions by itself. A SQLite file cannot be shared by two
 *   processes.
 *
 * Each provides `WorkflowEngine` and `WriteAttempts`; provide `ProcessPatient.layer(options)`
 * (and the client, approver and lease layers) on top.
 *
 * Storage grows by about one message and one reply row per activity (under 1 KB each on SQLite)
 * and is not purged by the engine: {@link purgeOlderThan} (or {@link purge}) is the retention.
 *
 * @since 0.2.0
 */
import type { PersistenceError } from "@effect/cluster/ClusterError"
import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import { EntityAddress } from "@effect/cluster/EntityAddress"
import * as EntityId from "@effect/cluster/EntityId"
import { EntityType } from "@effect/cluster/EntityType"
import * as MessageStorage from "@effect/cluster/MessageStorage"
import type * as Runners from "@effect/cluster/Runners"
import * as Sharding from "@effect/cluster/Sharding"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type { PatientId } from "@hero-effect/schema/Ids"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ProcessPatient } from "./ProcessPatient.js"
import * as RunLedger from "./RunLedger.js"
import * as WriteAttempts from "./WriteAttempts.js"

/**
 * What an engine layer provides.
 *
 * @since 0.2.0
 * @category models
 */
export type Engine = WorkflowEngine.WorkflowEngine | WriteAttempts.WriteAttempts | RunLedger.RunLedger

/**
 * What a cluster engine layer provides besides: its sharding and message storage (for
 * {@link purge}).
 *
 * @since 0.2.0
 * @category models
 */
export type ClusterEngine = Engine | Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage

/**
 * In memory: not durable (for tests and one-off runs).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<Engine> = Layer.mergeAll(
  WorkflowEngine.layerMemory,
  WriteAttempts.layerMemory,
  RunLedger.layerMemory
)

/**
 * @since 0.2.0
 * @category models
 */
export interface SqliteOptions {
  /** The database file (`:memory:` for tests). */
  readonly filename: string
  /**
   * How often a waiting caller polls for an entity's reply (default 20 ms; the cluster's own
   * default, 200 ms, dominates the time per step).
   */
  readonly replyPollInterval?: Duration.DurationInput | undefined
}

/**
 * Durable, one process: the cluster workflow engine on a single runner, its messages, replies and
 * the write claims in one SQLite file. Its `SqlClient` is provided too, so what belongs with the
 * workflows goes in the same file (`ReviewQueue.layerSql`, `PatientRecheck` storage).
 *
 * With `ProcessPatient.layer({ reviews: "wait" })` patients wait for people's decisions here
 * durably: a wait outlives the process, and a new process on the same file (the review queue in
 * it) completes the executions whose items were decided while it was down.
 *
 * @example
 * ```ts
 * import { Approver, DurableEngine, ProcessPatient, ReviewQueue } from "@hero-effect/workflows"
 * import { Layer } from "effect"
 *
 * // The engine and the review queue in one SQLite file; patients wait on people's decisions
 * // (the automatic approver sends what it defers to the queue).
 * const engine = DurableEngine.layerSqlite({ filename: "engine.db" })
 * const workflows = ProcessPatient.layer({ reviews: "wait" }).pipe(
 *   Layer.provideMerge(ReviewQueue.layerApprover(Approver.automatic)),
 *   Layer.provideMerge(ReviewQueue.layerSql),
 *   Layer.provideMerge(engine)
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqlite = (
  options: SqliteOptions
): Layer.Layer<ClusterEngine | SqlClient.SqlClient, ConfigError.ConfigError | SqlError> =>
  Layer.mergeAll(ClusterWorkflowEngine.layer, WriteAttempts.layerSql, RunLedger.layerSql).pipe(
    Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "sql",
      shardingConfig: { entityReplyPollInterval: options.replyPollInterval ?? "20 millis" }
    })),
    Layer.provideMerge(SqliteClient.layer({ filename: options.filename }))
  )

/**
 * What {@link purge} did: executions deleted, and patients skipped because their execution has
 * not finished (or never ran, or was purged before).
 *
 * @since 0.2.0
 * @category models
 */
export interface PurgeReport {
  readonly purged: number
  readonly skipped: number
}

/**
 * Retention: deletes what a cluster engine keeps of a run's finished executions — for each
 * patient whose `ProcessPatient` execution of `runId` is complete, its messages and replies (the
 * records it read, its decisions and outcome) and its write claims. Unfinished executions are
 * kept. The same run id processes a purged patient again (against the world as it is then).
 * Choose the runs by their age yourself (run ids with a date work well).
 *
 * @since 0.2.0
 * @category retention
 */
export const purge = (
  runId: string,
  patientIds: Iterable<PatientId>
): Effect.Effect<PurgeReport, PersistenceError, ClusterEngine> =>
  Effect.gen(function*() {
    const sharding = yield* Sharding.Sharding
    const storage = yield* MessageStorage.MessageStorage
    const attempts = yield* WriteAttempts.WriteAttempts
    const ledger = yield* RunLedger.RunLedger
    const shardGroup = Context.get(ProcessPatient.annotations, ClusterSchema.ShardGroup)
    const entityType = EntityType.make(`Workflow/${ProcessPatient.name}`)
    const purged: Array<string> = []
    const purgedPatients: Array<PatientId> = []
    let skipped = 0
    for (const patientId of patientIds) {
      const executionId = yield* ProcessPatient.executionId({ runId, patientId })
      const result = yield* ProcessPatient.poll(executionId)
      if (result === undefined || result._tag !== "Complete") {
        skipped++
        continue
      }
      const entityId = EntityId.make(executionId)
      yield* storage.clearAddress(
        new EntityAddress({ entityType, entityId, shardId: sharding.getShardId(entityId, shardGroup(entityId)) })
      )
      purged.push(executionId)
      purgedPatients.push(patientId)
    }
    yield* attempts.forget(purged)
    yield* ledger.forget(runId, purgedPatients)
    return { purged: purged.length, skipped }
  })

/**
 * What {@link purgeOlderThan} did: per run, executions purged and skipped (unfinished).
 *
 * @since 0.2.0
 * @category models
 */
export interface AgePurgeReport extends PurgeReport {
  /** The runs that had executions first submitted before the cutoff, oldest first. */
  readonly runs: ReadonlyArray<{ readonly runId: string } & PurgeReport>
}

/**
 * Retention by age: {@link purge} for every execution first submitted more than `age` ago (as
 * `RunLedger` recorded it when `ProcessPatient.runDurable` submitted it), run by run. Unfinished
 * executions are kept (and found again by the next purge). Executions submitted some other way
 * than `runDurable` are not in the ledger: purge those by id.
 *
 * Run it while no worker is processing the runs it purges (from a scheduled job, say: `durable.ts
 * --purge-older-than 30d` in the examples).
 *
 * @example
 * ```ts
 * import { DurableEngine } from "@hero-effect/workflows"
 * import { Effect } from "effect"
 *
 * // Keep 30 days of finished executions in engine.db.
 * const retention = DurableEngine.purgeOlderThan("30 days").pipe(
 *   Effect.provide(DurableEngine.layerSqlite({ filename: "engine.db" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category retention
 */
export const purgeOlderThan = (
  age: Duration.DurationInput
): Effect.Effect<AgePurgeReport, PersistenceError, ClusterEngine> =>
  Effect.gen(function*() {
    const ledger = yield* RunLedger.RunLedger
    const now = yield* Clock.currentTimeMillis
    const entries = yield* ledger.submittedBefore(now - Duration.toMillis(age))
    const byRun = new Map<string, Array<PatientId>>()
    for (const entry of entries) {
      const ids = byRun.get(entry.runId)
      if (ids === undefined) byRun.set(entry.runId, [entry.patientId])
      else ids.push(entry.patientId)
    }
    const runs: Array<{ readonly runId: string } & PurgeReport> = []
    for (const [runId, ids] of byRun) runs.push({ runId, ...(yield* purge(runId, ids)) })
    return {
      runs,
      purged: runs.reduce((n, r) => n + r.purged, 0),
      skipped: runs.reduce((n, r) => n + r.skipped, 0)
    }
  })
