// The soak: the whole batch over a seeded world of more than 2,000 Hero patients on the in-memory
// face, with 10% of the calls to every operation failing at random (seeded): 500/502/503/504, 429
// with Retry-After, dropped connections, hangs, latency, and on connect and merge "applied, then
// the response was lost". It proves that every patient reaches an outcome, that no merge and no
// connect is ever applied twice, that every merge and connect the sandbox applied was journaled
// (StepStarted of its key) before it was applied, that every patient's outcome is journaled, and
// that twins and family are never merged.
//
// Time is virtual. The TestClock keeps every sleep ever started (each call's timeouts), and waking
// thousands of abandoned ones makes a run of this size take minutes; so the batch runs on its own
// clock, whose interrupted sleeps go away, and its own scheduler, which the test drains. The clock
// moves to the next sleeper only when nothing can run: a hang lasts exactly the attempt timeout, and
// the same seed gives the same run, fault for fault.
import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox } from "@hero-effect/sandbox"
import { Approver, Batch, Journal, PatientLease } from "@hero-effect/workflows"
import type { Scheduler } from "effect"
import { Clock, Duration, Effect, Fiber, FiberRef, Layer, Random, Stream } from "effect"
import { createHash } from "node:crypto"

const seed = 2026
const people = 1500 // 2,040 Hero patients with seed 2026
const concurrency = 16

const { Fault } = Faults
const mixed = [
  Fault.Status({ status: 500 }),
  Fault.Status({ status: 502 }),
  Fault.Status({ status: 503 }),
  Fault.Status({ status: 504 }),
  Fault.RateLimited({ retryAfter: 1 }),
  Fault.Reset(),
  Fault.Hang(),
  Fault.Latency({ duration: "3 seconds" })
]

// One seeded rule per operation, 10% of its calls; connect and merge may also apply the write and
// then lose the response.
const faults = Faults.operationIds.map((operation, i) =>
  Faults.random({
    operation,
    probability: 0.1,
    seed: `${seed}-${i}`,
    faults: operation === "connectPatientEhr" || operation === "mergePatient"
      ? [...mixed, Fault.AppliedThenLost(), Fault.AppliedThenLost()]
      : mixed
  })
)

/** A clock and a scheduler under the test's control (see the comment at the top). */
class VirtualTime implements Clock.Clock, Scheduler.Scheduler {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  now = Date.UTC(2026, 0, 5, 9)
  private order = 0
  private sleepers: Array<{ readonly at: number; readonly order: number; readonly wake: () => void }> = []
  private tasks: Array<Scheduler.Task> = []

  unsafeCurrentTimeMillis(): number {
    return this.now
  }
  readonly currentTimeMillis = Effect.sync(() => this.now)
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(this.now) * 1_000_000n
  }
  readonly currentTimeNanos = Effect.sync(() => this.unsafeCurrentTimeNanos())
  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const sleeper = {
        at: this.now + Duration.toMillis(duration),
        order: this.order++,
        wake: () => resume(Effect.void)
      }
      this.sleepers.push(sleeper)
      return Effect.sync(() => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper)
      })
    })
  }

  scheduleTask(task: Scheduler.Task): void {
    this.tasks.push(task)
  }
  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return fiber.currentOpCount > fiber.getFiberRef(FiberRef.currentMaxOpsBeforeYield)
      ? fiber.getFiberRef(FiberRef.currentSchedulingPriority)
      : false
  }

  /** Runs `fiber` (forked on this scheduler) to the end, moving time only when nothing can run. */
  async drive<A, E>(fiber: Fiber.RuntimeFiber<A, E>, maxSteps: number): Promise<{ steps: number }> {
    for (let steps = 0; steps < maxSteps; steps++) {
      while (this.tasks.length > 0) {
        const tasks = this.tasks
        this.tasks = []
        for (const task of tasks) task()
      }
      if (fiber.unsafePoll() !== null) return { steps }
      // Response bodies are read through promises: let them settle before calling the world idle.
      await new Promise((resolve) => setImmediate(resolve))
      if (this.tasks.length > 0) continue
      const next = this.sleepers.reduce<(typeof this.sleepers)[number] | undefined>(
        (min, s) => (min === undefined || s.at < min.at || (s.at === min.at && s.order < min.order) ? s : min),
        undefined
      )
      if (next === undefined || !Number.isFinite(next.at)) throw new Error("stuck: nothing can run and nobody sleeps")
      this.sleepers = this.sleepers.filter((s) => s !== next)
      this.now = Math.max(this.now, next.at)
      next.wake()
    }
    throw new Error(`the batch did not finish within ${maxSteps} steps`)
  }
}

interface Recorded {
  readonly entry: Journal.Entry
  /** How many writes the sandbox had applied when the entry was durable. */
  readonly writesBefore: number
}

/** The in-memory journal, also noting where each entry falls among the sandbox's writes. */
const recordingJournal = (recorded: Array<Recorded>) =>
  Layer.effect(
    Journal.Journal,
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const journal = yield* Journal.makeMemory
      return {
        ...journal,
        record: (entry) =>
          Effect.zipRight(
            journal.record(entry),
            Effect.flatMap(
              sandbox.writeLog,
              (log) => Effect.sync(() => void recorded.push({ entry, writesBefore: log.length }))
            )
          )
      } satisfies Journal.Service
    })
  )

describe("soak", () => {
  it.live(
    "2,000+ patients under 10% mixed faults: an outcome for each, no write twice, every write journaled first",
    () => {
      const recorded: Array<Recorded> = []
      const world = Layer.mergeAll(recordingJournal(recorded), PatientLease.layerMemory, Approver.layerAutomatic).pipe(
        Layer.provideMerge(Sandbox.layerClient({ seed, patients: people, faults }))
      )
      return Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const ids = sandbox.world.patients.map((p) => p.id)
        expect(ids.length).toBeGreaterThanOrEqual(2000)

        const time = new VirtualTime()
        const fiber = yield* Batch.run(Stream.fromIterable(ids), { runId: "soak", concurrency, total: ids.length })
          .pipe(
            Effect.withClock(time),
            Effect.withRandom(Random.make(seed)),
            Effect.fork,
            Effect.withScheduler(time)
          )
        const started = Date.now()
        const { steps } = yield* Effect.promise(() => time.drive(fiber, 1_000_000))
        const report = yield* Fiber.join(fiber)

        const writeLog = yield* sandbox.writeLog
        const faultLog = yield* sandbox.faultLog
        const counters = yield* sandbox.counters
        const entries = recorded.map((r) => r.entry)
        const faultCounts: Record<string, number> = {}
        for (const f of faultLog) {
          const name = `${
            f.operation === "connectPatientEhr" || f.operation === "mergePatient" ? f.operation : "other"
          }:${f.fault._tag === "Status" ? f.fault.status : f.fault._tag}`
          faultCounts[name] = (faultCounts[name] ?? 0) + 1
        }
        console.log(
          [
            `soak: ${ids.length} patients, ${report.total} outcomes in ${Date.now() - started} ms real time,`,
            `  ${((time.now - Date.UTC(2026, 0, 5, 9)) / 1000).toFixed(0)} s virtual, ${steps} clock steps`,
            `  outcomes ${JSON.stringify(report.outcomes)}`,
            `  sandbox writes ${writeLog.length} (merges ${
              writeLog.filter((w) => w.operation === "mergePatient").length
            },`,
            `  connects ${
              writeLog.filter((w) => w.operation === "connectPatientEhr").length
            }), journal entries ${entries.length}`,
            `  faults ${faultLog.length}: ${JSON.stringify(faultCounts)}`,
            // The same seed gives the same run: the same writes, entries and outcomes, hence this digest.
            `  digest ${
              createHash("sha256").update(JSON.stringify([writeLog, entries, report.patients])).digest("hex").slice(
                0,
                16
              )
            }`
          ].join("\n")
        )

        // How a patient got where it is, for a failing assertion.
        const story = (...patientIds: ReadonlyArray<string>) =>
          JSON.stringify(
            {
              seed,
              journal: recorded
                .filter((r) => patientIds.includes(r.entry.patientId))
                .map((r) => ({ writesBefore: r.writesBefore, ...r.entry })),
              writes: writeLog.filter((w) => patientIds.includes(w.patientId) || patientIds.includes(w.other ?? ""))
            },
            null,
            1
          )

        // Every patient ends with an outcome, in the report and in the journal.
        expect(report.total).toBe(ids.length)
        expect(new Set(report.patients.map((p) => p.patientId))).toStrictEqual(new Set(ids))
        const violations: Array<string> = []
        const outcomes = new Map<string, number>()
        for (const e of entries) {
          if (e._tag === "PatientOutcome") outcomes.set(e.patientId, (outcomes.get(e.patientId) ?? 0) + 1)
        }
        // A write whose outcome could not be verified is left in progress (no PatientOutcome) so
        // the next run verifies it; every other patient has exactly one outcome.
        const unresolved = new Set(
          report.patients.filter((p) => p.outcome._tag === "Failed" && p.outcome.outcomeUnknown === true).map((p) =>
            p.patientId
          )
        )
        for (const id of ids) {
          const expected = unresolved.has(id) ? 0 : 1
          if ((outcomes.get(id) ?? 0) !== expected) {
            violations.push(`${outcomes.get(id) ?? 0} PatientOutcome entries for ${id}\n${story(id)}`)
          }
          if (unresolved.has(id) && Journal.replay(entries, id)._tag !== "InProgress") {
            violations.push(`${id} has an unknown write but its journal state is not in progress`)
          }
        }

        // The earliest point (in sandbox writes) at which each step key was journaled as started.
        const intents = new Map<string, number>()
        for (const r of recorded) {
          if (r.entry._tag === "StepStarted" && !intents.has(r.entry.key)) intents.set(r.entry.key, r.writesBefore)
        }
        for (const [index, w] of writeLog.entries()) {
          if (w.operation !== "mergePatient" && w.operation !== "connectPatientEhr") continue
          const other = w.other ?? ""
          // No write applied twice (and no pair merged both ways).
          const applied = w.operation === "mergePatient"
            ? counters.mergesApplied(w.patientId, other) + counters.mergesApplied(other, w.patientId)
            : counters.connectsApplied(w.patientId, other)
          if (applied !== 1) {
            violations.push(
              `${w.operation} ${w.patientId}/${other} applied ${applied} times\n${story(w.patientId, other)}`
            )
          }
          // The write was journaled before the sandbox applied it.
          const key = `${w.operation === "mergePatient" ? "merge" : "connect"}:${w.patientId}:${other}`
          const journaledAt = intents.get(key)
          if (journaledAt === undefined || journaledAt > index) {
            violations.push(`no StepStarted ${key} before write #${w.seq}\n${story(w.patientId, other)}`)
          }
        }

        // Twins and family are never merged.
        for (const truth of sandbox.truth) {
          if (truth.kind !== "twins" && truth.kind !== "family") continue
          for (const a of truth.heroIds) {
            for (const b of truth.heroIds) {
              if (a !== b && counters.mergesApplied(a, b) > 0) {
                violations.push(`${truth.kind} merged: ${a} ← ${b}\n${story(a, b)}`)
              }
            }
          }
        }
        expect(violations).toStrictEqual([])
      }).pipe(Effect.provide(world))
    },
    900_000
  )
})
