// Keeps the code in the docs honest. Every ```ts block of the files below is written out as a
// module and all of them are type-checked in one `tsc --noEmit` run (```ts no-check skips a
// fragment); a block marked ```ts run runs with tsx and must exit 0 (the workflows README's
// Batch.run must end with a report against the sandbox); a block that imports @effect/vitest is
// a test suite and runs here, as part of this file. Failures name the markdown file and line.
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { pathToFileURL } from "node:url"
import type { Block } from "./support/docBlocks.js"
import {
  locate,
  makeWorkspace,
  runModule,
  tsBlocks,
  typeCheck,
  writeBlocks,
  writeTsconfig
} from "./support/docBlocks.js"
import { expectNoPatientValues, worldValues } from "./support/scripts.js"

const documents = [
  "README.md",
  "packages/schema/README.md",
  "packages/client/README.md",
  "packages/sandbox/README.md",
  "packages/workflows/README.md",
  "docs/testing.md",
  "docs/observability.md"
]

// Written while the file is collected: the suites in the blocks must be imported before the run.
const workspace = makeWorkspace()
const blocks = writeBlocks(workspace, documents.flatMap(tsBlocks))
const checked = blocks.filter((b) => !b.flags.includes("no-check"))
const scripts = blocks.filter((b) => b.flags.includes("run"))
const suites = checked.filter((b) => /from "@effect\/vitest"/.test(b.code))
const where = (b: Block) => `${b.file}:${b.line}`

describe("docs", () => {
  it("every covered file has blocks to check", () => {
    for (const file of documents) expect(checked.some((b) => b.file === file), file).toBe(true)
  })

  it.live("every ts block type-checks", () =>
    Effect.gen(function*() {
      const result = yield* Effect.promise(() => typeCheck(writeTsconfig(workspace, checked)))
      // The diagnostics as markdown locations, so a failure says which block and line broke.
      expect(locate(`${result.stdout}\n${result.stderr}`, checked)).toStrictEqual([])
      expect(result.code).toBe(0)
    }), 600_000)

  for (const block of scripts) {
    it.live(`${where(block)} runs to its end`, () =>
      Effect.gen(function*() {
        const result = yield* Effect.promise(() => runModule(block.module))
        expect(result.code, `${where(block)}\n${result.stderr}`).toBe(0)
        if (block.file === "packages/workflows/README.md" && block.code.includes("Batch.run(")) {
          // The batch ended with its report: every patient of the sandbox world has an outcome,
          // duplicates were merged, records linked, and nothing printed names a patient.
          expect(result.stdout).toMatch(/^Run readme: \d+ patients in /m)
          expect(result.stdout).toMatch(/^ {2}Merged +\d+$/m)
          expect(result.stdout).toMatch(/^ {2}Linked +\d+$/m)
          expect(result.stdout).not.toMatch(/^ {2}Failed /m)
          expectNoPatientValues(`${result.stdout}\n${result.stderr}`, worldValues({ seed: 7, patients: 24 }))
        }
      }), 600_000)
  }

  it("the workflows README's Batch.run example is run", () => {
    expect(scripts.filter((b) => b.file === "packages/workflows/README.md" && b.code.includes("Batch.run(")))
      .toHaveLength(1)
  })
})

// The testing guide's (and any other) test blocks, as suites of this file. A block that cannot
// even be loaded fails as a test of its own, under its location.
for (const block of suites) {
  describe(where(block), async () => {
    try {
      await import(pathToFileURL(block.module).href)
    } catch (error) {
      it("loads", () => {
        throw error
      })
    }
  })
}

afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))
