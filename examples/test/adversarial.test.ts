// Adversarial identity-safety test: a hand-built world of look-alikes and true duplicates that the
// generator does not produce (triplets, twins without NHS numbers on Hero, opposite-sex unisex
// twins, spouses with one dob, a sibling's NHS number, common names in one town, newborn and
// unknown placeholders, a twin's transposed NHS number, …), run through the default job with the
// automatic approver and graded from the sandbox's own state.
import { describe, expect, it } from "@effect/vitest"
import { SeedFile } from "@hero-effect/sandbox"
import { Effect } from "effect"
import { formatRuns, runSafety } from "../safety.js"
import type { SafetyRun } from "../safety.js"
import { buildAdversarialWorld } from "./support/adversarialWorld.js"

const { describe: describeRecord, seedFile } = buildAdversarialWorld()
const world = SeedFile.decodeSync(seedFile)

/** Everything a failure report needs: the table, the bad writes with both records' fields. */
const explain = (run: SafetyRun): string => {
  const d = (id: string) => `${id}: ${describeRecord.get(id) ?? "?"}`
  let lines = [formatRuns([run]), ""]
  for (const u of run.grade.unsafe) {
    lines.push(
      `UNSAFE merge ${u.mainId}<-${u.incomingId} [${u.kinds.join(",")}]`,
      `  ${d(u.mainId)}`,
      `  ${d(u.incomingId)}`
    )
  }
  for (const w of run.grade.wrong) {
    lines.push(
      `WRONG link ${w.heroId}->${w.ehrPartnerId} [${w.kinds.join(",")}]`,
      `  ${d(w.heroId)}`,
      `  ${d(w.ehrPartnerId)}`
    )
  }
  lines = lines.concat(
    ["", "writes:"],
    run.writes.map((w) => `  ${w}`),
    ["", "reviews:"],
    run.reviews.map((r) => `  ${r}`)
  )
  // True-duplicate groups by outcome.
  const reviewedIds = new Set(run.reviews.flatMap((r) => r.split(" ").slice(1).join(" ").split(/[+ ]/)))
  for (const t of world.truth) {
    if (!t.shouldMerge) continue
    const merged = run.writes.some((w) => t.heroIds.every((id) => w.includes(id)) && w.startsWith("merge"))
    const reviewed = t.heroIds.some((id) => reviewedIds.has(id))
    if (!merged) lines.push(`${reviewed ? "review" : "MISSED"} ${t.kind} ${t.heroIds.join("+")}`)
  }
  return lines.join("\n")
}

// One forward run at concurrency 1, shared by the tests below (each run takes seconds).
let forwardRun: SafetyRun | undefined
const forward = Effect.suspend(() =>
  forwardRun !== undefined
    ? Effect.succeed(forwardRun)
    : Effect.tap(runSafety({ seed: 1, world, concurrency: 1 }), (run) => {
      forwardRun = run
    })
)

describe("identity safety on a hand-built adversarial world", () => {
  it.effect("no merge of different people and no link to another person's record", () =>
    Effect.gen(function*() {
      const run = yield* forward
      const report = explain(run)
      console.log(report)
      expect(run.report.outcomes["Failed"] ?? 0, report).toBe(0)
      expect(run.grade.unsafe, report).toStrictEqual([])
      expect(run.grade.wrong, report).toStrictEqual([])
      // Every family is present with at least 3 groups, so the test is not vacuous.
      for (const [kind, row] of run.grade.byKind) {
        if (kind === "untracked") continue
        expect(row.groups, kind).toBeGreaterThanOrEqual(3)
      }
    }), 900_000)

  it.effect("no true duplicate silently missed", () =>
    Effect.gen(function*() {
      const run = yield* forward
      expect(run.grade.total.missed, explain(run)).toBe(0)
    }), 900_000)

  it.effect("the same decisions shuffled at concurrency 16", () =>
    Effect.gen(function*() {
      const first = yield* forward
      const shuffled = yield* runSafety({ seed: 1, world, order: "shuffled", concurrency: 16 })
      expect(shuffled.writes, "shuffled at 16").toStrictEqual(first.writes)
      expect(shuffled.reviews, "shuffled at 16").toStrictEqual(first.reviews)
      expect(shuffled.grade.total, "shuffled at 16").toStrictEqual(first.grade.total)
    }), 900_000)
})
