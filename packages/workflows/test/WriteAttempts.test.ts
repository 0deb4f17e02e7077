// The claims that tell a write's first execution from a re-execution: the first claim of a key
// wins, every later one (another execution of the same activity) loses, durably in SQL; a purge
// forgets the claims of finished executions only.
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { WriteAttempts } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"

const claims = Effect.gen(function*() {
  const attempts = yield* WriteAttempts.WriteAttempts
  const first = yield* attempts.claim("exec-1", "key-a")
  const again = yield* attempts.claim("exec-1", "key-a")
  const other = yield* attempts.claim("exec-2", "key-b")
  yield* attempts.forget(["exec-1"])
  const afterForget = yield* attempts.claim("exec-1", "key-a")
  const keptOther = yield* attempts.claim("exec-2", "key-b")
  return { first, again, other, afterForget, keptOther }
})

const expected = { first: true, again: false, other: true, afterForget: true, keptOther: false }

describe("WriteAttempts", () => {
  it.effect("in memory", () =>
    Effect.map(claims, (r) => expect(r).toStrictEqual(expected)).pipe(
      Effect.provide(WriteAttempts.layerMemory)
    ))

  it.effect("in SQL (SQLite), created if missing", () =>
    Effect.map(claims, (r) => expect(r).toStrictEqual(expected)).pipe(
      Effect.provide(WriteAttempts.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" }))))
    ))
})
