// The journal file's integrity (D8), its binding to a target, its lock against a second writer
// (D9), and failing at open when it cannot be written (D12).
import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Journal, Outcome } from "@hero-effect/workflows"
import { Effect, Exit, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll } from "vitest"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-journal-integrity-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let counter = 0
const freshPath = () => path.join(dir, `journal-${++counter}.jsonl`)

const run = "run-1"
const p1 = PatientId.make("1001")
const p2 = PatientId.make("1002")

const fileLines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0)
const writeLines = (file: string, lines: ReadonlyArray<string>) => fs.writeFileSync(file, `${lines.join("\n")}\n`)

/** Two finished patients, in a journal file. */
const twoOutcomes = (file: string, options?: Journal.FileOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const journal = yield* Journal.makeFile(file, options)
    yield* journal.record(
      new Journal.PatientOutcome({
        runId: run,
        patientId: p1,
        at: "t1",
        outcome: new Outcome.NoCandidate({ patientId: p1 })
      })
    )
    yield* journal.record(
      new Journal.PatientOutcome({
        runId: run,
        patientId: p2,
        at: "t2",
        outcome: new Outcome.Merged({ mainPatientId: PatientId.make("1003"), incomingPatientId: p2 })
      })
    )
  }))

const open = (file: string, options?: Journal.FileOptions) =>
  Effect.scoped(Effect.flatMap(Journal.makeFile(file, options), (journal) => journal.entries()))

/** A legacy line (written before checks existed). */
const legacyLine = (patientId: string, at: string) =>
  JSON.stringify({
    _tag: "PatientOutcome",
    runId: run,
    patientId,
    at,
    outcome: { _tag: "NoCandidate", patientId }
  })

describe("Journal file: integrity of every line (D8)", () => {
  it.effect("one changed byte of a patientId is a corrupt line, named by its number, never by its content", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* twoOutcomes(file)
      const lines = fileLines(file)
      const index = lines.findIndex((l) => l.includes("\"patientId\":\"1002\""))
      expect(index).toBeGreaterThan(0)
      // 1002 → 1001: without a check, patient 1002 would be skipped as NotStarted and 1001 would
      // show 1002's merge as its outcome.
      lines[index] = lines[index]!.replace("\"patientId\":\"1002\"", "\"patientId\":\"1001\"")
      writeLines(file, lines)
      const error = yield* Effect.flip(open(file))
      expect(error).toBeInstanceOf(Journal.JournalError)
      expect(error.reason).toBe("corrupt")
      expect(error.line).toBe(index + 1)
      expect(error.message).toContain(`line ${index + 1} `)
      expect(error.message).not.toMatch(/100[123]/)
    }))

  it.effect("a changed check, a removed check, a deleted or a moved line are each refused", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* twoOutcomes(file)
      const good = fileLines(file)
      expect(good.length).toBe(3)
      const variants: ReadonlyArray<readonly [string, ReadonlyArray<string>, number]> = [
        ["check changed", [
          good[0]!,
          good[1]!.replace(/"_check":"(.)/, (_, c) => `"_check":"${c === "0" ? "1" : "0"}`),
          good[2]!
        ], 2],
        ["check removed", [good[0]!, good[1]!.replace(/,"_check":"[0-9a-f]+"\}$/, "}"), good[2]!], 2],
        ["line deleted", [good[0]!, good[2]!], 2],
        ["lines swapped", [good[0]!, good[2]!, good[1]!], 2]
      ]
      for (const [name, lines, line] of variants) {
        writeLines(file, lines)
        const error = yield* Effect.flip(open(file))
        expect([name, error.reason, error.line]).toStrictEqual([name, "corrupt", line])
      }
    }))

  it.effect("a damaged last complete line is refused too; only a torn (unfinished) last line is dropped", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* twoOutcomes(file)
      const good = fs.readFileSync(file)
      const lines = fileLines(file)
      writeLines(file, [...lines.slice(0, 2), lines[2]!.replace("\"t2\"", "\"t3\"")])
      expect(yield* Effect.flip(open(file))).toMatchObject({ reason: "corrupt", line: 3 })
      // A torn last line (no newline): dropped and truncated, as before.
      fs.writeFileSync(file, Buffer.concat([good, Buffer.from(lines[2]!.slice(0, 40))]))
      expect((yield* open(file)).length).toBe(2)
      expect(fs.readFileSync(file)).toStrictEqual(good)
    }))

  it.effect("a new journal starts with a header line; entries carry a check and read back unchanged", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* Effect.scoped(Journal.makeFile(file))
      const [header] = fileLines(file)
      expect(fileLines(file).length).toBe(1)
      expect(JSON.parse(header!)).toMatchObject({ _tag: "JournalHeader", format: 1, target: null })
      yield* twoOutcomes(file)
      for (const line of fileLines(file)) expect(line).toMatch(/,"_check":"[0-9a-f]{16}"\}$/)
      const entries = yield* open(file)
      expect(entries.map((e) => e.patientId)).toStrictEqual([p1, p2])
      expect(entries.every((e) => !("_check" in e))).toBe(true)
    }))

  it.effect("a journal without checks (an earlier version's) is refused by default, with what to do", () =>
    Effect.gen(function*() {
      const file = freshPath()
      writeLines(file, [legacyLine("1001", "t1"), legacyLine("1002", "t2")])
      const before = fs.readFileSync(file)
      const error = yield* Effect.flip(open(file))
      expect(error.reason).toBe("legacy")
      expect(error.message).toContain("legacy: \"migrate\"")
      expect(fs.readFileSync(file)).toStrictEqual(before)
      // Refused at open: its lock is gone with the scope.
      expect(fs.existsSync(`${file}.lock`)).toBe(false)
    }))

  it.effect("legacy: \"migrate\" accepts its lines once and rewrites it with a header and checks", () =>
    Effect.gen(function*() {
      const file = freshPath()
      writeLines(file, [legacyLine("1001", "t1"), "", legacyLine("1002", "t2")])
      const entries = yield* open(file, { legacy: "migrate", target: "hero:https://api.example#pg-1" })
      expect(entries.map((e) => e.patientId)).toStrictEqual([p1, p2])
      const lines = fileLines(file)
      expect(lines.length).toBe(3)
      expect(JSON.parse(lines[0]!)._tag).toBe("JournalHeader")
      // From now on a checked journal: opens by default, bound to its target, and checked.
      expect((yield* open(file)).length).toBe(2)
      expect((yield* Effect.flip(open(file, { target: "another" }))).reason).toBe("target")
      // A legacy file whose lines are not entries is refused, and left as it was.
      const bad = freshPath()
      writeLines(bad, [legacyLine("1001", "t1"), "{\"_tag\":\"Nonsense\",\"name\":\"Pemberton\"}"])
      const before = fs.readFileSync(bad)
      const error = yield* Effect.flip(open(bad, { legacy: "migrate" }))
      expect(error).toMatchObject({ reason: "corrupt", line: 2 })
      expect(error.message).not.toContain("Pemberton")
      expect(fs.readFileSync(bad)).toStrictEqual(before)
    }))

  it.effect("a header whose check was removed, or checked lines without a header, are not taken as legacy", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* twoOutcomes(file)
      const lines = fileLines(file)
      writeLines(file, [lines[0]!.replace(/,"_check":"[0-9a-f]+"\}$/, "}"), ...lines.slice(1)])
      expect(yield* Effect.flip(open(file, { legacy: "migrate" }))).toMatchObject({ reason: "corrupt", line: 1 })
      writeLines(file, lines.slice(1))
      expect(yield* Effect.flip(open(file, { legacy: "migrate" }))).toMatchObject({ reason: "corrupt", line: 1 })
    }))
})

describe("Journal file: bound to its target", () => {
  it.effect("a journal opened for another target is refused; the same target, or none, opens it", () =>
    Effect.gen(function*() {
      const file = freshPath()
      const target = Journal.targetOf({ baseUrl: "https://api.staging.htech.app/", practiceGroupId: "pg-17" })
      expect(target).toBe(Journal.targetOf({ baseUrl: "https://api.staging.htech.app", practiceGroupId: "pg-17" }))
      yield* twoOutcomes(file, { target })
      const header = JSON.parse(fileLines(file)[0]!)
      expect(header.target).toBe(Journal.targetFingerprint(target))
      // The file holds a fingerprint, not the target itself.
      expect(fs.readFileSync(file, "utf8")).not.toContain("pg-17")
      expect((yield* open(file, { target })).length).toBe(2)
      expect((yield* open(file)).length).toBe(2)
      const error = yield* Effect.flip(
        open(file, { target: Journal.targetOf({ baseUrl: "https://api.herohealth.net", practiceGroupId: "pg-17" }) })
      )
      expect(error.reason).toBe("target")
      expect(error.message).toContain("another target")
      expect(error.message).not.toContain("pg-17")
    }))

  it.effect("a journal without a binding is bound on its first open with a target", () =>
    Effect.gen(function*() {
      const file = freshPath()
      yield* twoOutcomes(file)
      expect(JSON.parse(fileLines(file)[0]!).target).toBe(null)
      expect((yield* open(file, { target: "world-a" })).length).toBe(2)
      expect(JSON.parse(fileLines(file)[0]!).target).toBe(Journal.targetFingerprint("world-a"))
      expect((yield* open(file, { target: "world-a" })).length).toBe(2)
      expect((yield* Effect.flip(open(file, { target: "world-b" }))).reason).toBe("target")
    }))
})

// ---------------------------------------------------------------------------------------------
// Locks. A child process opens the journal with the project's own code (tsx's loader), so the
// lock it takes is exactly the one the main job takes.

const workflows = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const tsxLoader = pathToFileURL(path.resolve(workflows, "../../node_modules/tsx/dist/esm/index.mjs")).href

const childCode = `
import * as Journal from "./src/Journal.ts"
import * as Effect from "effect/Effect"
// Gone with its parent: stdin closes when the test process ends, whatever happened to the test.
process.stdin.on("end", () => process.exit(0)).resume()
Effect.runFork(Effect.scoped(Effect.gen(function*() {
  yield* Journal.makeFile(process.env.HERO_TEST_JOURNAL)
  process.stdout.write("ready\\n")
  yield* Effect.never
})).pipe(Effect.catchAll((e) => Effect.sync(() => {
  process.stdout.write("refused " + e.reason + ": " + e.detail + "\\n")
  process.exit(3)
}))))
`

interface Child {
  readonly process: ChildProcess
  /** The first line the child printed ("ready" or "refused …"), or how it ended before that. */
  readonly first: Promise<string>
  readonly exited: Promise<void>
}

const startChild = (journal: string): Child => {
  const child = spawn(
    process.execPath,
    ["--import", tsxLoader, "--conditions=@hero-effect/source", "--input-type=module", "-e", childCode],
    { cwd: workflows, env: { ...process.env, HERO_TEST_JOURNAL: journal }, stdio: ["pipe", "pipe", "pipe"] }
  )
  let out = ""
  let err = ""
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  const first = new Promise<string>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const newline = out.indexOf("\n")
      if (newline >= 0) resolve(out.slice(0, newline))
    })
    child.stderr!.on("data", (chunk: Buffer) => void (err += chunk.toString()))
    child.on("exit", (code, signal) => resolve(`exited ${code ?? signal}: ${err}`))
  })
  return { process: child, first, exited }
}

const kill = (child: Child) =>
  Effect.promise(() => {
    child.process.kill("SIGKILL")
    return child.exited
  })

const withChild = <A, E, R>(journal: string, f: (child: Child) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(Effect.sync(() => startChild(journal)), f, (child) => kill(child))

const lockOf = (file: string) => JSON.parse(fs.readFileSync(`${file}.lock`, "utf8")) as Record<string, unknown>

describe("Journal file: one writer at a time (D9)", () => {
  it.effect("the lock beside the journal names its holder, and goes when the scope closes", () =>
    Effect.gen(function*() {
      const file = freshPath()
      const scope = yield* Scope.make()
      yield* Scope.extend(Journal.makeFile(file), scope)
      expect(lockOf(file)).toMatchObject({ pid: process.pid, hostname: os.hostname() })
      expect(typeof lockOf(file).startedAt).toBe("string")
      yield* Scope.close(scope, Exit.void)
      expect(fs.existsSync(`${file}.lock`)).toBe(false)
    }))

  it.effect("a second open in the same process is refused while the first is open", () =>
    Effect.gen(function*() {
      const file = freshPath()
      const error = yield* Effect.flip(
        Effect.scoped(Effect.all([Journal.makeFile(file), Journal.makeFile(path.join(dir, ".", path.basename(file)))]))
      )
      expect(error).toMatchObject({ _tag: "JournalError", reason: "locked" })
      expect(error.message).toContain("already open in this process")
      yield* Effect.scoped(Journal.makeFile(file))
    }))

  it.live(
    "a journal held by another process is refused, both ways; once its holder is killed, it is taken over",
    () =>
      Effect.gen(function*() {
        const file = freshPath()
        // This process holds it: the child is refused.
        yield* Effect.scoped(Effect.gen(function*() {
          yield* Journal.makeFile(file)
          const first = yield* withChild(file, (child) => Effect.promise(() => child.first))
          expect(first).toMatch(/^refused locked: .*held by a running process \(pid \d+/)
          expect(first).toContain(`pid ${process.pid}`)
        }))
        expect(fs.existsSync(`${file}.lock`)).toBe(false)

        // The child holds it: this process is refused.
        yield* withChild(file, (child) =>
          Effect.gen(function*() {
            expect(yield* Effect.promise(() => child.first)).toBe("ready")
            const error = yield* Effect.flip(open(file))
            expect(error.reason).toBe("locked")
            expect(error.message).toContain(`pid ${child.process.pid}`)
            // Killed with SIGKILL, it leaves its lock behind: a stale lock, taken over.
            yield* kill(child)
            expect(lockOf(file).pid).toBe(child.process.pid)
            const scope = yield* Scope.make()
            yield* Scope.extend(Journal.makeFile(file), scope)
            expect(lockOf(file).pid).toBe(process.pid)
            yield* Scope.close(scope, Exit.void)
            expect(fs.existsSync(`${file}.lock`)).toBe(false)
          }))
      }),
    900_000
  )

  it.effect("a lock from another host is refused (its holder cannot be checked); an unreadable one too", () =>
    Effect.gen(function*() {
      const file = freshPath()
      fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, hostname: "other-host.example", startedAt: "t" }))
      const error = yield* Effect.flip(open(file))
      expect(error.reason).toBe("locked")
      expect(error.message).toContain("other-host.example")
      expect(error.message).toContain("remove")
      fs.writeFileSync(`${file}.lock`, "")
      expect((yield* Effect.flip(open(file))).reason).toBe("locked")
      expect(fs.existsSync(file)).toBe(false)
    }))

  it.effect("a lock left by an earlier process with this process's pid (a restarted container) is stale", () =>
    Effect.gen(function*() {
      const file = freshPath()
      fs.writeFileSync(
        `${file}.lock`,
        JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: "earlier", nonce: "x" })
      )
      expect((yield* open(file)).length).toBe(0)
      expect(fs.existsSync(`${file}.lock`)).toBe(false)
    }))
})

describe("Journal file: unwritable paths fail at open, before any write (D12)", () => {
  const unwritable = () => {
    const notADir = path.join(dir, `plain-${++counter}`)
    fs.writeFileSync(notADir, "")
    return [
      ["missing directory", path.join(dir, "missing-dir", "j.jsonl")],
      ["parent is a file", path.join(notADir, "j.jsonl")],
      ["path is a directory", dir]
    ] as const
  }

  it.effect("layerFile fails before the program runs", () =>
    Effect.gen(function*() {
      for (const [name, file] of unwritable()) {
        let ran = false
        const error = yield* Effect.flip(
          Effect.sync(() => (ran = true)).pipe(
            Effect.zipRight(Journal.entries()),
            Effect.provide(Journal.layerFile(file))
          )
        )
        expect([name, error._tag, ran]).toStrictEqual([name, "JournalError", false])
      }
    }))

  it.effect("checkWritable: fails on an unwritable path, succeeds without leaving anything behind", () =>
    Effect.gen(function*() {
      for (const [name, file] of unwritable()) {
        const error = yield* Effect.flip(Journal.checkWritable(file))
        expect([name, error.reason]).toStrictEqual([name, "open"])
      }
      const fresh = freshPath()
      yield* Journal.checkWritable(fresh)
      expect(fs.existsSync(fresh)).toBe(false)
      fs.writeFileSync(fresh, "kept")
      yield* Journal.checkWritable(fresh)
      expect(fs.readFileSync(fresh, "utf8")).toBe("kept")
    }))

  it.effect.skipIf(process.getuid?.() === 0)(
    "a read-only file or directory fails at open (not as root)",
    () =>
      Effect.gen(function*() {
        const roDir = path.join(dir, `ro-${++counter}`)
        fs.mkdirSync(roDir)
        const roFile = freshPath()
        fs.writeFileSync(roFile, "")
        fs.chmodSync(roFile, 0o444)
        fs.chmodSync(roDir, 0o555)
        try {
          for (const file of [path.join(roDir, "j.jsonl"), roFile]) {
            expect((yield* Effect.flip(Journal.checkWritable(file))).reason).toBe("open")
            expect((yield* Effect.flip(open(file)))._tag).toBe("JournalError")
          }
        } finally {
          fs.chmodSync(roDir, 0o755)
        }
      })
  )
})
