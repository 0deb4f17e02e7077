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
    expect(stdout).toMatch(/Run run-\w+: \d+ patient records/)
    const json = JSON.parse(fs.readFileSync(report, "utf8"))
    expect(json.total).toBeGreaterThan(40)
    expect(json.patients.every((p: { outcome: { _tag: string } }) => typeof p.outcome._tag === "string")).toBe(true)
    // Ids and counts only: no NHS number (999 test range) on the terminal.
    expect(`${stdout}${stderr}`).not.toMatch(/\b999\d{7}\b/)
    expect(fs.readFileSync(journal, "utf8").length).toBeGreaterThan(0)
  }, 900_000)

  it(
    "--db: the same job on the durable engine (SQLite), the same outcomes; the same --run-id again resumes",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-main-db-"))
      const outcomes = (file: string) =>
        Object.fromEntries(
          (JSON.parse(fs.readFileSync(file, "utf8")) as {
            patients: ReadonlyArray<{ patientId: string; outcome: { _tag: string } }>
          }).patients.map((p) => [p.patientId, p.outcome._tag])
        )
      const journalRun = await run(["--patients", "30", "--seed", "5", "--report", path.join(dir, "journal.json")])
      expect(journalRun.code, journalRun.stderr).toBe(0)
      const db = path.join(dir, "engine.db")
      const args = ["--patients", "30", "--seed", "5", "--db", db, "--run-id", "main-db-1"]
      const first = await run([...args, "--report", path.join(dir, "first.json")])
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain("Run main-db-1:")
      expect(outcomes(path.join(dir, "first.json"))).toStrictEqual(outcomes(path.join(dir, "journal.json")))
      expect(fs.statSync(db).size).toBeGreaterThan(0)
      // A fresh sandbox, the same stored run: the outcomes come back from the file, no write is sent.
      const again = await run([...args, "--report", path.join(dir, "again.json")])
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toContain("Sandbox writes applied: 0")
      // It says so: every patient's execution had finished on the engine.
      expect(again.stderr).toMatch(/Resumed: \d+ patient records already done \(run main-db-1 on the durable engine\)/)
      expect(outcomes(path.join(dir, "again.json"))).toStrictEqual(outcomes(path.join(dir, "first.json")))
      // Two storages at once is a mistake, said before anything runs.
      const both = await run([...args, "--journal", path.join(dir, "j.jsonl")])
      // Exit 3: configuration (the exit codes of issue 14).
      expect(both.code).toBe(3)
      expect(`${both.stdout}${both.stderr}`).toContain("choose one")
      fs.rmSync(dir, { recursive: true, force: true })
    },
    900_000
  )

  it("--dry-run applies no write at all (after a leading --, as `pnpm start -- …` passes it)", async () => {
    const { code, stderr, stdout } = await run(["--", "--patients", "30", "--seed", "4", "--dry-run"])
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
        "--db",
        "--postgres",
        "--run-id",
        "--concurrency",
        "--dry-run",
        "--approver",
        "--report",
        "--journal",
        "--live",
        "--yes"
      ]
    ) {
      expect(stdout).toContain(flag)
    }
    // The exit codes are part of the interface (issue 14).
    expect(stdout).toContain("EXIT CODES")
    for (const code of ["0", "1", "2", "3", "4", "130"]) expect(stdout).toMatch(new RegExp(`^${code} +\\w`, "m"))
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
    // Exit 3: configuration (the exit codes of issue 14).
    expect(code).toBe(3)
    expect(`${stdout}${stderr}`).toContain("cannot write the report")
    expect(`${stdout}${stderr}`).not.toContain("Sandbox writes applied")
  }, 900_000)
})
