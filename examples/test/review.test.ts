// The review CLI (review.ts) on the queue the main job fills with --review: the job leaves the
// merges the rules send to a person as items in its SQLite storage, a person works through them
// from the terminal (list, show, approve, reject, counts — exit codes 0/2/3/4, --json for
// scripts, no patient value except with show --evidence), and the next run applies the approved
// merge and refuses the rejected one. Each step runs the scripts as child processes.
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expectNoPatientValues, runCompiled, worldValues } from "./support/scripts.js"

// A world where some merges need a person (DECEASED_MISMATCH, RESTRICTED, SEX_MISMATCH …).
const world = { seed: 3, patients: 40 }
const values = worldValues(world)

// Compiled once for this file (support/scripts.ts runCompiled): the same code, started faster.
const main = (args: ReadonlyArray<string>) =>
  runCompiled("main.ts", ["--patients", String(world.patients), "--seed", String(world.seed), "--review", ...args])
const review = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  runCompiled("review.ts", args, env)

interface Item {
  readonly id: string
  readonly kind: "link" | "merge"
  readonly status: string
  readonly mainPatientId?: string
  readonly incomingPatientId?: string
  readonly codes: ReadonlyArray<string>
  readonly fields: ReadonlyArray<{ readonly field: string; readonly change: string }>
  readonly decision?: { readonly decision: string; readonly by: string; readonly reason?: string }
}
interface Outcome {
  readonly _tag: string
  readonly reviewId?: string
  readonly codes?: ReadonlyArray<string>
  readonly mainPatientId?: string
  readonly incomingPatientId?: string
}
interface Report {
  readonly patients: ReadonlyArray<{ readonly patientId: string; readonly outcome: Outcome }>
  readonly review?: { readonly storage: string; readonly pending: number; readonly command: string }
}

const readReport = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Report
const output = (run: { readonly stdout: string; readonly stderr: string }) => `${run.stdout}\n${run.stderr}`

describe("the review CLI (pnpm review) on the main job's queue", () => {
  it(
    "the job queues what needs a person; the CLI decides; the next run applies the approval and refuses the rejection",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-review-"))
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "hero-review-empty-"))
      const db = path.join(dir, "engine.db")
      const at = ["--db", db]

      // 1. The main job on the durable engine, its queue in the same SQLite file.
      const first = await main([...at, "--report", path.join(dir, "first.json")])
      expect(first.code, first.stderr).toBe(0)
      const firstReport = readReport(path.join(dir, "first.json"))
      const pending = firstReport.review?.pending ?? 0
      expect(pending).toBeGreaterThan(0)
      expect(firstReport.review?.storage).toBe(db)
      expect(first.stdout).toContain(`Review queue: ${pending} waiting for a person (pending)`)
      expect(first.stdout).toContain(`pnpm review list --db ${db}`)
      expect(first.stdout).toContain("pnpm review serve --db")
      expectNoPatientValues(output(first), values)
      const waiting = new Set(firstReport.patients.flatMap(({ outcome }) => outcome.reviewId ?? []))

      // 2. The pending items, value-free; and no queue where none was made (the default file is
      // where the main job puts it without --db, and looking does not create it).
      const [listed, none] = await Promise.all([
        review(["list", ...at, "--limit", "100", "--json"]),
        review(["list", "--json"], { INIT_CWD: empty })
      ])
      expect(listed.code, listed.stderr).toBe(0)
      expectNoPatientValues(output(listed), values)
      const items = (JSON.parse(listed.stdout) as { items: ReadonlyArray<Item> }).items
      expect(items).toHaveLength(pending)
      for (const item of items) {
        expect(item.status).toBe("pending")
        expect(waiting.has(item.id), item.id).toBe(true)
      }
      const merges = items.filter((item) => item.kind === "merge")
      expect(merges.length).toBeGreaterThanOrEqual(2)
      const [approved, rejected] = [merges[0]!, merges[1]!]
      expect(none.code).toBe(1)
      const noQueue = JSON.parse(none.stderr) as { error: { code: string; message: string } }
      expect(noQueue.error.code).toBe("no-queue")
      expect(noQueue.error.message).toContain(path.join(empty, ".hero-effect", "review.db"))
      expect(fs.existsSync(path.join(empty, ".hero-effect"))).toBe(false)

      // 3. One item, without and with its evidence; a page of the table; usage errors before the
      // storage is touched (exit 2).
      const [shown, evidence, page, noReason, badReason, noReviewer] = await Promise.all([
        review(["show", approved.id, ...at, "--json"]),
        review(["show", approved.id, ...at, "--evidence", "--json"]),
        review(["list", ...at, "--kind", "merge", "--limit", "1"]),
        review(["reject", rejected.id, "--reviewer", "dr-b", ...at]),
        review(["reject", rejected.id, "--reason", "twins", "--reviewer", "dr-b", ...at, "--json"]),
        review(["approve", approved.id, ...at])
      ])
      expect(shown.code, shown.stderr).toBe(0)
      const item = (JSON.parse(shown.stdout) as { item: Item }).item
      expect(item).toMatchObject({ id: approved.id, kind: "merge", status: "pending" })
      expect(item.codes.length).toBeGreaterThan(0)
      expect(item.mainPatientId).toBe(approved.mainPatientId)
      expectNoPatientValues(output(shown), values)
      // Only the explicit flag shows the records: the main one is the world's record of that id.
      expect(evidence.code, evidence.stderr).toBe(0)
      const records = (JSON.parse(evidence.stdout) as {
        evidence: { _tag: string; main: { id: string; last_name?: string } }
      }).evidence
      expect(records._tag).toBe("MergeEvidence")
      expect(records.main.id).toBe(approved.mainPatientId)
      expect(records.main.last_name).toBeDefined()
      expect(values.names.has(records.main.last_name!)).toBe(true)
      expect(page.code, page.stderr).toBe(0)
      expect(page.stdout).toMatch(/^ID\s+KIND\s+STATUS\s+SCORE\s+GRADE/m)
      expect(page.stdout).toContain(approved.id)
      expect(page.stdout).toMatch(
        new RegExp(`More: pnpm review list --db ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.* --cursor \\S+`)
      )
      expectNoPatientValues(output(page), values)
      expect(noReason.code).toBe(2)
      expect(noReason.stderr).toMatch(/^hero-review: reject needs --reason: one of different-people/)
      expect(noReason.stdout).toBe("")
      expect(badReason.code).toBe(2)
      expect(JSON.parse(badReason.stderr)).toMatchObject({ error: { code: "usage", exitCode: 2 } })
      expect(noReviewer.code).toBe(2)
      expect(noReviewer.stderr).toContain("--reviewer")

      // 4. Decisions: approve (0), approve again (4: closed), an unknown id (3), reject.
      const approve = await review(["approve", approved.id, "--reviewer", "dr-a", ...at])
      expect(approve.code, approve.stderr).toBe(0)
      expect(approve.stdout).toContain(`Approved ${approved.id}`)
      const [again, unknown] = await Promise.all([
        review(["approve", approved.id, "--reviewer", "dr-a", ...at, "--json"]),
        review(["show", "rv_00000000000000000000000000000000", ...at])
      ])
      expect(again.code).toBe(4)
      expect(JSON.parse(again.stderr)).toMatchObject({
        error: { code: "closed", exitCode: 4, id: approved.id, status: "approved" }
      })
      expect(unknown.code).toBe(3)
      expect(unknown.stderr).toContain("no review item rv_00000000000000000000000000000000")
      const reject = await review([
        "reject",
        rejected.id,
        "--reason",
        "different-people",
        "--reviewer",
        "dr-b",
        ...at,
        "--json"
      ])
      expect(reject.code, reject.stderr).toBe(0)
      expect((JSON.parse(reject.stdout) as { item: Item }).item).toMatchObject({
        status: "rejected",
        decision: { decision: "reject", by: "dr-b", reason: "different-people" }
      })
      const counts = await review(["counts", ...at, "--json"])
      expect(counts.code, counts.stderr).toBe(0)
      expect(JSON.parse(counts.stdout)).toMatchObject({
        counts: { pending: pending - 2, approved: 1, rejected: 1, deferred: 0 },
        total: pending
      })

      // 5. The next run (a new run id) applies the approved merge and refuses the rejected one.
      const second = await main([...at, "--report", path.join(dir, "second.json")])
      expect(second.code, second.stderr).toBe(0)
      const secondReport = readReport(path.join(dir, "second.json"))
      const outcomes = secondReport.patients.map((p) => p.outcome)
      expect(outcomes).toContainEqual(expect.objectContaining({
        _tag: "Merged",
        mainPatientId: approved.mainPatientId,
        incomingPatientId: approved.incomingPatientId
      }))
      expect(outcomes).toContainEqual(expect.objectContaining({
        _tag: "Refused",
        reviewId: rejected.id,
        codes: expect.arrayContaining(["REJECTED_BY_REVIEWER"])
      }))
      expect(secondReport.review?.pending).toBeLessThanOrEqual(pending - 2)
      expect(second.stdout).toMatch(/Review queue: \d+ waiting for a person \(pending\)/)
      expectNoPatientValues(output(second), values)
      fs.rmSync(dir, { recursive: true, force: true })
      fs.rmSync(empty, { recursive: true, force: true })
    },
    400_000
  )
})
