// The durable job: one ProcessPatient workflow per patient id of a file (@effect/workflow +
// @effect/cluster). Killed at any moment and started again with the same storage and --run-id, it
// returns what the engine finished and lets it drive the rest; no write is sent twice. The Hero
// settings come from the environment (HERO_API_KEY, HERO_PRACTICE_GROUP_ID, HERO_BASE_URL or
// HERO_ENVIRONMENT).
//
// One process, SQLite file (nothing to start):
//   tsx --conditions=@hero-effect/source durable.ts --ids ids.txt --db engine.db --run-id run-1 \
//     [--concurrency 4] [--report report.json] [--rate-limit 10] [--review | --review-wait]
//   (--help prints the usage.)
//
// With --review, a link or merge the rules send to a person becomes an item of the review queue
// in the same storage (the patient ends NeedsReview with the item's id). Decide with
// `pnpm review … --db engine.db`; a later run (a new --run-id) applies the decisions.
//
// With --review-wait (implies --review; SQLite only), such a patient's execution waits for the
// decision instead (ProcessPatient.layer({ reviews: "wait" })): the patients who need no person
// finish meanwhile, and the run returns only once every patient has a final outcome. Decide while
// it runs (`pnpm review approve <id> --db engine.db` in another terminal, or ReviewQueue.layerSql
// on the file): an approved link or merge is applied once, a rejected one never. Killed while it
// waits (or just after a merge), the same command again (same --db and --run-id) goes on from
// the file and wakes what was decided meanwhile. `--review-wait --postgres` is refused (exit 2):
// that path is not tested on PostgreSQL.
//
// Several workers on PostgreSQL (--postgres, or HERO_DURABLE_POSTGRES_URL): --workers N starts N
// worker processes of this script and waits for them; or start each worker yourself, on any
// machine that reaches the database, with its own --runner-port (the address the other workers
// reach it at; --runner-host, default 127.0.0.1). Every worker submits the whole id list (each
// from its own place in it) and returns the whole report; each execution runs on one worker at a
// time, and a worker that dies leaves its executions to the others.
//   tsx --conditions=@hero-effect/source durable.ts --ids ids.txt --run-id run-1 \
//     --postgres postgres://user@127.0.0.1:5432/hero --workers 3 [--report report.json]
//   tsx --conditions=@hero-effect/source durable.ts --ids ids.txt --run-id run-1 \
//     --postgres postgres://… --runner-port 34001 [--worker-index 0 --worker-count 3]
//
// Retention: with --purge, it deletes what the storage keeps of the run's finished executions (the
// records read, decisions, outcomes, write claims) and processes nothing; unfinished ones stay.
// With --purge-older-than AGE (30d, 12h, 90m), it purges every run's finished executions first
// submitted more than AGE ago, whatever the run (no --ids or --run-id needed): a retention job.
// (On PostgreSQL, purge while no worker runs: the purging process joins as a runner.)
//   tsx --conditions=@hero-effect/source durable.ts --purge --ids ids.txt --db engine.db --run-id run-1
//   tsx --conditions=@hero-effect/source durable.ts --purge-older-than 30d --db engine.db
import { NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Batch, DurableEngine, PatientLease, ProcessPatient, ReviewQueue } from "@hero-effect/workflows"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import { Console, Duration, Effect, Layer, Stream } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"

const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}
const fail = (message: string): never => {
  process.stderr.write(`durable: ${message}\n`)
  process.exit(2)
}
const usage = `usage:
  durable.ts --ids FILE --db FILE --run-id ID [--concurrency N] [--report FILE] [--rate-limit N]
             [--review | --review-wait]
  durable.ts --ids FILE --run-id ID --postgres URL (--workers N | --runner-port P [--runner-host H]
             [--worker-index I --worker-count N]) [--concurrency N] [--report FILE] [--review]
  durable.ts --purge --ids FILE (--db FILE | --postgres URL) --run-id ID
  durable.ts --purge-older-than AGE (--db FILE | --postgres URL)

  --review       what needs a person goes to the review queue in the same storage; the patient
                 ends NeedsReview with the item's id; decide with pnpm review … --db FILE, then run
                 again with a new --run-id to apply the decisions
  --review-wait  (implies --review; SQLite --db only) the patient's execution waits for the
                 decision instead: the run returns once every patient has a final outcome; decide
                 meanwhile (pnpm review approve|reject <id> --db FILE in another terminal); the
                 same command again (same --db, --run-id) goes on after a crash
`
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(usage)
  process.exit(0)
}
const required = (name: string): string => argument(name) ?? fail(`--${name} is required`)
const count = (name: string, fallback: number): number => {
  const text = argument(name)
  if (text === undefined) return fallback
  const n = Number(text)
  return Number.isInteger(n) && n >= 0 ? n : fail(`--${name} must be a whole number, not ${JSON.stringify(text)}`)
}

// 30d, 12h, 90m (or days/hours/minutes spelled out).
const parseAge = (text: string): Duration.Duration => {
  const match = /^(\d+)\s*(d|days?|h|hours?|m|min|minutes?)$/.exec(text.trim())
  if (match === null) return fail(`--purge-older-than takes an age like 30d, 12h or 90m, not ${JSON.stringify(text)}`)
  const n = Number(match[1])
  const unit = match[2]!
  return unit.startsWith("d") ? Duration.days(n) : unit.startsWith("h") ? Duration.hours(n) : Duration.minutes(n)
}
const olderThan = argument("purge-older-than")
const purgeAge = olderThan === undefined ? undefined : parseAge(olderThan)

const idsFile = purgeAge === undefined ? required("ids") : argument("ids")
const runId = purgeAge === undefined ? required("run-id") : argument("run-id") ?? ""
const postgres = argument("postgres") ?? process.env.HERO_DURABLE_POSTGRES_URL
const db = postgres === undefined ? required("db") : undefined
const concurrency = count("concurrency", 4)
const reportFile = argument("report")
const rateLimit = argument("rate-limit")
const workers = count("workers", 0)
// --review: what the rules send to a person goes to the review queue in the engine's storage; the
// patient ends NeedsReview with the item's id, and a later run (a new --run-id) applies decisions.
// ("end", not "wait": a run of this script returns when its patients are done, whoever reviews.)
// --review-wait: "wait" (see the header); tested on the SQLite engine only, so refused on PostgreSQL.
const waitingForReviews = process.argv.includes("--review-wait")
const reviewing = waitingForReviews || process.argv.includes("--review")
if (waitingForReviews && postgres !== undefined) {
  fail("--review-wait runs on a SQLite file (--db) only: it is tested on SQLite, not with --postgres")
}
const workerIndex = count("worker-index", 0)
const workerCount = Math.max(1, count("worker-count", 1))
if (workers > 0 && postgres === undefined) fail("--workers needs --postgres (a SQLite file has one process)")

const ids = idsFile === undefined ?
  [] :
  fs.readFileSync(idsFile, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) as Array<
    PatientId
  >

// Each worker starts at its own place in the list, so N workers keep N different executions
// moving instead of all waiting on the same ones; each still submits (and reports) every id.
const rotated = (list: ReadonlyArray<PatientId>): ReadonlyArray<PatientId> => {
  const start = Math.floor((list.length * (workerIndex % workerCount)) / workerCount)
  return [...list.slice(start), ...list.slice(0, start)]
}

const client = HeroHealthClient.layerUndici().pipe(
  Layer.provide(HeroHealthConfig.layerConfig(
    rateLimit === undefined
      ? {}
      : { rateLimit: Number(rateLimit) <= 0 ? "unlimited" : { limit: Number(rateLimit), interval: "1 second" } }
  ))
)

// Runner port 0: DurablePostgres picks a free one.
const engine = (runnerPort: number) =>
  postgres === undefined
    ? DurableEngine.layerSqlite({ filename: db! }).pipe(Layer.provideMerge(PatientLease.layerMemory))
    : DurablePostgres.layer({
      url: postgres,
      runnerAddress: { host: argument("runner-host") ?? "127.0.0.1", port: runnerPort }
    })

// With --review-wait: the patients whose execution waits on an item (a wait registered in this
// process and not woken yet), and how many patients have their outcome. Once every other patient
// is done, one line says who is left and how to decide (again whenever those counts change).
const parked = new Set<string>()
let done = 0
let announced = ""
const announceWaiting = Effect.suspend(() => {
  const state = `${done}/${parked.size}`
  if (parked.size === 0 || done + parked.size !== ids.length || state === announced) return Effect.void
  announced = state
  return Effect.sync(() =>
    process.stderr.write(
      `durable: ${done} of ${ids.length} patients done; ${parked.size} wait for a person: decide with pnpm review list --db ${db} (then approve or reject); this run goes on as they are decided\n`
    )
  )
})
const watchedQueue = Layer.effect(
  ReviewQueue.ReviewQueue,
  Effect.map(ReviewQueue.makeSql, (queue): ReviewQueue.Service => ({
    ...queue,
    wait: (waiter) =>
      Effect.tap(queue.wait(waiter), (state) =>
        state === "waiting"
          ? Effect.zipRight(Effect.sync(() => parked.add(waiter.token)), announceWaiting)
          : Effect.void),
    woken: (token) => Effect.tap(queue.woken(token), () => Effect.sync(() => parked.delete(token)))
  }))
)

// With --review, the queue approver over the queue in the engine's own database.
const decisions = reviewing
  ? ReviewQueue.layerApprover(Approver.automatic).pipe(
    Layer.provideMerge(waitingForReviews ? watchedQueue : ReviewQueue.layerSql)
  )
  : Approver.layerAutomatic

const program = (runnerPort: number) =>
  Effect.gen(function*() {
    if (waitingForReviews) {
      yield* Effect.sync(() =>
        process.stderr.write(
          `durable: patients needing review wait for a decision (pnpm review list --db ${db}); the run returns once every patient has an outcome\n`
        )
      )
    } else if (reviewing) {
      const where = postgres === undefined ? `--db ${db}` : "--postgres <the same url>"
      yield* Effect.sync(() =>
        process.stderr.write(
          `durable: items needing review go to the queue; decide with: pnpm review list ${where}, then run again with a new --run-id\n`
        )
      )
    }
    const report = yield* ProcessPatient.runDurable(Stream.fromIterable(rotated(ids)), {
      runId,
      concurrency,
      total: ids.length,
      onProgress: (p) =>
        Effect.zipRight(
          p.done % 20 === 0 || p.done === p.total
            ? Effect.sync(() => process.stderr.write(`${Batch.progressLine(p)}\n`))
            : Effect.void,
          waitingForReviews ? Effect.zipRight(Effect.sync(() => (done = p.done)), announceWaiting) : Effect.void
        )
    })
    if (reportFile !== undefined) fs.writeFileSync(reportFile, JSON.stringify(report, null, 1))
    yield* Console.log(Batch.summary(report))
  }).pipe(
    Effect.provide(
      ProcessPatient.layer({ reviews: waitingForReviews ? "wait" : "end" }).pipe(
        Layer.provideMerge(decisions),
        Layer.provideMerge(engine(runnerPort)),
        Layer.provide(client)
      )
    )
  )

// Only the engine: no workflow is registered, so nothing is processed while purging.
const purge = (runnerPort: number) =>
  Effect.gen(function*() {
    const { purged, skipped } = yield* DurableEngine.purge(runId, ids)
    yield* Console.log(
      `Run ${runId}: ${purged} finished executions purged, ${skipped} patients skipped (unfinished or none)`
    )
  }).pipe(Effect.provide(engine(runnerPort)))

const purgeByAge = (runnerPort: number, age: Duration.Duration) =>
  Effect.gen(function*() {
    const report = yield* DurableEngine.purgeOlderThan(age)
    for (const run of report.runs) {
      yield* Console.log(`Run ${run.runId}: ${run.purged} finished executions purged, ${run.skipped} unfinished kept`)
    }
    yield* Console.log(
      `Older than ${
        Duration.format(age)
      }: ${report.purged} executions purged in ${report.runs.length} run(s), ${report.skipped} unfinished kept`
    )
  }).pipe(Effect.provide(engine(runnerPort)))

/** --workers N: this script N times as workers, each with its own port and report; then one report. */
const supervise = async (): Promise<number> => {
  const children = await Promise.all(Array.from({ length: workers }, async (_, index) => {
    const own = reportFile === undefined ? undefined : `${reportFile}.worker-${index}`
    const args = process.argv.slice(1).filter((_, i, all) => all[i] !== "--workers" && all[i - 1] !== "--workers")
      .filter((_, i, all) => all[i] !== "--report" && all[i - 1] !== "--report")
    const child = spawn(process.execPath, [
      ...process.execArgv,
      ...args,
      "--worker-index",
      String(index),
      "--worker-count",
      String(workers),
      ...(own === undefined ? [] : ["--report", own])
    ], { stdio: ["ignore", "inherit", "inherit"] })
    const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)))
    return { index, code, own }
  }))
  const failed = children.filter((c) => c.code !== 0)
  if (failed.length > 0) {
    process.stderr.write(
      `durable: worker(s) ${failed.map((c) => c.index).join(", ")} failed; run again with the same --run-id\n`
    )
    return 1
  }
  if (reportFile !== undefined) {
    // Every worker reports every patient, from the same stored executions: one copy is the report.
    fs.copyFileSync(children[0]!.own!, reportFile)
    for (const c of children) fs.rmSync(c.own!, { force: true })
  }
  return 0
}

if (workers > 0) {
  supervise().then((code) => process.exit(code), (error) => fail(String(error)))
} else {
  const port = count("runner-port", 0)
  NodeRuntime.runMain(
    purgeAge !== undefined ? purgeByAge(port, purgeAge) : process.argv.includes("--purge") ? purge(port) : program(port)
  )
}
