/**
 * Runs the pipeline over many patients: bounded concurrency, one patient's failure never stops
 * the batch, progress as it goes, and a final report (a human summary and JSON).
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import type { CommonError } from "@hero-effect/client/HeroHealthError"
import { PatientId } from "@hero-effect/schema/Ids"
import type { ListPatientsV3Params } from "@hero-effect/schema/Search"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Journal from "./Journal.js"
import * as Outcome from "./Outcome.js"
import * as Pipeline from "./Pipeline.js"
import * as PopulationCache from "./PopulationCache.js"

/**
 * Progress after each patient.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly done: number
  readonly total: number | undefined
  readonly elapsedMillis: number
  readonly perSecond: number
  readonly etaMillis: number | undefined
  readonly outcomes: Readonly<Record<string, number>>
}

/**
 * The batch's result.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly runId: string
  readonly total: number
  readonly elapsedMillis: number
  readonly outcomes: Readonly<Record<string, number>>
  /** Every patient's outcome, in the stream's order; empty when `retainPatients` is `false`. */
  readonly patients: ReadonlyArray<{ readonly patientId: PatientId; readonly outcome: Outcome.Encoded }>
}

/**
 * What a batch needs besides the pipeline's decisions: the run, concurrency, progress and the
 * report's shape (see {@link runWith}).
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  /** Identifies the run (in the report, and for the pipeline). */
  readonly runId: string
  readonly concurrency?: number | undefined
  /** Known in advance (a list or a file), for the ETA. */
  readonly total?: number | undefined
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /** Called with each patient's outcome as it is known (to stream a report to a file, say). */
  readonly onOutcome?: ((patientId: PatientId, outcome: Outcome.Outcome) => Effect.Effect<void>) | undefined
  /**
   * Whether the report lists every patient (default `true`). Set `false` for runs of hundreds
   * of thousands of patients: the batch then holds only counts, so its memory stays flat (use
   * `onOutcome` to keep outcomes elsewhere).
   */
  readonly retainPatients?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Pipeline.Options, RunOptions {}

/**
 * Runs the pipeline for every patient of the stream.
 *
 * @since 0.1.0
 * @category batch
 */
export const run = <E, R>(
  patientIds: Stream.Stream<PatientId, E, R>,
  options: Options
): Effect.Effect<Report, E | Journal.JournalError, R | Pipeline.Requirements> =>
  Effect.gen(function*() {
    // One cache of population searches per run, unless the caller shares one of its own.
    const cache = Option.getOrUndefined(yield* Effect.serviceOption(PopulationCache.PopulationCache)) ??
      (yield* PopulationCache.make())
    return yield* runWith(
      patientIds,
      options,
      (patientId) =>
        Pipeline.processPatient(options, patientId).pipe(Effect.provideService(PopulationCache.PopulationCache, cache))
    )
  })

/**
 * Runs `process` for every patient of the stream, with bounded concurrency (default 8), progress
 * and a report: the batch around any way of processing one patient (`Batch.run` uses
 * `Pipeline.processPatient`, `ProcessPatient.runDurable` a durable workflow). A defect in one
 * patient becomes its `Failed` outcome and never stops the others.
 *
 * @since 0.2.0
 * @category batch
 */
export const runWith = <E, R, E2, R2>(
  patientIds: Stream.Stream<PatientId, E, R>,
  options: RunOptions,
  process: (patientId: PatientId) => Effect.Effect<Outcome.Outcome, E2, R2>
): Effect.Effect<Report, E | E2, R | R2> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const counts = yield* Ref.make<Record<string, number>>({})
    const done = yield* Ref.make(0)
    const retain = options.retainPatients ?? true
    const perPatient = Stream.mapEffect(patientIds, (patientId) =>
      Effect.gen(function*() {
        const outcome = yield* process(patientId).pipe(
          // A defect in one patient must not stop the others.
          Effect.catchAllDefect(() =>
            Effect.succeed(new Outcome.Failed({ error: "Defect", message: "unexpected defect", step: "candidates" }))
          )
        )
        if (options.onOutcome !== undefined) yield* options.onOutcome(patientId, outcome)
        // One line a patient at Debug: its id, the outcome and its codes (never a value).
        yield* Effect.logDebug("patient finished").pipe(
          Effect.annotateLogs(outcomeAnnotations(patientId, outcome))
        )
        const now = yield* Clock.currentTimeMillis
        const tally = yield* Ref.updateAndGet(counts, (c) => ({ ...c, [outcome._tag]: (c[outcome._tag] ?? 0) + 1 }))
        const n = yield* Ref.updateAndGet(done, (d) => d + 1)
        if (options.onProgress !== undefined) {
          const elapsed = Math.max(1, now - started)
          const perSecond = (n * 1000) / elapsed
          yield* options.onProgress({
            done: n,
            total: options.total,
            elapsedMillis: elapsed,
            perSecond,
            etaMillis: options.total === undefined ? undefined : Math.max(0, (options.total - n) / perSecond * 1000),
            outcomes: tally
          })
        }
        return { patientId, outcome }
      }), { concurrency: options.concurrency ?? 8 })
    // In the stream's order; nothing is kept per patient unless the report is to list them.
    const patients: Array<Report["patients"][number]> = []
    yield* Stream.runForEach(perPatient, ({ outcome, patientId }) =>
      Effect.sync(() => {
        if (!retain) return
        const encoded = Outcome.encode(outcome)
        if (encoded._tag === "Right") patients.push({ patientId, outcome: encoded.right })
      }))
    const finished = yield* Clock.currentTimeMillis
    return {
      runId: options.runId,
      total: yield* Ref.get(done),
      elapsedMillis: finished - started,
      outcomes: yield* Ref.get(counts),
      patients
    }
  })

const outcomeAnnotations = (patientId: PatientId, outcome: Outcome.Outcome): Record<string, string> => {
  const codes = outcome._tag === "NeedsReview"
    ? outcome.reasons
    : outcome._tag === "Refused"
    ? outcome.codes
    : outcome._tag === "Failed"
    ? [outcome.error, outcome.step]
    : []
  return {
    "hero.patient_id": patientId,
    "hero.outcome": outcome._tag,
    ...(codes.length > 0 ? { "hero.codes": codes.join(",") } : {})
  }
}

const describeItem = (o: Outcome.Encoded): string => {
  if (o._tag !== "NeedsReview" && o._tag !== "Refused") return ""
  const codes = (o._tag === "NeedsReview" ? o.reasons : o.codes).join(",")
  const what = o.kind === "link"
    ? `link ${o.patientId ?? "?"} → ${o.ehrPartnerId ?? "?"}`
    : o.kind === "merge"
    ? `merge ${o.mainPatientId ?? "?"} ← ${
      o.mainPatientId === o.patientId ? o.otherPatientId ?? "?" : o.patientId ?? "?"
    }`
    : o.kind === "candidates"
    ? `choose for ${o.patientId ?? "?"} among ${(o.candidateEhrPartnerIds ?? []).join(" ")}`
    : ""
  const score = o.score === undefined ? "" : ` (score ${o.score.toFixed(1)}, ${o.grade ?? "?"})`
  const fields = o.fields === undefined || o.fields.length === 0 ? "" : ` differs: ${o.fields.join(",")}`
  return `${what}${score} [${codes}]${fields}`.trim()
}

/**
 * A human summary of a report: counts per outcome, then merges (main ← incoming), what a dry
 * run would have written, and the items waiting for a person — ids, codes, scores and the names
 * of differing fields only. Each pair is listed once, whichever of its patients reported it.
 *
 * @since 0.1.0
 * @category formatting
 */
export const summary = (report: Report): string => {
  const lines = [
    `Run ${report.runId}: ${report.total} patients in ${(report.elapsedMillis / 1000).toFixed(1)} s`,
    ...Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([tag, n]) =>
      `  ${tag.padEnd(14)} ${n}`
    )
  ]
  const merged = report.patients.filter((p) => p.outcome._tag === "Merged")
  if (merged.length > 0) {
    lines.push("Merged (main ← incoming):")
    for (const p of merged) {
      if (p.outcome._tag === "Merged") lines.push(`  ${p.outcome.mainPatientId} ← ${p.outcome.incomingPatientId}`)
    }
  }
  const seen = new Set<string>()
  const section = (title: string, pick: (o: Outcome.Encoded) => boolean) => {
    const items = report.patients.map((p) => p.outcome).filter(pick).map(describeItem).filter((d) => {
      if (d.length === 0 || seen.has(d)) return false
      seen.add(d)
      return true
    })
    if (items.length === 0) return
    lines.push(title)
    for (const d of items) lines.push(`  ${d}`)
  }
  const isDryRun = (o: Outcome.Encoded) => o._tag === "NeedsReview" && o.reasons.includes("dry-run")
  const wouldWrite = (o: Outcome.Encoded) =>
    isDryRun(o) && o._tag === "NeedsReview" && (o.reasons.includes("would-link") || o.reasons.includes("would-merge"))
  section("Would write (dry run):", wouldWrite)
  section("For a person (review):", (o) => o._tag === "NeedsReview" && !wouldWrite(o))
  section("Refused:", (o) => o._tag === "Refused")
  return lines.join("\n")
}

/**
 * A one-line progress text for a terminal.
 *
 * @since 0.1.0
 * @category formatting
 */
export const progressLine = (p: Progress): string => {
  const of = p.total === undefined ? `${p.done}` : `${p.done}/${p.total}`
  const eta = p.etaMillis === undefined ? "" : ` eta ${(p.etaMillis / 1000).toFixed(0)}s`
  const outcomes = Object.entries(p.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")
  return `${of} patients, ${p.perSecond.toFixed(1)}/s${eta} — ${outcomes}`
}

/**
 * A list of ids (or an ids file) with entries that are not Hero patient ids (a string of digits).
 * `positions` are the 1-based positions of those entries in the list, or their line numbers in
 * the file (the first 100). Neither the message nor the error quotes an entry.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPatientIds extends Schema.TaggedError<InvalidPatientIds>()("InvalidPatientIds", {
  positions: Schema.Array(Schema.Int),
  count: Schema.Int,
  message: Schema.String
}) {}

const maxPositions = 100

const decodePatientId = Schema.decodeOption(PatientId)

// The ids of numbered entries (blanks skipped), decoded all before the first one is used: a list
// with an entry that is not an id fails whole, so no patient of it is processed.
const decodeIds = (
  entries: ReadonlyArray<readonly [position: number, entry: string]>,
  where: string
): Effect.Effect<ReadonlyArray<PatientId>, InvalidPatientIds> =>
  Effect.suspend(() => {
    const ids: Array<PatientId> = []
    const invalid: Array<number> = []
    for (const [position, entry] of entries) {
      const trimmed = entry.trim()
      if (trimmed.length === 0) continue
      const id = decodePatientId(trimmed)
      if (Option.isSome(id)) ids.push(id.value)
      else invalid.push(position)
    }
    if (invalid.length === 0) return Effect.succeed(ids)
    const shown = invalid.slice(0, 10).join(", ") + (invalid.length > 10 ? ", ..." : "")
    return Effect.fail(
      new InvalidPatientIds({
        positions: invalid.slice(0, maxPositions),
        count: invalid.length,
        message: `${invalid.length} ${
          invalid.length === 1 ? "entry is" : "entries are"
        } not a Hero patient id (a string of digits), at ${where} ${shown}`
      })
    )
  })

/**
 * The ids of a list, trimmed, blank entries skipped. Every entry is decoded as a `PatientId`
 * before the stream emits one: a list with an entry that is not a string of digits fails with
 * {@link InvalidPatientIds} (naming its positions, never its value) and no id of it is emitted.
 *
 * @since 0.1.0
 * @category sources
 */
export const idsFromList = (ids: Iterable<string>): Stream.Stream<PatientId, InvalidPatientIds> =>
  Stream.unwrap(
    Effect.map(
      Effect.suspend(() => decodeIds(Array.from(ids, (entry, i) => [i + 1, entry] as const), "position")),
      Stream.fromIterable
    )
  )

/**
 * The ids in a text file, one per line (blank lines and `#` comments skipped), decoded as by
 * {@link idsFromList}: a line that is not an id fails with {@link InvalidPatientIds}, naming its
 * line number.
 *
 * @since 0.1.0
 * @category sources
 */
export const idsFromFile = (
  path: string
): Stream.Stream<PatientId, PlatformError | InvalidPatientIds, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.flatMap(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)),
    (text) =>
      Effect.map(
        decodeIds(
          text.split(/\r?\n/).flatMap((line, i) => line.trim().startsWith("#") ? [] : [[i + 1, line] as const]),
          "line"
        ),
        Stream.fromIterable
      )
  ))

/**
 * The Hero ids of every result of a v3 search, page after page (results without a Hero id are
 * skipped).
 *
 * @since 0.1.0
 * @category sources
 */
export const idsFromSearch = (
  params: ListPatientsV3Params
): Stream.Stream<PatientId, CommonError, HeroHealthClient> =>
  Stream.unwrap(Effect.map(HeroHealthClient, (client) => client.streamPatientsV3(params))).pipe(
    Stream.filterMap((patient) => patient.heroId === undefined ? Option.none() : Option.some(patient.heroId))
  )
