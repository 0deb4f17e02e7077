// Runs the whole vitest suite with the machine loaded: 4 × the core count busy-loop processes in
// the background (bounded: they end with this script, and after at most --max-minutes), the suite
// --runs times in a row. A test that depends on wall-clock speed fails here first.
//
//   pnpm test:load                 3 runs, 4 × cores busy loops
//   pnpm test:load --runs 1 --factor 2
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  const n = i >= 0 ? Number(process.argv[i + 1]) : NaN
  return Number.isFinite(n) && n > 0 ? n : fallback
}
const runs = arg("runs", 3)
const factor = arg("factor", 4)
// The busy loops outlive every run (a loop that ended early would leave later runs unloaded).
const maxMinutes = arg("max-minutes", runs * 90)
const loops = Math.max(1, Math.round(os.cpus().length * factor))

const busy = Array.from(
  { length: loops },
  () =>
    spawn(process.execPath, ["-e", `const end = Date.now() + ${maxMinutes * 60_000}; while (Date.now() < end) {}`], {
      stdio: "ignore"
    })
)
const stop = () => {
  for (const child of busy) child.kill("SIGKILL")
}
process.on("exit", stop)
process.on("SIGINT", () => {
  stop()
  process.exit(130)
})

console.log(`test:load: ${loops} busy loops on ${os.cpus().length} cores, ${runs} run(s)`)
const results = []
for (let run = 1; run <= runs; run++) {
  const started = Date.now()
  const result = spawnSync("pnpm", ["vitest"], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    // Plain text: the counts are read from vitest's summary line.
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }
  })
  // eslint-disable-next-line no-control-regex
  const out = `${result.stdout}\n${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, "")
  const logFile = path.join(os.tmpdir(), `hero-effect-test-load-run-${run}.log`)
  fs.writeFileSync(logFile, out)
  const tests = /Tests\s+(?:(\d+) failed \| )?(\d+) passed/.exec(out)
  const failed = Number(tests?.[1] ?? (result.status === 0 ? 0 : NaN))
  const passed = Number(tests?.[2] ?? 0)
  const loadavg = os.loadavg()[0].toFixed(1)
  results.push({
    run,
    passed,
    failed,
    seconds: Math.round((Date.now() - started) / 1000),
    loadavg,
    status: result.status
  })
  console.log(
    `run ${run}: ${passed} passed, ${failed} failed in ${
      results.at(-1).seconds
    } s (load ${loadavg}); output in ${logFile}`
  )
  if (result.status !== 0) {
    for (const line of out.split("\n").filter((l) => /FAIL|✗|×/.test(l)).slice(0, 40)) console.log(`  ${line}`)
  }
}
stop()
const allGreen = results.every((r) => r.status === 0 && r.failed === 0)
console.log(allGreen ? `test:load: ${runs} of ${runs} runs green under load` : "test:load: a run failed under load")
process.exitCode = allGreen ? 0 : 1
