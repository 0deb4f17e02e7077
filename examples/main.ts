// The main job: find EHR candidates → connect → preview → merge for every patient of a practice
// group, and print a report. By default it starts the embedded sandbox (a seeded world of
// duplicates on a loopback port, no credentials, no network); with --live it uses the
// HeroHealthConfig from the environment against a real Hero environment. With --db FILE (SQLite)
// or --postgres URL it runs on the durable engine (ProcessPatient on @effect/workflow): killed and
// started again with the same --run-id, it resumes; else on the pipeline's JSONL journal
// (--journal FILE) or in memory.
import { Command, Options } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient, HeroHealthConfig } from "@hero-effect/client"
import { Sandbox, SandboxServer, SeedFile } from "@hero-effect/sandbox"
import type { PatientId, PracticeGroupId } from "@hero-effect/schema"
import {
  Approver,
  Batch,
  DurableEngine,
  Frequencies,
  Journal,
  PatientLease,
  ProcessPatient,
  Scoring
} from "@hero-effect/workflows"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import { Console, Effect, Layer, Option, Redacted, Stream } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"

const seed = Options.integer("seed").pipe(
  Options.withDefault(1),
  Options.withDescription("seed of the generated world")
)
const seedFile = Options.text("seed-file").pipe(
  Options.optional,
  Options.withDescription("a sandbox seed file (JSON) to load instead of generating a world")
)
const patients = Options.integer("patients").pipe(
  Options.withDefault(120),
  Options.withDescription("people in the generated world (duplicates add records)")
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDefault(8),
  Options.withDescription("patients at once")
)
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("read only: decide everything, link and merge nothing")
)
const approver = Options.choice("approver", ["automatic", "always-ask", "deny-all"]).pipe(
  Options.withDefault("automatic" as const),
  Options.withDescription("who approves merges")
)
const reportFile = Options.text("report").pipe(Options.optional, Options.withDescription("write the JSON report here"))
const journalFile = Options.text("journal").pipe(
  Options.optional,
  Options.withDescription("durable journal file (JSON lines); re-run with the same file to resume")
)
const idsFile = Options.text("ids").pipe(
  Options.optional,
  Options.withDescription("patient ids, one per line (with --live)")
)
const rateLimit = Options.integer("rate-limit").pipe(
  Options.optional,
  Options.withDescription("client-side requests per second with --live (default 10; 0 = unlimited)")
)
const db = Options.text("db").pipe(
  Options.optional,
  Options.withDescription("run on the durable engine (@effect/workflow) with its storage in this SQLite file")
)
const postgres = Options.text("postgres").pipe(
  Options.optional,
  Options.withDescription(
    "run on the durable engine with its storage in PostgreSQL (postgres://…); several may share it"
  )
)
const runIdOption = Options.text("run-id").pipe(
  Options.optional,
  Options.withDescription("the run's id on the durable engine: the same id resumes it (default: a new one)")
)
const live = Options.boolean("live").pipe(
  Options.withDescription("use HERO_API_KEY / HERO_PRACTICE_GROUP_ID / HERO_BASE_URL|HERO_ENVIRONMENT against Hero")
)

// A dry run asks the chosen approver too (the pipeline stops before any write), so it can say what
// it would link and merge, with scores and grades.
const approverLayer = (choice: "automatic" | "always-ask" | "deny-all") =>
  choice === "deny-all"
    ? Approver.layerDenyAll
    : choice === "always-ask"
    ? Approver.layerAlwaysAsk
    : Approver.layerAutomatic

const progress = (p: Batch.Progress) =>
  p.done % 20 === 0 || p.done === p.total
    ? Effect.sync(() => process.stderr.write(`${Batch.progressLine(p)}\n`))
    : Effect.void

type EngineError =
  | Layer.Layer.Error<ReturnType<typeof DurablePostgres.layer>>
  | Layer.Layer.Error<ReturnType<typeof DurableEngine.layerSqlite>>

// Where the other runners reach this one (PostgreSQL engine): a loopback port free a moment ago.
const freePort = Effect.async<number, Error>((resume) => {
  const server = net.createServer()
  server.once("error", (error) => resume(Effect.fail(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const checkWritable = (file: string) =>
  Effect.try({
    try: () => {
      const existed = fs.existsSync(file)
      fs.closeSync(fs.openSync(file, "a"))
      if (!existed) fs.unlinkSync(file)
    },
    catch: (error) =>
      new Error(`cannot write the report to ${file}: ${(error as NodeJS.ErrnoException).code ?? "not writable"}`)
  })

const command = Command.make(
  "hero-merge",
  {
    seed,
    seedFile,
    patients,
    concurrency,
    dryRun,
    approver,
    reportFile,
    journalFile,
    idsFile,
    live,
    rateLimit,
    db,
    postgres,
    runId: runIdOption
  },
  (flags) =>
    Effect.gen(function*() {
      // The report is written after every write is done: a path that cannot be written must stop
      // the job before the first one, not lose the report at the end.
      if (Option.isSome(flags.reportFile)) yield* checkWritable(flags.reportFile.value)
      const runId = Option.getOrElse(flags.runId, () => `run-${Date.now().toString(36)}`)
      if (Option.isSome(flags.journalFile) && (Option.isSome(flags.db) || Option.isSome(flags.postgres))) {
        return yield* Effect.fail(new Error("--journal and --db/--postgres are two storages: choose one"))
      }
      // The durable engine (ProcessPatient on @effect/workflow), when asked for; else the journal.
      const engine = Option.isSome(flags.postgres)
        ? Option.some(
          DurablePostgres.layer({
            url: flags.postgres.value,
            runnerAddress: { host: "127.0.0.1", port: yield* freePort }
          })
        )
        : Option.map(
          flags.db,
          (filename) => DurableEngine.layerSqlite({ filename }).pipe(Layer.provideMerge(PatientLease.layerMemory))
        )
      // The journal is bound to what it is about: a journal of another practice group, another
      // environment or another sandbox world is refused rather than resumed against this one.
      const target = flags.live
        ? Journal.targetOf({
          baseUrl: process.env["HERO_BASE_URL"] ?? `environment:${process.env["HERO_ENVIRONMENT"] ?? "staging"}`,
          practiceGroupId: process.env["HERO_PRACTICE_GROUP_ID"] ?? ""
        })
        : Option.match(flags.seedFile, {
          onNone: () => `sandbox:seed=${flags.seed},patients=${flags.patients}`,
          onSome: (file) => `sandbox:file=${file}`
        })
      const journal = Option.match(flags.journalFile, {
        onNone: () => Journal.layerMemory,
        // Journals from before lines carried checks are migrated once, so an interrupted job resumes.
        onSome: (path) => Journal.layerFile(path, { target, legacy: "migrate" })
      })
      const workflow = Layer.mergeAll(journal, PatientLease.layerMemory, approverLayer(flags.approver))

      const sandboxIds = Effect.map(Sandbox.Sandbox, (s) => s.world.patients.map((p) => p.id as PatientId))
      const liveIds = Option.match(flags.idsFile, {
        onNone: () => Effect.fail(new Error("--live needs --ids <file> (one patient id per line)")),
        onSome: (path) =>
          Effect.sync(() =>
            fs.readFileSync(path, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) as Array<
              PatientId
            >
          )
      })

      const run = (
        ids: ReadonlyArray<PatientId>,
        scoring?: Scoring.ScoringConfig
      ): Effect.Effect<Batch.Report, Journal.JournalError | EngineError, HeroHealthClient> =>
        Option.match(engine, {
          onNone: () =>
            Batch.run(Stream.fromIterable(ids), {
              runId,
              scoring,
              dryRun: flags.dryRun,
              concurrency: flags.concurrency,
              total: ids.length,
              onProgress: progress
            }).pipe(Effect.provide(workflow)),
          onSome: (engine) =>
            ProcessPatient.runDurable(Stream.fromIterable(ids), {
              runId,
              concurrency: flags.concurrency,
              total: ids.length,
              onProgress: progress
            }).pipe(
              Effect.provide(
                ProcessPatient.layer({ scoring, dryRun: flags.dryRun }).pipe(
                  Layer.provideMerge(engine),
                  Layer.provide(approverLayer(flags.approver))
                )
              )
            )
        })

      const report = flags.live
        ? yield* Effect.flatMap(liveIds, run).pipe(
          Effect.provide(
            // The client's own undici transport: the lowest overhead per call (BENCHMARKS.md).
            HeroHealthClient.layerUndici().pipe(
              Layer.provide(HeroHealthConfig.layerConfigWith(Option.match(flags.rateLimit, {
                onNone: () => ({}),
                onSome: (limit) => ({ rateLimit: limit <= 0 ? "unlimited" as const : { limit, interval: "1 second" } })
              })))
            )
          )
        )
        : yield* Effect.gen(function*() {
          const sandbox = yield* Sandbox.Sandbox
          const server = yield* SandboxServer.SandboxServer
          yield* Console.error(
            `Sandbox on ${server.url} (seed ${flags.seed}): ${sandbox.world.patients.length} Hero patients`
          )
          const client = HeroHealthClient.layerUndici().pipe(
            Layer.provide(HeroHealthConfig.layer({
              baseUrl: server.url,
              apiKey: Redacted.make(sandbox.credentials.apiKey),
              practiceGroupId: sandbox.credentials.practiceGroupId as PracticeGroupId,
              rateLimit: "unlimited"
            }))
          )
          const ids = yield* sandboxIds
          // Frequency-aware agreement from the practice's own population (its Hero list and EHR
          // records): a common surname or a crowded postcode earns less.
          const scoring = Scoring.makeConfig({
            frequencies: Frequencies.fromRecords([...sandbox.world.patients, ...sandbox.world.ehrRecords])
          })
          const report = yield* run(ids, scoring).pipe(Effect.provide(client))
          const counters = yield* sandbox.counters
          yield* Console.error(`Sandbox writes applied: ${counters.writes}`)
          return report
        }).pipe(
          Effect.provide(SandboxServer.layer({ port: 0 })),
          Effect.provide(
            Option.match(flags.seedFile, {
              onNone: () => Sandbox.layer({ seed: flags.seed, patients: flags.patients }),
              onSome: (path) => Layer.unwrapEffect(Effect.map(SeedFile.load(path), (world) => Sandbox.layer({ world })))
            })
          ),
          Effect.scoped
        )

      yield* Console.log(Batch.summary(report))
      if (Option.isSome(flags.reportFile)) {
        fs.writeFileSync(flags.reportFile.value, JSON.stringify(report, null, 2))
        yield* Console.log(`Report written to ${flags.reportFile.value}`)
      }
    })
).pipe(Command.withDescription("Find, link and merge duplicate Hero patients safely, and report."))

const cli = Command.run(command, { name: "hero-effect main job", version: "0.1.0" })

// `pnpm start -- --flag` hands the CLI a literal "--" first: drop it, as npm would.
const argv = process.argv[2] === "--" ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv
cli(argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
