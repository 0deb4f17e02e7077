/**
 * Pacing that holds: the matched-rate scenario repeated, against a sandbox server that counts a
 * sliding (or fixed) 1 s window, with the client in 1 or 3 processes of its own
 * (`pacingWorker.ts`) sharing one key through one limiter store (in-memory per process, or one
 * Redis).
 *
 * The sandbox server runs in this process (`Sandbox.layer` + `SandboxServer.layer`, loopback,
 * ephemeral port), so its exchange log (status and admission time `at` of every request) counts
 * the 429s; this process does nothing else while the workers send. Each run: every worker builds
 * a fresh client (new undici connections, new limiter state; with Redis a new key prefix) and
 * says "ready"; once all are, they get "go" at once; wall = from "go" to the last response, over
 * all workers. Between runs the server's window empties (1.5 s pause).
 *
 * Diagnosis per run, from the workers' records matched with the server's log by path (one
 * patient per call): the *lateness* of each request — server admission time minus the time the
 * client's limiter let it go (its slot) — split into the limiter-to-HttpClient lag and the
 * transit; and the *margin needed*: the largest amount by which a request's lateness fell short
 * of the request `limit` places before it in slot order. A sliding-window client with margin m
 * draws no 429 from a sliding-window server while the margin needed stays below m.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { OperationId, OperationPolicy, RateLimit } from "@hero-effect/client/Operation"
import { Faults, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"
import { type RedisServer, redisServer, redisServerBinary } from "../../packages/client/test/support/redisServer.js"
import type { CallRecord, PacingWorkerConfig, WorkerResult } from "./pacingWorker.js"
import { round } from "./stats.js"

export type ServerWindow = "fixed" | "sliding"

export interface PacingScenario {
  readonly name: string
  readonly workers: number
  readonly store: PacingWorkerConfig["store"]
  readonly serverWindow: ServerWindow
  readonly rateLimit: RateLimit
  readonly policies?: Partial<Record<OperationId, Partial<OperationPolicy>>> | undefined
  /** Whether the goal applies (a control row expects 429s). */
  readonly goal: boolean
  /** Runs in a row (default: the options' `runs`). */
  readonly runs?: number | undefined
  /** Time the server takes after admitting a request before it answers (default none). */
  readonly serverLatencyMillis?: number | undefined
}

export interface Distribution {
  readonly min: number
  readonly p50: number
  readonly p95: number
  readonly max: number
}

export interface PacingRun {
  readonly wallSeconds: number
  /** wall ÷ (N / R) */
  readonly ratio: number
  /** 429s the server sent (its exchange log). */
  readonly responses429: number
  readonly requestsSent: number
  readonly succeeded: number
  readonly failed: number
  readonly failures: Record<string, number>
  /** Server admission minus the limiter's slot, first attempts (ms). */
  readonly latenessMillis: Distribution
  /** HttpClient entry minus the slot: the sleeping fiber waking late, the engine (ms). */
  readonly sendLagMillis: Distribution
  /** Server admission minus HttpClient entry: undici, the socket, the server's parsing (ms). */
  readonly transitMillis: Distribution
  /** max over i of lateness(i − limit) − lateness(i), in slot order (ms). */
  readonly marginNeededMillis: number
  /** The most requests the limiter let go within one millisecond (1 = spaced). */
  readonly largestBurst: number
  /** The first failed call's cause (abridged), when one failed. */
  readonly firstFailure?: string | undefined
}

export interface PacingRow {
  readonly scenario: string
  readonly workers: number
  readonly store: PacingWorkerConfig["store"]
  readonly serverWindow: ServerWindow
  readonly serverLimitPerSecond: number
  /** Time the server took after admitting each request (absent: none). */
  readonly serverLatencyMillis?: number | undefined
  readonly clientLimit: string
  readonly calls: number
  readonly goal: boolean
  readonly runs: ReadonlyArray<PacingRun>
  /** Runs with 0 × 429, every call succeeded, and ratio ≤ 1.02. */
  readonly passed: number
  readonly error?: string | undefined
}

export interface PacingOptions {
  readonly serverLimit: number
  readonly calls: number
  readonly runs: number
}

export interface PacingResult {
  readonly redisVersion: string | undefined
  readonly rows: ReadonlyArray<PacingRow>
  /** The machine's 1-minute load average when the pacing runs started and ended. */
  readonly loadAverage?: { readonly start: number; readonly end: number } | undefined
}

const here = path.dirname(fileURLToPath(import.meta.url))
const workerFile = path.resolve(here, "pacingWorker.ts")

export const describeLimit = (scenario: Pick<PacingScenario, "rateLimit" | "policies">): string => {
  const r = scenario.rateLimit
  const interval = Duration.toMillis(r.interval)
  const reservation = r.countFrom === "reservation"
  const algorithm = r.algorithm === "token-bucket"
    ? "token bucket"
    : `sliding window counted from ${reservation ? "reservations" : "responses"}, margin ${
      r.margin === undefined ? (reservation ? "5% (default)" : "0 (default)") : `${Duration.toMillis(r.margin)} ms`
    }`
  const spacing = scenario.policies?.getPatientById?.rateLimit
  const spaced = spacing === undefined
    ? ""
    : ` + getPatientById ${spacing.limit} per ${Duration.toMillis(spacing.interval)} ms ${
      spacing.algorithm === "token-bucket" ? "token bucket" : "sliding"
    }`
  return `${r.limit} per ${interval} ms, ${algorithm}${
    r.adaptive === false ? ", not adaptive" : r.adaptive === true ? ", adaptive" : ""
  }${spaced}`
}

// --- worker processes ---------------------------------------------------------------------------

interface Worker {
  readonly proc: ChildProcess
  readonly next: () => Promise<{ readonly type: string } & Record<string, unknown>>
  readonly send: (message: unknown) => void
}

const startWorker = (config: PacingWorkerConfig): Worker => {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@hero-effect/source", workerFile, JSON.stringify(config)],
    { stdio: ["pipe", "pipe", "inherit"] }
  )
  const queue: Array<string> = []
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = []
  let exited: Error | undefined
  readline.createInterface({ input: proc.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return
    const w = waiting.shift()
    if (w !== undefined) w.resolve(line)
    else queue.push(line)
  })
  proc.on("exit", (code) => {
    exited = new Error(`pacing worker exited with ${code}`)
    for (const w of waiting.splice(0)) w.reject(exited)
  })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const line = queue.shift()
      if (line !== undefined) return resolve(line)
      if (exited !== undefined) return reject(exited)
      waiting.push({ resolve, reject })
    }).then((line) => {
      const message = JSON.parse(line) as { readonly type: string } & Record<string, unknown>
      if (message.type === "error") throw new Error(`pacing worker: ${String(message["message"])}`)
      return message
    })
  return { proc, next, send: (message) => proc.stdin!.write(`${JSON.stringify(message)}\n`) }
}

const expect = async (worker: Worker, type: string) => {
  const message = await worker.next()
  if (message.type !== type) throw new Error(`pacing worker said ${message.type}, expected ${type}`)
  return message
}

// --- statistics ---------------------------------------------------------------------------------

const distribution = (values: ReadonlyArray<number>): Distribution => {
  if (values.length === 0) return { min: 0, p50: 0, p95: 0, max: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { min: round(sorted[0]!, 1), p50: round(at(0.5), 1), p95: round(at(0.95), 1), max: round(sorted.at(-1)!, 1) }
}

interface Exchange {
  readonly path: string
  readonly at: number
  readonly status: number | undefined
}

const analyse = (
  options: PacingOptions,
  goAt: number,
  results: ReadonlyArray<WorkerResult>,
  exchanges: ReadonlyArray<Exchange>
): PacingRun => {
  const calls: Array<CallRecord> = results.flatMap((r) => r.calls)
  const end = Math.max(...calls.map((c) => c.end))
  const wallSeconds = (end - goAt) / 1000
  const byPath = new Map<string, Array<Exchange>>()
  for (const x of exchanges) {
    const list = byPath.get(x.path)
    if (list === undefined) byPath.set(x.path, [x])
    else list.push(x)
  }
  const failures: Record<string, number> = {}
  for (const c of calls) if (c.outcome !== "ok") failures[c.outcome] = (failures[c.outcome] ?? 0) + 1
  // First attempts: slot, send, arrival.
  const first = calls.flatMap((c) => {
    const arrival = byPath.get(c.path)?.[0]
    const send = c.sends[0]
    // A request held back by a 429's hold reserves again before it is sent: its slot is the last
    // one before its send.
    const slot = send === undefined ? undefined : c.slots.filter((x) => x <= send + 1).at(-1) ?? c.slots[0]
    return arrival === undefined || slot === undefined || send === undefined
      ? []
      : [{ slot, send, arrival: arrival.at, held: slot !== c.slots[0] }]
  }).sort((a, b) => a.slot - b.slot)
  const lateness = first.map((f) => f.arrival - f.slot)
  // Over the requests sent on their first reservation (a hold re-reserves, out of the sequence).
  const unheld = first.filter((f) => !f.held).map((f) => f.arrival - f.slot)
  let marginNeeded = 0
  for (let i = options.serverLimit; i < unheld.length; i++) {
    marginNeeded = Math.max(marginNeeded, unheld[i - options.serverLimit]! - unheld[i]!)
  }
  let largestBurst = 0
  for (let i = 0, j = 0; i < first.length; i++) {
    while (first[i]!.slot - first[j]!.slot >= 1) j++
    largestBurst = Math.max(largestBurst, i - j + 1)
  }
  const responses429 = exchanges.filter((x) => x.status === 429).length
  const failed = calls.filter((c) => c.outcome !== "ok").length
  return {
    wallSeconds: round(wallSeconds, 3),
    ratio: round(wallSeconds / (options.calls / options.serverLimit), 3),
    responses429,
    requestsSent: exchanges.length,
    succeeded: calls.length - failed,
    failed,
    failures,
    latenessMillis: distribution(lateness),
    sendLagMillis: distribution(first.map((f) => f.send - f.slot)),
    transitMillis: distribution(first.map((f) => f.arrival - f.send)),
    marginNeededMillis: round(marginNeeded, 1),
    largestBurst,
    firstFailure: results.find((r) => r.firstFailure !== undefined)?.firstFailure
  }
}

// --- one scenario -------------------------------------------------------------------------------

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const runScenario = (
  scenario: PacingScenario,
  options: PacingOptions,
  redis: RedisServer | undefined,
  log: (line: string) => void
): Effect.Effect<PacingRow> => {
  const base = {
    scenario: scenario.name,
    workers: scenario.workers,
    store: scenario.store,
    serverWindow: scenario.serverWindow,
    serverLimitPerSecond: options.serverLimit,
    serverLatencyMillis: scenario.serverLatencyMillis,
    clientLimit: describeLimit(scenario),
    calls: options.calls,
    goal: scenario.goal
  }
  return Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    const ids = sandbox.world.patients.slice(0, options.calls).map((p) => p.id)
    if (ids.length < options.calls) return yield* Effect.dieMessage(`the world has only ${ids.length} patients`)
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Array.from({ length: scenario.workers }, (_, w) =>
          startWorker({
            url: server.url,
            apiKey: sandbox.credentials.apiKey,
            practiceGroupId: sandbox.credentials.practiceGroupId,
            // An even share each: worker w takes every workers-th id.
            ids: ids.filter((_, i) => i % scenario.workers === w),
            store: scenario.store,
            redisUrl: redis?.url,
            rateLimit: scenario.rateLimit,
            policies: scenario.policies
          }))
      ),
      (workers) =>
        Effect.promise(() =>
          Promise.all(workers.map((w) =>
            new Promise<void>((resolve) => {
              if (w.proc.exitCode !== null || w.proc.signalCode !== null) return resolve()
              w.proc.once("exit", () => resolve())
              w.proc.stdin!.end(`${JSON.stringify({ type: "exit" })}\n`)
              setTimeout(() => w.proc.kill("SIGKILL"), 5000).unref()
            })
          ))
        )
    )
    yield* Effect.promise(() => Promise.all(workers.map((w) => expect(w, "started"))))
    const runs: Array<PacingRun> = []
    const count = scenario.runs ?? options.runs
    for (let k = 0; k < count; k++) {
      const prefix = `bench:${process.pid}:${Date.now()}:${k}:`
      const before = (yield* sandbox.exchanges).length
      const results = yield* Effect.promise(async () => {
        for (const w of workers) w.send({ type: "prepare", round: k, prefix })
        await Promise.all(workers.map((w) => expect(w, "ready")))
        const goAt = Date.now()
        for (const w of workers) w.send({ type: "go" })
        const results = (await Promise.all(workers.map((w) => expect(w, "result")))) as unknown as Array<
          WorkerResult
        >
        return { goAt, results }
      })
      const all = yield* sandbox.exchanges
      const exchanges = all.slice(before).map((x) => ({
        path: x.path,
        at: x.at,
        status: x.outcome._tag === "Respond" ? x.outcome.status : undefined
      }))
      const run = analyse(options, results.goAt, results.results, exchanges)
      // For diagnosis: every call's slot, send and end, with the server's log (one JSON line per run).
      const dump = process.env["PACING_DUMP"]
      if (dump !== undefined && dump !== "") {
        fs.appendFileSync(
          dump,
          `${
            JSON.stringify({ scenario: scenario.name, run: k, goAt: results.goAt, results: results.results, exchanges })
          }\n`
        )
      }
      runs.push(run)
      log(
        `  ${scenario.name} run ${k + 1}/${count}: ratio ${run.ratio.toFixed(3)}, ${run.responses429} × 429, ` +
          `${run.failed} failed, lateness p50 ${run.latenessMillis.p50} max ${run.latenessMillis.max} ms, ` +
          `margin needed ${run.marginNeededMillis} ms${run.firstFailure === undefined ? "" : `; ${run.firstFailure}`}`
      )
      // The server's window (1 s) and the client's (1 s + margin) empty before the next run.
      yield* Effect.promise(() => sleep(1500))
    }
    const row: PacingRow = {
      ...base,
      runs,
      passed: runs.filter((r) => r.responses429 === 0 && r.failed === 0 && r.ratio <= 1.02).length
    }
    return row
  }).pipe(
    Effect.provide(NodeHttpClient.layerUndici),
    Effect.provide(
      SandboxServer.layer({ port: 0 }).pipe(
        Layer.provideMerge(Sandbox.layer({
          seed: 7,
          patients: options.calls + 20,
          rateLimit: { limit: options.serverLimit, window: "1 second", kind: scenario.serverWindow },
          exchangeLogSize: 100_000,
          faults: scenario.serverLatencyMillis === undefined ? [] : [{
            operation: "*",
            probability: 1,
            seed: 1,
            faults: [Faults.Fault.Latency({ duration: Duration.millis(scenario.serverLatencyMillis) })]
          }]
        }))
      )
    ),
    Effect.scoped,
    Effect.catchAllCause((cause) =>
      Effect.succeed<PacingRow>({ ...base, runs: [], passed: 0, error: Cause.pretty(cause) })
    )
  )
}

/** Runs the scenarios one after another; one Redis serves every scenario that needs it. */

/** `redis-server --version` says `Redis server v=7.0.15 sha=…`: the version, for the report. */
const redisVersion = (): string => {
  try {
    const text = execFileSync(redisServerBinary!, ["--version"], { encoding: "utf8" })
    return /v=(\S+)/.exec(text)?.[1] ?? "unknown"
  } catch {
    return "unknown"
  }
}

export const run = (
  options: PacingOptions,
  scenarios: ReadonlyArray<PacingScenario>,
  log: (line: string) => void = (line) => console.log(line)
): Promise<PacingResult> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const needsRedis = scenarios.some((s) => s.store === "redis")
      // The client tests' own redis-server: a free loopback port, nothing persisted, killed at the end.
      const redis = needsRedis ? yield* redisServer() : undefined
      const start = round(os.loadavg()[0]!, 1)
      const rows: Array<PacingRow> = []
      for (const scenario of scenarios) rows.push(yield* runScenario(scenario, options, redis, log))
      return {
        redisVersion: redis === undefined ? undefined : redisVersion(),
        rows,
        loadAverage: { start, end: round(os.loadavg()[0]!, 1) }
      }
    }).pipe(Effect.scoped)
  )
