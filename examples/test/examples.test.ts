// Runs each example as a child process, as a user would (`tsx --conditions=@hero-effect/source`),
// and checks its exit code, a few key lines, and that nothing it prints identifies a patient.
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SandboxServer, SeedGenerator } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// The environment without any HERO_* variable, so a developer's own key never reaches a test.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HERO_")))

const run = (file: string, args: ReadonlyArray<string> = [], env: Record<string, string> = {}) =>
  Effect.async<Run>((resume, signal) => {
    execFile(
      process.execPath,
      [path.join(examples, "node_modules/tsx/dist/cli.mjs"), "--conditions=@hero-effect/source", file, ...args],
      { cwd: examples, signal, timeout: 900_000, env: { ...cleanEnv, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }))
    )
  })

// Whole-word names of every patient, EHR record and Spine entry of a generated world.
const namesOf = (options: { seed: number; patients: number }) => {
  const world = SeedGenerator.generate(options)
  return new Set(
    [...world.patients, ...world.ehrRecords, ...world.pds].flatMap((p) => [p.firstName, p.lastName])
      .filter((n): n is string => typeof n === "string" && n.length > 2)
  )
}

// No NHS number (the 999 test range) and no name from the world anywhere in the output.
const expectNoPatientData = (result: Run, names: ReadonlySet<string> = new Set()) => {
  const output = `${result.stdout}\n${result.stderr}`
  expect(output).not.toMatch(/\b999\s?\d{3}\s?\d{4}\b/)
  const words = new Set(output.split(/[^\p{L}'-]+/u))
  expect([...names].filter((n) => words.has(n))).toStrictEqual([])
}

describe("examples", () => {
  it.live("dry-run previews every duplicate pair and applies no merge", () =>
    Effect.gen(function*() {
      const result = yield* run("dry-run.ts")
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain("Dry run over 8 duplicate pairs")
      expect(result.stdout).toMatch(/guard: refuse — NHS_NUMBER_MISMATCH/)
      expect(result.stdout).toContain("=> WOULD MERGE")
      expect(result.stdout).toMatch(/Would merge \d+, ask a person about \d+, refuse \d+\./)
      expect(result.stdout).toContain("0 merges: no merge was applied.")
      expectNoPatientData(result, namesOf({ seed: 7, patients: 24 }))
    }), 900_000)

  it.live("custom-rules refuses with the custom rule's code and the re-graded rule", () =>
    Effect.gen(function*() {
      const result = yield* run("custom-rules.ts")
      expect(result.code, result.stderr).toBe(0)
      const rules = result.stdout.split("\n").find((l) => l.startsWith("Rules: ")) ?? ""
      expect(rules).toContain("PLACEHOLDER_REFUSED")
      expect(rules).not.toContain("NAMES_TOO_FAR")
      const refusals = result.stdout.split("\n").find((l) => l.startsWith("Refusal codes: ")) ?? ""
      expect(refusals).toMatch(/PLACEHOLDER_REFUSED \d+/)
      expect(refusals).toMatch(/RESTRICTED \d+/)
      expect(result.stdout).toMatch(/Merged\s+\d+/)
      expect(result.stdout).toMatch(/DEFERRED_BY_APPROVER \d+/)
      expectNoPatientData(result, namesOf({ seed: 7, patients: 40 }))
    }), 900_000)

  it.live("compose-steps links one record, merges its duplicate and shows the journal", () =>
    Effect.gen(function*() {
      const result = yield* run("compose-steps.ts")
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(/\[info\] outcome: Linked \(patient=\d+\)/)
      expect(result.stdout).toMatch(/\[info\] outcome: Merged \(patient=\d+\)/)
      const journal = result.stdout.slice(result.stdout.indexOf("Journal:"))
      for (const step of ["connect connect:", "preview preview:", "merge merge:"]) {
        expect(journal).toContain(step)
      }
      // A merge the server confirmed is not read back: verification is for unknown outcomes only.
      expect(journal).not.toContain("verify verify:merge:")
      expect(journal).toMatch(/Decision\s+\d+\s+merge:\d+:\d+ approved/)
      expectNoPatientData(result, namesOf({ seed: 7, patients: 24 }))
    }), 900_000)

  // A sandbox HTTP server stands in for staging: it records every request it receives.
  const world = { seed: 7, patients: 24 }
  const server = SandboxServer.layer({ port: 0 }).pipe(Layer.provideMerge(Sandbox.layer(world)))

  it.scopedLive("staging without HERO_API_KEY explains the variables and sends nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const { url } = yield* SandboxServer.SandboxServer
      // Everything but the key points at the local server: a request, had one been made, would show.
      const result = yield* run("staging.ts", ["100001"], {
        HERO_BASE_URL: url,
        HERO_PRACTICE_GROUP_ID: sandbox.credentials.practiceGroupId
      })
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain("HERO_API_KEY is not set, so nothing was sent (no network call).")
      for (const name of ["HERO_API_KEY", "HERO_PRACTICE_GROUP_ID", "HERO_ENVIRONMENT=staging"]) {
        expect(result.stdout).toContain(name)
      }
      expect(yield* sandbox.exchanges).toHaveLength(0)
    }).pipe(Effect.provide(server)), 900_000)

  it.scopedLive(
    "staging with a configuration does a read-only dry run over the ids given",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const { url } = yield* SandboxServer.SandboxServer
        const ids = sandbox.world.patients.slice(0, 3).map((p) => p.id)
        const result = yield* run("staging.ts", [...ids, "999999999", "no-such-patient"], {
          HERO_API_KEY: sandbox.credentials.apiKey,
          HERO_PRACTICE_GROUP_ID: sandbox.credentials.practiceGroupId,
          HERO_BASE_URL: url
        })
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout).toContain(`Read-only dry run over ${ids.length + 2} patient(s):`)
        for (const id of ids) expect(result.stdout).toMatch(new RegExp(`^${id}: `, "m"))
        expect(result.stdout).toContain("999999999: failed: PatientNotFound")
        // Hero ids are digits: anything else is refused before a request is sent.
        expect(result.stdout).toContain("no-such-patient: failed: InvalidInput")
        expect((yield* sandbox.exchanges).length).toBeGreaterThan(0)
        expect(yield* sandbox.writeLog).toHaveLength(0)
        expectNoPatientData(result, namesOf(world))
      }).pipe(Effect.provide(server)),
    900_000
  )
})
