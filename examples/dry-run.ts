// A preview-only dry run: for every duplicate pair of a seeded sandbox world, find the EHR
// candidates, preview the merge, diff the preview, evaluate the guard rules and ask the automatic
// approver what it would decide. Then print what WOULD happen. Nothing is written: mergePatient is
// never called, and the sandbox's write log proves it at the end.
//
//   pnpm --filter @hero-effect/examples run dry-run
//
// Output holds ids, field names, codes and scores only: never a name, date of birth or NHS number.
import { NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Guard, MergeDiff, Scoring, Selection } from "@hero-effect/workflows"
import { Console, Effect } from "effect"

// What a user would decide with: the default guard rules and the automatic approver (approves only
// a `match` with a clear guard). Swap in your own to preview your policy.
const rules = Guard.defaultRules
const approver = Approver.automatic
const world = { seed: 7, patients: 24 }

// Reads a Hero patient and says which EHR record the pipeline would link it to.
const candidateStep = (patientId: PatientId) =>
  Effect.gen(function*() {
    const hero = yield* HeroHealthClient
    const patient = yield* hero.getPatientById(patientId)
    const candidates = yield* hero.listPatientEhrCandidates(patientId)
    const selection = Selection.selectCandidate(patient, candidates.data)
    const what = selection._tag === "Selected"
      ? `would link to EHR ${selection.candidate.ehrPartnerId} (${selection.result.grade}, ${
        Scoring.formatPoints(selection.result.score)
      })`
      : selection._tag === "NeedsReview"
      ? `needs a person (${selection.reason})`
      : selection._tag === "AlreadyLinked"
      ? "already linked"
      : "no candidate"
    yield* Console.log(`  ${patientId}: ${candidates.data.length} EHR candidate(s), ${what}`)
  })

// Previews merging `incoming` into `main` and prints the diff, the guard and the decision.
const mergeStep = (main: PatientId, incoming: PatientId) =>
  Effect.gen(function*() {
    const hero = yield* HeroHealthClient
    // A preview issues a merge token but writes nothing. The token is simply dropped here.
    const preview = yield* hero.previewPatientMerge(main, { incomingPatientId: incoming })
    const context = Guard.contextFromPreview(preview, {
      requested: { mainPatientId: main, incomingPatientId: incoming }
    })

    // The diff without values: which fields the kept record would gain, lose or change.
    const changes = MergeDiff.changes(context.diff).map((c) => `${c.field} ${c.kind}`)
    // Fields where the incoming record holds another value that the merge would not keep (its own
    // id and uid always differ, so they are left out).
    const notTaken = context.diff.fields.filter((f) => f.incomingDiffers && f.field !== "id" && f.field !== "uid")
      .map((f) => f.field)
    const added = context.diff.identifiers.added.map((i) => `${i.name}/${i.role}`)
    yield* Console.log(`  diff: ${changes.length > 0 ? changes.join(", ") : "no field changes"}`)
    if (notTaken.length > 0) yield* Console.log(`  incoming values not kept: ${notTaken.join(", ")}`)
    if (added.length > 0) yield* Console.log(`  identifiers added: ${added.join(", ")}`)

    const guard = Guard.evaluate(rules, context)
    const findings = guard.findings.map((f) => `${f.code} (${f.severity})`)
    yield* Console.log(`  guard: ${guard.verdict}${findings.length > 0 ? ` — ${findings.join(", ")}` : ""}`)
    yield* Console.log(`  score: ${Scoring.formatPoints(context.score.score)} (${context.score.grade})`)

    // The pipeline never asks the approver about a refused merge; neither do we.
    if (guard.verdict === "refuse") return "refused" as const
    const decision = yield* approver.decide({
      mainPatientId: main,
      incomingPatientId: incoming,
      diff: context.diff,
      score: context.score,
      guard
    })
    return decision._tag === "Approved" ? "merge" as const : "review" as const
  })

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  // The generated world knows its own duplicates (its ground truth); a real practice would find
  // pairs from the candidates instead. The first id of a pair is the record to keep.
  const pairs = sandbox.truth.filter((t) => t.heroIds.length === 2)
  yield* Console.log(`Dry run over ${pairs.length} duplicate pairs (seed ${world.seed})\n`)

  const tally = { merge: 0, review: 0, refused: 0 }
  for (const pair of pairs) {
    const [main, incoming] = pair.heroIds as [PatientId, PatientId]
    yield* Console.log(
      `${main} ← ${incoming} (${pair.kind}, ground truth: ${pair.shouldMerge ? "merge" : "keep apart"})`
    )
    // Both records usually match the same EHR record: the pipeline links whichever it reaches
    // first, and the other then becomes the incoming side of this merge.
    yield* candidateStep(main)
    yield* candidateStep(incoming)
    const verdict = yield* mergeStep(main, incoming)
    tally[verdict]++
    yield* Console.log(
      `  => ${verdict === "merge" ? "WOULD MERGE" : verdict === "review" ? "would ask a person" : "would NOT merge"}\n`
    )
  }
  yield* Console.log(`Would merge ${tally.merge}, ask a person about ${tally.review}, refuse ${tally.refused}.`)

  // The proof: the sandbox logs every write it applies. A dry run must leave it without merges.
  const writes = yield* sandbox.writeLog
  const merges = writes.filter((w) => w.operation === "mergePatient")
  if (merges.length > 0) return yield* Effect.dieMessage(`${merges.length} merge(s) were applied`)
  yield* Console.log(`Sandbox write log: ${writes.length} writes, ${merges.length} merges: no merge was applied.`)
})

// The real client over an in-memory sandbox: no sockets, no credentials.
program.pipe(Effect.provide(Sandbox.layerClient(world)), NodeRuntime.runMain)
