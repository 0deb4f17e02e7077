import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import type * as PatientLease from "../PatientLease.js"

/**
 * The first half of every advisory lock this library takes (`pg_try_advisory_lock(int4, int4)`),
 * the second being `hashtext(key)`: "HERO" in ASCII. The two-integer form lives apart from the
 * one-bigint form the cluster uses for its shard locks.
 * @internal
 */
export const namespace = 0x4845524f

const normalise = (keys: Iterable<string>): ReadonlyArray<string> => Array.from(new Set(keys)).sort()

/** How long a waiting `acquire` sleeps between attempts: 10 ms doubling to 250 ms. @internal */
const retry = Schedule.exponential(Duration.millis(10), 2).pipe(
  Schedule.modifyDelay((d) => Duration.min(d, Duration.millis(250)))
)

/**
 * Leases on PostgreSQL session advisory locks, over one connection reserved for the layer's
 * lifetime. In-process exclusion first (the memory table: fibers of this process take turns, so
 * the session never holds a key twice), then the advisory locks (processes take turns). A process
 * that dies loses its session, hence its locks: nothing to expire. All keys of one acquire are
 * tried at once and given back if any is taken (no hold-and-wait, so no deadlock across
 * processes), then tried again after a growing pause.
 *
 * A lock attempt and its bookkeeping are uninterruptible (an interrupted query could leave a lock
 * taken that no one releases); only the pause between attempts is interruptible.
 * @internal
 */
export const make = (
  local: PatientLease.Service,
  onHeld: (keys: ReadonlyArray<string>) => PatientLease.LeaseUnavailable
): Effect.Effect<PatientLease.Service, SqlError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const connection = yield* sql.reserve
    const run = (text: string, key: string) =>
      connection.execute(text, [namespace, key], undefined).pipe(
        // The lease connection failing leaves no lease to trust: a defect, not a patient outcome.
        Effect.orDie
      )
    const lockOne = (key: string) =>
      Effect.map(
        run("SELECT pg_try_advisory_lock($1::int4, hashtext($2::text)) AS ok", key),
        (rows) => (rows[0] as { readonly ok?: unknown } | undefined)?.ok === true
      )
    const unlockOne = (key: string) =>
      run("SELECT pg_advisory_unlock($1::int4, hashtext($2::text)) AS ok", key).pipe(Effect.asVoid)

    /** Takes every key or none: the keys it could not take, empty when it took them all. */
    const lockAll = (keys: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const taken: Array<string> = []
        for (const key of keys) {
          if (yield* lockOne(key)) {
            taken.push(key)
            continue
          }
          yield* Effect.forEach(taken, unlockOne, { discard: true })
          return keys.filter((k) => !taken.includes(k))
        }
        return []
      }).pipe(Effect.uninterruptible)

    const releaseAll = (keys: ReadonlyArray<string>) => Effect.forEach(keys, unlockOne, { discard: true })

    /**
     * {@link lockAll}, and when it took every key, the finalizer that gives them back — in one
     * uninterruptible step, so an interruption cannot fall between the two and leave locks taken.
     */
    const lockAllHeld = (keys: ReadonlyArray<string>) =>
      Effect.uninterruptible(
        Effect.tap(
          lockAll(keys),
          (missing) => missing.length === 0 ? Effect.addFinalizer(() => releaseAll(keys)) : Effect.void
        )
      )

    /** In a child scope of the caller's: released at once when it fails half-way. */
    const inChild = <E>(effect: Effect.Effect<void, E, Scope.Scope>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const scope = yield* Effect.scope
          const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
          const exit = yield* Effect.exit(restore(effect).pipe(Scope.extend(child)))
          if (Exit.isFailure(exit)) {
            yield* Scope.close(child, exit)
            return yield* exit
          }
        })
      )

    return {
      acquire: (keys) =>
        inChild(Effect.gen(function*() {
          const sorted = normalise(keys)
          yield* local.acquire(sorted)
          yield* lockAllHeld(sorted).pipe(
            Effect.filterOrFail((missing) => missing.length === 0),
            Effect.retry(retry),
            Effect.orDie
          )
        })),
      tryAcquire: (keys) =>
        inChild(Effect.gen(function*() {
          const sorted = normalise(keys)
          yield* local.tryAcquire(sorted)
          const missing = yield* lockAllHeld(sorted)
          if (missing.length > 0) return yield* Effect.fail(onHeld(missing))
        }))
    }
  })
