import { describe, expect, it } from "@effect/vitest"
import { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { Approver, Guard, Journal, MergeDiff, Outcome } from "@hero-effect/workflows"
import type { Layer } from "effect"
import { Effect, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { baseWire, nhsB, patientValues, preview } from "./support/patients.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-journal-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let counter = 0
const freshPath = () => path.join(dir, `journal-${++counter}.jsonl`)

const p1 = PatientId.make("1001")
const p2 = PatientId.make("1002")
const run = "run-1"

const implementations: ReadonlyArray<readonly [string, () => Layer.Layer<Journal.Journal, Journal.JournalError>]> = [
  ["memory", () => Journal.layerMemory],
  ["file", () => Journal.layerFile(freshPath())]
]

const approvalRequest = (): Approver.ApprovalRequest => {
  const p = preview({ mobile: "07700900001" }, { mobile: "07700900999", nhs_number: nhsB }, {
    mobile: "07700900999",
    identifiers: [{ source: "hero", name: "hero_id", role: "secondary", label: "Hero", value: "1002" }]
  })
  const context = Guard.contextFromPreview(p)
  return {
    mainPatientId: p1,
    incomingPatientId: p2,
    diff: MergeDiff.fromPreview(p),
    score: context.score,
    guard: Guard.evaluate(Guard.defaultRules, context)
  }
}

for (const [name, layer] of implementations) {
  describe(`Journal (${name})`, () => {
    it.effect("records entries in order, stamped from the Clock, and filters by patient", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2026-11-23T10:00:00.000Z"))
        yield* Journal.stepStarted({ runId: run, patientId: p1, step: "candidates", key: "candidates:1001" })
        yield* TestClock.adjust("1 second")
        yield* Journal.stepFinished({
          runId: run,
          patientId: p1,
          step: "candidates",
          key: "candidates:1001",
          outcome: "succeeded",
          details: { count: 2 }
        })
        yield* Journal.stepStarted({ runId: run, patientId: p2, step: "candidates", key: "candidates:1002" })
        const all = yield* Journal.entries()
        expect(all.map((e) => e._tag)).toStrictEqual(["StepStarted", "StepFinished", "StepStarted"])
        expect(all[0]!.at).toBe("2026-11-23T10:00:00.000Z")
        expect(all[1]!.at).toBe("2026-11-23T10:00:01.000Z")
        expect(all[1]).toMatchObject({ outcome: "succeeded", details: { count: 2 } })
        expect((yield* Journal.entries(p1)).length).toBe(2)
        expect((yield* Journal.entries(p2)).length).toBe(1)
        expect(yield* Journal.entries("9999")).toStrictEqual([])
      }).pipe(Effect.provide(layer())))

    it.effect("state: not started, in progress with an unknown step, finished", () =>
      Effect.gen(function*() {
        expect(yield* Journal.state(p1)).toStrictEqual({ _tag: "NotStarted" })
        yield* Journal.stepStarted({ runId: run, patientId: p1, step: "preview", key: "preview:1001:1002" })
        yield* Journal.stepFinished({
          runId: run,
          patientId: p1,
          step: "preview",
          key: "preview:1001:1002",
          outcome: "succeeded",
          details: { tokenObtained: true }
        })
        yield* Journal.stepStarted({ runId: run, patientId: p1, step: "merge", key: "merge:1001:1002" })
        // The run stops here (crash): merge started, never finished.
        const s = yield* Journal.state(p1)
        expect(s._tag).toBe("InProgress")
        if (s._tag === "InProgress") {
          expect(s.lastStep).toMatchObject({ step: "merge", key: "merge:1001:1002", status: "started" })
          expect(s.unknown.map((u) => u.key)).toStrictEqual(["merge:1001:1002"])
          expect(s.pending).toMatchObject({ step: "merge", key: "merge:1001:1002", status: "started", runId: run })
          expect(s.steps.map((u) => [u.key, u.status])).toStrictEqual([
            ["preview:1001:1002", "succeeded"],
            ["merge:1001:1002", "started"]
          ])
          expect(Journal.stepStatus(s, "preview:1001:1002")).toBe("succeeded")
        }
        // A resumed run verifies the merge, then finishes the patient.
        yield* Journal.stepStarted({ runId: "run-2", patientId: p1, step: "verify", key: "verify:1001:1002" })
        yield* Journal.stepFinished({
          runId: "run-2",
          patientId: p1,
          step: "verify",
          key: "verify:1001:1002",
          outcome: "succeeded"
        })
        const outcome = new Outcome.Merged({ mainPatientId: p1, incomingPatientId: p2 })
        yield* Journal.patientOutcome({ runId: "run-2", patientId: p1, outcome })
        expect(yield* Journal.state(p1)).toMatchObject({ _tag: "Finished", runId: "run-2", outcome })
        expect(yield* Journal.state(p2)).toStrictEqual({ _tag: "NotStarted" })
      }).pipe(Effect.provide(layer())))

    it.effect("a step finished as unknown stays to be verified; a later attempt of the same key replaces it", () =>
      Effect.gen(function*() {
        const key = "connect:1001:EMIS-1"
        yield* Journal.stepStarted({ runId: run, patientId: p1, step: "connect", key })
        yield* Journal.stepFinished({ runId: run, patientId: p1, step: "connect", key, outcome: "unknown" })
        const s1 = yield* Journal.state(p1)
        expect(s1._tag === "InProgress" && s1.unknown.map((u) => u.status)).toStrictEqual(["unknown"])
        yield* Journal.stepStarted({ runId: "run-2", patientId: p1, step: "connect", key })
        yield* Journal.stepFinished({ runId: "run-2", patientId: p1, step: "connect", key, outcome: "failed" })
        const s2 = yield* Journal.state(p1)
        expect(s2).toMatchObject({ _tag: "InProgress", runId: "run-2", unknown: [], pending: undefined })
        expect(s2._tag === "InProgress" && s2.steps.length).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.effect("work started after an outcome reopens the patient", () =>
      Effect.gen(function*() {
        yield* Journal.patientOutcome({
          runId: run,
          patientId: p1,
          outcome: new Outcome.NoCandidate({ patientId: p1 })
        })
        expect((yield* Journal.state(p1))._tag).toBe("Finished")
        yield* Journal.stepStarted({ runId: "run-2", patientId: p1, step: "candidates", key: "candidates:1001" })
        const s = yield* Journal.state(p1)
        expect(s).toMatchObject({ _tag: "InProgress", runId: "run-2" })
        expect(s._tag === "InProgress" && s.steps.length).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.effect("decisions keep codes, score, grade and changed field names, never values", () =>
      Effect.gen(function*() {
        const request = approvalRequest()
        yield* Journal.decision({
          runId: run,
          patientId: p1,
          key: "merge:1001:1002",
          request,
          decision: new Approver.Rejected({ by: "automatic", reason: "guard refused: NHS_NUMBER_MISMATCH" })
        })
        const [entry] = yield* Journal.entries(p1)
        expect(entry).toMatchObject({
          _tag: "Decision",
          decision: "rejected",
          by: "automatic",
          verdict: "refuse",
          guardCodes: ["NHS_NUMBER_MISMATCH"],
          grade: request.score.grade,
          score: request.score.score
        })
        expect(entry?._tag === "Decision" && entry.diffFields).toStrictEqual([{ field: "mobile", kind: "changed" }])
        expect(entry?._tag === "Decision" && entry.identifierChanges).toStrictEqual([
          { change: "added", name: "hero_id", role: "secondary", label: "Hero" }
        ])
        const s = yield* Journal.state(p1)
        expect(s._tag === "InProgress" && s.lastDecision?.decision).toBe("rejected")
        const text = JSON.stringify(yield* Journal.entries())
        for (const v of [...patientValues(baseWire), "07700900", nhsB]) expect(text).not.toContain(v)
      }).pipe(Effect.provide(layer())))

    it.effect("string details under secret-looking keys are redacted", () =>
      Effect.gen(function*() {
        yield* Journal.stepFinished({
          runId: run,
          patientId: p1,
          step: "preview",
          key: "preview:1001:1002",
          outcome: "succeeded",
          details: { mergeToken: "secret-token-value", tokenObtained: true, apiKey: "k", incoming: "1002" }
        })
        const [entry] = yield* Journal.entries()
        expect(entry).toMatchObject({
          details: { mergeToken: "[redacted]", tokenObtained: true, apiKey: "[redacted]", incoming: "1002" }
        })
        expect(JSON.stringify(yield* Journal.entries())).not.toContain("secret-token-value")
      }).pipe(Effect.provide(layer())))

    it.effect("every outcome kind survives the journal", () =>
      Effect.gen(function*() {
        const outcomes: ReadonlyArray<Outcome.Outcome> = [
          new Outcome.Linked({ patientId: p1, ehrPartnerId: EhrPartnerId.make("EMIS-1") }),
          new Outcome.NeedsReview({ reasons: ["only-possible"] }),
          new Outcome.Refused({ codes: ["DOB_MISMATCH"] }),
          new Outcome.Failed({ error: "Timeout", message: "m", step: "merge", outcomeUnknown: true })
        ]
        for (const outcome of outcomes) yield* Journal.patientOutcome({ runId: run, patientId: p1, outcome })
        const stored = (yield* Journal.entries()).map((e) => (e._tag === "PatientOutcome" ? e.outcome : undefined))
        expect(stored).toStrictEqual(outcomes)
      }).pipe(Effect.provide(layer())))
  })
}

// The entry lines of a journal file (its first line is a header).
const readLines = (file: string) =>
  fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0 && JSON.parse(l)._tag !== "JournalHeader")

describe("Journal (file only)", () => {
  it.effect("survives reopening, and appends after what was there", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Journal.stepStarted({ runId: run, patientId: p1, step: "merge", key: "merge:1001:1002" }).pipe(
        Effect.provide(Journal.layerFile(file))
      )
      // The intent is on disk as soon as record returns.
      expect(readLines(file).length).toBe(1)
      const s = yield* Journal.state(p1).pipe(Effect.provide(Journal.layerFile(file)))
      expect(s).toMatchObject({ _tag: "InProgress", unknown: [{ key: "merge:1001:1002", status: "started" }] })
      yield* Journal.stepFinished({
        runId: run,
        patientId: p1,
        step: "merge",
        key: "merge:1001:1002",
        outcome: "succeeded"
      })
        .pipe(Effect.provide(Journal.layerFile(file)))
      expect(readLines(file).map((l) => JSON.parse(l)._tag)).toStrictEqual(["StepStarted", "StepFinished"])
      const again = yield* Journal.entries().pipe(Effect.provide(Journal.layerFile(file)))
      expect(again.length).toBe(2)
    }))

  it.effect("a torn last line is dropped and the file truncated to the last complete line", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Effect.all([
        Journal.stepStarted({ runId: run, patientId: p1, step: "preview", key: "preview:1001:1002" }),
        Journal.stepFinished({
          runId: run,
          patientId: p1,
          step: "preview",
          key: "preview:1001:1002",
          outcome: "succeeded"
        })
      ]).pipe(Effect.provide(Journal.layerFile(file)))
      const good = fs.readFileSync(file)
      fs.appendFileSync(file, "{\"_tag\":\"StepStarted\",\"runId\":\"run-1\",\"pati")
      const entries = yield* Journal.entries().pipe(Effect.provide(Journal.layerFile(file)))
      expect(entries.length).toBe(2)
      expect(fs.readFileSync(file)).toStrictEqual(good)
      yield* Journal.stepStarted({ runId: run, patientId: p1, step: "merge", key: "merge:1001:1002" }).pipe(
        Effect.provide(Journal.layerFile(file))
      )
      expect(readLines(file).map((l) => JSON.parse(l)._tag)).toStrictEqual([
        "StepStarted",
        "StepFinished",
        "StepStarted"
      ])
    }))

  it.effect("a tail of zero bytes (a crash on some file systems) counts as torn", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Journal.stepStarted({ runId: run, patientId: p1, step: "merge", key: "k" }).pipe(
        Effect.provide(Journal.layerFile(file))
      )
      fs.appendFileSync(file, Buffer.alloc(16))
      const entries = yield* Journal.entries().pipe(Effect.provide(Journal.layerFile(file)))
      expect(entries.length).toBe(1)
    }))

  it.effect("concurrent records never interleave: every line is whole", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) =>
          Journal.stepStarted({
            runId: run,
            patientId: PatientId.make(String(1000 + i)),
            step: "candidates",
            key: `c:${i}`
          }),
        { concurrency: "unbounded", discard: true }
      ).pipe(Effect.provide(Journal.layerFile(file)))
      const lines = readLines(file)
      expect(lines.length).toBe(40)
      expect(new Set(lines.map((l) => JSON.parse(l).key)).size).toBe(40)
      expect((yield* Journal.entries().pipe(Effect.provide(Journal.layerFile(file)))).length).toBe(40)
    }))

  it.effect("group commit: concurrent records share writes, and each is in the file when it returns", () =>
    Effect.gen(function*() {
      const file = freshPath()
      const missing: Array<number> = []
      // Count datasyncs on every file handle while the records run.
      const handle = yield* Effect.promise(() => fs.promises.open(freshPath(), "a"))
      const proto = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> }
      yield* Effect.promise(() => handle.close())
      const datasync = proto.datasync
      let syncs = 0
      proto.datasync = function(this: unknown) {
        syncs++
        return datasync.call(this)
      }
      yield* Effect.forEach(
        Array.from({ length: 64 }, (_, i) => i),
        (i) =>
          Effect.zipRight(
            Journal.stepStarted({
              runId: run,
              patientId: PatientId.make(String(2000 + i)),
              step: "connect",
              key: `g:${i}`
            }),
            // The record has returned: its line must already be on disk.
            Effect.sync(() => {
              if (!readLines(file).some((l) => JSON.parse(l).key === `g:${i}`)) missing.push(i)
            })
          ),
        { concurrency: "unbounded", discard: true }
      ).pipe(
        Effect.provide(Journal.layerFile(file)),
        Effect.ensuring(Effect.sync(() => (proto.datasync = datasync)))
      )
      expect(missing).toStrictEqual([])
      expect(readLines(file).length).toBe(64)
      // One sync per entry would be 64.
      expect(syncs).toBeGreaterThan(0)
      expect(syncs).toBeLessThan(32)
    }))

  it.effect("a damaged complete line is reported as corrupt, without its content", () =>
    Effect.gen(function*() {
      const file = freshPath()
      // Lines without checks (an earlier version's journal) are decoded when migrated.
      const legacy = Journal.layerFile(file, { legacy: "migrate" })
      fs.writeFileSync(file, "{\"_tag\":\"Nonsense\",\"name\":\"Pemberton\"}\n")
      const error = yield* Effect.flip(Journal.entries().pipe(Effect.provide(legacy)))
      expect(error).toStrictEqual(
        new Journal.JournalError({ reason: "corrupt", detail: "line 1 is not a journal entry", line: 1 })
      )
      expect(error.message).not.toContain("Pemberton")
      fs.writeFileSync(file, "not json\n\n")
      const error2 = yield* Effect.flip(Journal.entries().pipe(Effect.provide(legacy)))
      expect(error2.reason).toBe("corrupt")
    }))

  it.effect("a file is open at most once per process", () =>
    Effect.gen(function*() {
      const file = freshPath()
      const error = yield* Effect.flip(
        Effect.scoped(Effect.all([Journal.makeFile(file), Journal.makeFile(path.join(dir, ".", path.basename(file)))]))
      )
      expect(error).toStrictEqual(
        new Journal.JournalError({ reason: "locked", detail: "the journal file is already open in this process" })
      )
      // Once the first is closed, it opens again.
      yield* Effect.scoped(Journal.makeFile(file))
    }))

  it.effect("blank lines are skipped", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Journal.stepStarted({ runId: run, patientId: p1, step: "merge", key: "k" }).pipe(
        Effect.provide(Journal.layerFile(file))
      )
      fs.appendFileSync(file, "\n\n")
      expect((yield* Journal.entries().pipe(Effect.provide(Journal.layerFile(file)))).length).toBe(1)
    }))

  it.effect("a path that cannot be opened fails with a typed error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Journal.entries().pipe(Effect.provide(Journal.layerFile(path.join(dir, "missing-dir", "j.jsonl"))))
      )
      expect(error._tag).toBe("JournalError")
      expect(error.reason).toBe("open")
      const isDir = yield* Effect.flip(Journal.entries().pipe(Effect.provide(Journal.layerFile(dir))))
      expect(isDir.reason).toBe("read")
    }))
})

describe("Journal over your own store", () => {
  it.effect("reads the store's lines at open, and a failed append changes nothing", () =>
    Effect.gen(function*() {
      const memory = yield* Journal.makeMemory
      yield* memory.record(new Journal.StepStarted({ runId: run, patientId: p1, step: "merge", key: "k", at: "t" }))
      const line = JSON.stringify({
        _tag: "StepStarted",
        runId: run,
        patientId: "1001",
        step: "merge",
        key: "k",
        at: "t"
      })
      let fail = false
      const appended: Array<string> = []
      const journal = yield* Journal.makeFromStore({
        initial: [line],
        append: (l) =>
          fail
            ? Effect.fail(new Journal.JournalError({ reason: "write", detail: "disk full" }))
            : Effect.sync(() => void appended.push(l))
      })
      expect(yield* journal.entries()).toStrictEqual(yield* memory.entries())
      fail = true
      const error = yield* Effect.flip(
        journal.record(
          new Journal.StepFinished({ runId: run, patientId: p1, step: "merge", key: "k", at: "u", outcome: "failed" })
        )
      )
      expect(error.reason).toBe("write")
      expect((yield* journal.entries()).length).toBe(1)
      fail = false
      yield* journal.record(
        new Journal.StepFinished({ runId: run, patientId: p1, step: "merge", key: "k", at: "u", outcome: "failed" })
      )
      expect(appended.length).toBe(1)
      expect(JSON.parse(appended[0]!)).toMatchObject({ _tag: "StepFinished", outcome: "failed" })
    }))

  it.effect("a store whose lines are not entries does not open", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Journal.makeFromStore({ initial: ["{}"], append: () => Effect.void }))
      expect(error).toStrictEqual(
        new Journal.JournalError({ reason: "corrupt", detail: "line 1 is not a journal entry", line: 1 })
      )
    }))

  it("a merge token cannot be put in details (type-level, and the constructor refuses it)", () => {
    const token = makeMergeToken("secret-token-value")
    expect(() =>
      new Journal.StepFinished({
        runId: run,
        patientId: p1,
        step: "preview",
        key: "k",
        at: "t",
        outcome: "succeeded",
        // @ts-expect-error a MergeToken (Redacted) is not a detail value: record that one was obtained instead
        details: { token }
      })
    ).toThrow()
  })
})

describe("Journal.replay", () => {
  it("ignores other patients and handles a finish without a start", () => {
    const entries: ReadonlyArray<Journal.Entry> = [
      new Journal.StepStarted({ runId: run, patientId: p2, step: "merge", key: "k2", at: "t0" }),
      new Journal.StepFinished({ runId: run, patientId: p1, step: "connect", key: "k1", at: "t1", outcome: "unknown" })
    ]
    const s = Journal.replay(entries, p1)
    expect(s).toMatchObject({
      _tag: "InProgress",
      lastStep: { key: "k1", status: "unknown", startedAt: undefined, finishedAt: "t1" }
    })
    expect(Journal.replay(entries, "3003")).toStrictEqual({ _tag: "NotStarted" })
    expect(Journal.stepStatus({ _tag: "NotStarted" }, "k1")).toBeUndefined()
  })

  it("a decision alone puts the patient in progress without a last step", () => {
    const d = Journal.decisionEntry({
      runId: run,
      patientId: p1,
      key: "merge:1001:1002",
      at: "t",
      request: approvalRequest(),
      decision: new Approver.Undecided({ reason: "a person must decide" })
    })
    expect(d).toMatchObject({ decision: "deferred", reason: "a person must decide" })
    expect("by" in d).toBe(false)
    expect(Journal.replay([d], p1)).toMatchObject({ _tag: "InProgress", lastStep: undefined, lastDecision: d })
  })
})

describe("Journal memory: compact", () => {
  // A seeded random history over a few patients: steps started and finished, decisions,
  // outcomes, patients reopened after an outcome. Compact memory must replay every patient to
  // the same state as full memory, while keeping only entries since each patient's last outcome.
  it.effect("replays every patient exactly as full memory does, and keeps less", () =>
    Effect.gen(function*() {
      const full = yield* Journal.makeMemory
      const compact = yield* Journal.makeMemoryWith({ memory: "compact" })
      const filePath = freshPath()
      const patients = ["2001", "2002", "2003", "2004"].map((s) => PatientId.make(s))
      const steps = ["candidates", "connect", "preview", "merge"] as const
      let seed = 42
      const next = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        return seed % n
      }
      const entries: Array<Journal.Entry> = []
      for (let i = 0; i < 400; i++) {
        const patientId = patients[next(patients.length)]!
        const step = steps[next(steps.length)]!
        const key = `${step}:${patientId}`
        const at = new Date(Date.UTC(2026, 10, 23, 10, 0, i)).toISOString()
        const roll = next(10)
        entries.push(
          roll < 4
            ? new Journal.StepStarted({ runId: run, patientId, step, key, at })
            : roll < 8
            ? new Journal.StepFinished({
              runId: run,
              patientId,
              step,
              key,
              at,
              outcome: (["succeeded", "failed", "unknown"] as const)[next(3)]!
            })
            : new Journal.PatientOutcome({ runId: run, patientId, at, outcome: new Outcome.NoCandidate({ patientId }) })
        )
      }
      yield* Effect.scoped(Effect.gen(function*() {
        const file = yield* Journal.makeFile(filePath, { memory: "compact" })
        for (const entry of entries) {
          yield* full.record(entry)
          yield* compact.record(entry)
          yield* file.record(entry)
        }
      }))
      // Reopened from the file (which holds every entry), compact again.
      const reopened = yield* Effect.scoped(Effect.gen(function*() {
        const file = yield* Journal.makeFile(filePath, { memory: "compact" })
        return yield* file.entries()
      }))
      for (const patientId of patients) {
        const expected = Journal.replay(yield* full.entries(patientId), patientId)
        expect(Journal.replay(yield* compact.entries(patientId), patientId)).toStrictEqual(expected)
        expect(Journal.replay(reopened, patientId)).toStrictEqual(expected)
      }
      expect((yield* full.entries()).length).toBe(400)
      expect((yield* compact.entries()).length).toBeLessThan(100)
      expect(readLines(filePath).length).toBe(400)
    }))
})
