// A practice's own merge policy: a custom guard rule, a default rule re-graded, a default rule
// removed, and a custom approver, all passed to the batch runner over a seeded sandbox world.
//
//   pnpm --filter @hero-effect/examples run custom-rules
//
// Output holds ids, codes and counts only.
import { NodeRuntime } from "@effect/platform-node"
import { Sandbox, SeedGenerator } from "@hero-effect/sandbox"
import { Approver, Batch, Guard, Journal, PatientLease } from "@hero-effect/workflows"
import { Console, Effect, Layer, pipe, Stream } from "effect"

// 1. A custom rule. Maternity units and walk-in clinics register people under placeholder names
//    ("Baby", "Unknown", "Test"). The default PLACEHOLDER_NAME rule sends such merges to a person;
//    this practice refuses them outright until the baby is named. A rule is a code, a description
//    and a check; `fromPredicate` builds one from a condition. Its reason goes to the journal, so
//    it names no value.
const placeholderName = Guard.fromPredicate({
  code: "PLACEHOLDER_REFUSED",
  description: "A record has a placeholder first or last name",
  severity: "refuse",
  reason: "a record has a placeholder name",
  when: (ctx) =>
    [ctx.main, ctx.incoming].some((p) =>
      [p.firstName, p.lastName].some((name) => /^(baby|unknown|test|infant|twin [12])$/i.test(name?.trim() ?? ""))
    )
})

// 2. The rule set: the defaults, plus the custom rule, with RESTRICTED refusing instead of asking
//    (this practice never merges restricted records here; they go through its IG lead), and
//    without NAMES_TOO_FAR (surname changes are common; the approver below asks for a higher score
//    instead).
const rules = pipe(
  Guard.defaultRules,
  Guard.add(placeholderName),
  Guard.regrade("RESTRICTED", "refuse"),
  Guard.without("NAMES_TOO_FAR")
)

// 3. A custom approver: approve only a clear guard with a score of at least 30 points (the
//    automatic approver's `match` starts at 22); defer everything else to a person. A refused
//    merge never reaches the approver.
const minimumScore = 30
const practiceApprover = Approver.fromFunction((request) =>
  request.guard.verdict === "clear" && request.score.score >= minimumScore
    ? new Approver.Approved({ by: "practice-policy" })
    : new Approver.Undecided({
      reason: request.guard.verdict === "clear" ? `score below ${minimumScore}` : "guard asks for review"
    })
)

// The generated world has no placeholder names, so give one duplicate the first name a maternity
// unit would have used before the baby was named.
const generated = SeedGenerator.generate({ seed: 7, patients: 40 })
const newborn = generated.truth.find((t) => t.kind === "samePerson")!.heroIds[1]
const world = {
  ...generated,
  patients: generated.patients.map((p) => (p.id === newborn ? { ...p, firstName: "Baby" } : p))
}

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  const ids = sandbox.world.patients.map((p) => p.id)
  yield* Console.log(`Rules: ${rules.map((r) => r.code).join(", ")}`)
  yield* Console.log(`Approver: practice-policy (clear guard and score >= ${minimumScore})\n`)

  // The rules go in the pipeline's options; the approver is a service in the environment.
  const report = yield* Batch.run(Stream.fromIterable(ids), { runId: "custom-rules", rules, concurrency: 4 })
  yield* Console.log(Batch.summary(report))

  // Why merges were refused or sent to a person: codes and reasons, counted.
  const count = (items: ReadonlyArray<string>) =>
    Object.entries(items.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {}))
      .map(([k, n]) => `${k} ${n}`).join(", ") || "none"
  const refusals = report.patients.flatMap((p) => (p.outcome._tag === "Refused" ? p.outcome.codes : []))
  const reviews = report.patients.flatMap((p) => (p.outcome._tag === "NeedsReview" ? p.outcome.reasons : []))
  yield* Console.log(`Refusal codes: ${count(refusals)}`)
  yield* Console.log(`Review reasons: ${count(reviews)}`)
})

program.pipe(
  Effect.provide(Layer.mergeAll(
    Sandbox.layerClient({ world }),
    Journal.layerMemory,
    PatientLease.layerMemory,
    Approver.layer(practiceApprover)
  )),
  NodeRuntime.runMain
)
