// ProcessPatient on PostgreSQL (one worker: the cluster engine on a socket runner, storage in
// Postgres): the JSONL pipeline's outcomes and writes, and a new worker on the same database returns
// the stored outcomes without a request. The test starts its own PostgreSQL (support/postgresServer:
// initdb on a free loopback port) or uses HERO_TEST_POSTGRES_URL; it skips without either, except
// with CI set. Real clock.
import { describe, expect, it } from "@effect/vitest"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import { Effect } from "effect"
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
})
