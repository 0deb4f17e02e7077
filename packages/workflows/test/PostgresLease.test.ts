// PatientLease on PostgreSQL advisory locks (DurablePostgres.layerLease): two services on their own
// connection pools stand for two worker processes. What one holds the other cannot take; a waiting
// acquire gets the key when the holder releases it; a holder whose database session ends (its
// process died) frees its keys; keys are taken all or none. Events, not timers: each step waits for
// the previous one to have happened. Real PostgreSQL (support/postgresServer), real clock.
import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, expect, it } from "@effect/vitest"
import { PatientLease } from "@hero-effect/workflows"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Redacted, Schedule, Scope } from "effect"
import { postgresServer, skipPostgres } from "./support/postgresServer.js"

/** One "process": a lease service on its own pool, alive until `close`. */
const worker = (url: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(
      DurablePostgres.layerLease.pipe(Layer.provide(PgClient.layer({ url: Redacted.make(url) }))),
      scope
    )
    return { lease: Context.get(context, PatientLease.PatientLease), close: Scope.close(scope, Exit.void) }
  })

const heldBy = (lease: PatientLease.Service, keys: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Scope.extend(lease.acquire(keys), scope)
    return Scope.close(scope, Exit.void)
  })

const tryTake = (lease: PatientLease.Service, keys: ReadonlyArray<string>) =>
  Effect.scoped(Effect.either(lease.tryAcquire(keys)))

describe("PatientLease on PostgreSQL advisory locks", () => {
  it.scopedLive.skipIf(skipPostgres)(
    "two processes: held, waited for, handed over, freed when a process dies",
    () =>
      Effect.gen(function*() {
        const { url } = yield* postgresServer
        const a = yield* worker(url)
        const b = yield* worker(url)
        const key = PatientLease.patientKey("9000000001")

        // A holds it: B cannot take it.
        const releaseA = yield* heldBy(a.lease, [key])
        const refused = yield* tryTake(b.lease, [key])
        expect(refused._tag).toBe("Left")
        if (refused._tag === "Left") expect(refused.left.keys).toStrictEqual([key])

        // B waits; A releases; B gets it.
        const gotIt = yield* Deferred.make<void>()
        const waiting = yield* Effect.fork(
          Effect.scoped(Effect.zipRight(b.lease.acquire([key]), Deferred.succeed(gotIt, undefined)))
        )
        expect(yield* Deferred.isDone(gotIt)).toBe(false)
        yield* releaseA
        yield* Deferred.await(gotIt)
        yield* Fiber.join(waiting)

        // All or none: A holds one of B's two keys, so B takes neither.
        const other = PatientLease.patientKey("9000000002")
        const releaseOther = yield* heldBy(a.lease, [other])
        expect((yield* tryTake(b.lease, [key, other]))._tag).toBe("Left")
        yield* releaseOther
        expect((yield* tryTake(a.lease, [key]))._tag).toBe("Right")

        // A process that dies (its pool and session gone) frees what it held.
        yield* heldBy(a.lease, [key])
        expect((yield* tryTake(b.lease, [key]))._tag).toBe("Left")
        yield* a.close
        // The server ends A's session when it sees the connection close: soon, not at once.
        const afterDeath = yield* tryTake(b.lease, [key]).pipe(
          Effect.filterOrFail((e) => e._tag === "Right"),
          Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("120 seconds"))),
          Effect.either
        )
        expect(afterDeath._tag).toBe("Right")

        // Within one process, fibers take turns too (the memory table in front).
        const releaseB = yield* heldBy(b.lease, [key])
        expect((yield* tryTake(b.lease, [key]))._tag).toBe("Left")
        yield* releaseB
        yield* b.close
      }),
    900_000
  )

  it.scopedLive.skipIf(skipPostgres)("an interrupted wait leaves nothing held", () =>
    Effect.gen(function*() {
      const { url } = yield* postgresServer
      const a = yield* worker(url)
      const b = yield* worker(url)
      const key = PatientLease.patientKey("9000000003")
      const releaseA = yield* heldBy(a.lease, [key])
      const waiting = yield* Effect.fork(Effect.scoped(b.lease.acquire([key])))
      yield* Fiber.interrupt(waiting)
      yield* releaseA
      expect((yield* tryTake(a.lease, [key]))._tag).toBe("Right")
      expect((yield* tryTake(b.lease, [key]))._tag).toBe("Right")
      yield* a.close
      yield* b.close
    }), 900_000)
})
