/**
 * Summarises a V8 CPU profile (`.cpuprofile`): the functions with the most self time, and self
 * time by where the code lives (a package, the client's sources, Node internals, GC).
 *
 *   pnpm exec tsx bench/src/profile.ts <file.cpuprofile> [top N]
 */
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface Entry {
  readonly name: string
  readonly where: string
  readonly selfMillis: number
  readonly share: number
}

/** Where the code lives: a package name, the workspace package's source folder, or node. */
export const area = (url: string): string => {
  if (url === "") return "(native / VM)"
  if (url.startsWith("node:")) return "node internals"
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (pnpm !== null) return pnpm[1]!
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (nm !== null) return nm[1]!
  const ws = /\/packages\/([^/]+)\/src\/(?:(internal)\/)?/.exec(url)
  if (ws !== null) return `@hero-effect/${ws[1]}${ws[2] === undefined ? "" : "/internal"}`
  if (url.includes("/bench/")) return "bench"
  return url
}

const shortUrl = (url: string) => {
  const i = url.lastIndexOf("/node_modules/")
  const rest = i >= 0 ? url.slice(i + 14) : url.replace(/^file:\/\/.*?\/(packages|bench)\//, "$1/")
  return rest.replace(/^\.pnpm\/[^/]+\/node_modules\//, "")
}

export const analyse = (profile: CpuProfile) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let total = 0
  let idle = 0
  // timeDeltas[i + 1] is the time from sample i to the next: the time sample i stands for. Idle
  // samples (the process waiting for I/O or for its next window) are counted apart: shares are of
  // the busy time.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0
    const id = profile.samples[i]!
    if (byId.get(id)?.callFrame.functionName === "(idle)") {
      idle += dt
      continue
    }
    self.set(id, (self.get(id) ?? 0) + dt)
    total += dt
  }
  const functions = new Map<string, { name: string; where: string; micros: number }>()
  const areas = new Map<string, number>()
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id)!
    const name = callFrame.functionName === "" ? "(anonymous)" : callFrame.functionName
    const where = callFrame.url === "" ? "" : `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`
    const key = `${name}@${where}`
    const f = functions.get(key) ?? { name, where, micros: 0 }
    f.micros += micros
    functions.set(key, f)
    const a = name.startsWith("(") && callFrame.url === "" ? name : area(callFrame.url)
    areas.set(a, (areas.get(a) ?? 0) + micros)
  }
  const entry = (name: string, where: string, micros: number): Entry => ({
    name,
    where,
    selfMillis: Math.round(micros / 100) / 10,
    share: Math.round((micros / total) * 1000) / 10
  })
  return {
    totalMillis: Math.round(total / 100) / 10,
    idleMillis: Math.round(idle / 100) / 10,
    functions: [...functions.values()].sort((a, b) => b.micros - a.micros).map((f) => entry(f.name, f.where, f.micros)),
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([a, micros]) => entry(a, "", micros))
  }
}

export const summary = (file: string, top = 30): string => {
  const result = analyse(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile)
  const lines = [
    `busy ${result.totalMillis} ms sampled (idle ${result.idleMillis} ms left out; shares are of the busy time)`,
    "",
    "self time by area:",
    ...result.areas.slice(0, 15).map((a) => `  ${a.share.toFixed(1).padStart(5)}%  ${a.selfMillis} ms  ${a.name}`),
    "",
    `top ${top} functions by self time:`,
    ...result.functions.slice(0, top).map((f) =>
      `  ${f.share.toFixed(1).padStart(5)}%  ${String(f.selfMillis).padStart(7)} ms  ${f.name}  ${f.where}`
    )
  ]
  return lines.join("\n")
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2)
  if (file === undefined) {
    console.error("usage: tsx bench/src/profile.ts <file.cpuprofile> [top N]")
    process.exit(2)
  }
  console.log(summary(file, top === undefined ? 30 : Number(top)))
}
