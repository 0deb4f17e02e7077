import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"

/**
 * Creates a table or index if it is missing. Two processes starting on a fresh PostgreSQL can
 * both find it missing and race on the catalog ("duplicate key value violates unique
 * constraint"): the loser tries again, and then finds it.
 * @internal
 */
export const ensureTable = (statement: Effect.Effect<unknown, SqlError>): Effect.Effect<void, SqlError> =>
  Effect.asVoid(Effect.retry(statement, { times: 2 }))
