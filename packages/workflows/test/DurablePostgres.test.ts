// ProcessPatient on PostgreSQL (one worker: the cluster engine on a socket runner, storage in
// Postgres): the JSONL pipeline's outcomes and writes, and a new worker on the same database returns
// the stored outcomes without a request. The test starts its own PostgreSQL (support/postgresServer:
// initdb on a free loopback port) or uses HERO_TEST_POSTGRES_URL; it skips without either, except
// with CI set. Real clock.
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import { Effect, Layer, Redacted } from "effect"
import { durable, durableWorld, reference, sandboxLayer } from "./support/durable.js"
import { postgresServer, skipPostgres } from "./support/postgresServer.js"

const world = () => sandboxLayer({ patients: 20 })

describe("ProcessPatient on PostgreSQL", () => {
  it.scopedLive.skipIf(skipPostgres)(
    "the JSONL pipeline's outcomes and writes; another worker on the database asks nothing for the same run",
    () =>
      Effect.gen(function*() {
        const { url } = yield* postgresServer
        const runId = `pg-${Date.now().toString(36)}`
        const expected = yield* reference(world())
        // No port: the layer picks a free one.
        const engine = () => DurablePostgres.layer({ url, runnerAddress: { host: "127.0.0.1" } })
        const first = yield* durable(runId).pipe(Effect.provide(durableWorld(engine(), world())))
        expect(first.report.patients).toStrictEqual(expected.report.patients)
        expect(first.writes.map(({ at: _at, ...w }) => w)).toStrictEqual(expected.writes.map(({ at: _at, ...w }) => w))
        const second = yield* durable(runId, 4).pipe(Effect.provide(durableWorld(engine(), world())))
        expect(second.report.patients).toStrictEqual(first.report.patients)
        expect(second.requests).toBe(0)
      }),
    900_000
  )

  it.scopedLive.skipIf(skipPostgres)(
    "workers that start together on a fresh database all start (the race to create the cluster's tables)",
    () =>
      Effect.gen(function*() {
        const { url } = yield* postgresServer
        const admin = PgClient.layer({ url: Redacted.make(url) })
        // Without the retry a round loses a worker to 42P07 / 23505 about one time in five (a race:
        // this test can pass without it; the multi-worker crash test of the examples met it in CI).
        for (let round = 0; round < 6; round++) {
          // A database of its own, so nothing has created the cluster's tables yet.
          const fresh = `fresh_${round}_${Date.now().toString(36)}`
          yield* Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(`CREATE DATABASE ${fresh}`)).pipe(
            Effect.provide(admin),
            Effect.scoped
          )
          const freshUrl = `${url.replace(/\/[^/]*$/, "")}/${fresh}`
          // Built at once, as a supervisor starting its workers: each must build. Released after
          // the round, so the rounds' connections never add up past the server's limit.
          const built = yield* Effect.scoped(Effect.all(
            Array.from({ length: 8 }, () =>
              Layer.build(DurablePostgres.layer({ url: freshUrl, runnerAddress: { host: "127.0.0.1" } })).pipe(
                Effect.sandbox,
                Effect.either
              )),
            { concurrency: "unbounded" }
          ))
          expect(
            built.map((b) =>
              b._tag
            ),
            `round ${round}`
          ).toStrictEqual(Array(8).fill("Right"))
        }
      }),
    900_000
  )
})
