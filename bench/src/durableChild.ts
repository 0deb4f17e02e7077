/**
 * One durable-benchmark process: the pipeline over a file of ids against a sandbox server, on one
 * storage — the JSONL journal (`Batch.run`), the SQLite engine or the PostgreSQL engine (one worker
 * of several). Started by `durable.ts`; prints one JSON line (the result) last.
 *
 *   durableChild.ts jsonl    <url> <apiKey> <practiceGroupId> <idsFile> <concurrency> <journalFile>
 *   durableChild.ts sqlite   <url> <apiKey> <practiceGroupId> <idsFile> <concurrency> <dbFile>
 *   durableChild.ts postgres <url> <apiKey> <practiceGroupId> <idsFile> <concurrency> <pgUrl> <index> <count>
 */
import { NodeFileSystem, NodeHttpClient } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import { Approver, Batch, DurableEngine, Journal, PatientLease, ProcessPatient } from "@hero-effect/workflows"
import * as DurablePostgres from "@hero-effect/workflows/DurablePostgres"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"

const [mode, url, apiKey, practiceGroupId, idsFile, concurrencyText, storage, indexText, countText] = process.argv
  .slice(2)
const concurrency = Number(concurrencyText)
const allIds = fs.readFileSync(idsFile!, "utf8").split("\n").filter((l) => l.length > 0).map((l) => PatientId.make(l))
// Each of several workers starts at its own place in the list (as examples/durable.ts does).
const index = Number(indexText ?? "0")
const count = Number(countText ?? "1")
const start = Math.floor((allIds.length * index) / count)
const ids = [...allIds.slice(start), ...allIds.slice(0, start)]

const client = HeroHealthClient.layer.pipe(
  Layer.provide(HeroHealthConfig.layer({
    baseUrl: url!,
    apiKey: Redacted.make(apiKey!),
    practiceGroupId: PracticeGroupId.make(practiceGroupId ?? ""),
    rateLimit: "unlimited"
  })),
  Layer.provide(NodeHttpClient.layerUndici)
)

const measured = <E, R>(report: Effect.Effect<Batch.Report, E, R>) =>
  Effect.gen(function*() {
    // CPU of the run itself, not of loading the code and building the layers.
    const cpuBefore = process.cpuUsage()
    const startedAt = Date.now()
    const result = yield* report
    const endedAt = Date.now()
    const { system, user } = process.cpuUsage(cpuBefore)
    return {
      patients: result.total,
      seconds: (endedAt - startedAt) / 1000,
      startedAt,
      endedAt,
      outcomes: result.outcomes,
      cpuSeconds: Math.round((user + system) / 1e4) / 100,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10
    }
  })

const options = { runId: "bench-durable", concurrency, total: ids.length, retainPatients: false } as const

const program = mode === "jsonl"
  ? measured(Batch.run(Stream.fromIterable(ids), options)).pipe(
    Effect.provide(Layer.mergeAll(
      client,
      NodeFileSystem.layer,
      Journal.layerFile(storage!, { memory: "compact" }),
      PatientLease.layerMemory,
      Approver.layerAutomatic
    ))
  )
  : measured(ProcessPatient.runDurable(Stream.fromIterable(ids), options)).pipe(
    Effect.provide(
      ProcessPatient.layer().pipe(
        Layer.provideMerge(
          mode === "sqlite"
            ? DurableEngine.layerSqlite({ filename: storage! }).pipe(Layer.provideMerge(PatientLease.layerMemory))
            : DurablePostgres.layer({ url: storage!, runnerAddress: { host: "127.0.0.1" } })
        ),
        Layer.provide(Layer.merge(client, Approver.layerAutomatic))
      )
    )
  )

Effect.runPromise(program as Effect.Effect<unknown, unknown>).then(
  (result) => {
    console.log(JSON.stringify(result))
    process.exit(0)
  },
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
