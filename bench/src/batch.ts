/**
 * Batch throughput and memory: the whole pipeline (candidates → connect → preview → merge, with
 * journal, leases and the automatic approver) over many patients.
 *
 * 1. HTTP: the sandbox server (`bin/sandbox.ts`) in its own process on loopback; the batch in
 *    another, at concurrency 32 through HeroHealthClient.layerUndici (the client's own undici
 *    transport), with a file journal. Reported:
 *    patients/s and the batch process's peak RSS.
 * 2. In memory: the sandbox's in-memory layer (`Sandbox.layerClient`) and the batch in one
 *    process. Reported: memory after a full GC before the run and at each checkpoint (10k, 50k,
 *    100k patients done): flat means the batch keeps nothing per patient.
 *
 * Each pass runs in a fresh process (`batchChild.ts`) so its peak RSS is its own.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export interface BatchOptions {
  readonly httpPatients: number
  readonly httpPeople: number
  readonly memoryPatients: number
  readonly memoryPeople: number
  readonly checkpoints: ReadonlyArray<number>
  readonly concurrency: number
}

export interface MemorySample {
  readonly done: number
  readonly rssMB: number
  readonly heapUsedMB: number
}

export interface HttpPass {
  readonly patients: number
  readonly seconds: number
  readonly perSecond: number
  readonly outcomes: Record<string, number>
  readonly before: { readonly rssMB: number; readonly heapUsedMB: number }
  readonly after: { readonly rssMB: number; readonly heapUsedMB: number }
  readonly peakRssMB: number
  readonly journal: string
  /** The client's transport (absent in results from before it was recorded: the platform HttpClient). */
  readonly transport?: string
  readonly sandboxPeakRssMB: number | undefined
  /** CPU seconds (user + system) of the batch process and of the sandbox server process. */
  readonly cpuSeconds?: number
  readonly sandboxCpuSeconds?: number | undefined
}

export interface MemoryPass {
  readonly patients: number
  readonly worldPatients: number
  readonly worldSeconds: number
  readonly seconds: number
  readonly perSecond: number
  readonly outcomes: Record<string, number>
  readonly writes: number
  readonly samples: ReadonlyArray<MemorySample>
  readonly peakRssMB: number
  readonly journal: string
  readonly dryRun: boolean
}

export interface BatchResult {
  readonly http: HttpPass | { readonly error: string }
  readonly memory: MemoryPass | { readonly error: string }
  /** The same in-memory run as a dry run: reads only, so the sandbox's world stays as it was. */
  readonly memoryDryRun?: MemoryPass | { readonly error: string } | undefined
}

const here = path.dirname(fileURLToPath(import.meta.url))
const sandboxBin = path.resolve(here, "../../packages/sandbox/bin/sandbox.ts")
const child = path.resolve(here, "batchChild.ts")
export const nodeArgs = [
  "--expose-gc",
  "--max-old-space-size=8192",
  "--import",
  "tsx",
  "--conditions=@hero-effect/source"
]

const runChild = (args: ReadonlyArray<string>): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeArgs, child, ...args], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
    proc.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? ""
      if (code !== 0) return reject(new Error(`batch child exited with ${code}`))
      try {
        resolve(JSON.parse(last))
      } catch {
        reject(new Error("batch child printed no result"))
      }
    })
  })

export interface SandboxProcess {
  readonly proc: ChildProcess
  readonly url: string
  readonly apiKey: string
  readonly practiceGroupId: string
}

// The world is written to a seed file first: the server serves it, and the batch's ids are its
// first patients (a file of ids, one per line).
export const writeWorld = (dir: string, people: number, patients: number): { seedFile: string; idsFile: string } => {
  const seedFile = path.join(dir, "seed.json")
  const result = spawnSync(
    process.execPath,
    [...nodeArgs, sandboxBin, "--seed", "1", "--patients", String(people), "--write-seed", seedFile],
    { stdio: ["ignore", "ignore", "inherit"] }
  )
  if (result.status !== 0) throw new Error(`writing the seed file failed (${result.status})`)
  const seed = JSON.parse(fs.readFileSync(seedFile, "utf8")) as { patients: ReadonlyArray<{ id: string }> }
  const idsFile = path.join(dir, "ids.txt")
  fs.writeFileSync(idsFile, seed.patients.slice(0, patients).map((p) => p.id).join("\n") + "\n")
  return { seedFile, idsFile }
}

export const startSandbox = (seedFile: string): Promise<SandboxProcess> =>
  new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [...nodeArgs, sandboxBin, "--port", "0", "--seed-file", seedFile],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    proc.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const url = /listening on (\S+)/.exec(out)?.[1]
      const apiKey = /x-api-key:\s+(\S+)/.exec(out)?.[1]
      const practiceGroupId = /x-practice-group-id:\s+(\S+)/.exec(out)?.[1]
      if (url !== undefined && apiKey !== undefined && practiceGroupId !== undefined) {
        resolve({ proc, url, apiKey, practiceGroupId })
      }
    })
    proc.on("exit", (code) => reject(new Error(`sandbox exited with ${code} before listening`)))
  })

// CPU seconds (user + system) of a process, from /proc (Linux); undefined elsewhere.
export const cpuSecondsOf = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return Math.round(Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

// The sandbox process's high-water RSS, from /proc (Linux); undefined elsewhere.
const peakRssOf = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10
  } catch {
    return undefined
  }
}

const failed = (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) })

export const run = async (options: BatchOptions): Promise<BatchResult> => {
  let http: BatchResult["http"]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-bench-batch-"))
  let sandbox: SandboxProcess | undefined
  try {
    const { idsFile, seedFile } = writeWorld(dir, options.httpPeople, options.httpPatients)
    sandbox = await startSandbox(seedFile)
    const pass = (await runChild([
      "http",
      sandbox.url,
      sandbox.apiKey,
      sandbox.practiceGroupId,
      idsFile,
      String(options.concurrency),
      path.join(dir, "journal.jsonl")
    ])) as Omit<HttpPass, "sandboxPeakRssMB">
    http = { ...pass, sandboxPeakRssMB: peakRssOf(sandbox.proc.pid), sandboxCpuSeconds: cpuSecondsOf(sandbox.proc.pid) }
  } catch (e) {
    http = failed(e)
  } finally {
    sandbox?.proc.kill("SIGINT")
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const inMemory = async (mode: "full" | "dry-run"): Promise<MemoryPass | { readonly error: string }> => {
    try {
      return (await runChild([
        "memory",
        String(options.memoryPeople),
        String(options.memoryPatients),
        String(options.concurrency),
        options.checkpoints.join(","),
        mode
      ])) as MemoryPass
    } catch (e) {
      return failed(e)
    }
  }
  const memory = await inMemory("full")
  const memoryDryRun = await inMemory("dry-run")
  return { http, memory, memoryDryRun }
}
