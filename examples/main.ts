// The main job: find EHR candidates → connect → preview → merge for every patient of a practice
// group, and print a report. By default it starts the embedded sandbox (a seeded world of
// duplicates on a loopback port, no credentials, no network); with --live it uses the
// HeroHealthConfig from the environment against a real Hero environment. With --db FILE (SQLite)
// or --postgres URL it runs on the durable engine (ProcessPatient on @effect/workflow): killed and
// started again with the same --run-id, it resumes; else on the pipeline's JSONL journal
// (--journal FILE) or in memory.
//
// It behaves like a command-line tool people trust: paths are relative to where the command was
// typed, flags are checked before anything runs, errors are one paragraph (never a stack or a
// dump), the exit code says what happened (see EXIT CODES in --help and examples/README.md), a
// live run names its target first and asks before writing to production, the summary fits a
// screen, and Ctrl-C stops cleanly and says how to resume.
//
// With --review, what the approver defers becomes an item of a review queue (ReviewQueue) that
// people work through with `pnpm review` (review.ts); the next run with --review applies what they
// approved and refuses what they rejected. See `reviewQueueFor` below.
import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import type { Teardown } from "@effect/platform/Runtime"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import type { Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { Sandbox, SandboxServer, SeedFile } from "@hero-effect/sandbox"
import { PatientId } from "@hero-effect/schema/Ids"
import {
  Approver,
  Batch,
  DurableEngine,
  Frequencies,
  Journal,
  PatientLease,
  ProcessPatient,
  ReviewQueue,
  Scoring
} from "@hero-effect/workflows"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import type { ConfigError } from "effect"
import { Cause, Console, Data, Effect, Either, Exit, Layer, Option, Redacted, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import * as readline from "node:readline/promises"
import { makeProgress } from "./cli/progress.js"
import type { ReviewSummary, RunReport } from "./cli/report.js"
import { failures, render, summaryText } from "./cli/report.js"
import type { LogFormat, LogLevelName } from "./cli/telemetry.js"
import { logFormats, loggingLayer, logLevels, otlpEndpoint, tracingLayer } from "./cli/telemetry.js"

// What the process's exit code means. Scripts and schedulers act on it, so it is part of the
// interface: keep it in step with EXIT CODES below and examples/README.md.
const ExitCode = {
  /** Every patient has a final outcome and none is Failed. */
  done: 0,
  /** Some patients failed (a step failed; re-run to retry them). */
  failed: 1,
  /** Bad usage: an unknown or malformed flag, a value out of range, a flag missing. */
  usage: 2,
  /** Configuration: HERO_* variables, storages, files, production not confirmed. Nothing was sent. */
  config: 3,
  /** The target was never reached: every patient failed with a connection that was not made. */
  unreachable: 4,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, as shells report a signal (128 + 2). */
  interrupted: 130
} as const

// Why the job stops early, with its exit code. `reason` is printed as it is: ids, paths, codes and
// variable names only, never patient data.
class Stop extends Data.TaggedError("Stop")<{ readonly code: number; readonly reason: string }> {}

const usageError = (reason: string) => new Stop({ code: ExitCode.usage, reason })
const configError = (reason: string) => new Stop({ code: ExitCode.config, reason })

const decodePatientId = Schema.decodeOption(PatientId)

/**
 * The ids of an --ids file, one per line (blank lines and `#` comments skipped), each decoded as a
 * `PatientId`: a line that is not one stops the job before anything is read, naming its line
 * numbers (never its text).
 */
const decodeIdsFile = (file: string, text: string): Effect.Effect<ReadonlyArray<PatientId>, Stop> => {
  const ids: Array<PatientId> = []
  const invalid: Array<number> = []
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.trim()
    if (entry.length === 0 || entry.startsWith("#")) return
    const id = decodePatientId(entry)
    if (Option.isSome(id)) ids.push(id.value)
    else invalid.push(i + 1)
  })
  if (invalid.length === 0) return Effect.succeed(ids)
  const lines = invalid.slice(0, 10).join(", ") + (invalid.length > 10 ? ", ..." : "")
  return Effect.fail(
    configError(`the ids file ${file} has lines that are not Hero patient ids (a string of digits): line ${lines}`)
  )
}

// pnpm runs the script in examples/ (`pnpm --filter … run main`), but the user typed the paths
// where they stood; pnpm keeps that directory in INIT_CWD. Run directly (tsx main.ts), it is unset.
const userDirectory = (): string => {
  const init = process.env["INIT_CWD"]
  return init !== undefined && init.length > 0 ? init : process.cwd()
}
const resolvePath = (file: string): string => path.resolve(userDirectory(), file)

// The review queue's SQLite file when the run has no --db or --postgres of its own (relative to
// where the command was typed). review.ts defaults to the same file: keep the two in step.
const defaultReviewDb = ".hero-effect/review.db"

// Stderr for what is about the run (progress, target, resume), stdout for the summary.
const say = (line: string) => Effect.sync(() => process.stderr.write(`${line}\n`))

// Ranges are checked while the flags are parsed, so a bad value stops the job before anything
// runs, with @effect/cli's usage error (exit 2).
const atLeast = (flag: string, min: number, what: string) =>
  Options.filterMap((n: number) => n >= min ? Option.some(n) : Option.none(), `--${flag} must be ${what}`)

const seed = Options.integer("seed").pipe(
  Options.withDefault(1),
  Options.withDescription("seed of the generated world")
)
const seedFile = Options.text("seed-file").pipe(
  Options.optional,
  Options.withDescription(
    "a sandbox seed file (JSON) to load instead of generating a world (relative to where you ran the command)"
  )
)
// People, not records: each duplicate group adds records on top of its person, so the job works
// through more Hero patient records than this (the first line of the run says how many).
// --patients is its old name, kept so existing commands and journals go on working.
const people = Options.integer("people").pipe(
  Options.withAlias("patients"),
  atLeast("people (--patients)", 1, "a whole number, at least 1"),
  Options.withDefault(120),
  Options.withDescription(
    "people in the generated world (also --patients); their duplicates add records, so the run counts more patient records; at least 1"
  )
)
const concurrency = Options.integer("concurrency").pipe(
  atLeast("concurrency", 1, "a whole number, at least 1"),
  Options.withDefault(8),
  Options.withDescription("patients at once; at least 1")
)
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("read only: decide everything, link and merge nothing")
)
const approver = Options.choice("approver", ["automatic", "always-ask", "deny-all"]).pipe(
  Options.withDefault("automatic" as const),
  Options.withDescription("who approves merges")
)
const reportFiles = Options.text("report").pipe(
  Options.repeated,
  Options.withDescription(
    "write the report here: FILE.md (Markdown) or FILE.html for people, any other name JSON; may be given more than once (relative to where you ran the command)"
  )
)
const journalFile = Options.text("journal").pipe(
  Options.optional,
  Options.withDescription(
    "durable journal file (JSON lines); re-run with the same file to resume (relative to where you ran the command)"
  )
)
const idsFile = Options.text("ids").pipe(
  Options.optional,
  Options.withDescription(
    "patient ids, one per line, # comments skipped (with --live; relative to where you ran the command)"
  )
)
const rateLimit = Options.integer("rate-limit").pipe(
  atLeast("rate-limit", 0, "a whole number of requests per second, 0 or more"),
  Options.optional,
  Options.withDescription("client-side requests per second with --live (default 10; 0 = unlimited)")
)
const db = Options.text("db").pipe(
  Options.optional,
  Options.withDescription(
    "run on the durable engine (@effect/workflow) with its storage in this SQLite file (relative to where you ran the command)"
  )
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
  Options.withDescription(
    "use HERO_API_KEY / HERO_PRACTICE_GROUP_ID / HERO_BASE_URL|HERO_ENVIRONMENT against Hero (staging when neither is set)"
  )
)
const review = Options.boolean("review").pipe(
  Options.withDescription(
    `send what the approver defers to people: a review queue in the --db file or --postgres database, else ${defaultReviewDb} (act on it with pnpm review); the next run with --review applies their decisions`
  )
)
const otlp = Options.text("otlp").pipe(
  Options.optional,
  Options.withDescription(
    "export spans over OTLP/HTTP to this traces endpoint (e.g. http://127.0.0.1:4318/v1/traces); default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT"
  )
)
const logFormat = Options.choice("log-format", logFormats).pipe(
  Options.withDefault("text" as LogFormat),
  Options.withDescription("how log lines are written (on stderr): text, json (one object a line) or logfmt")
)
// @effect/cli has a built-in --log-level, but reads it only before every other flag; this one is
// read wherever it is (the built-in still works first).
const logLevel = Options.choice("log-level", logLevels).pipe(
  Options.optional,
  Options.withDescription("the least severe log level shown (default info; debug shows retries and each step)")
)
const yes = Options.boolean("yes").pipe(
  Options.withDescription("with --live against production: go on without asking (required when there is no terminal)")
)

// A dry run asks the chosen approver too (the pipeline stops before any write), so it can say what
// it would link and merge, with scores and grades.
type ApproverChoice = "automatic" | "always-ask" | "deny-all"
const approverOf = (choice: ApproverChoice): Approver.Service =>
  choice === "deny-all" ? Approver.denyAll : choice === "always-ask" ? Approver.alwaysAsk : Approver.automatic
const approverLayer = (choice: ApproverChoice) => Approver.layer(approverOf(choice))

type ReviewError = Layer.Layer.Error<ReturnType<ReturnType<typeof reviewQueueFor>["approver"]>>

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

const errnoCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? "failed"

const checkWritable = (file: string) =>
  Effect.try({
    try: () => {
      const existed = fs.existsSync(file)
      fs.closeSync(fs.openSync(file, "a"))
      if (!existed) fs.unlinkSync(file)
    },
    catch: (error) => configError(`cannot write the report to ${file}: ${errnoCode(error)}`)
  })

// A ConfigError as one sentence: which variable is missing or wrong (never its value).
const describeConfigError = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${describeConfigError(error.left)}; ${describeConfigError(error.right)}`
    case "MissingData":
      return `${error.path.join(".")} is not set`
    case "InvalidData":
      return `${error.path.join(".")} is not valid (${error.message})`
    case "SourceUnavailable":
      return `${error.path.join(".")} could not be read`
    case "Unsupported":
      return `${error.path.join(".")} is not supported`
  }
}

// ---------------------------------------------------------------------------------------------
// --review: the people in the loop. What the chosen approver defers is proposed to a review queue
// (ReviewQueue.layerApprover) kept in the run's own storage — the --db file or the --postgres
// database, beside the engine's tables — else in its own SQLite file (defaultReviewDb). People
// decide with `pnpm review`; the next run with --review finds each decision (the same records):
// an approval is applied, a rejection refused (REJECTED_BY_REVIEWER). The engine's executions
// end with NeedsReview rather than wait, so a run always finishes.

type ReviewStorage =
  | { readonly _tag: "sqlite"; readonly file: string }
  | { readonly _tag: "postgres"; readonly url: string }

const reviewQueueFor = (storage: ReviewStorage) => {
  const queue = storage._tag === "postgres"
    ? ReviewQueue.layerSql.pipe(Layer.provide(PgClient.layer({ url: Redacted.make(storage.url) })))
    : ReviewQueue.layerSql.pipe(
      Layer.provide(Layer.unwrapEffect(Effect.sync(() => {
        fs.mkdirSync(path.dirname(storage.file), { recursive: true })
        return SqliteClient.layer({ filename: storage.file })
      })))
    )
  const where = storage._tag === "postgres" ? "PostgreSQL (--postgres)" : storage.file
  const command = storage._tag === "postgres"
    ? "pnpm review list --postgres <the same URL>"
    : `pnpm review list --db ${storage.file}`
  return {
    /** The approver of the run: the chosen one, with what it defers sent to the queue. */
    approver: (choice: ApproverChoice) => ReviewQueue.layerApprover(approverOf(choice)).pipe(Layer.provide(queue)),
    /** After the run: what waits for a person (its own connection; the run's is closed). */
    summary: Effect.map(
      Effect.flatMap(ReviewQueue.ReviewQueue, (q) => q.counts),
      (counts): ReviewSummary => ({ storage: where, pending: counts.pending, deferred: counts.deferred, command })
    ).pipe(Effect.provide(queue))
  }
}

const reviewLines = (summary: ReviewSummary, engine: boolean): string =>
  [
    `Review queue: ${summary.pending} waiting for a person (pending), ${summary.deferred} deferred — ${summary.storage}`,
    `  Act on it: ${summary.command} (then pnpm review show | approve | reject | defer <reviewId>)`,
    `  Then run this job again with --review${
      engine ? " and a new --run-id (the same one returns the stored outcomes)" : ""
    } to apply the decisions.`,
    `  Or in a browser: HERO_REVIEW_TOKENS=<reviewer>=<token> ${
      summary.command.replace(/^pnpm review list/, "pnpm review serve")
    }, then open http://127.0.0.1:8484/review`
  ].join("\n")

// ---------------------------------------------------------------------------------------------
// The live target: named before anything runs, and confirmed before writing to production.

interface LiveTarget {
  readonly options: HeroHealthConfigOptions
  readonly production: boolean
  readonly description: string
}

const liveTarget = (rateLimitFlag: Option.Option<number>): Effect.Effect<LiveTarget, Stop> =>
  Effect.gen(function*() {
    const options = yield* HeroHealthConfig.pipe(
      Effect.provide(HeroHealthConfig.layerConfig(Option.match(rateLimitFlag, {
        onNone: () => ({}),
        onSome: (limit) => ({ rateLimit: limit === 0 ? "unlimited" as const : { limit, interval: "1 second" } })
      })))
    )
    const environment = process.env["HERO_ENVIRONMENT"]
    const baseUrl = process.env["HERO_BASE_URL"]
    // HeroHealthConfig.layerConfig: HERO_BASE_URL wins; else HERO_ENVIRONMENT; else staging.
    const source = baseUrl !== undefined
      ? environment === undefined ? "HERO_BASE_URL" : `HERO_BASE_URL; HERO_ENVIRONMENT=${environment} is set too`
      : environment !== undefined
      ? `HERO_ENVIRONMENT=${environment}`
      : "neither HERO_BASE_URL nor HERO_ENVIRONMENT is set, so staging is used"
    // Production when either says so: HERO_ENVIRONMENT=production next to a HERO_BASE_URL is a
    // mixed configuration, and a safety rail errs on the side of asking.
    const production = environment === "production" ||
      new URL(options.baseUrl).origin === new URL(HeroHealthConfig.production).origin
    return {
      options,
      production,
      description: `${
        production ? "PRODUCTION " : ""
      }${options.baseUrl} (${source}), practice group ${options.practiceGroupId}`
    }
  }).pipe(
    Effect.catchAll((error) =>
      Effect.fail(configError(
        `--live needs its configuration from the environment: ${
          describeConfigError(error)
        } (HERO_API_KEY, HERO_PRACTICE_GROUP_ID, and HERO_BASE_URL or HERO_ENVIRONMENT=staging|production)`
      ))
    )
  )

// One line from the terminal; interrupting (Ctrl-C) aborts the question.
const ask = (question: string) =>
  Effect.tryPromise({
    try: (signal) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
      return rl.question(question, { signal }).finally(() => rl.close())
    },
    catch: () => configError("not confirmed: nothing was sent")
  })

const confirmProduction = (target: LiveTarget, flags: { readonly dryRun: boolean; readonly yes: boolean }) =>
  Effect.gen(function*() {
    if (!target.production || flags.dryRun || flags.yes) return
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      return yield* configError(
        "the target is production and this run can write: pass --yes to confirm (there is no terminal to ask on), or --dry-run to only read"
      )
    }
    const answer = yield* ask(
      `This run can link and merge records in PRODUCTION (practice group ${target.options.practiceGroupId}). Type "yes" to go on: `
    )
    if (answer.trim().toLowerCase() !== "yes") return yield* configError("not confirmed: nothing was sent")
  })

// ---------------------------------------------------------------------------------------------

const exitCodeLines: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.done, "done: every patient has a final outcome and none failed"],
  [ExitCode.failed, "some patients failed (the summary lists their reason codes)"],
  [ExitCode.usage, "bad usage: an unknown or malformed flag, a value out of range, a flag missing"],
  [
    ExitCode.config,
    "configuration: HERO_* variables, two storages, a file that cannot be read or written, production not confirmed"
  ],
  [ExitCode.unreachable, "target unreachable (--live): no connection could be made for any patient"],
  [ExitCode.interrupted, "stopped by Ctrl-C: the stop message says how to resume"]
]

const footer = HelpDoc.blocks([
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.blocks(exitCodeLines.map(([code, meaning]) => HelpDoc.p(`${String(code).padEnd(4)} ${meaning}`))),
  HelpDoc.h1("PATHS"),
  HelpDoc.p(
    "--ids, --report, --journal, --seed-file and --db are relative to the directory you ran the command in (INIT_CWD under pnpm)."
  )
])

// Logs and spans for the whole job; a bad --otlp URL is bad usage, a bad OTEL_* variable configuration.
const observability = (
  flags: {
    readonly otlp: Option.Option<string>
    readonly logFormat: LogFormat
    readonly logLevel: Option.Option<LogLevelName>
  }
): Layer.Layer<never, Stop> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const endpoint = yield* Either.match(otlpEndpoint(flags.otlp, process.env), {
      onLeft: (reason) => Effect.fail(Option.isSome(flags.otlp) ? usageError(reason) : configError(reason)),
      onRight: Effect.succeed
    })
    const logging = loggingLayer(flags.logFormat, flags.logLevel)
    return Option.match(endpoint, {
      onNone: () => logging,
      onSome: (url) => Layer.merge(logging, tracingLayer(url, process.env))
    })
  }))

const command = Command.make(
  "hero-merge",
  {
    seed,
    seedFile,
    people,
    concurrency,
    dryRun,
    approver,
    reportFiles,
    journalFile,
    idsFile,
    live,
    yes,
    review,
    rateLimit,
    db,
    postgres,
    runId: runIdOption,
    otlp,
    logFormat,
    logLevel
  },
  (flags) =>
    Effect.gen(function*() {
      // Checks that need no file and no network first: bad usage and contradictions.
      if (Option.isSome(flags.journalFile) && (Option.isSome(flags.db) || Option.isSome(flags.postgres))) {
        return yield* configError("--journal and --db/--postgres are two storages: choose one")
      }
      if (Option.isSome(flags.db) && Option.isSome(flags.postgres)) {
        return yield* configError("--db and --postgres are two storages: choose one")
      }
      if (flags.live && Option.isNone(flags.idsFile)) {
        return yield* usageError("--live needs --ids <file> (one patient id per line)")
      }
      const reportPaths = flags.reportFiles.map(resolvePath)
      // The file the summary points to for the full lists: a human-readable one when there is one.
      const reportPath = reportPaths.find((file) => !file.toLowerCase().endsWith(".json")) ?? reportPaths[0]
      const journalPath = Option.map(flags.journalFile, resolvePath)
      const dbPath = Option.map(flags.db, resolvePath)
      const seedPath = Option.map(flags.seedFile, resolvePath)
      const idsPath = Option.map(flags.idsFile, resolvePath)

      // The live target, named before anything else happens, and confirmed for production.
      const target = flags.live ? Option.some(yield* liveTarget(flags.rateLimit)) : Option.none<LiveTarget>()
      let liveIds: ReadonlyArray<PatientId> = []
      if (Option.isSome(target)) {
        yield* say(`Target: ${target.value.description}${flags.dryRun ? " — dry run, read only" : ""}`)
        liveIds = yield* Option.match(idsPath, {
          onNone: () => Effect.succeed<ReadonlyArray<PatientId>>([]),
          onSome: (file) =>
            Effect.try({
              try: () => fs.readFileSync(file, "utf8"),
              catch: (error) => configError(`cannot read the ids file ${file}: ${errnoCode(error)}`)
            }).pipe(Effect.flatMap((text) => decodeIdsFile(file, text)))
        })
        yield* confirmProduction(target.value, flags)
      }

      // The report is written after every write is done: a path that cannot be written must stop
      // the job before the first one, not lose the report at the end.
      for (const file of reportPaths) yield* checkWritable(file)
      const runId = Option.getOrElse(flags.runId, () => `run-${Date.now().toString(36)}`)
      // The durable engine (ProcessPatient on @effect/workflow), when asked for; else the journal.
      const engine = Option.isSome(flags.postgres)
        ? Option.some(
          DurablePostgres.layer({
            url: flags.postgres.value,
            runnerAddress: { host: "127.0.0.1", port: yield* freePort }
          })
        )
        : Option.map(
          dbPath,
          (filename) => DurableEngine.layerSqlite({ filename }).pipe(Layer.provideMerge(PatientLease.layerMemory))
        )
      // The journal is bound to what it is about: a journal of another practice group, another
      // environment or another sandbox world is refused rather than resumed against this one.
      // (The same strings as before these checks, so existing journals still resume.)
      const journalTarget = flags.live
        ? Journal.targetOf({
          baseUrl: process.env["HERO_BASE_URL"] ?? `environment:${process.env["HERO_ENVIRONMENT"] ?? "staging"}`,
          practiceGroupId: process.env["HERO_PRACTICE_GROUP_ID"] ?? ""
        })
        : Option.match(flags.seedFile, {
          onNone: () => `sandbox:seed=${flags.seed},patients=${flags.people}`,
          onSome: (file) => `sandbox:file=${file}`
        })
      const journal = Option.match(journalPath, {
        onNone: () => Journal.layerMemory,
        // Journals from before lines carried checks are migrated once, so an interrupted job resumes.
        onSome: (file) => Journal.layerFile(file, { target: journalTarget, legacy: "migrate" })
      })
      // --review: the queue in the run's storage (the --db file, the --postgres database, else its own file).
      const reviews = flags.review
        ? Option.some(reviewQueueFor(
          Option.isSome(flags.postgres)
            ? { _tag: "postgres", url: flags.postgres.value }
            : { _tag: "sqlite", file: Option.getOrElse(dbPath, () => resolvePath(defaultReviewDb)) }
        ))
        : Option.none()
      const approvals = Option.match(reviews, {
        onNone: () => approverLayer(flags.approver),
        onSome: (queue) => queue.approver(flags.approver)
      })
      const workflow = Layer.mergeAll(journal, PatientLease.layerMemory, approvals)

      const sandboxIds = Effect.map(Sandbox.Sandbox, (s) => s.world.patients.map((p) => p.id))
      // How far the run got, for the stop message on Ctrl-C.
      // How far the run got: the bar (or lines), and the stop message on Ctrl-C.
      const progress = makeProgress({
        isTTY: process.stderr.isTTY === true,
        columns: process.stderr.columns,
        write: (text) => process.stderr.write(text)
      })
      let total = 0
      const resumed = (n: number, where: string) =>
        n > 0 ? say(`Resumed: ${n} patient records already done (${where})`) : Effect.void

      const run = (
        ids: ReadonlyArray<PatientId>,
        scoring?: Scoring.ScoringConfig
      ): Effect.Effect<Batch.Report, Journal.JournalError | EngineError | ReviewError, HeroHealthClient> => {
        total = ids.length
        const batch: Effect.Effect<Batch.Report, Journal.JournalError | EngineError | ReviewError, HeroHealthClient> =
          Option.match(engine, {
            onNone: () =>
              Effect.gen(function*() {
                // A patient whose outcome the journal already holds is not processed again.
                if (Option.isSome(journalPath)) {
                  const finished = yield* Effect.reduce(
                    ids,
                    0,
                    (n, id) => Effect.map(Journal.state(id), (s) => s._tag === "Finished" ? n + 1 : n)
                  )
                  yield* resumed(finished, `their outcome is in ${journalPath.value}`)
                }
                return yield* Batch.run(Stream.fromIterable(ids), {
                  runId,
                  scoring,
                  dryRun: flags.dryRun,
                  concurrency: flags.concurrency,
                  total: ids.length,
                  onProgress: progress.onProgress
                })
              }).pipe(Effect.provide(workflow)),
            onSome: (engine) =>
              Effect.gen(function*() {
                // The engine returns a finished execution's stored outcome: count them first.
                const finished = yield* Effect.reduce(ids, 0, (n, patientId) =>
                  ProcessPatient.ProcessPatient.executionId({ runId, patientId }).pipe(
                    Effect.flatMap(ProcessPatient.ProcessPatient.poll),
                    Effect.map((result) => result !== undefined && result._tag === "Complete" ? n + 1 : n)
                  ))
                yield* resumed(finished, `run ${runId} on the durable engine`)
                return yield* ProcessPatient.runDurable(Stream.fromIterable(ids), {
                  runId,
                  concurrency: flags.concurrency,
                  total: ids.length,
                  onProgress: progress.onProgress
                })
              }).pipe(
                Effect.provide(
                  ProcessPatient.layer({ scoring, dryRun: flags.dryRun }).pipe(
                    Layer.provideMerge(engine),
                    Layer.provide(approvals)
                  )
                )
              )
          })
        // The redrawn bar ends before anything else is printed (or the stop message on Ctrl-C).
        return Effect.ensuring(batch, progress.finish)
      }

      // Ctrl-C: a clean stop that says what was kept and how to go on.
      const stopped = Effect.suspend(() => {
        const storage = Option.isSome(journalPath)
          ? `Resume: run the same command again; ${journalPath.value} keeps every patient done.`
          : Option.isSome(engine)
          ? Option.isSome(flags.runId)
            ? "Resume: run the same command again (the same --run-id); the engine's storage keeps every patient done."
            : `Resume: run the same command again with --run-id ${runId}; the engine's storage keeps every patient done.`
          : "Nothing was stored (no --journal, --db or --postgres): running again starts over, and finds what was already linked or merged."
        return say(`Stopped (interrupted) after ${progress.done()} of ${total} patient records. ${storage}`)
      })

      const work: Effect.Effect<Batch.Report, unknown> = flags.live && Option.isSome(target)
        ? run(liveIds).pipe(
          Effect.provide(
            // The client's own undici transport: the lowest overhead per call (BENCHMARKS.md).
            HeroHealthClient.layerUndici().pipe(
              Layer.provide(Layer.succeed(HeroHealthConfig, target.value.options))
            )
          )
        )
        : Effect.gen(function*() {
          const sandbox = yield* Sandbox.Sandbox
          const server = yield* SandboxServer.SandboxServer
          const records = `${sandbox.world.patients.length} Hero patient records`
          yield* say(
            Option.isSome(seedPath)
              ? `Sandbox on ${server.url} (seed file ${path.basename(seedPath.value)}): ${records}`
              : `Sandbox on ${server.url} (seed ${flags.seed}): ${flags.people} people as ${records} (duplicates add records)`
          )
          const client = HeroHealthClient.layerUndici().pipe(
            Layer.provide(HeroHealthConfig.layer({
              baseUrl: server.url,
              apiKey: Redacted.make(sandbox.credentials.apiKey),
              practiceGroupId: sandbox.credentials.practiceGroupId,
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
          yield* say(`Sandbox writes applied: ${counters.writes}`)
          return report
        }).pipe(
          Effect.provide(SandboxServer.layer({ port: 0 })),
          Effect.provide(
            Option.match(seedPath, {
              onNone: () =>
                Sandbox.layer({ seed: flags.seed, patients: flags.people }),
              onSome: (file) => Layer.unwrapEffect(Effect.map(SeedFile.load(file), (world) => Sandbox.layer({ world })))
            })
          ),
          Effect.scoped
        )

      const report = yield* work.pipe(
        Effect.onInterrupt(() => stopped),
        // The journal, the engine's storage or the seed file could not be used: configuration.
        Effect.catchAll((error) =>
          Effect.fail(
            error instanceof Stop ? error : configError(`${errorTag(error)}: ${firstLine(errorMessage(error))}`)
          )
        )
      )

      yield* Console.log(summaryText(report, reportPath))
      // --review: what waits for a person, where, and how to act on it (in the report file too).
      const reviewSummary = yield* Option.match(reviews, {
        onNone: () => Effect.succeed(Option.none<ReviewSummary>()),
        onSome: (queue) =>
          queue.summary.pipe(
            Effect.tap((summary) => Console.log(reviewLines(summary, Option.isSome(engine)))),
            Effect.asSome,
            Effect.catchAll((error) =>
              Effect.as(say(`Review queue: its counts could not be read (${errorTag(error)})`), Option.none())
            )
          )
      })
      const written: RunReport = Option.match(reviewSummary, {
        onNone: () => report,
        onSome: (review) => ({ ...report, review })
      })
      const reportContext = {
        target: Option.match(target, {
          onNone: () =>
            Option.match(flags.seedFile, {
              onNone: () => `the embedded sandbox (seed ${flags.seed}, ${flags.people} people)`,
              onSome: (file) => `the embedded sandbox (seed file ${path.basename(file)})`
            }),
          onSome: (t) => t.description
        }),
        dryRun: flags.dryRun
      }
      for (const file of reportPaths) {
        yield* Effect.try({
          try: () => fs.writeFileSync(file, render(file, written, reportContext)),
          catch: (error) => configError(`cannot write the report to ${file}: ${errnoCode(error)}`)
        })
        yield* Console.log(`Report written to ${file}`)
      }

      const failed = report.outcomes["Failed"] ?? 0
      if (failed > 0) {
        const { notSent } = failures(report)
        const retry = Option.isSome(journalPath)
          ? `: their outcome is recorded in ${journalPath.value}, so retry them with a new --journal file`
          : Option.isSome(engine)
          ? ": the same --run-id returns their stored outcome, so retry them with a new --run-id"
          : ": run again to retry them"
        // Every patient failed without a connection being made: the target is not there.
        if (notSent === report.total) {
          return yield* new Stop({
            code: ExitCode.unreachable,
            reason:
              `the target was not reached: no connection could be made for any of the ${report.total} patients${retry}`
          })
        }
        return yield* new Stop({
          code: ExitCode.failed,
          reason: `${failed} of ${report.total} patients failed${retry}`
        })
      }
    }).pipe(
      Effect.withSpan("hero-effect.job", {
        attributes: { "hero.mode": flags.live ? "live" : "sandbox", "hero.dry_run": flags.dryRun }
      }),
      Effect.provide(observability(flags))
    )
).pipe(
  Command.withDescription(
    "Find, link and merge duplicate Hero patients safely, and report. Exit codes: 0 done, 1 some patients failed, 2 bad usage, 3 configuration, 4 target unreachable, 130 interrupted (see EXIT CODES)."
  )
)

const errorTag = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Error"
const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
// One line: a message never brings a stack or a dump with it.
const firstLine = (text: string): string => text.split("\n")[0]?.trim() ?? ""

const cli = Command.run(command, { name: "hero-effect main job", version: "0.1.0", footer })

// @effect/cli prints a parse error's message (Console.error), then fails with its ValidationError;
// runMain would log that again as a JSON dump of the HelpDoc. So the parser's own printing is
// muted and the message printed once, here, as one paragraph. The job itself gets the terminal's
// console back.
const terminal = Effect.runSync(Effect.console)
const muted: Console.Console = { ...terminal, error: () => Effect.void }

const exitWith = (code: number, message: string) =>
  Effect.as(say(message.length === 0 ? "" : `hero-merge: ${message}`), code)

// `pnpm start -- --flag` hands the CLI a literal "--" first: drop it, as npm would.
const argv = process.argv[2] === "--" ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv

const main: Effect.Effect<number> = Effect.withConsole(cli(argv), muted).pipe(
  Effect.as(ExitCode.done as number),
  Effect.catchAll((error) =>
    ValidationError.isValidationError(error)
      ? exitWith(ExitCode.usage, `${firstLine(HelpDoc.toAnsiText(error.error))} (see --help)`)
      : error instanceof Stop
      ? exitWith(error.code, error.reason)
      : exitWith(ExitCode.failed, `stopped on an error: ${errorTag(error)}: ${firstLine(errorMessage(error))}`)
  ),
  // A defect: its name and first line only (a stack trace is for a debugger, not a terminal).
  Effect.catchAllDefect((defect) =>
    exitWith(ExitCode.failed, `stopped on an unexpected error: ${firstLine(Cause.pretty(Cause.die(defect)))}`)
  ),
  Effect.provide(NodeContext.layer)
)

// The exit code is the program's value; an interruption (Ctrl-C, SIGTERM) exits 130.
const teardown: Teardown = (exit, onExit) =>
  onExit(
    Exit.isSuccess(exit)
      ? (typeof exit.value === "number" ? exit.value : ExitCode.done)
      : Cause.isInterruptedOnly(exit.cause)
      ? ExitCode.interrupted
      : ExitCode.failed
  )

NodeRuntime.runMain(main, { disableErrorReporting: true, teardown })
