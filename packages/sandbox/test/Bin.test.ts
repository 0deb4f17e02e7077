import { describe, expect, it } from "@effect/vitest"
import { SeedFile } from "@hero-effect/sandbox"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describeRateLimit, parse, resolvePath, usage } from "../bin/options.js"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// tsx is a devDependency of the repository root
const tsx = path.resolve(packageDir, "..", "..", "node_modules", ".bin", "tsx")

const start = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  spawn(tsx, ["--conditions=@hero-effect/source", "bin/sandbox.ts", ...args], {
    cwd: packageDir,
    env: { ...process.env, INIT_CWD: "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })

/** Runs the command to its end: exit status and both streams. */
const runToEnd = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = start(args, env)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  }).pipe(Effect.timeout("180 seconds"))

/** One line on stderr, prefixed with the command's name, without a stack trace. */
const expectOneLine = (stderr: string) => {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "")
  expect(lines, stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^hero-sandbox: /)
  expect(stderr).not.toMatch(/^\s+at /m)
}

const scratchDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "hero-sandbox-"))

describe("pnpm sandbox", () => {
  it.live(
    "prints its URL and a working key; the printed curl works; the rate limit applies; Ctrl-C stops it",
    () =>
      Effect.gen(function*() {
        const child = start([
          "--port",
          "0",
          "--seed",
          "3",
          "--patients",
          "10",
          "--rate-limit",
          "2/1h",
          "--rate-window",
          "sliding"
        ])
        const output = yield* Effect.async<string, Error>((resume) => {
          let text = ""
          child.stdout.on("data", (chunk) => {
            text += String(chunk)
            if (text.includes("Ctrl-C")) resume(Effect.succeed(text))
          })
          child.on("exit", (code) => resume(Effect.fail(new Error(`exited with ${code}: ${text}`))))
        }).pipe(Effect.timeout("180 seconds"))
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!
        const curl = /curl -s -H 'x-api-key: ([^']+)' -H 'x-practice-group-id: ([^']+)' (\S+)/.exec(output)!
        expect(curl[3]!.startsWith(url)).toBe(true)
        const res = yield* Effect.promise(() =>
          fetch(curl[3]!, { headers: { "x-api-key": curl[1]!, "x-practice-group-id": curl[2]! } })
        )
        expect(res.status).toBe(200)
        expect(((yield* Effect.promise(() => res.json())) as any).id).toMatch(/^\d+$/)
        expect(output).toContain("rate limit:          2 requests per 1h per key, sliding window")
        const again = () =>
          Effect.promise(() => fetch(curl[3]!, { headers: { "x-api-key": curl[1]!, "x-practice-group-id": curl[2]! } }))
        expect((yield* again()).status).toBe(200)
        const limited = yield* again()
        expect(limited.status).toBe(429)
        // a slot frees when the first request is an hour old: at most 3600 whole seconds away
        const retryAfter = Number(limited.headers.get("retry-after"))
        expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true)
        const exited = Effect.async<number | null>((resume) => {
          child.on("exit", (code) => resume(Effect.succeed(code)))
        })
        child.kill("SIGINT")
        yield* exited.pipe(Effect.timeout("120 seconds"))
      }),
    900_000
  )

  it.live("--write-seed writes a seed file that loads", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hero-sandbox-")), "world.json")
      const child = start(["--write-seed", file, "--seed", "4", "--patients", "12"])
      const code = yield* Effect.async<number | null>((resume) => {
        child.on("exit", (c) => resume(Effect.succeed(c)))
      }).pipe(Effect.timeout("180 seconds"))
      expect(code).toBe(0)
      const world = yield* SeedFile.load(file)
      expect(world.patients.length).toBeGreaterThanOrEqual(12)
    }), 900_000)

  it.live(
    "--help lists every flag, the rate-limit ones included, and exits 0; a bad flag exits 2 with the usage",
    () =>
      Effect.gen(function*() {
        const run = (args: ReadonlyArray<string>) =>
          Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
            const child = start(args)
            let stdout = ""
            let stderr = ""
            child.stdout.on("data", (chunk) => (stdout += String(chunk)))
            child.stderr.on("data", (chunk) => (stderr += String(chunk)))
            child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
          }).pipe(Effect.timeout("180 seconds"))
        const help = yield* run(["--help"])
        expect(help.code).toBe(0)
        expect(help.stdout).toBe(usage)
        for (
          const flag of ["--port", "--seed-file", "--rate-limit <n>[/<window>]", "--rate-window <kind>", "sliding"]
        ) {
          expect(help.stdout).toContain(flag)
        }
        const bad = yield* run(["--rate-limit", "20/1s", "--rate-window", "leaky"])
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain("--rate-window must be fixed or sliding")
        expect(bad.stderr).toContain(usage)
      }),
    900_000
  )
})

describe("pnpm sandbox errors and paths", () => {
  it.live(
    "relative --write-seed and --seed-file paths are taken from INIT_CWD (where pnpm was typed)",
    () =>
      Effect.gen(function*() {
        const dir = scratchDir()
        const wrote = yield* runToEnd(["--write-seed", "rel.json", "--seed", "5", "--patients", "3"], { INIT_CWD: dir })
        expect(wrote.code, wrote.stderr).toBe(0)
        expect(fs.existsSync(path.join(dir, "rel.json"))).toBe(true)
        expect(fs.existsSync(path.join(packageDir, "rel.json"))).toBe(false)
        expect(wrote.stdout).toContain(path.join(dir, "rel.json"))
        // and without INIT_CWD, from the current directory (the package's, for this spawn)
        expect(resolvePath("x.json", {}, "/some/where")).toBe("/some/where/x.json")
        expect(resolvePath("x.json", { INIT_CWD: "/typed/here" }, "/some/where")).toBe("/typed/here/x.json")
        expect(resolvePath("/abs/x.json", { INIT_CWD: "/typed/here" }, "/some/where")).toBe("/abs/x.json")
      }),
    900_000
  )

  it.live("a missing seed file, a path that cannot be written: one line, exit 1", () =>
    Effect.gen(function*() {
      const dir = scratchDir()
      const missing = yield* runToEnd(["--seed-file", "absent.json"], { INIT_CWD: dir })
      expect(missing.code).toBe(1)
      expectOneLine(missing.stderr)
      expect(missing.stderr).toContain(path.join(dir, "absent.json"))
      const unwritable = yield* runToEnd(["--write-seed", path.join(dir, "no", "such", "dir", "w.json")])
      expect(unwritable.code).toBe(1)
      expectOneLine(unwritable.stderr)
      expect(unwritable.stderr).toContain("Cannot write the seed file")
    }), 900_000)

  it.live("a malformed seed file: one line naming fields, never a value from the file", () =>
    Effect.gen(function*() {
      const dir = scratchDir()
      const file = path.join(dir, "bad.json")
      fs.writeFileSync(
        file,
        JSON.stringify({
          patients: [{ id: "100001", nhs_number: "943476591X", first_name: "Zebedee", dob: "31/02/1970" }]
        })
      )
      const bad = yield* runToEnd(["--seed-file", file])
      expect(bad.code).toBe(1)
      expectOneLine(bad.stderr)
      expect(bad.stderr).toContain(file)
      for (const value of ["943476591X", "Zebedee", "31/02/1970"]) expect(bad.stderr).not.toContain(value)
      fs.writeFileSync(file, "{ not json")
      const notJson = yield* runToEnd(["--seed-file", file])
      expect(notJson.code).toBe(1)
      expectOneLine(notJson.stderr)
      expect(notJson.stderr).toContain("not valid JSON")
    }), 900_000)

  it.live("a port in use: one line, exit 1", () =>
    Effect.gen(function*() {
      const server = net.createServer()
      const port = yield* Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as net.AddressInfo).port)))
      })
      const busy = yield* runToEnd(["--port", String(port)]).pipe(
        Effect.ensuring(Effect.sync(() => server.close()))
      )
      expect(busy.code).toBe(1)
      expectOneLine(busy.stderr)
      expect(busy.stderr).toContain(`Cannot listen on 127.0.0.1:${port}`)
    }), 900_000)
})

describe("pnpm sandbox options", () => {
  const run = (args: ReadonlyArray<string>) => {
    const parsed = parse(args)
    if (parsed._tag !== "Run") throw new Error(`expected options, got ${JSON.stringify(parsed)}`)
    return parsed.options
  }

  it("defaults, and --rate-limit <n> still means per minute, fixed", () => {
    expect(run([])).toEqual({
      port: 4010,
      host: "127.0.0.1",
      seed: "1",
      patients: 40,
      seedFile: undefined,
      writeSeed: undefined,
      rateLimit: undefined
    })
    expect(run(["--rate-limit", "60"]).rateLimit).toEqual({ limit: 60, window: "1 minute" })
    expect(describeRateLimit(run(["--rate-limit", "60"]).rateLimit)).toBe("60 requests per 1m per key, fixed window")
    expect(describeRateLimit(undefined)).toBe("none")
  })

  it("--rate-limit <n>/<window> and --rate-window fixed|sliding", () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--rate-limit", "20/1s", "--rate-window", "sliding"], "20 requests per 1s per key, sliding window"],
      [["--rate-limit", "20/s"], "20 requests per 1s per key, fixed window"],
      [["--rate-limit", "100/10s", "--rate-window", "fixed"], "100 requests per 10s per key, fixed window"],
      [["--rate-window", "sliding", "--rate-limit", "5000/1h"], "5000 requests per 1h per key, sliding window"],
      [["--rate-limit", "250/500ms"], "250 requests per 500ms per key, fixed window"],
      [["--rate-limit", "3/1.5m", "--rate-window", "sliding"], "3 requests per 1m 30s per key, sliding window"]
    ]
    for (const [args, description] of cases) expect(describeRateLimit(run(args).rateLimit)).toBe(description)
    expect(run(["--rate-limit", "20/1s", "--rate-window", "sliding"]).rateLimit?.kind).toBe("sliding")
    expect(run(["--rate-limit", "20/1s"]).rateLimit).not.toHaveProperty("kind")
  })

  it("--help, and invalid values are refused with a message", () => {
    expect(parse(["--help"])).toEqual({ _tag: "Help" })
    expect(parse(["--port", "0", "-h"])).toEqual({ _tag: "Help" })
    const invalid: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--rate-window", "sliding"], "--rate-window needs --rate-limit"],
      [["--rate-limit", "20/1s", "--rate-window", "leaky"], "--rate-window must be fixed or sliding"],
      [["--rate-limit", "twenty"], "--rate-limit must be"],
      [["--rate-limit", "20/1d"], "--rate-limit must be"],
      [["--rate-limit", "20/0s"], "longer than 0"],
      [["--rate-limit", "-1"], "--rate-limit must be"],
      [["--rate-limit"], "--rate-limit needs a value"],
      [["--port", "x"], "--port must be a whole number"]
    ]
    for (const [args, message] of invalid) {
      const parsed = parse(args)
      expect(parsed._tag).toBe("Invalid")
      expect(parsed._tag === "Invalid" && parsed.message).toContain(message)
    }
  })
})
