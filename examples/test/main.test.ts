import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(examples, "node_modules/tsx/dist/cli.mjs"), "--conditions=@hero-effect/source", "main.ts", ...args],
      { cwd: examples, timeout: 900_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

describe("the main job (pnpm start)", () => {
  it("runs the batch over the embedded sandbox, prints a report and writes the JSON", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-main-"))
    const report = path.join(dir, "report.json")
    const journal = path.join(dir, "journal.jsonl")
    const { code, stderr, stdout } = await run([
      "--patients",
      "40",
      "--seed",
      "3",
      "--report",
      report,
      "--journal",
      journal
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(/Run run-\w+: \d+ patients/)
    const json = JSON.parse(fs.readFileSync(report, "utf8"))
    expect(json.total).toBeGreaterThan(40)
    expect(json.patients.every((p: { outcome: { _tag: string } }) => typeof p.outcome._tag === "string")).toBe(true)
    // Ids and counts only: no NHS number (999 test range) on the terminal.
    expect(`${stdout}${stderr}`).not.toMatch(/\b999\d{7}\b/)
    expect(fs.readFileSync(journal, "utf8").length).toBeGreaterThan(0)
  }, 900_000)

  it("--dry-run applies no write at all", async () => {
    const { code, stderr, stdout } = await run(["--patients", "30", "--seed", "4", "--dry-run"])
    expect(code).toBe(0)
    expect(stderr).toContain("Sandbox writes applied: 0")
    expect(stdout).not.toMatch(/\bLinked\b|\bMerged\b/)
  }, 900_000)

  it("--help lists the flags", async () => {
    const { code, stdout } = await run(["--help"])
    expect(code).toBe(0)
    for (
      const flag of [
        "--seed",
        "--seed-file",
        "--patients",
        "--concurrency",
        "--dry-run",
        "--approver",
        "--report",
        "--journal",
        "--live"
      ]
    ) {
      expect(stdout).toContain(flag)
    }
  }, 900_000)

  it("an unwritable --report path stops the job before any write", async () => {
    const { code, stderr, stdout } = await run([
      "--patients",
      "20",
      "--seed",
      "4",
      "--report",
      "/nonexistent-dir/report.json"
    ])
    expect(code).not.toBe(0)
    expect(`${stdout}${stderr}`).toContain("cannot write the report")
    expect(`${stdout}${stderr}`).not.toContain("Sandbox writes applied")
  }, 900_000)
})
