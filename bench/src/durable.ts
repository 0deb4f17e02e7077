/**
 * Durable storage: the same batch (the same seeded world, the same ids, concurrency, client and
 * approver) on each storage, one contender after another in this run, each against a fresh
 * sandbox server process serving the same seed file, each worker in its own process
 * (`durableChild.ts`):
 *
 * - `jsonl` — today's pipeline: `Batch.run` with the JSON Lines journal (the baseline);
 * - `sqlite` — `ProcessPatient` on the SQLite engine, one process;
 * - `postgres ×1`, `postgres ×3` — `ProcessPatient` on PostgreSQL (a server this benchmark
 *   starts on loopback, a fresh one per contender), one and three workers, each submitting every
 *   patient from its own place in the list.
 *
 * Reported: wall time from the first worker's start of work to the last one's end, patients/s and
 * its ratio to `jsonl`, CPU seconds per patient of the workers (their run, not their start-up) and
 * of the sandbox server.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { postgresServer } from "../../packages/workflows/test/support/postgresServer.js"
import { cpuSecondsOf, nodeArgs, type SandboxProcess, startSandbox, writeWorld } from "./batch.js"

export interface DurableOptions {
  readonly people: number
  readonly patients: number
  readonly concurrency: number
}

export interface WorkerPass {
  readonly patients: number
  readonly seconds: number
  readonly startedAt: number
  readonly endedAt: number
  readonly outcomes: Record<string, number>
  readonly cpuSeconds: number
  readonly peakRssMB: number
}

export interface DurableRow {
  readonly contender: string
  readonly workers: number
  readonly patients: number
  readonly seconds: number
  readonly perSecond: number
  /** The workers' CPU seconds (user + system, their run) per patient, in milliseconds. */
  readonly cpuMillisPerPatient: number
  readonly sandboxCpuMillisPerPatient: number | undefined
  readonly peakRssMB: number
  readonly outcomes: Record<string, number>
}

export type DurableResult = ReadonlyArray<DurableRow | { readonly contender: string; readonly error: string }>

const here = path.dirname(fileURLToPath(import.meta.url))
const child = path.resolve(here, "durableChild.ts")

const runWorker = (args: ReadonlyArray<string>): Promise<WorkerPass> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, child, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
    proc.stderr.on("data", (chunk: Buffer) => {
      if (err.length < 4000) err += chunk.toString()
    })
    proc.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? ""
      if (code !== 0) return reject(new Error(`durable child exited with ${code}: ${err.slice(-1000)}`))
      try {
        resolve(JSON.parse(last) as WorkerPass)
      } catch {
        reject(new Error("durable child printed no result"))
      }
    })
  })

/** A PostgreSQL server for one contender: started here, stopped by `close`. */
const startPostgres = async (): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const { url } = await Effect.runPromise(Scope.extend(postgresServer, scope))
  return { url, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export const run = async (options: DurableOptions): Promise<DurableResult> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-bench-durable-"))
  const rows: Array<DurableResult[number]> = []
  try {
    const { idsFile, seedFile } = writeWorld(dir, options.people, options.patients)
    const contenders = [
      { contender: "jsonl", mode: "jsonl", workers: 1 },
      { contender: "sqlite", mode: "sqlite", workers: 1 },
      { contender: "postgres ×1", mode: "postgres", workers: 1 },
      { contender: "postgres ×3", mode: "postgres", workers: 3 }
    ] as const
    for (const c of contenders) {
      let sandbox: SandboxProcess | undefined
      let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined
      try {
        sandbox = await startSandbox(seedFile)
        const common = [sandbox.url, sandbox.apiKey, sandbox.practiceGroupId, idsFile, String(options.concurrency)]
        const storage = c.mode === "jsonl"
          ? path.join(dir, `${c.contender}.jsonl`)
          : c.mode === "sqlite"
          ? path.join(dir, "engine.db")
          : (postgres = await startPostgres()).url
        const passes = await Promise.all(
          Array.from(
            { length: c.workers },
            (_, i) => runWorker([c.mode, ...common, storage, String(i), String(c.workers)])
          )
        )
        const seconds = (Math.max(...passes.map((p) => p.endedAt)) - Math.min(...passes.map((p) => p.startedAt))) /
          1000
        const patients = passes[0]!.patients
        const sandboxCpu = cpuSecondsOf(sandbox.proc.pid)
        rows.push({
          contender: c.contender,
          workers: c.workers,
          patients,
          seconds,
          perSecond: patients / seconds,
          cpuMillisPerPatient: (passes.reduce((n, p) => n + p.cpuSeconds, 0) * 1000) / patients,
          sandboxCpuMillisPerPatient: sandboxCpu === undefined ? undefined : (sandboxCpu * 1000) / patients,
          peakRssMB: Math.max(...passes.map((p) => p.peakRssMB)),
          outcomes: passes[0]!.outcomes
        })
      } catch (e) {
        rows.push({ contender: c.contender, error: e instanceof Error ? e.message : String(e) })
      } finally {
        sandbox?.proc.kill("SIGINT")
        await postgres?.close()
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return rows
}
