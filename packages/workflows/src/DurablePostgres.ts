/**
 * `ProcessPatient` on PostgreSQL, for several workers: the cluster workflow engine on runners that
 * talk over sockets (`NodeClusterSocket`, storage `sql`), with messages, replies, shard locks
 * (advisory locks) and the write claims (`hero_write_attempts`) in one database. Each worker
 * process names the address other runners reach it at; the shards, hence the patients, are
 * spread over the workers, and when one dies the others take its shards over and drive its
 * unfinished executions.
 *
 * Tested with one worker (`test/DurablePostgres.test.ts`). With several, each execution runs on
 * one runner at a time and every write still claims its key in the shared table, but the
 * pipeline's leases (`PatientLease.layerMemory`) are per process: two duplicates processed on two
 * workers are not serialised with each other (a merge racing its survivor's link is refused as
 * stale and goes to review). A lease shared through the database is not written yet.
 *
 * Not exported from the package's index: it needs the optional peers `@effect/sql-pg` and
 * `@effect/platform-node`. Import it as `@hero-effect/workflows/DurablePostgres`.
 *
 * @since 0.2.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import type * as SocketServer from "@effect/platform/SocketServer"
import * as PgClient from "@effect/sql-pg/PgClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as DurableEngine from "./DurableEngine.js"
import * as WriteAttempts from "./WriteAttempts.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The database (`postgres://…`); redacted in logs and errors. */
  readonly url: Redacted.Redacted | string
  /** Where the other runners reach this one (a loopback or private address and a free port). */
  readonly runnerAddress: { readonly host: string; readonly port: number }
  /** How often a waiting caller polls for an entity's reply (default 20 ms). */
  readonly replyPollInterval?: Duration.DurationInput | undefined
}

/**
 * One worker on PostgreSQL.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<DurableEngine.ClusterEngine, ConfigError.ConfigError | SqlError | SocketServer.SocketServerError> =>
  Layer.merge(ClusterWorkflowEngine.layer, WriteAttempts.layerSql).pipe(
    Layer.provideMerge(NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: {
        runnerAddress: Option.some(RunnerAddress.make(options.runnerAddress.host, options.runnerAddress.port)),
        entityReplyPollInterval: options.replyPollInterval ?? "20 millis"
      }
    })),
    Layer.provide(PgClient.layer({
      url: typeof options.url === "string" ? Redacted.make(options.url) : options.url
    }))
  )
