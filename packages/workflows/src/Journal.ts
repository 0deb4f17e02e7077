/**
 * A write-ahead journal of the pipeline: a step's intent is recorded (and on disk) before the
 * step runs, its outcome after; decisions and each patient's final outcome are recorded too. A
 * resumed run reads a patient's {@link state} and verifies a step whose outcome is unknown
 * instead of repeating it.
 *
 * Entries hold ids, step names, codes, scores, decisions and changed field names, never patient
 * values or secrets: there is no field for a merge token (record that one was obtained, in
 * `details`), and string `details` under a secret-looking key are replaced by `[redacted]`.
 *
 * @since 0.1.0
 */
import { type PatientId, ReceivedPatientId } from "@hero-effect/schema/Ids"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Approver from "./Approver.js"
import * as Guard from "./Guard.js"
import * as internal from "./internal/journal.js"
import * as MergeDiff from "./MergeDiff.js"
import * as Outcome from "./Outcome.js"
import * as Scoring from "./Scoring.js"
import { Step } from "./Step.js"

/**
 * Free-form, flat details of an entry: ids, codes, counts, flags. Never patient values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Details = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Details = typeof Details.Type

/**
 * A step is about to run (written, and synced, before it runs).
 *
 * @since 0.1.0
 * @category entries
 */
export class StepStarted extends Schema.TaggedClass<StepStarted>()("StepStarted", {
  runId: Schema.String,
  patientId: ReceivedPatientId,
  step: Step,
  key: Schema.String,
  at: Schema.String,
  details: Schema.optionalWith(Details, { exact: true })
}) {}

/**
 * How a step ended: `unknown` when a write may or may not have been applied.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StepOutcome = Schema.Literal("succeeded", "failed", "unknown")

/**
 * @since 0.1.0
 * @category models
 */
export type StepOutcome = typeof StepOutcome.Type

/**
 * A step ended.
 *
 * @since 0.1.0
 * @category entries
 */
export class StepFinished extends Schema.TaggedClass<StepFinished>()("StepFinished", {
  runId: Schema.String,
  patientId: ReceivedPatientId,
  step: Step,
  key: Schema.String,
  at: Schema.String,
  outcome: StepOutcome,
  details: Schema.optionalWith(Details, { exact: true })
}) {}

/**
 * A changed field of a merge, by name and kind only.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DiffField = Schema.Struct({ field: Schema.String, kind: MergeDiff.ChangeKind })

/**
 * An identifier the merge would add or remove, by name, role and label only.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentifierChange = Schema.Struct({
  change: Schema.Literal("added", "removed"),
  name: Schema.String,
  role: Schema.String,
  label: Schema.String
})

/**
 * An approval decision about a merge (or any decision a person or policy made), with the guard
 * codes, the score, the names of the fields that would change and the identifiers (by name) that
 * would be added or removed.
 *
 * @since 0.1.0
 * @category entries
 */
export class Decision extends Schema.TaggedClass<Decision>()("Decision", {
  runId: Schema.String,
  patientId: ReceivedPatientId,
  key: Schema.String,
  at: Schema.String,
  decision: Schema.Literal("approved", "rejected", "deferred"),
  by: Schema.optionalWith(Schema.String, { exact: true }),
  reason: Schema.optionalWith(Schema.String, { exact: true }),
  verdict: Guard.Verdict,
  guardCodes: Schema.Array(Schema.String),
  score: Schema.optionalWith(Schema.Number, { exact: true }),
  grade: Schema.optionalWith(Scoring.Grade, { exact: true }),
  diffFields: Schema.Array(DiffField),
  identifierChanges: Schema.optionalWith(Schema.Array(IdentifierChange), { default: () => [] }),
  /** What was decided about: a merge (default) or a link. */
  kind: Schema.optionalWith(Schema.Literal("merge", "link"), { exact: true }),
  /** The names of the compared fields that differ (links; merges list their diff). */
  differingFields: Schema.optionalWith(Schema.Array(Schema.String), { exact: true })
}) {}

/**
 * The final outcome for a patient in a run.
 *
 * @since 0.1.0
 * @category entries
 */
export class PatientOutcome extends Schema.TaggedClass<PatientOutcome>()("PatientOutcome", {
  runId: Schema.String,
  patientId: ReceivedPatientId,
  at: Schema.String,
  outcome: Outcome.Outcome
}) {}

/**
 * A journal entry: one JSON line.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Entry = Schema.Union(StepStarted, StepFinished, Decision, PatientOutcome).annotations({
  identifier: "JournalEntry"
})

/**
 * @since 0.1.0
 * @category models
 */
export type Entry = typeof Entry.Type

/**
 * The journal could not be opened, read or written, or its file is damaged. `detail` names the
 * operation and the system error code, never an entry's content.
 *
 * - `corrupt`: a complete line fails its integrity check, has none, or is not an entry; `line`
 *   is its line number in the file (1 is the header).
 * - `locked`: the journal file is open already, in this process or in another one (its lock
 *   file `<journal>.lock` names a running process), or its lock cannot be checked.
 * - `target`: the journal is bound to another target (see {@link FileOptions}).
 * - `legacy`: the journal was written before lines carried checks (see {@link Legacy}).
 *
 * @since 0.1.0
 * @category errors
 */
export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  reason: Schema.Literal("open", "read", "write", "corrupt", "encode", "unusable", "locked", "target", "legacy"),
  detail: Schema.String,
  /** The line number in the file (or store) of a `corrupt` line. */
  line: Schema.optionalWith(Schema.Number, { exact: true })
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `journal ${this.reason} error: ${this.detail}`
  }
}

/**
 * The journal interface; a shared-store implementation provides the same two operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Appends an entry; when it returns, the entry is durable (for the file journal: synced). */
  readonly record: (entry: Entry) => Effect.Effect<void, JournalError>
  /** Every entry in order, or only one patient's. */
  readonly entries: (patientId?: string) => Effect.Effect<ReadonlyArray<Entry>, JournalError>
}

/**
 * The journal service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Journal extends Context.Tag("@hero-effect/workflows/Journal")<Journal, Service>() {}

/**
 * Where journal lines live: the complete lines found when the store was opened, and a durable
 * append of one line (without its newline). Implement it for a shared store.
 *
 * @since 0.1.0
 * @category models
 */
export interface LineStore extends internal.LineStore<JournalError> {}

const makeError = (reason: JournalError["reason"], detail: string, line?: number) =>
  new JournalError(line === undefined ? { reason, detail } : { reason, detail, line })

const decodeEntry = Schema.decodeUnknownEither(Entry)
const encodeEntry = Schema.encodeEither(Entry)

const secretKey = /token|secret|password|api[-_]?key|credential/i

const sanitise = (encoded: typeof Entry.Encoded): typeof Entry.Encoded => {
  if (!("details" in encoded) || encoded.details === undefined) return encoded
  // The same object when there is nothing to redact: `record` then keeps the entry as it is.
  if (!Object.entries(encoded.details).some(([k, v]) => typeof v === "string" && secretKey.test(k))) return encoded
  const details: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(encoded.details)) {
    details[k] = typeof v === "string" && secretKey.test(k) ? "[redacted]" : v
  }
  return { ...encoded, details }
}

// `firstLine`: the line number of `lines[0]` in its file or store.
const decodeLines = (lines: ReadonlyArray<string>, firstLine = 1): Effect.Effect<Array<Entry>, JournalError> =>
  Effect.suspend(() => {
    const out: Array<Entry> = []
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      if (line.trim().length === 0) continue
      const n = firstLine + i
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch {
        return Effect.fail(makeError("corrupt", `line ${n} is not JSON`, n))
      }
      const decoded = decodeEntry(json)
      if (decoded._tag === "Left") return Effect.fail(makeError("corrupt", `line ${n} is not a journal entry`, n))
      out.push(decoded.right)
    }
    return Effect.succeed(out)
  })

/**
 * What a journal keeps in memory besides its store.
 *
 * - `"full"` (the default): every entry, so `entries()` returns the whole journal in order.
 * - `"compact"`: per patient, only the entries since its last outcome (a finished patient keeps
 *   just its outcome). A patient's state replays exactly as with `"full"`, and memory stays
 *   small on runs of hundreds of thousands of patients; `entries()` then returns what is kept,
 *   grouped by patient. The store (the file) still receives every entry.
 *
 * @since 0.1.0
 * @category models
 */
export type Memory = "full" | "compact"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly memory?: Memory | undefined
}

const build = (store: LineStore, initial: Array<Entry>, options: Options = {}): Effect.Effect<Service> =>
  Effect.map(Effect.makeSemaphore(1), (lock) => {
    const compactMemory = options.memory === "compact"
    const all: Array<Entry> = []
    // Per patient, so a look-up does not scan the whole journal.
    const byPatient = new Map<string, Array<Entry>>()
    const remember = (entry: Entry) => {
      if (!compactMemory) all.push(entry)
      const kept = byPatient.get(entry.patientId)
      if (kept === undefined) byPatient.set(entry.patientId, [entry])
      else if (compactMemory && entry._tag === "PatientOutcome") byPatient.set(entry.patientId, [entry])
      else kept.push(entry)
    }
    for (const entry of initial) remember(entry)
    const service: Service = {
      // A store that takes concurrent appends (the file's group commit) is not serialised here:
      // each record still returns only once its own line is durable.
      record: (entry) =>
        (store.concurrentAppends === true ? identity : lock.withPermits(1))(Effect.suspend(() => {
          const encoded = encodeEntry(entry)
          if (encoded._tag === "Left") return Effect.fail(makeError("encode", "the entry does not encode"))
          const clean = sanitise(encoded.right)
          // Memory holds what the store would give back: the entry itself (the schemas round-trip,
          // and encoding has just validated it), or, where a secret was redacted, the clean line
          // read back through the schema. Either way memory and file journals hold the same.
          const back = clean === encoded.right ? Either.right(entry) : decodeEntry(clean)
          if (back._tag === "Left") return Effect.fail(makeError("encode", "the entry does not decode back"))
          // Append and remember together, so an interruption cannot leave the two apart.
          return Effect.uninterruptible(
            Effect.zipRight(store.append(JSON.stringify(clean)), Effect.sync(() => remember(back.right)))
          )
        })),
      entries: (patientId) =>
        Effect.sync(() =>
          patientId !== undefined
            ? (byPatient.get(patientId) ?? []).slice()
            : compactMemory
            ? Array.from(byPatient.values()).flat()
            : all.slice()
        )
    }
    return service
  })

/**
 * A journal over a line store (memory, file, or your own durable store): entries are encoded to
 * JSON lines, appended one at a time, and read back through the same schema, so every store
 * behaves alike. Fails with a `corrupt` {@link JournalError} if a stored line is not an entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFromStore = (store: LineStore, options?: Options): Effect.Effect<Service, JournalError> =>
  Effect.flatMap(decodeLines(store.initial), (initial) => build(store, initial, options))

/**
 * A journal held in memory (for tests and dry runs).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.suspend(() => build(internal.memoryStore(), []))

/**
 * A journal held in memory, with {@link Options} (`memory: "compact"` for very large runs).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryWith = (options: Options): Effect.Effect<Service> =>
  Effect.suspend(() => build(internal.memoryStore(), [], options))

/**
 * What to do with a journal file written before its lines carried integrity checks (no header,
 * no `_check` on any line):
 *
 * - `"refuse"` (the default): fail with a `legacy` {@link JournalError}; nothing is changed.
 * - `"migrate"`: accept its lines as they are (each must still be an entry), once: the file is
 *   rewritten atomically with a header and a check on every line, and is checked from then on.
 *
 * @since 0.1.0
 * @category models
 */
export type Legacy = "refuse" | "migrate"

/**
 * Options of a file journal.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileOptions extends Options {
  /**
   * What the journal is about, e.g. {@link targetOf} a base URL and practice group, or any
   * string that names the world the job writes to. The header records its fingerprint (never
   * the string); opening the journal for another target fails with a `target`
   * {@link JournalError}. A journal without a target in its header is bound on its first open
   * with one. Without this option the binding is not checked.
   */
  readonly target?: string | undefined
  /** A journal written before checks: refused (the default) or migrated. */
  readonly legacy?: Legacy | undefined
}

/**
 * A journal in an append-only JSON Lines file.
 *
 * - **One writer.** A file is open at most once per process, and a lock file beside it,
 *   `<journal>.lock` (created exclusively; it holds the pid, hostname and start time of its
 *   process), keeps other processes out while the scope is open: a second open fails with a
 *   `locked` {@link JournalError}. A lock left by a process that is gone (killed: its pid is not
 *   running on this host) is taken over; a lock from another host is refused, since its
 *   process cannot be checked — remove it by hand if that job is not running.
 * - **Integrity.** The first line is a header (written when the file is new) recording the
 *   format and the fingerprint of the {@link FileOptions} `target`. Every line ends with a
 *   `_check`: 64 bits of SHA-256 over the previous line's check and the line's text without it,
 *   so a changed, removed, inserted or moved line fails with a `corrupt` error naming its line
 *   number (never its content). A torn last line (a write cut short by a crash, never
 *   acknowledged: no newline) is dropped and the file truncated to the last complete line.
 *   The check detects damage and mistakes, not a forger (it has no key).
 * - **Durability.** Every record is appended and `datasync`ed before it returns; concurrent
 *   records share writes (group commit).
 *
 * Fails at open, before any entry is written, when the file or its directory cannot be written
 * (the lock file is created first).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFile = (path: string, options?: FileOptions): Effect.Effect<Service, JournalError, Scope.Scope> =>
  Effect.flatMap(
    internal.fileStore(path, makeError, {
      target: options?.target,
      legacy: options?.legacy ?? "refuse",
      decode: decodeLines
    }),
    ({ decoded, store }) => build(store, decoded, options)
  )

/**
 * The fingerprint of a target as a journal's header records it (`sha256:` and 32 hex digits).
 *
 * @since 0.1.0
 * @category constructors
 */
export const targetFingerprint = (target: string): string => internal.fingerprint(target)

/**
 * A target string for a Hero API base URL and practice group (trailing slashes of the URL
 * ignored), for {@link FileOptions} `target`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const targetOf = (input: { readonly baseUrl: string; readonly practiceGroupId: string }): string =>
  `hero:${input.baseUrl.trim().replace(/\/+$/, "")}#${input.practiceGroupId.trim()}`

/**
 * Fails with an `open` {@link JournalError} (naming the system error code) unless a file can be
 * appended to at `path`: for an output such as a report, checked before the first write.
 * Nothing is written; a file it had to create is removed again.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkWritable = (path: string): Effect.Effect<void, JournalError> =>
  internal.checkWritable(path, makeError)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<Journal> = Layer.effect(Journal, makeMemory)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemoryWith = (options: Options): Layer.Layer<Journal> =>
  Layer.effect(Journal, makeMemoryWith(options))

/**
 * The journal in a file (see {@link makeFile}), open while the layer is.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFile = (path: string, options?: FileOptions): Layer.Layer<Journal, JournalError> =>
  Layer.scoped(Journal, makeFile(path, options))

/**
 * The current time as an ISO string, from the `Clock` (so tests control it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const now: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/**
 * Records an entry with the journal in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const record = (entry: Entry): Effect.Effect<void, JournalError, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.record(entry))

/**
 * Reads entries with the journal in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const entries = (patientId?: string): Effect.Effect<ReadonlyArray<Entry>, JournalError, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.entries(patientId))

/**
 * @since 0.1.0
 * @category models
 */
export interface StepInput {
  readonly runId: string
  readonly patientId: PatientId
  readonly step: Step
  readonly key: string
  readonly details?: Details | undefined
}

const withDetails = <A extends object>(base: A, details: Details | undefined): A & { details?: Details } =>
  details === undefined ? base : { ...base, details }

/**
 * Records that a step is about to run, stamped with the current time.
 *
 * @since 0.1.0
 * @category recording
 */
export const stepStarted = (input: StepInput): Effect.Effect<void, JournalError, Journal> =>
  Effect.flatMap(now, (at) =>
    record(
      new StepStarted(withDetails({
        runId: input.runId,
        patientId: input.patientId,
        step: input.step,
        key: input.key,
        at
      }, input.details))
    ))

/**
 * Records how a step ended, stamped with the current time.
 *
 * @since 0.1.0
 * @category recording
 */
export const stepFinished = (
  input: StepInput & { readonly outcome: StepOutcome }
): Effect.Effect<void, JournalError, Journal> =>
  Effect.flatMap(now, (at) =>
    record(
      new StepFinished(withDetails({
        runId: input.runId,
        patientId: input.patientId,
        step: input.step,
        key: input.key,
        at,
        outcome: input.outcome
      }, input.details))
    ))

/**
 * Records an approval decision: who decided, the guard verdict and codes, the score and grade,
 * and the changed field names (never values), stamped with the current time.
 *
 * @since 0.1.0
 * @category recording
 */
export const decision = (input: {
  readonly runId: string
  readonly patientId: PatientId
  readonly key: string
  readonly request: Approver.ApprovalRequest
  readonly decision: Approver.ApprovalDecision
}): Effect.Effect<void, JournalError, Journal> => Effect.flatMap(now, (at) => record(decisionEntry({ ...input, at })))

/**
 * The decision entry for an approval (pure).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decisionEntry = (input: {
  readonly runId: string
  readonly patientId: PatientId
  readonly key: string
  readonly at: string
  readonly request: Approver.ApprovalRequest
  readonly decision: Approver.ApprovalDecision
}): Decision => {
  const d = input.decision
  return new Decision({
    runId: input.runId,
    patientId: input.patientId,
    key: input.key,
    at: input.at,
    ...(d._tag === "Approved"
      ? { decision: "approved" as const, by: d.by }
      : d._tag === "Rejected"
      ? { decision: "rejected" as const, by: d.by, reason: d.reason }
      : { decision: "deferred" as const, reason: d.reason }),
    verdict: input.request.guard.verdict,
    guardCodes: Guard.codes(input.request.guard),
    score: input.request.score.score,
    grade: input.request.score.grade,
    ...(input.request.kind === "link"
      ? {
        kind: "link" as const,
        diffFields: [],
        differingFields: Scoring.differingFields(input.request.score.vector)
      }
      : mergeDetails(input.request))
  })
}

const mergeDetails = (request: Approver.MergeApprovalRequest) => ({
  diffFields: MergeDiff.changes(request.diff),
  identifierChanges: [
    ...request.diff.identifiers.added.map((i) => ({
      change: "added" as const,
      name: i.name,
      role: i.role,
      label: i.label
    })),
    ...request.diff.identifiers.removed.map((i) => ({
      change: "removed" as const,
      name: i.name,
      role: i.role,
      label: i.label
    }))
  ]
})

/**
 * Records a patient's final outcome, stamped with the current time.
 *
 * @since 0.1.0
 * @category recording
 */
export const patientOutcome = (input: {
  readonly runId: string
  readonly patientId: PatientId
  readonly outcome: Outcome.Outcome
}): Effect.Effect<void, JournalError, Journal> =>
  Effect.flatMap(now, (at) =>
    record(
      new PatientOutcome({
        runId: input.runId,
        patientId: input.patientId,
        at,
        outcome: input.outcome
      })
    ))

/**
 * Where a step stands: `started` (no end recorded: the run stopped while it ran), or how it
 * finished.
 *
 * @since 0.1.0
 * @category models
 */
export type StepStatus = "started" | StepOutcome

/**
 * The latest attempt of one step key.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepRecord {
  readonly step: Step
  readonly key: string
  readonly runId: string
  readonly status: StepStatus
  readonly startedAt: string | undefined
  readonly finishedAt: string | undefined
}

/**
 * A patient the journal knows nothing about (or nothing since its last outcome was reopened).
 *
 * @since 0.1.0
 * @category models
 */
export interface NotStarted {
  readonly _tag: "NotStarted"
}

/**
 * The patient's last run finished with this outcome (no step started after it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Finished {
  readonly _tag: "Finished"
  readonly runId: string
  readonly at: string
  readonly outcome: Outcome.Outcome
}

/**
 * Work on the patient started and did not finish. `steps` holds the latest attempt of every key
 * since the last outcome, in the order they were last started; `lastStep` is the most recent
 * one; `unknown` are the steps whose outcome is not known (never finished, or finished
 * `unknown`), and `pending` the last of them: verify those (see `Verify`) instead of repeating
 * them.
 *
 * @since 0.1.0
 * @category models
 */
export interface InProgress {
  readonly _tag: "InProgress"
  readonly runId: string
  readonly lastStep: StepRecord | undefined
  readonly steps: ReadonlyArray<StepRecord>
  readonly unknown: ReadonlyArray<StepRecord>
  readonly pending: StepRecord | undefined
  readonly lastDecision: Decision | undefined
}

/**
 * What the journal says about a patient.
 *
 * @since 0.1.0
 * @category models
 */
export type PatientState = NotStarted | Finished | InProgress

/**
 * Folds entries into one patient's state (pure). Entries of other patients are ignored.
 *
 * @since 0.1.0
 * @category replay
 */
export const replay = (all: ReadonlyArray<Entry>, patientId: string): PatientState => {
  let finished: PatientOutcome | undefined
  const steps = new Map<string, StepRecord>()
  let lastDecision: Decision | undefined
  let runId: string | undefined
  const reopen = () => {
    if (finished !== undefined) {
      finished = undefined
      steps.clear()
      lastDecision = undefined
    }
  }
  for (const entry of all) {
    if (entry.patientId !== patientId) continue
    switch (entry._tag) {
      case "StepStarted": {
        reopen()
        steps.delete(entry.key)
        steps.set(entry.key, {
          step: entry.step,
          key: entry.key,
          runId: entry.runId,
          status: "started",
          startedAt: entry.at,
          finishedAt: undefined
        })
        runId = entry.runId
        break
      }
      case "StepFinished": {
        reopen()
        const previous = steps.get(entry.key)
        steps.set(entry.key, {
          step: entry.step,
          key: entry.key,
          runId: entry.runId,
          status: entry.outcome,
          startedAt: previous?.startedAt,
          finishedAt: entry.at
        })
        runId = entry.runId
        break
      }
      case "Decision": {
        reopen()
        lastDecision = entry
        runId = entry.runId
        break
      }
      case "PatientOutcome": {
        finished = entry
        break
      }
    }
  }
  if (finished !== undefined) {
    return { _tag: "Finished", runId: finished.runId, at: finished.at, outcome: finished.outcome }
  }
  if (runId === undefined) return { _tag: "NotStarted" }
  const list = Array.from(steps.values())
  const unknown = list.filter((s) => s.status === "started" || s.status === "unknown")
  return {
    _tag: "InProgress",
    runId,
    lastStep: list[list.length - 1],
    steps: list,
    unknown,
    pending: unknown[unknown.length - 1],
    lastDecision
  }
}

/**
 * The state of a patient in the journal in context.
 *
 * @since 0.1.0
 * @category replay
 */
export const state = (patientId: string): Effect.Effect<PatientState, JournalError, Journal> =>
  Effect.map(entries(patientId), (es) => replay(es, patientId))

/**
 * The latest status of one step key for a patient, if it ever started.
 *
 * @since 0.1.0
 * @category replay
 */
export const stepStatus = (state: PatientState, key: string): StepStatus | undefined =>
  state._tag === "InProgress" ? state.steps.find((s) => s.key === key)?.status : undefined
