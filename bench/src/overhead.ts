/**
 * Client overhead: `getPatientById` over loopback against one fixed-response server (a child
 * process), for this client and its baselines, at concurrency 1 and 32.
 *
 * One process per contender (`overheadChild.ts`), so no contender inherits another's JIT, GC or
 * connection state; only one of them sends at a time, the others idle. Every (contender,
 * concurrency) pair is measured once per round; the order is rotated each round. The primary
 * figure is the CPU time per call that the contender's own process spends (`process.cpuUsage()`
 * in the child, user + system, ÷ calls); wall throughput and p50/p99 are secondary. Ratios are
 * taken per round against the baseline of the same round; medians (and min–max) over rounds are
 * reported.
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Generated } from "./generate.js"
import {
  type ChildResult,
  comparisons,
  type ContenderId,
  type ContenderInfo,
  contenders as allContenders,
  type ParentMessage
} from "./overheadProtocol.js"
import { median, rotate, round, sleep } from "./stats.js"

export interface OverheadOptions {
  readonly rounds: number
  readonly roundMillis: number
  readonly warmupMillis: number
  /** Unmeasured load just before each window, in the same process. */
  readonly primeMillis: number
  readonly concurrencies: ReadonlyArray<number>
  readonly generated: Generated
  /** Record a V8 CPU profile of this contender's measured windows (bench/generated/profiles/). */
  readonly profile?: ContenderId | undefined
  /** Only these contenders (the two baselines always run). */
  readonly contenders?: ReadonlyArray<ContenderId> | undefined
}

// The contenders load the workspace packages as an application that installed them does: their
// compiled JavaScript (tsc's dist/, brought up to date by `buildPackages` before the first
// contender starts), not the TypeScript sources through tsx, whose esbuild transform names every
// closure made per call (`__name`), a cost the published package does not have. The harness and
// the contender's own loop (overheadChild.ts) still run through tsx, alike for every contender.
const childArgs = ["--import", "tsx"]

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url))

/** `tsc -b` over the workspace, so that every package's dist/ is its current source. */
export const buildPackages = (): void => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-b", path.join(repositoryRoot, "tsconfig.json")], {
    cwd: repositoryRoot,
    stdio: "inherit"
  })
}
export const profileDir = fileURLToPath(new URL("../generated/profiles/", import.meta.url))

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface Server {
  readonly url: string
  /** The server process's CPU time so far (user + system, µs). */
  readonly cpuMicros: () => Promise<number>
  readonly stop: () => Promise<void>
}

const startServer = async (): Promise<Server> => {
  const child = fork(new URL("./fixedServer.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the fixed server exited early (${code})`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMicros: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type?: string; user?: number; system?: number }) => {
          if (m.type !== "cpu") return
          child.off("message", onMessage)
          resolve((m.user ?? 0) + (m.system ?? 0))
        }
        child.on("message", onMessage)
        child.send({ type: "cpu" })
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve())
        child.disconnect()
      })
  }
}

// ---------------------------------------------------------------------------------------------
// A contender's process
// ---------------------------------------------------------------------------------------------

type Measured = Extract<ChildResult, { type: "result" }>

interface ContenderProcess {
  readonly info: ContenderInfo
  readonly run: (concurrency: number, millis: number, warmup: boolean) => Promise<Measured>
  readonly close: () => Promise<void>
}

const startContender = (
  info: ContenderInfo,
  url: string,
  openapiGenPath: string | undefined,
  profilePath: string | undefined
): Promise<ContenderProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(
      new URL("./overheadChild.ts", import.meta.url),
      [info.id, url, openapiGenPath ?? "", profilePath ?? ""],
      { execArgv: childArgs, stdio: ["ignore", "inherit", "inherit", "ipc"] }
    )
    let pending: { resolve: (r: Measured) => void; reject: (e: Error) => void } | undefined
    let exited = false
    child.on("message", (m: ChildResult) => {
      if (m.type === "ready") {
        resolve({
          info,
          run: (concurrency, millis, warmup) =>
            new Promise((resolveRun, rejectRun) => {
              if (exited) return rejectRun(new Error(`${info.name}: its process has exited`))
              pending = { resolve: resolveRun, reject: rejectRun }
              child.send({ type: "run", concurrency, millis, warmup } satisfies ParentMessage)
            }),
          close: () =>
            new Promise((resolveClose) => {
              if (exited) return resolveClose()
              child.once("exit", () => resolveClose())
              child.send({ type: "close" } satisfies ParentMessage)
            })
        })
      } else if (m.type === "failed") {
        reject(new Error(m.reason))
      } else {
        const p = pending
        pending = undefined
        p?.resolve(m)
      }
    })
    child.once("error", reject)
    child.once("exit", (code) => {
      exited = true
      reject(new Error(`${info.name}: its process exited (${code}) before it was ready`))
      pending?.reject(new Error(`${info.name}: its process exited (${code}) during a run`))
    })
  })

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

export interface RoundSample {
  /** The contender process's CPU time per call, user + system, µs. */
  readonly cpuMicrosPerCall: number
  readonly userMicrosPerCall: number
  readonly systemMicrosPerCall: number
  /** Time V8 reported in GC pauses per call, µs (part of the CPU above). */
  readonly gcMicrosPerCall: number
  /** The server process's CPU per call over the same window, µs. */
  readonly serverCpuMicrosPerCall: number
  readonly requestsPerSecond: number
  readonly p50Millis: number
  readonly p99Millis: number
  readonly calls: number
  readonly errors: number
}

export interface OverheadRow {
  readonly id: ContenderId
  readonly client: string
  readonly transport: string
  readonly description: string
  readonly concurrency: number
  /** Medians over rounds. */
  readonly cpuMicrosPerCall: number
  readonly gcMicrosPerCall: number
  readonly serverCpuMicrosPerCall: number
  readonly requestsPerSecond: number
  readonly p50Millis: number
  readonly p99Millis: number
  /** CPU per call ÷ the baseline's (raw undici + JSON.parse) in the same round. */
  readonly cpuRatioToUndici: Spread
  /** CPU per call ÷ raw undici + decode's in the same round. */
  readonly cpuRatioToUndiciDecode: Spread
  /** Throughput ÷ the baseline's in the same round. */
  readonly rpsRatioToUndici: Spread
  readonly errors: number
  readonly calls: number
  readonly spansPerCall: number | undefined
  readonly perRound: ReadonlyArray<RoundSample>
}

export interface ComparisonRow {
  readonly label: string
  readonly contender: string
  readonly against: string
  readonly concurrency: number
  /** contender's CPU per call ÷ against's, per round. */
  readonly cpuRatio: Spread
  /** contender's req/s ÷ against's, per round. */
  readonly rpsRatio: Spread
  readonly goal: number | undefined
}

export interface OverheadResult {
  readonly method: "process-per-contender"
  readonly rows: ReadonlyArray<OverheadRow>
  readonly comparisons: ReadonlyArray<ComparisonRow>
  readonly skipped: ReadonlyArray<{ readonly client: string; readonly reason: string }>
  /** 1-minute load average at the start and the end of the measured rounds. */
  readonly loadAverage: { readonly start: number; readonly end: number }
  /** Set when one contender ran under the profiler (its figures are then inflated). */
  readonly profiled?: string | undefined
}

const spread = (xs: ReadonlyArray<number>, digits = 3): Spread => ({
  median: round(median(xs), digits),
  min: round(Math.min(...xs), digits),
  max: round(Math.max(...xs), digits)
})

const load1 = () => round(os.loadavg()[0]!, 2)

export const run = async (options: OverheadOptions): Promise<OverheadResult> => {
  buildPackages()
  const server = await startServer()
  const skipped: Array<{ client: string; reason: string }> = []
  const genPath = options.generated.openapiGen.ok ? options.generated.openapiGen.path : undefined
  if (!options.generated.openapiGen.ok) {
    skipped.push({ client: "@tim-smart/openapi-gen", reason: options.generated.openapiGen.reason })
  }
  if (!options.generated.openapiTypescript.ok) {
    skipped.push({ client: "openapi-typescript types", reason: options.generated.openapiTypescript.reason })
  }
  if (options.profile !== undefined) fs.mkdirSync(profileDir, { recursive: true })
  const wanted = allContenders.filter((c) =>
    (c.id !== "openapi-gen" || genPath !== undefined) &&
    (options.contenders === undefined || c.id === "undici" || c.id === "undici-decode" ||
      options.contenders.includes(c.id) || options.profile === c.id)
  )
  // Started together (start-up is not measured); each idles until it is told to run.
  const started = await Promise.allSettled(
    wanted.map((info) =>
      startContender(
        info,
        server.url,
        genPath,
        options.profile === info.id ? `${profileDir}${info.id}.cpuprofile` : undefined
      )
    )
  )
  const procs: Array<ContenderProcess> = []
  started.forEach((s, i) => {
    if (s.status === "fulfilled") procs.push(s.value)
    else skipped.push({ client: wanted[i]!.name, reason: String(s.reason) })
  })
  try {
    for (const base of ["undici", "undici-decode"] as const) {
      if (!procs.some((p) => p.info.id === base)) throw new Error(`the baseline ${base} did not start`)
    }
    // Warm-up: every contender at every concurrency, in its own process, results discarded. A
    // sanity check as well.
    for (const c of options.concurrencies) {
      for (const p of procs) {
        const warm = await p.run(c, options.warmupMillis, true)
        if (warm.count === 0 || warm.errors === warm.count) {
          throw new Error(`${p.info.name} failed every warm-up call at concurrency ${c}`)
        }
      }
    }
    const samples = new Map<string, Array<RoundSample & { spans: number | undefined }>>()
    const key = (id: string, c: number) => `${id}@${c}`
    const loadStart = load1()
    for (let r = 0; r < options.rounds; r++) {
      for (const c of options.concurrencies) {
        for (const p of rotate(procs, r)) {
          // Primed first, unmeasured: the process has idled while the others ran (its keep-alive
          // connections may have closed, its caches gone cold).
          if (options.primeMillis > 0) await p.run(c, options.primeMillis, true)
          const server0 = await server.cpuMicros()
          const m = await p.run(c, options.roundMillis, false)
          const serverMicros = (await server.cpuMicros()) - server0
          const calls = Math.max(1, m.count)
          const list = samples.get(key(p.info.id, c)) ?? []
          list.push({
            cpuMicrosPerCall: (m.userMicros + m.systemMicros) / calls,
            userMicrosPerCall: m.userMicros / calls,
            systemMicrosPerCall: m.systemMicros / calls,
            gcMicrosPerCall: (m.gcMillis * 1000) / calls,
            serverCpuMicrosPerCall: serverMicros / calls,
            requestsPerSecond: m.count / m.seconds,
            p50Millis: m.p50Millis,
            p99Millis: m.p99Millis,
            calls: m.count,
            errors: m.errors,
            spans: m.spans === undefined ? undefined : m.spans / calls
          })
          samples.set(key(p.info.id, c), list)
          await sleep(50)
        }
      }
    }
    const loadEnd = load1()
    const get = (id: ContenderId, c: number) => samples.get(key(id, c))
    const perRoundRatio = (
      a: ReadonlyArray<RoundSample>,
      b: ReadonlyArray<RoundSample>,
      f: (s: RoundSample) => number
    ) => a.map((s, i) => f(s) / f(b[i]!))
    const cpu = (s: RoundSample) => s.cpuMicrosPerCall
    const rps = (s: RoundSample) => s.requestsPerSecond
    const rows: Array<OverheadRow> = []
    for (const c of options.concurrencies) {
      const undici = get("undici", c)!
      const undiciDecode = get("undici-decode", c)!
      for (const p of procs) {
        const list = get(p.info.id, c)!
        const spans = list.map((s) => s.spans)
        rows.push({
          id: p.info.id,
          client: p.info.name,
          transport: p.info.transport,
          description: p.info.description,
          concurrency: c,
          cpuMicrosPerCall: round(median(list.map(cpu)), 1),
          gcMicrosPerCall: round(median(list.map((s) => s.gcMicrosPerCall)), 1),
          serverCpuMicrosPerCall: round(median(list.map((s) => s.serverCpuMicrosPerCall)), 1),
          requestsPerSecond: Math.round(median(list.map(rps))),
          p50Millis: round(median(list.map((s) => s.p50Millis)), 3),
          p99Millis: round(median(list.map((s) => s.p99Millis)), 3),
          cpuRatioToUndici: spread(perRoundRatio(list, undici, cpu)),
          cpuRatioToUndiciDecode: spread(perRoundRatio(list, undiciDecode, cpu)),
          rpsRatioToUndici: spread(perRoundRatio(list, undici, rps)),
          errors: list.reduce((n, s) => n + s.errors, 0),
          calls: list.reduce((n, s) => n + s.calls, 0),
          spansPerCall: spans.every((s) => s !== undefined) ? round(median(spans as Array<number>), 2) : undefined,
          perRound: list.map(({ spans: _, ...s }) => ({
            ...s,
            cpuMicrosPerCall: round(s.cpuMicrosPerCall, 1),
            userMicrosPerCall: round(s.userMicrosPerCall, 1),
            systemMicrosPerCall: round(s.systemMicrosPerCall, 1),
            gcMicrosPerCall: round(s.gcMicrosPerCall, 1),
            serverCpuMicrosPerCall: round(s.serverCpuMicrosPerCall, 1),
            requestsPerSecond: Math.round(s.requestsPerSecond),
            p50Millis: round(s.p50Millis, 3),
            p99Millis: round(s.p99Millis, 3)
          }))
        })
      }
    }
    const nameOf = (id: ContenderId) => allContenders.find((c) => c.id === id)!.name
    const comparisonRows: Array<ComparisonRow> = []
    for (const spec of comparisons) {
      for (const c of options.concurrencies) {
        const a = get(spec.contender, c)
        const b = get(spec.against, c)
        if (a === undefined || b === undefined) continue
        comparisonRows.push({
          label: spec.label,
          contender: nameOf(spec.contender),
          against: nameOf(spec.against),
          concurrency: c,
          cpuRatio: spread(perRoundRatio(a, b, cpu)),
          rpsRatio: spread(perRoundRatio(a, b, rps)),
          goal: spec.goal
        })
      }
    }
    return {
      method: "process-per-contender",
      rows,
      comparisons: comparisonRows,
      skipped,
      loadAverage: { start: loadStart, end: loadEnd },
      profiled: options.profile
    }
  } finally {
    await Promise.all(procs.map((p) => p.close().catch(() => undefined)))
    await server.stop()
  }
}
