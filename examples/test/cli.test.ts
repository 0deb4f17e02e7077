// The main job as a command-line tool (issue 14): paths relative to where it was typed, flags
// checked before anything runs, one-paragraph errors, exit codes, the --live safety rails, a
// summary that fits a screen and a clean Ctrl-C. Each test runs main.ts as a child process.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bundled } from "./support/bundled.js"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// main.ts compiled once for this file (support/bundled.ts): each child loads one file instead of
// tsx transforming every module; the same code runs. (readme-commands and examples start it
// with tsx, as a user types it.)
const main = () => bundled("main.ts")

// The child's environment: the test's own without INIT_CWD or HERO_* (vitest under pnpm may
// carry them), plus what the test gives.
const childEnv = (env: Readonly<Record<string, string>>) => {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== "INIT_CWD" && !k.startsWith("HERO_"))
  ) as Record<string, string>
  return { ...base, ...env }
}

const run = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  main().then((file) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [file, ...args],
        { cwd: examples, timeout: 900_000, env: childEnv(env) },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr })
      )
    })
  )

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

// A loopback port nothing listens on (free a moment ago).
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const noStackNoDump = (text: string) => {
  expect(text).not.toMatch(/^\s+at /m)
  expect(text).not.toContain("\"_tag\"")
  expect(text).not.toMatch(/\b999\d{7}\b/)
}

describe("the main job as a command-line tool", () => {
  it("resolves --report and --journal against the directory the command was run in (INIT_CWD)", async () => {
    const dir = tmp("hero-cli-cwd-")
    const { code, stderr, stdout } = await run(
      ["--patients", "10", "--seed", "2", "--report", "out.json", "--journal", "sub/../j.jsonl"],
      { INIT_CWD: dir }
    )
    expect(code, stderr).toBe(0)
    expect(fs.existsSync(path.join(dir, "out.json"))).toBe(true)
    expect(fs.existsSync(path.join(dir, "j.jsonl"))).toBe(true)
    expect(fs.existsSync(path.join(examples, "out.json"))).toBe(false)
    expect(stdout).toContain(`Report written to ${path.join(dir, "out.json")}`)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 900_000)

  it("refuses bad flag values before anything runs: exit 2, one line, no stack or dump", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["--concurrency", "0"], /--concurrency must be a whole number, at least 1/],
      [["--concurrency", "-3"], /--concurrency must be a whole number, at least 1/],
      [["--patients", "0"], /--people \(--patients\) must be a whole number, at least 1/],
      [["--people", "-5"], /--people \(--patients\) must be a whole number, at least 1/],
      [["--rate-limit", "-1"], /--rate-limit must be/],
      [["--concurrency", "abc"], /'abc' is not a integer/],
      [["--no-such-flag"], /unknown argument/],
      [["--live"], /--live needs --ids/]
    ]
    const results = await Promise.all(cases.map(([args]) => run(args)))
    results.forEach(({ code, stderr, stdout }, i) => {
      const [args, message] = cases[i]!
      const out = `${stdout}${stderr}`
      expect(code, `${args.join(" ")}: ${out}`).toBe(2)
      expect(out).toMatch(message)
      expect(out.trim().split("\n"), out).toHaveLength(1)
      expect(out).not.toContain("Sandbox on")
      noStackNoDump(out)
    })
  }, 900_000)

  it("configuration problems exit 3 in one line: missing HERO_* variables, an unreadable --ids file", async () => {
    const dir = tmp("hero-cli-config-")
    fs.writeFileSync(path.join(dir, "ids.txt"), "100001\n")
    const [missing, unreadable] = await Promise.all([
      run(["--live", "--ids", "ids.txt"], { INIT_CWD: dir }),
      // No HERO_BASE_URL nor HERO_ENVIRONMENT: it says staging is used; the ids file stops it
      // before any request.
      run(["--live", "--ids", "missing.txt"], { INIT_CWD: dir, HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg-1" })
    ])
    expect(missing.code, missing.stderr).toBe(3)
    expect(missing.stderr).toContain("HERO_API_KEY is not set")
    expect(missing.stderr.trim().split("\n")).toHaveLength(1)
    expect(unreadable.code, unreadable.stderr).toBe(3)
    expect(unreadable.stderr).toContain("Target: https://api.staging.htech.app")
    expect(unreadable.stderr).toContain("so staging is used")
    expect(unreadable.stderr).toContain(`cannot read the ids file ${path.join(dir, "missing.txt")}: ENOENT`)
    for (const r of [missing, unreadable]) noStackNoDump(`${r.stdout}${r.stderr}`)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 900_000)

  it("--live against a closed port: every patient failed unreached, exit 4, the reason codes shown", async () => {
    const dir = tmp("hero-cli-closed-")
    fs.writeFileSync(path.join(dir, "ids.txt"), "100001\n100002\n# a comment\n100003\n")
    const port = await closedPort()
    const { code, stderr, stdout } = await run(["--live", "--ids", path.join(dir, "ids.txt"), "--rate-limit", "0"], {
      HERO_API_KEY: "k",
      HERO_PRACTICE_GROUP_ID: "pg-1",
      HERO_BASE_URL: `http://127.0.0.1:${port}`
    })
    expect(code, `${stdout}${stderr}`).toBe(4)
    expect(stderr).toContain(`Target: http://127.0.0.1:${port} (HERO_BASE_URL), practice group pg-1`)
    expect(stdout).toMatch(/Failed\s+3/)
    expect(stdout).toMatch(/NetworkError ECONNREFUSED at \w+\s+3/)
    expect(stderr).toContain("the target was not reached")
    noStackNoDump(`${stdout}${stderr}`)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 900_000)

  it.scopedLive(
    "--live: some patients failed is exit 1; production needs --yes without a terminal (exit 3, nothing sent)",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const server = yield* SandboxServer.SandboxServer
        const dir = tmp("hero-cli-live-")
        const ids = path.join(dir, "ids.txt")
        // Two patients of the world and one the API does not know.
        fs.writeFileSync(ids, `${sandbox.world.patients.slice(0, 2).map((p) => p.id).join("\n")}\n424242424\n`)
        const env = {
          HERO_API_KEY: sandbox.credentials.apiKey,
          HERO_PRACTICE_GROUP_ID: sandbox.credentials.practiceGroupId,
          HERO_BASE_URL: server.url
        }
        const some = yield* Effect.promise(() => run(["--live", "--ids", ids, "--rate-limit", "0"], env))
        expect(some.code, `${some.stdout}${some.stderr}`).toBe(1)
        expect(some.stdout).toMatch(/Failed\s+1/)
        expect(some.stdout).toMatch(/^ {2}\w+ .*at \w+\s+1$/m)
        expect(some.stderr).toContain("1 of 3 patients failed")
        noStackNoDump(`${some.stdout}${some.stderr}`)

        const writesBefore = (yield* sandbox.counters).writes
        const production = { ...env, HERO_ENVIRONMENT: "production" }
        // execFile gives the child no terminal: it cannot ask, so it refuses.
        const refused = yield* Effect.promise(() => run(["--live", "--ids", ids], production))
        expect(refused.code, refused.stderr).toBe(3)
        expect(refused.stderr).toMatch(/^Target: PRODUCTION /m)
        expect(refused.stderr).toContain("pass --yes")
        expect(refused.stdout).not.toContain("Run ")
        expect((yield* sandbox.counters).writes).toBe(writesBefore)
        // Read only needs no confirmation; --yes gives it.
        const dry = yield* Effect.promise(() => run(["--live", "--ids", ids, "--dry-run"], production))
        expect(dry.stdout, dry.stderr).toContain("Run ")
        const confirmed = yield* Effect.promise(() => run(["--live", "--ids", ids, "--yes"], production))
        expect(confirmed.stdout, confirmed.stderr).toContain("Run ")
        fs.rmSync(dir, { recursive: true, force: true })
      }).pipe(
        Effect.provide(
          SandboxServer.layer({ port: 0 }).pipe(Layer.provideMerge(Sandbox.layer({ seed: 9, patients: 20 })))
        )
      ),
    900_000
  )

  it("the summary fits a screen: meanings per count, at most 10 review items, merges summarised", async () => {
    const { code, stderr, stdout } = await run(["--patients", "200", "--seed", "1"])
    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/^ {2}Linked\s+\d+ {2}connected to their EHR record$/m)
    expect(stdout).toMatch(/see --report FILE for all \d+ merges/)
    expect(stdout).toMatch(/… and \d+ more — run with --report FILE for the full list/)
    const reviewLines = stdout.split("\n").filter((l) => /^ {2}(review |refused) /.test(l))
    expect(reviewLines.length).toBeGreaterThan(0)
    expect(reviewLines.length).toBeLessThanOrEqual(10)
    expect(stdout.split("\n").length).toBeLessThan(40)
    noStackNoDump(`${stdout}${stderr}`)
  }, 900_000)

  it("Ctrl-C stops cleanly (exit 130) and says how to resume; the same command again resumes", async () => {
    const dir = tmp("hero-cli-sigint-")
    const args = ["--patients", "400", "--seed", "6", "--concurrency", "1", "--journal", path.join(dir, "j.jsonl")]
    const file = await main()
    const stopped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
      const child = spawn(process.execPath, [file, ...args], { cwd: examples, env: childEnv({}), detached: true })
      let stderr = ""
      let sent = false
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
        // Once a tenth of the patients are done (the progress line), not after a delay.
        if (!sent && /^\d+\/\d+ records \(10%\)/m.test(stderr)) {
          sent = true
          process.kill(-child.pid!, "SIGINT")
        }
      })
      child.stdout.resume()
      child.on("close", (code) => resolve({ code, stderr }))
    })
    expect(stopped.code, stopped.stderr).toBe(130)
    expect(stopped.stderr).toMatch(/Stopped \(interrupted\) after \d+ of \d+ patient records/)
    expect(stopped.stderr).toContain(`Resume: run the same command again; ${path.join(dir, "j.jsonl")} keeps`)
    noStackNoDump(stopped.stderr)

    const again = await run(args)
    expect(again.code, again.stderr).toBe(0)
    const resumed = /Resumed: (\d+) patient records already done/.exec(again.stderr)
    expect(resumed, again.stderr).not.toBeNull()
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(20)
    fs.rmSync(dir, { recursive: true, force: true })
  }, 900_000)
})
