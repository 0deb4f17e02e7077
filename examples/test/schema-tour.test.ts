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
  it.effect("runs to completion and prints no NHS number, name or date of birth", () =>
    Effect.gen(function*() {
      const result = yield* run("pnpm", ["exec", "tsx", "--conditions=@hero-effect/source", "schema-tour.ts"])
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stdout).toContain("### ### ####")
      expect(result.stdout).toContain("firstName")
      // No value that identifies a person: not the NHS number (in any spacing), name or dob.
      for (
        const value of ["943 476 5919", "9434765919", "943 476 5918", "9434765918", "Ada", "Lovelace", "1989-04-11"]
      ) {
        expect(result.stdout, value).not.toContain(value)
        expect(result.stderr, value).not.toContain(value)
      }
    }))
})
