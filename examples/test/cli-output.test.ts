// What the main job shows while and after it runs (issue 14): the progress (a bar redrawn in place
// on a terminal, lines elsewhere, counting the records it works through), the report files by
// their name (JSON, Markdown, HTML), spans over OTLP (--otlp) and logs as JSON (--log-format).
// Each test runs main.ts as a child process; none of what it prints or writes holds a value of
// the sandbox world's patients.
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expectNoPatientValues, runScript, worldValues } from "./support/scripts.js"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

// "Sandbox on … : 40 people as 66 Hero patient records": the unit the progress counts.
const recordsOf = (stderr: string): number => {
  const found = /people as (\d+) Hero patient records/.exec(stderr)
  expect(found, stderr).not.toBeNull()
  return Number(found![1])
}

describe("the main job's output", () => {
  it(
    "progress on a terminal: one line redrawn in place with a bar, rate and time left, ending at every record",
    async () => {
      // util-linux `script` gives the child a pseudo-terminal, as a user's shell would.
      const command = [
        process.execPath,
        path.join(examples, "node_modules/tsx/dist/cli.mjs"),
        "--conditions=@hero-effect/source",
        "main.ts",
        "--people",
        "40",
        "--seed",
        "3"
      ].map((a) => `'${a}'`).join(" ")
      const out = await new Promise<string>((resolve, reject) =>
        execFile("script", ["-qec", command, "/dev/null"], {
          cwd: examples,
          timeout: 300_000,
          env: { ...process.env, INIT_CWD: "", NO_COLOR: "1", COLUMNS: "120", LINES: "40" }
        }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
      )
      const records = recordsOf(out)
      // Each frame up to the next redraw, line end or carriage return.
      const redraws = out.split("\r\x1b[2K").slice(1).map((frame) => frame.split(/[\r\n]/)[0]!)
      expect(redraws.length, out).toBeGreaterThan(0)
      for (const frame of redraws) expect(frame).toMatch(/^\[[█░]{24}\] \d+\/\d+ records \d+% · \d+\.\d\/s/)
      // The last frame: every record, 100%, no time left; then the summary on a line of its own.
      const last = redraws.at(-1)!
      expect(last).toMatch(new RegExp(`^\\[█{24}\\] ${records}/${records} records 100% · \\d+\\.\\d/s · `))
      expect(last).not.toContain("left")
      expect(out).toMatch(new RegExp(`\\r?\\nRun run-\\w+: ${records} patient records in`))
      expect(out).toMatch(/\nSandbox writes applied: \d+\r?\n/)
      // No line-per-step progress on a terminal.
      expect(out).not.toMatch(/^\d+\/\d+ records \(\d+%\)/m)
      expectNoPatientValues(out, worldValues({ seed: 3, patients: 40 }))
    },
    300_000
  )

  it("progress without a terminal: a plain line every tenth of the way, no redraws", async () => {
    const { code, stderr, stdout } = await runScript("main.ts", ["--seed", "3", "--patients", "40"])
    expect(code, stderr).toBe(0)
    const records = recordsOf(stderr)
    expect(stderr).not.toContain("\r")
    const lines = stderr.split("\n").filter((l) => /^\d+\/\d+ records \(\d+%\)/.test(l))
    expect(lines.length).toBeGreaterThanOrEqual(5)
    expect(lines.length).toBeLessThanOrEqual(12)
    expect(lines.at(-1)).toMatch(new RegExp(`^${records}/${records} records \\(100%\\), \\d+\\.\\d/s — `))
    expect(stdout).toContain(`${records} patient records in`)
  }, 300_000)

  it("--report FILE.json, .md and .html: the same run for scripts and for people, every item listed", async () => {
    const dir = tmp("hero-report-")
    const { code, stderr, stdout } = await runScript("main.ts", [
      "--people",
      "200",
      "--seed",
      "1",
      "--report",
      "run.json",
      "--report",
      "run.md",
      "--report",
      "run.html"
    ], { INIT_CWD: dir })
    expect(code, stderr).toBe(0)
    for (const file of ["run.json", "run.md", "run.html"]) {
      expect(stdout).toContain(`Report written to ${path.join(dir, file)}`)
    }
    // The summary points to the human-readable one for the full lists.
    expect(stdout).toContain(`see ${path.join(dir, "run.md")} for all`)
    const json = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8"))
    const markdown = fs.readFileSync(path.join(dir, "run.md"), "utf8")
    const page = fs.readFileSync(path.join(dir, "run.html"), "utf8")
    const merged = json.outcomes.Merged as number
    expect(merged).toBeGreaterThan(10)
    expect(markdown).toMatch(new RegExp(`^# hero-effect run ${json.runId}$`, "m"))
    expect(markdown).toMatch(new RegExp(`^\\| Merged \\| ${merged} \\| duplicate records merged`, "m"))
    // Every merge in the table, not the summary's first five.
    const mergeRows = markdown.split("## Merges")[1]!.split("## ")[0]!.split("\n").filter((l) =>
      /^\| \d+ \| \d+ \|$/.test(l)
    )
    expect(mergeRows).toHaveLength(merged)
    const reviewRows = markdown.split("## For a person")[1]!.split("\n").filter((l) =>
      /^\| (review|refused) \|/.test(l)
    )
    expect(reviewRows.length).toBeGreaterThan(10)
    expect(page).toMatch(/^<!doctype html>/)
    expect(page).toContain("Content-Security-Policy")
    expect(page).not.toMatch(/<script|https?:\/\//)
    expect(page.match(/<tr><td>\d+<\/td><td>\d+<\/td><\/tr>/g)).toHaveLength(merged)
    expectNoPatientValues(`${markdown}\n${page}\n${JSON.stringify(json)}`, worldValues({ seed: 1, patients: 200 }))
    fs.rmSync(dir, { recursive: true, force: true })
  }, 300_000)

  it("--otlp URL exports the job's spans over OTLP/HTTP: one trace, ids and codes only", async () => {
    const bodies: Array<string> = []
    const collector = http.createServer((req, res) => {
      let body = ""
      req.on("data", (chunk: Buffer) => (body += chunk.toString()))
      req.on("end", () => {
        if (req.method === "POST" && req.url === "/v1/traces") bodies.push(body)
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve))
    const { port } = collector.address() as { port: number }
    try {
      const { code, stderr } = await runScript("main.ts", [
        "--people",
        "12",
        "--seed",
        "4",
        "--otlp",
        `http://127.0.0.1:${port}/v1/traces`
      ], { OTEL_SERVICE_NAME: "dedupe-nightly" })
      expect(code, stderr).toBe(0)
      expect(bodies.length, stderr).toBeGreaterThan(0)
      const spans = bodies.flatMap((b) =>
        (JSON.parse(b).resourceSpans as Array<any>).flatMap((r) => {
          expect(r.resource.attributes).toContainEqual({
            key: "service.name",
            value: { stringValue: "dedupe-nightly" }
          })
          return (r.scopeSpans as Array<any>).flatMap((s) => s.spans as Array<any>)
        })
      )
      const job = spans.filter((s) => s.name === "hero-effect.job")
      expect(job).toHaveLength(1)
      // The client's calls are in the job's trace.
      const inTrace = spans.filter((s) => s.traceId === job[0].traceId)
      expect(inTrace.length).toBeGreaterThan(20)
      expect(new Set(spans.map((s) => s.name)).size).toBeGreaterThan(3)
      expectNoPatientValues(bodies.join("\n"), worldValues({ seed: 4, patients: 12 }))
    } finally {
      collector.close()
    }
  }, 300_000)

  it("--otlp that is not a URL is bad usage (exit 2) before anything runs", async () => {
    const { code, stderr, stdout } = await runScript("main.ts", ["--otlp", "collector:4318"])
    expect(code, stderr).toBe(2)
    expect(stderr).toMatch(/--otlp (is not an absolute URL|must be http\(s\))/)
    expect(`${stdout}${stderr}`.trim().split("\n")).toHaveLength(1)
  }, 300_000)

  it("--log-format json and --log-level debug after the other flags: a JSON object a patient on stderr", async () => {
    const { code, stderr, stdout } = await runScript("main.ts", [
      "--people",
      "10",
      "--seed",
      "5",
      "--log-format",
      "json",
      "--log-level",
      "debug"
    ])
    expect(code, stderr).toBe(0)
    const logs = stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    const finished = logs.filter((l) => l.message === "patient finished")
    expect(finished).toHaveLength(recordsOf(stderr))
    for (const entry of finished) {
      expect(entry.logLevel).toBe("DEBUG")
      expect(entry.annotations["hero.patient_id"]).toMatch(/^\d+$/)
      expect(typeof entry.annotations["hero.outcome"]).toBe("string")
    }
    // Logs stay off stdout: it is the summary.
    expect(stdout).not.toContain("{")
    expectNoPatientValues(stderr, worldValues({ seed: 5, patients: 10 }))
  }, 300_000)
})
