/**
 * `pnpm bench [--quick] [--only overhead,ratelimit,batch,decode,requests,durable] [--no-write]`
 *
 * Full runs write bench/results/<name>.json and regenerate the results section of BENCHMARKS.md
 * from every result file present. Quick runs (`--quick`, short rounds) print the tables and
 * write their JSON under bench/generated/quick/ only, so they never replace committed results.
 * `--cpu-prof <contender id>` records a V8 CPU profile of one overhead contender's measured windows
 * (bench/generated/profiles/<id>.cpuprofile) and prints its top self-time functions; such a run
 * writes no results (that contender's figures are inflated by the profiler); nor does
 * `--contenders <id,…>` (only those overhead contenders, besides the two baselines).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import * as Batch from "./batch.js"
import * as Decode from "./decode.js"
import * as Durable from "./durable.js"
import { generate } from "./generate.js"
import * as Overhead from "./overhead.js"
import { contenders as overheadContenders } from "./overheadProtocol.js"
import * as Profile from "./profile.js"
import * as RateLimit from "./rateLimit.js"
import * as Report from "./report.js"
import * as Requests from "./requests.js"
import { machine, round } from "./stats.js"

const names = ["overhead", "ratelimit", "batch", "decode", "requests", "durable"] as const
type Name = typeof names[number]

const args = process.argv.slice(2)
if (args.includes("--help") || args.includes("-h")) {
  console.log(
    "usage: pnpm bench [--quick] [--only overhead,ratelimit,batch,decode,requests,durable] [--no-write]\n" +
      "  --quick     short rounds; results go to bench/generated/quick/, BENCHMARKS.md untouched\n" +
      "  --only      run only these benchmarks (comma separated)\n" +
      "  --no-write  print only\n" +
      "  --cpu-prof <id>  profile one overhead contender (writes no results)\n" +
      "  --contenders <id,id>  only these overhead contenders, besides the two baselines (writes no results)\n" +
      "  contender ids: " + overheadContenders.map((c) => c.id).join(", ")
  )
  process.exit(0)
}
const quick = args.includes("--quick")
const profileIndex = args.indexOf("--cpu-prof")
const profile = profileIndex >= 0 ? args[profileIndex + 1] : undefined
if (profileIndex >= 0 && !overheadContenders.some((c) => c.id === profile)) {
  console.error(`--cpu-prof needs a contender id: ${overheadContenders.map((c) => c.id).join(", ")}`)
  process.exit(2)
}
// `--contenders a,b`: only these overhead contenders (the two baselines always run); such a run
// writes no results either.
const contendersIndex = args.indexOf("--contenders")
const only = contendersIndex >= 0 ? args[contendersIndex + 1]?.split(",").map((s) => s.trim()) : undefined
for (const id of only ?? []) {
  if (!overheadContenders.some((c) => c.id === id)) {
    console.error(`unknown contender "${id}"; pick from ${overheadContenders.map((c) => c.id).join(", ")}`)
    process.exit(2)
  }
}
const write = !args.includes("--no-write") && profile === undefined && only === undefined
const onlyIndex = args.indexOf("--only")
const onlyArg = onlyIndex >= 0 ? args[onlyIndex + 1] : args.find((a) => a.startsWith("--only="))?.slice(7)
const selected: ReadonlyArray<Name> = onlyArg === undefined
  ? names
  : onlyArg.split(",").map((s) => {
    const n = s.trim().toLowerCase()
    if (!(names as ReadonlyArray<string>).includes(n)) {
      console.error(`unknown benchmark "${s}"; pick from ${names.join(", ")}`)
      process.exit(2)
    }
    return n as Name
  })
const mode = quick ? "quick" : "full"

const resultsDir = fileURLToPath(new URL(quick ? "../generated/quick/" : "../results/", import.meta.url))
const markdownPath = fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url))

let loadStart = 0
const load1 = () => round(os.loadavg()[0]!, 2)

const save = <A>(name: string, settings: Record<string, unknown>, seconds: number, results: A): Report.Envelope<A> => {
  const envelope: Report.Envelope<A> = {
    name,
    mode,
    machine: machine(),
    settings,
    seconds,
    loadAverage: { start: loadStart, end: load1() },
    results
  }
  if (write) {
    fs.mkdirSync(resultsDir, { recursive: true })
    fs.writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(envelope, null, 2)}\n`)
  }
  return envelope
}

const timed = async <A>(f: () => Promise<A> | A): Promise<[A, number]> => {
  const start = performance.now()
  const a = await f()
  return [a, (performance.now() - start) / 1000]
}

const main = async () => {
  const m = machine()
  console.log(`hero-effect bench (${mode}): node ${m.node}, ${m.cpus} CPUs, ${m.cpuModel}`)
  for (const name of selected) {
    loadStart = load1()
    console.log(`${name}: load average (1 min) ${loadStart}`)
    if (name === "overhead") {
      const [generated, genSeconds] = await timed(generate)
      console.log(
        `generated clients in ${genSeconds.toFixed(1)} s: openapi-typescript ${
          generated.openapiTypescript.ok ? "ok" : "FAILED"
        }, openapi-gen ${generated.openapiGen.ok ? "ok" : "FAILED"}`
      )
      const settings = quick
        ? { rounds: 3, roundMillis: 400, warmupMillis: 400, primeMillis: 100, concurrencies: [1, 32] }
        : { rounds: 7, roundMillis: 1200, warmupMillis: 1500, primeMillis: 200, concurrencies: [1, 32] }
      const [result, seconds] = await timed(() =>
        Overhead.run({
          ...settings,
          generated,
          profile: profile as Overhead.OverheadOptions["profile"],
          contenders: only as Overhead.OverheadOptions["contenders"]
        })
      )
      console.log(`\n${Report.overheadSection(save("overhead", settings, seconds, result))}\n`)
      if (profile !== undefined) {
        const file = `${Overhead.profileDir}${profile}.cpuprofile`
        console.log(`CPU profile of ${profile}: ${file}\n${Profile.summary(file, 30)}\n`)
      }
    } else if (name === "ratelimit") {
      // runs: how many times in a row each pacing scenario runs (the goal asks for 5).
      const settings = quick ? { serverLimit: 20, calls: 60, runs: 2 } : { serverLimit: 20, calls: 200, runs: 5 }
      const [result, seconds] = await timed(() => RateLimit.run(settings))
      console.log(`\n${Report.rateLimitSection(save("ratelimit", settings, seconds, result))}\n`)
    } else if (name === "batch") {
      const settings = quick
        ? {
          httpPatients: 1000,
          httpPeople: 760,
          memoryPatients: 5000,
          memoryPeople: 3700,
          checkpoints: [1000, 2500, 5000],
          concurrency: 32
        }
        : {
          httpPatients: 10_000,
          httpPeople: 7500,
          memoryPatients: 100_000,
          memoryPeople: 74_000,
          checkpoints: [10_000, 50_000, 100_000],
          concurrency: 32
        }
      const [result, seconds] = await timed(() => Batch.run(settings))
      console.log(`\n${Report.batchSection(save("batch", settings, seconds, result))}\n`)
    } else if (name === "requests") {
      // The same world in both modes: the counts do not depend on the machine.
      const settings = { seed: 1, people: 120 }
      const [result, seconds] = await timed(() => Requests.run(settings))
      console.log(`\n${Report.requestsSection(save("requests", settings, seconds, result))}\n`)
    } else if (name === "durable") {
      const settings = quick
        ? { people: 60, patients: 80, concurrency: 8 }
        : { people: 200, patients: 300, concurrency: 8 }
      const [result, seconds] = await timed(() => Durable.run(settings))
      console.log(`\n${Report.durableSection(save("durable", settings, seconds, result))}\n`)
    } else {
      const settings = quick
        ? { rounds: 3, roundMillis: 250, warmupMillis: 250 }
        : { rounds: 7, roundMillis: 700, warmupMillis: 700 }
      const [result, seconds] = await timed(() => Decode.run(settings))
      console.log(`\n${Report.decodeSection(save("decode", settings, seconds, result))}\n`)
    }
  }
  if (write && !quick) {
    // The section is rebuilt from every committed result file, so a partial run (--only) keeps
    // the others' latest results.
    const read = <A>(name: string): Report.Envelope<A> | undefined => {
      const path = `${resultsDir}${name}.json`
      return fs.existsSync(path) ? (JSON.parse(fs.readFileSync(path, "utf8")) as Report.Envelope<A>) : undefined
    }
    const sections: Array<string> = []
    const o = read<Overhead.OverheadResult>("overhead")
    if (o !== undefined) sections.push(Report.overheadSection(o))
    const r = read<RateLimit.RateLimitResult | ReadonlyArray<RateLimit.RateLimitRow>>("ratelimit")
    if (r !== undefined) sections.push(Report.rateLimitSection(r))
    const b = read<Batch.BatchResult>("batch")
    if (b !== undefined) sections.push(Report.batchSection(b))
    const d = read<ReadonlyArray<Decode.DecodeRow>>("decode")
    if (d !== undefined) sections.push(Report.decodeSection(d))
    const q = read<Requests.RequestsResult>("requests")
    if (q !== undefined) sections.push(Report.requestsSection(q))
    const u = read<Durable.DurableResult>("durable")
    if (u !== undefined) sections.push(Report.durableSection(u))
    Report.writeMarkdown(markdownPath, sections)
    console.log(`wrote ${resultsDir} and the results section of BENCHMARKS.md`)
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
