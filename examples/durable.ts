// The durable job: one ProcessPatient workflow per patient id of a file, on the SQLite engine
// (@effect/workflow + @effect/cluster, one runner). Killed at any moment and started again with the
// same --db and --run-id, it returns what the engine finished and lets it drive the rest; no write
// is sent twice. The Hero settings come from the environment (HERO_API_KEY, HERO_PRACTICE_GROUP_ID,
// HERO_BASE_URL or HERO_ENVIRONMENT).
//
//   tsx --conditions=@hero-effect/source durable.ts --ids ids.txt --db engine.db --run-id run-1 \
//     [--concurrency 4] [--report report.json] [--rate-limit 10]
//
// Retention: with --purge, it deletes what the file keeps of the run's finished executions (the
// records read, decisions, outcomes, write claims) and processes nothing; unfinished ones stay.
//
//   tsx --conditions=@hero-effect/source durable.ts --purge --ids ids.txt --db engine.db --run-id run-1
import { NodeRuntime } from "@effect/platform-node"
import { HeroHealthClient, HeroHealthConfig } from "@hero-effect/client"
import type { PatientId } from "@hero-effect/schema"
import { Approver, Batch, DurableEngine, PatientLease, ProcessPatient } from "@hero-effect/workflows"
import { Console, Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"

const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? undefined : process.argv[i + 1]
}
const required = (name: string): string => {
  const value = argument(name)
  if (value === undefined) throw new Error(`--${name} is required`)
  return value
}

const idsFile = required("ids")
const db = required("db")
const runId = required("run-id")
const concurrency = Number(argument("concurrency") ?? "4")
const reportFile = argument("report")
const rateLimit = argument("rate-limit")

const ids = fs.readFileSync(idsFile, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0) as Array<
  PatientId
>

const client = HeroHealthClient.layerUndici().pipe(
  Layer.provide(HeroHealthConfig.layerConfigWith(
    rateLimit === undefined
      ? {}
      : { rateLimit: Number(rateLimit) <= 0 ? "unlimited" : { limit: Number(rateLimit), interval: "1 second" } }
  ))
)

const program = Effect.gen(function*() {
  const report = yield* ProcessPatient.runDurable(Stream.fromIterable(ids), {
    runId,
    concurrency,
    total: ids.length,
    onProgress: (p) =>
      p.done % 20 === 0 || p.done === p.total
        ? Effect.sync(() => process.stderr.write(`${Batch.progressLine(p)}\n`))
        : Effect.void
  })
  if (reportFile !== undefined) fs.writeFileSync(reportFile, JSON.stringify(report, null, 1))
  yield* Console.log(Batch.summary(report))
}).pipe(
  Effect.provide(
    ProcessPatient.layer().pipe(
      Layer.provideMerge(DurableEngine.layerSqlite({ filename: db })),
      Layer.provide(Layer.mergeAll(client, PatientLease.layerMemory, Approver.layerAutomatic))
    )
  )
)

// Only the engine: no workflow is registered, so nothing is processed while purging.
const purge = Effect.gen(function*() {
  const { purged, skipped } = yield* DurableEngine.purge(runId, ids)
  yield* Console.log(
    `Run ${runId}: ${purged} finished executions purged, ${skipped} patients skipped (unfinished or none)`
  )
}).pipe(Effect.provide(DurableEngine.layerSqlite({ filename: db })))

NodeRuntime.runMain(process.argv.includes("--purge") ? purge : program)
