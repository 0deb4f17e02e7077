/**
 * `ProcessPatient` on PostgreSQL, for several workers: the cluster workflow engine on runners that
 * talk over sockets (`NodeClusterSocket`, storage `sql`), with messages, replies, shard locks
 * (advisory locks) and the write claims (`hero_write_attempts`) in one database. Each worker
 * process names the address other runners reach it at; the shards, hence the patients, are
 * spread over the workers, and when one dies the others take its shards over and drive its
 * unfinished executions.
 *
 * Each execution runs on one runner at a time (the shard's owner); every write claims its key in
 * the shared table; and the pipeline's leases (`PatientLease`) are PostgreSQL advisory locks
 * ({@link layerLease}, included in {@link layer}), so a patient and a merge pair are held across
 * workers, not only within one: two duplicates processed on two workers take turns. A worker that
 * dies loses its database session and with it its locks; its shards go to the others, which drive
 * its unfinished executions (see `test/DurablePostgres.test.ts` and the multi-worker crash test of
 * the examples).
 *
 * Not exported from the package's index: it needs the optional peers `@effect/sql-pg` and
 * `@effect/platform-node`. Import it as `@hero-effect/workflows/DurablePostgres`.
 *
 * @since 0.2.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as SocketServer from "@effect/platform/SocketServer"
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"
import type * as DurableEngine from "./DurableEngine.js"
import * as internal from "./internal/pgLease.js"
import * as PatientLease from "./PatientLease.js"
import * as RunLedger from "./RunLedger.js"
import * as WriteAttempts from "./WriteAttempts.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The database (`postgres://…`); redacted in logs and errors. */
  readonly url: Redacted.Redacted | string
  /**
   * Where the other runners reach this one: a loopback or private address, and a port (omitted or
   * 0: a port of `host` that is free when the layer is built).
   */
  readonly runnerAddress: { readonly host: string; readonly port?: number | undefined }
  /** How often a waiting caller polls for an entity's reply (default 20 ms). */
  readonly replyPollInterval?: Duration.DurationInput | undefined
}

/**
 * Leases shared by every process on the database: PostgreSQL session advisory locks
 * (`pg_try_advisory_lock(int4, int4)`, the second number the key's `hashtext`) on one connection
 * reserved for the service's lifetime, behind the in-memory table that orders this process's own
 * fibers. An acquire takes all its keys or none and tries again after a pause growing from 10 ms
 * to 250 ms; a process that dies loses its session and its locks with it.
 *
 * If the reserved connection fails, the lease can no longer be trusted: the acquiring fiber dies
 * (a defect), it does not go on unprotected.
 *
 * @example
 * ```ts
 * import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
 * import { PatientLease } from "@hero-effect/workflows"
 * import { PgClient } from "@effect/sql-pg"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // Two processes running this hold "patient:1" in turn.
 * const program = PatientLease.withLease([PatientLease.patientKey("1")])(Effect.log("mine"))
 * const lease = DurablePostgres.layerLease.pipe(
 *   Layer.provide(PgClient.layer({ url: Redacted.make("postgres://postgres@127.0.0.1:5432/postgres") }))
 * )
 * Effect.runPromise(Effect.provide(program, lease))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeLease: Effect.Effect<PatientLease.Service, SqlError, SqlClient.SqlClient | Scope.Scope> = Effect
  .flatMap(
    PatientLease.makeMemory,
    (local) => internal.make(local, (keys) => new PatientLease.LeaseUnavailable({ keys }))
  )

/**
 * {@link makeLease} as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerLease: Layer.Layer<PatientLease.PatientLease, SqlError, SqlClient.SqlClient> = Layer.scoped(
  PatientLease.PatientLease,
  makeLease
)

/**
 * One worker on PostgreSQL: the engine, the write claims and the shared leases (so do not provide
 * `PatientLease.layerMemory` beside it), and its `SqlClient` for what belongs with the workflows
 * (`ReviewQueue.layerSql`: every worker sees the same queue).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  DurableEngine.ClusterEngine | PatientLease.PatientLease | SqlClient.SqlClient,
  ConfigError.ConfigError | SqlError | SocketServer.SocketServerError
> =>
  Layer.unwrapEffect(
    Effect.map(
      options.runnerAddress.port === undefined || options.runnerAddress.port === 0
        ? freePort(options.runnerAddress.host)
        : Effect.succeed(options.runnerAddress.port),
      (port) => layerAt(options, port)
    )
  )

/**
 * A port of `host` free a moment ago (bound to port 0, then closed). Another process could take it
 * before the runner listens; the runner's layer then fails to build rather than share it.
 */
const freePort = (host: string): Effect.Effect<number, SocketServer.SocketServerError> =>
  Effect.async<number, SocketServer.SocketServerError>((resume) => {
    const server = Net.createServer()
    server.once("error", (cause) => resume(Effect.fail(new SocketServer.SocketServerError({ reason: "Open", cause }))))
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resume(Effect.succeed(port)))
    })
  })

// Workers started together on a fresh database race to create @effect/cluster's migrations table:
// PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe under concurrency (42P07 "relation … already
// exists", or 23505 on pg_type). The migrations themselves then run under a table lock, so the
// loser only has to build again. Any other failure is not retried.
const createRaceCodes = new Set(["42P07", "23505"])
const isCreateRace = (error: unknown): boolean => {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 6; depth++) {
    const { cause, code, message } = e as {
      readonly code?: unknown
      readonly message?: unknown
      readonly cause?: unknown
    }
    if (typeof code === "string" && createRaceCodes.has(code)) return true
    if (typeof message === "string" && /already exists|duplicate key value/.test(message)) return true
    e = cause
  }
  return false
}

// The race surfaces as a failure or, from some of the cluster's storages, as a defect: either way it
// becomes this for the retry, and what is left after the last attempt is the original cause.
class CreateRace {
  constructor(readonly cause: Cause.Cause<unknown>) {}
}
const createRaceRetry = Schedule.exponential("50 millis").pipe(
  Schedule.intersect(Schedule.recurs(5)),
  Schedule.whileInput((error: unknown) => error instanceof CreateRace)
)
const retryCreateRace = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> => {
  const typed: Layer.Layer<A, E | CreateRace, R> = Layer.catchAllCause(
    layer,
    (cause): Layer.Layer<A, E | CreateRace, R> =>
      isCreateRace(Cause.squash(cause)) ? Layer.fail(new CreateRace(cause)) : Layer.failCause(cause)
  )
  return Layer.catchAllCause(
    Layer.retry(typed, createRaceRetry),
    (cause): Layer.Layer<A, E, R> => {
      const failure = Cause.failureOption(cause)
      return Layer.failCause(
        failure._tag === "Some" && failure.value instanceof CreateRace
          ? failure.value.cause as Cause.Cause<E>
          : cause as Cause.Cause<E>
      )
    }
  )
}

const layerAt = (options: Options, port: number) =>
  retryCreateRace(
    Layer.mergeAll(ClusterWorkflowEngine.layer, WriteAttempts.layerSql, RunLedger.layerSql, layerLease).pipe(
      Layer.provideMerge(NodeClusterSocket.layer({
        storage: "sql",
        shardingConfig: {
          runnerAddress: Option.some(RunnerAddress.make(options.runnerAddress.host, port)),
          entityReplyPollInterval: options.replyPollInterval ?? "20 millis"
        }
      })),
      Layer.provideMerge(PgClient.layer({
        url: typeof options.url === "string" ? Redacted.make(options.url) : options.url
      }))
    )
  )
