// Composing the pipeline's steps in your own Effect program instead of running `Batch.run`: read
// a patient with the client, score its EHR candidates yourself, then call `Pipeline.connect` and
// `Pipeline.merge` (journaled, leased, verified when its answer is lost) when you decide to, with your own logging.
//
//   pnpm --filter @hero-effect/examples run compose-steps
//
// Output holds ids, step names, grades and scores only.
import { NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Journal, PatientLease, Pipeline, Scoring, Selection } from "@hero-effect/workflows"
import { Console, Effect, Layer, Logger } from "effect"

// Your own logging: a one-line logger with the level and the annotations (here, the patient id).
const logger = Logger.make(({ annotations, logLevel, message }) => {
  const text = Array.isArray(message) ? message.join(" ") : String(message)
  const tags = Array.from(annotations).map(([k, v]) => `${k}=${String(v)}`).join(" ")
  globalThis.console.log(`[${logLevel.label.toLowerCase()}] ${text}${tags ? ` (${tags})` : ""}`)
})

// The pipeline's options: the run id for the journal; scoring and rules stay the defaults.
const options: Pipeline.Options = { runId: "compose-steps" }

// One patient, step by step: read it, score its candidates, decide what to do.
const handle = (patientId: PatientId) =>
  Effect.gen(function*() {
    const hero = yield* HeroHealthClient
    const patient = yield* hero.getPatientById(patientId)
    const candidates = yield* hero.listPatientEhrCandidates(patientId)
    for (const scored of Selection.scoreCandidates(patient, candidates.data)) {
      const linkedTo = scored.candidate.heroId === undefined ? "unlinked" : `linked to ${scored.candidate.heroId}`
      yield* Effect.logInfo(
        `EHR candidate ${scored.candidate.ehrPartnerId}: ${scored.result.grade} ${
          Scoring.formatPoints(scored.result.score)
        }, ${linkedTo}`
      )
    }

    const selection = Selection.selectCandidate(patient, candidates.data)
    yield* Effect.logInfo(
      `selection: ${selection._tag}${selection._tag === "NeedsReview" ? ` (${selection.reason})` : ""}`
    )
    if (selection._tag === "Selected" && selection.candidate.ehrPartnerId !== undefined) {
      // An unlinked EHR record matches: link it (journaled first; a lost response is verified).
      return yield* Pipeline.connect(options, patientId, selection.candidate.ehrPartnerId)
    }
    const owner = selection._tag === "NeedsReview" && selection.reason === "linked-to-another-patient"
      ? selection.candidates[0]?.candidate
      : undefined
    if (owner?.heroId !== undefined) {
      // The matching EHR record belongs to another Hero patient: the two are duplicates. Show how
      // the two Hero records compare (the explanation names fields, never values), then merge this
      // one into the record that holds the link. The guard rules and the approver still decide.
      const main = yield* hero.getPatientById(owner.heroId)
      for (const line of Scoring.scorePatients(main, patient).explanation) yield* Effect.logInfo(`  ${line}`)
      return yield* Pipeline.merge(options, patientId, {
        main: owner.heroId,
        incoming: patientId,
        ehrPartnerId: owner.ehrPartnerId
      })
    }
    return undefined
  }).pipe(
    Effect.tap((outcome) => Effect.logInfo(`outcome: ${outcome?._tag ?? "nothing to do"}`)),
    Effect.annotateLogs("patient", patientId)
  )

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  // A known duplicate pair of the generated world: the same person registered twice.
  const pair = sandbox.truth.find((t) => t.kind === "samePerson")!
  const [first, second] = pair.heroIds as [PatientId, PatientId]

  // The first record gets linked to the EHR record; the second then finds that record taken by the
  // first, and is merged into it.
  for (const patientId of [first, second]) {
    const outcome = yield* handle(patientId)
    // Steps do not record the patient's final outcome; `Pipeline.processPatient` does. Do it here.
    if (outcome !== undefined) yield* Journal.patientOutcome({ runId: options.runId, patientId, outcome })
  }

  // The journal, as written ahead of every step: entry kinds, patient ids, step names and keys.
  yield* Console.log("\nJournal:")
  for (const entry of yield* Journal.entries()) {
    const what = entry._tag === "PatientOutcome"
      ? entry.outcome._tag
      : entry._tag === "Decision"
      ? `${entry.key} ${entry.decision}`
      : `${entry.step} ${entry.key}${entry._tag === "StepFinished" ? ` ${entry.outcome}` : ""}`
    yield* Console.log(`  ${entry._tag.padEnd(14)} ${entry.patientId}  ${what}`)
  }
})

program.pipe(
  Effect.provide(Layer.mergeAll(
    Sandbox.layerClient({ seed: 7, patients: 24 }),
    Journal.layerMemory,
    PatientLease.layerMemory,
    Approver.layerAutomatic,
    Logger.replace(Logger.defaultLogger, logger)
  )),
  // runMain would add its pretty logger next to ours; we only want ours.
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
