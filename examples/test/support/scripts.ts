// Runs an example script as a child process, as a user would (`tsx --conditions=@hero-effect/source`),
// and checks that what it printed holds no value of the sandbox world's patients.
import { expect } from "@effect/vitest"
import { SeedGenerator } from "@hero-effect/sandbox"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bundled } from "./bundled.js"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

export interface ScriptRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// The child's environment: the test's own without INIT_CWD or HERO_* (vitest under pnpm may carry
// them, and a developer's own key must never reach a test), plus what the test gives.
const childEnv = (env: Readonly<Record<string, string>>) => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== "INIT_CWD" && !k.startsWith("HERO_"))
  ) as Record<string, string>,
  NO_COLOR: "1",
  ...env
})

/** Runs `script` (in examples/) with `args` to its end. */
export const runScript = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<ScriptRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(examples, "node_modules/tsx/dist/cli.mjs"), "--conditions=@hero-effect/source", script, ...args],
      { cwd: examples, timeout: 300_000, env: childEnv(env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr })
    )
  })

/**
 * Runs `script` to its end like {@link runScript}, but compiled once per test file
 * (support/bundled.ts: the same code, without tsx's per-module loader), for tests about what a
 * script does rather than how a user starts it.
 */
export const runCompiled = (
  script: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<ScriptRun> =>
  bundled(script).then((file) =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [file, ...args],
        { cwd: examples, timeout: 300_000, env: childEnv(env), maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr })
      )
    })
  )

/**
 * What identifies the people of a generated world (Hero records, EHR records and Spine entries):
 * names (over two letters), NHS numbers, dates of birth, mobiles, postcodes, e-mail addresses.
 */
export const worldValues = (options: { readonly seed: number; readonly patients: number }) => {
  const file = SeedGenerator.generateSeedFile(options) as unknown as Record<
    string,
    ReadonlyArray<Record<string, unknown>>
  >
  const records = [...file["patients"]!, ...file["ehr_records"]!, ...file["pds"]!]
  const pick = (key: string) =>
    new Set(records.map((r) => r[key]).filter((v): v is string => typeof v === "string" && v.length > 2))
  return {
    names: new Set([...pick("first_name"), ...pick("last_name")]),
    nhsNumbers: pick("nhs_number"),
    dates: pick("dob"),
    others: new Set([...pick("mobile"), ...pick("postcode"), ...pick("email")])
  }
}

/** No value of the world in `text`: no name as a whole word, no NHS number in any spacing, no dob. */
export const expectNoPatientValues = (text: string, values: ReturnType<typeof worldValues>) => {
  expect(text).not.toMatch(/\b999\s?\d{3}\s?\d{4}\b/)
  const words = new Set(text.split(/[^\p{L}'-]+/u))
  expect([...values.names].filter((n) => words.has(n))).toStrictEqual([])
  const digits = text.replace(/\s/g, "")
  expect([...values.nhsNumbers].filter((n) => digits.includes(n))).toStrictEqual([])
  // A date of birth as a date, not the date part of a timestamp (createdAt: 2026-…T…).
  expect([...values.dates].filter((d) => new RegExp(`${d}(?!T)`).test(text))).toStrictEqual([])
  expect([...values.others].filter((v) => text.includes(v))).toStrictEqual([])
}
