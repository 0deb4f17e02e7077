import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

const examplesDir = fileURLToPath(new URL("..", import.meta.url))

interface Run {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

// Runs a command to completion; a non-zero exit is a result to assert on, not a failure.
const run = (command: string, args: ReadonlyArray<string>): Effect.Effect<Run> =>
  Effect.async<Run>((resume, signal) => {
    execFile(
      command,
      args,
      { cwd: examplesDir, signal, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resume(Effect.succeed({ exitCode, stdout, stderr }))
      }
    )
  })

describe("schema-tour", () => {
  it.effect("runs to completion and prints NHS numbers safely", () =>
    Effect.gen(function*() {
      const result = yield* run("pnpm", ["exec", "tsx", "--conditions=@hero-effect/source", "schema-tour.ts"])
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stdout).toContain("943 476 5919")
      expect(result.stdout).not.toContain("9434765918")
      expect(result.stdout).toContain("Ada")
    }))
})
