/**
 * One batch-benchmark pass, run as its own process so its peak RSS is its own. Started by
 * `batch.ts` with `--expose-gc`; prints one JSON line (the result) last.
 *
 *   batchChild.ts http   <url> <apiKey> <practiceGroupId> <idsFile> <concurrency> <journalPath>
 *   batchChild.ts memory <people> <patients> <concurrency> <checkpoints, comma separated> <full|dry-run>
 */
import { NodeFileSystem } from "@effect/platform-node"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { Sandbox } from "@hero-effect/sandbox"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import { Approver, Batch, Journal, PatientLease } from "@hero-effect/workflows"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

const gc = (globalThis as { gc?: () => void }).gc
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10

/** Memory after a full collection: what stays, not what is waiting to be collected. */
const settled = () => {
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed) }
}

// The peak is sampled (every 50 ms) as well as read from the kernel's high-water mark.
let sampledPeak = 0
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)
}, 50)

const workflowLayers = (journal: Layer.Layer<Journal.Journal, Journal.JournalError>) =>
  Layer.mergeAll(journal, PatientLease.layerMemory, Approver.layerAutomatic)

const http = (args: ReadonlyArray<string>) => {
  const [url, apiKey, practiceGroupId, idsFile, concurrency, journalPath] = args
  // The client's own undici transport (HeroHealthClient.layerUndici), as BENCHMARKS.md says.
  const client = HeroHealthClient.layerUndici().pipe(
    Layer.provide(HeroHealthConfig.layer({
      baseUrl: url!,
      apiKey: Redacted.make(apiKey!),
      practiceGroupId: PracticeGroupId.make(practiceGroupId ?? ""),
      rateLimit: "unlimited"
    }))
  )
  return Effect.gen(function*() {
    const before = settled()
    const started = performance.now()
    // The ids stream from a file, one per line, as `pnpm start --ids` reads them.
    const report = yield* Batch.run(Batch.idsFromFile(idsFile!), {
      runId: "bench-http",
      concurrency: Number(concurrency),
      retainPatients: false
    })
    const seconds = (performance.now() - started) / 1000
    return {
      patients: report.total,
      seconds,
      perSecond: report.total / seconds,
      outcomes: report.outcomes,
      before,
      after: settled(),
      peakRssMB: mb(Math.max(sampledPeak, process.resourceUsage().maxRSS * 1024)),
      cpuSeconds: (() => {
        const { system, user } = process.cpuUsage()
        return Math.round((user + system) / 1e4) / 100
      })(),
      journal: "file (compact memory), every entry datasynced",
      transport: "HeroHealthClient.layerUndici (the client's undici transport)"
    }
  }).pipe(
    Effect.provide(Layer.mergeAll(
      client,
      NodeFileSystem.layer,
      workflowLayers(Journal.layerFile(journalPath!, { memory: "compact" }))
    ))
  )
}

const memory = (args: ReadonlyArray<string>) => {
  const [people, patients, concurrency, checkpointList, mode] = args
  const dryRun = mode === "dry-run"
  const checkpoints = new Set(checkpointList!.split(",").map(Number))
  const worldStarted = performance.now()
  return Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const worldSeconds = (performance.now() - worldStarted) / 1000
    const ids = sandbox.world.patients.slice(0, Number(patients)).map((p) => PatientId.make(p.id))
    const samples: Array<{ readonly done: number; readonly rssMB: number; readonly heapUsedMB: number }> = []
    samples.push({ done: 0, ...settled() })
    const started = performance.now()
    const report = yield* Batch.run(Stream.fromIterable(ids), {
      runId: "bench-memory",
      // A dry run only reads: the sandbox's world does not change, so what grows is the batch's.
      dryRun,
      concurrency: Number(concurrency),
      retainPatients: false,
      onProgress: (progress) =>
        checkpoints.has(progress.done)
          ? Effect.sync(() => void samples.push({ done: progress.done, ...settled() }))
          : Effect.void
    })
    const seconds = (performance.now() - started) / 1000
    const counters = yield* sandbox.counters
    return {
      patients: report.total,
      worldPatients: sandbox.world.patients.length,
      worldSeconds,
      seconds,
      perSecond: report.total / seconds,
      outcomes: report.outcomes,
      writes: counters.writes,
      samples,
      peakRssMB: mb(Math.max(sampledPeak, process.resourceUsage().maxRSS * 1024)),
      journal: "memory (compact)",
      dryRun
    }
  }).pipe(
    Effect.provide(Layer.merge(
      // The sandbox keeps a bounded write log and no exchanges: the sandbox's own logs are not
      // what this measures.
      Sandbox.layerClient({ seed: 1, patients: Number(people), writeLogSize: 1000, exchangeLogSize: 0 }),
      workflowLayers(Journal.layerMemoryWith({ memory: "compact" }))
    ))
  )
}

const [mode, ...rest] = process.argv.slice(2)
const program = mode === "http" ? http(rest) : memory(rest)
Effect.runPromise(program as Effect.Effect<unknown, unknown>).then(
  (result) => {
    clearInterval(sampler)
    console.log(JSON.stringify(result))
    process.exit(0)
  },
  (error) => {
    clearInterval(sampler)
    console.error(error)
    process.exit(1)
  }
)
