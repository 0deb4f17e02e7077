import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { SafetyRun } from "../safety.js"
import { formatRuns, runSafety } from "../safety.js"

// Each patient's outcome, by id: the same whatever order the patients were processed in.
const outcomesOf = (run: SafetyRun) =>
  [...run.report.patients].map((p) => `${p.patientId} ${JSON.stringify(p.outcome)}`).sort()

// The identity-safety suite on seeds the rules were never tuned on: every family of duplicates
// and look-alikes the generator knows, graded from the sandbox's own state.
describe("identity safety over seeded worlds of every family", () => {
  it.effect(
    "no merge of different people, no link to another person's record, no true duplicate missed",
    () =>
      Effect.gen(function*() {
        const runs = yield* Effect.forEach([211, 212, 213], (seed) => runSafety({ seed, patients: 120 }))
        const table = formatRuns(runs)
        for (const run of runs) {
          expect(run.grade.unsafe, table).toStrictEqual([])
          expect(run.grade.wrong, table).toStrictEqual([])
          expect(run.grade.total.missed, table).toBe(0)
          expect(run.report.outcomes["Failed"] ?? 0).toBe(0)
        }
        // Every family appears, so none of the above is vacuous.
        const kinds = new Set(runs.flatMap((r) => [...r.grade.byKind.keys()]))
        for (const kind of ["twinsSimilarNames", "twinNhsMiskeyed", "sameNameFlats", "placeholderBaby", "ownGpMoved"]) {
          expect(kinds.has(kind), kind).toBe(true)
        }
      }),
    900_000
  )

  it.effect(
    "the same world gives the same decisions forwards, backwards and shuffled, at any concurrency",
    () =>
      Effect.gen(function*() {
        const seed = 217
        const forward = yield* runSafety({ seed, patients: 120, order: "forward", concurrency: 1 })
        expect(forward.writes.length).toBeGreaterThan(20)
        expect(forward.reviews.length).toBeGreaterThan(5)
        for (
          const [order, concurrency] of [["shuffled", 4], ["reverse", 32]] as const
        ) {
          const other = yield* runSafety({ seed, patients: 120, order, concurrency })
          expect(other.writes, `${order} at ${concurrency}`).toStrictEqual(forward.writes)
          expect(other.grade.total, `${order} at ${concurrency}`).toStrictEqual(forward.grade.total)
          expect(other.reviews, `${order} at ${concurrency}`).toStrictEqual(forward.reviews)
          expect(outcomesOf(other), `${order} at ${concurrency}`).toStrictEqual(outcomesOf(forward))
        }
      }),
    900_000
  )
})
