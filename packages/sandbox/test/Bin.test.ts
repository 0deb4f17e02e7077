import { describe, expect, it } from "@effect/vitest"
import { SeedFile } from "@hero-effect/sandbox"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// tsx is a devDependency of the repository root
const tsx = path.resolve(packageDir, "..", "..", "node_modules", ".bin", "tsx")

const start = (args: ReadonlyArray<string>) =>
  spawn(tsx, ["--conditions=@hero-effect/source", "bin/sandbox.ts", ...args], {
    cwd: packageDir,
    stdio: ["ignore", "pipe", "pipe"]
  })

describe("pnpm sandbox", () => {
  it.live("prints its URL and a working key; the printed curl works; Ctrl-C stops it", () =>
    Effect.gen(function*() {
      const child = start(["--port", "0", "--seed", "3", "--patients", "10"])
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
      const exited = Effect.async<number | null>((resume) => {
        child.on("exit", (code) => resume(Effect.succeed(code)))
      })
      child.kill("SIGINT")
      yield* exited.pipe(Effect.timeout("120 seconds"))
    }), 900_000)

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
})
