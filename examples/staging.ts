// Running against Hero's staging environment: the client reads its configuration from the
// environment (`HeroHealthClient.layerConfig()`) and talks over a real HTTP client. It then does a
// read-only dry run over the patient ids given as arguments: candidates, selection, and for a
// duplicate the merge preview and the guard. It never connects or merges anything.
//
//   HERO_API_KEY=… HERO_PRACTICE_GROUP_ID=… HERO_ENVIRONMENT=staging \
//     pnpm --filter @hero-effect/examples run staging 100001 100002
//
// Without HERO_API_KEY it explains what to set and exits, without any network call.
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Guard, Selection } from "@hero-effect/workflows"
import { Config, Console, Effect, Layer, Option, Schema } from "effect"

const guidance = `This example runs a read-only dry run against Hero's staging API. Set:

  HERO_API_KEY             your partner API key for staging (sent as x-api-key)
  HERO_PRACTICE_GROUP_ID   the practice group you act for (sent as x-practice-group-id)
  HERO_ENVIRONMENT=staging (the default; or HERO_BASE_URL to point elsewhere)

then pass patient ids as arguments:

  pnpm --filter @hero-effect/examples run staging 100001 100002`

// A usage error: explain and exit with status 2, without sending anything.
const usageError = (message: string) =>
  Effect.zipRight(Console.error(message), Effect.sync(() => void (process.exitCode = 2)))

const decodePatientId = Schema.decodeOption(PatientId)

// What would happen to one patient, from reads and a merge preview only.
const dryRun = (patientId: PatientId) =>
  Effect.gen(function*() {
    const hero = yield* HeroHealthClient
    const patient = yield* hero.getPatientById(patientId)
    if (patient.status === "archived") return "archived (merged into another record already)"
    const candidates = yield* hero.listPatientEhrCandidates(patientId)
    const selection = Selection.selectCandidate(patient, candidates.data)
    switch (selection._tag) {
      case "AlreadyLinked":
        return `already linked to EHR ${selection.candidate.ehrPartnerId}`
      case "NoCandidate":
        return `no matching EHR record among ${candidates.data.length} candidate(s)`
      case "Selected":
        return `would link to EHR ${selection.candidate.ehrPartnerId} (${selection.result.grade})`
      case "NeedsReview": {
        const main = selection.candidates[0]?.candidate.heroId
        if (selection.reason !== "linked-to-another-patient" || main === undefined) {
          return `needs a person (${selection.reason})`
        }
        // A duplicate of the Hero patient that holds the EHR link. A preview changes no record (it
        // only issues a merge token, which we drop).
        const preview = yield* hero.previewPatientMerge(main, { incomingPatientId: patientId })
        const context = Guard.contextFromPreview(preview, {
          requested: { mainPatientId: main, incomingPatientId: patientId }
        })
        const guard = Guard.evaluate(Guard.defaultRules, context)
        const codes = Guard.codes(guard).join(", ")
        if (guard.verdict === "refuse") return `duplicate of ${main}; would NOT merge (${codes})`
        const request = { mainPatientId: main, incomingPatientId: patientId, diff: context.diff, score: context.score }
        const decision = yield* Approver.automatic.decide({ ...request, guard })
        return decision._tag === "Approved"
          ? `duplicate of ${main}; would merge into it`
          : `duplicate of ${main}; would ask a person (${codes || context.score.grade})`
      }
    }
  }).pipe(
    // One patient's error (not found, forbidden …) is reported by its tag and the run goes on.
    Effect.catchAll((error) => Effect.succeed(`failed: ${error._tag}`)),
    Effect.flatMap((what) => Console.log(`${patientId}: ${what}`))
  )

const program = Effect.gen(function*() {
  // Read the key the same way the client will, but optionally: its absence is not an error here.
  const apiKey = yield* Config.option(Config.string("HERO_API_KEY"))
  if (Option.isNone(apiKey) || apiKey.value.trim() === "") {
    return yield* Console.log(`HERO_API_KEY is not set, so nothing was sent (no network call).\n\n${guidance}`)
  }
  const environment = yield* Config.option(Config.string("HERO_ENVIRONMENT"))
  if (Option.contains(environment, "production")) {
    return yield* usageError("This example only runs against staging; unset HERO_ENVIRONMENT=production.")
  }
  const args = process.argv.slice(2).filter((arg) => arg !== "--")
  if (args.length === 0) return yield* usageError(`No patient ids given.\n\n${guidance}`)

  yield* Console.log(`Read-only dry run over ${args.length} patient(s):`)
  // Each argument decoded as a patient id (a string of digits); one that is not is reported like
  // any other patient's failure, and nothing is sent for it.
  yield* Effect.forEach(args, (arg) =>
    Option.match(decodePatientId(arg), {
      onNone: () => Console.log(`${arg}: failed: InvalidInput (not a Hero patient id: a string of digits)`),
      onSome: dryRun
    }), { discard: true }).pipe(
      // The real client: configuration from the environment, HTTP through fetch.
      Effect.provide(HeroHealthClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer)))
    )
})

NodeRuntime.runMain(program)
