// How far a run is, on stderr. On a terminal one line redrawn in place — a bar, the count, the
// rate and the time left — at most ten times a second; anywhere else (a CI log, a pipe, a file)
// plain lines, one every tenth of the way, so a 5,000-patient log stays readable.
//
// It counts what the job works through: Hero patient records, the unit of --ids and of the
// summary. (In the sandbox, --people counts people; their duplicates add records, and the run's
// first line says how many records that made.)
import type { Batch } from "@hero-effect/workflows"
import { Effect } from "effect"

/** Where progress goes: process.stderr in the job, a fake in tests. */
export interface ProgressSink {
  readonly isTTY: boolean
  /** The terminal's width, when known. */
  readonly columns: number | undefined
  readonly write: (text: string) => void
}

const redrawEveryMillis = 100
const barWidth = 24

/** 0:09, 12:05, 1:02:03 */
export const clockTime = (millis: number): string => {
  const total = Math.max(0, Math.round(millis / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`
}

const counts = (p: Batch.Progress, separator: string) =>
  Object.entries(p.outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(separator)

const rate = (p: Batch.Progress) =>
  `${p.perSecond.toFixed(1)}/s${
    p.etaMillis === undefined || p.done === p.total ? "" : ` · ${clockTime(p.etaMillis)} left`
  }`

/** The redrawn line: `[██████░░░░] 42/195 records 22% · 12.3/s · 0:12 left · Linked 20 …`, cut to the width. */
export const barLine = (p: Batch.Progress, columns: number | undefined): string => {
  const share = p.total === undefined || p.total === 0 ? undefined : Math.min(1, p.done / p.total)
  const bar = share === undefined
    ? ""
    : `[${"█".repeat(Math.round(share * barWidth))}${"░".repeat(barWidth - Math.round(share * barWidth))}] `
  const of = p.total === undefined ? `${p.done} records` : `${p.done}/${p.total} records`
  const percent = share === undefined ? "" : ` ${Math.floor(share * 100)}%`
  const line = `${bar}${of}${percent} · ${rate(p)} · ${counts(p, " ")}`
  // One column short of the width: writing the last column makes some terminals wrap.
  const width = columns === undefined || columns < 20 ? 80 : columns - 1
  return line.length > width ? `${line.slice(0, width - 1)}…` : line
}

/** A plain line: `42/195 records (22%), 12.3/s, 0:12 left — Linked 20, …`. */
export const plainLine = (p: Batch.Progress): string => {
  const of = p.total === undefined ? `${p.done} records` : `${p.done}/${p.total} records`
  const percent = p.total === undefined || p.total === 0 ? "" : ` (${Math.floor((p.done / p.total) * 100)}%)`
  return `${of}${percent}, ${rate(p).replace(" · ", ", ")} — ${counts(p, ", ")}`
}

/**
 * A progress reporter for `Batch.run` / `ProcessPatient.runDurable` (`onProgress`), and `finish`
 * to end the redrawn line before the summary is printed.
 */
export const makeProgress = (sink: ProgressSink) => {
  let lastDrawn = -Infinity
  let lastStep = -1
  let drawn = false
  let latest: Batch.Progress | undefined
  const onProgress = (p: Batch.Progress): Effect.Effect<void> =>
    Effect.sync(() => {
      // Patients finish on several fibers: a report may arrive after a later one. Never go back.
      if (latest !== undefined && p.done < latest.done) return
      latest = p
      const last = p.total !== undefined && p.done >= p.total
      if (sink.isTTY) {
        if (!last && p.elapsedMillis - lastDrawn < redrawEveryMillis) return
        lastDrawn = p.elapsedMillis
        drawn = true
        sink.write(`\r\x1b[2K${barLine(p, sink.columns)}`)
        return
      }
      // A tenth of the way (or every 100 when the total is unknown), and the last one.
      const step = p.total === undefined || p.total === 0
        ? Math.floor(p.done / 100)
        : Math.floor((p.done * 10) / p.total)
      if (step === lastStep && !last) return
      lastStep = step
      sink.write(`${plainLine(p)}\n`)
    })
  /** Ends the redrawn line (so what follows starts on its own line); returns how far it got. */
  const finish = Effect.sync(() => {
    if (drawn) sink.write("\n")
    drawn = false
    return latest
  })
  return { onProgress, finish, done: () => latest?.done ?? 0 }
}
