// What a run tells a person: the summary printed at the end (fits a screen) and the report files
// (--report): JSON for scripts, Markdown or HTML for people. Every one of them holds ids, codes,
// counts and scores only — the outcomes never carry a name, a date of birth, an NHS number or an
// address, and nothing here adds one.
import type { Batch, Outcome } from "@hero-effect/workflows"

/** What waits for a person after a --review run. */
export interface ReviewSummary {
  /** The SQLite file, or "PostgreSQL (--postgres)": never a URL, which may carry a password. */
  readonly storage: string
  readonly pending: number
  readonly deferred: number
  /** How to act on it (commands that exist). */
  readonly command: string
}

/** The report as written: the batch's, with the review queue's counts after a --review run. */
export type RunReport = Batch.Report & { readonly review?: ReviewSummary | undefined }

/** What each outcome means, in the order the summary lists them. */
export const meanings: Readonly<Record<string, string>> = {
  Merged: "duplicate records merged into the one that stays",
  Linked: "connected to their EHR record",
  AlreadyLinked: "already connected to their EHR record: nothing to do",
  AlreadyMerged: "already merged into another record: nothing to do",
  NoCandidate: "no EHR record close enough: left as they are",
  NeedsReview: "waiting for a person (listed below)",
  Refused: "a safety rule or the approver refused the write (listed below)",
  Failed: "a step failed: not finished (reasons below)"
}
const order = Object.keys(meanings)
const rank = (tag: string) => (order.indexOf(tag) === -1 ? order.length : order.indexOf(tag))

const wouldWrite = (o: Outcome.Encoded) =>
  o._tag === "NeedsReview" && o.reasons.includes("dry-run") &&
  (o.reasons.includes("would-link") || o.reasons.includes("would-merge"))

const meaningOf = (report: Batch.Report, tag: string) =>
  tag === "NeedsReview" && report.patients.some(({ outcome }) => wouldWrite(outcome))
    ? "what a person must decide, or (dry run) what would be written (listed below)"
    : meanings[tag] ?? ""

/** The outcome counts, in the summary's order. */
export const countRows = (report: Batch.Report) =>
  Object.keys(report.outcomes).sort((a, b) => rank(a) - rank(b)).map((tag) => ({
    tag,
    count: report.outcomes[tag] ?? 0,
    meaning: meaningOf(report, tag)
  }))

/** One item for a person (or, in a dry run, a write that would be made): ids and codes. */
export interface Item {
  readonly status: "review" | "refused" | "would"
  readonly kind: string
  /** The patient, or for a merge both patients (sorted, joined by "+"). */
  readonly ids: string
  readonly codes: ReadonlyArray<string>
  readonly score?: number | undefined
  readonly grade?: string | undefined
  readonly fields?: ReadonlyArray<string> | undefined
  readonly reviewId?: string | undefined
}

/** Each pair once, whichever of its patients reported it. */
export const items = (report: Batch.Report): ReadonlyArray<Item> => {
  const seen = new Set<string>()
  const out: Array<Item> = []
  for (const { outcome: o, patientId } of report.patients) {
    if (o._tag !== "NeedsReview" && o._tag !== "Refused") continue
    const item: Item = {
      status: o._tag === "Refused" ? "refused" : wouldWrite(o) ? "would" : "review",
      kind: o.kind ?? "",
      ids: o.kind === "merge"
        ? [o.patientId ?? patientId, o.otherPatientId ?? "?"].sort().join("+")
        : (o.patientId ?? patientId),
      codes: (o._tag === "NeedsReview" ? o.reasons : o.codes).filter((c) => c !== "dry-run"),
      score: o.score,
      grade: o.grade,
      fields: o.fields,
      reviewId: o.reviewId
    }
    const key = `${item.status} ${item.kind} ${item.ids} ${item.codes.join(",")}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(item)
  }
  return out
}

/** The merges made: main ← incoming. */
export const merges = (report: Batch.Report) =>
  report.patients.flatMap(({ outcome: o }) =>
    o._tag === "Merged" ? [{ main: o.mainPatientId, incoming: o.incomingPatientId }] : []
  )

// The failure's kind as codes: its tag, the transport code or HTTP status when its message has
// one, and the step. Never the rest of the message.
const failureKind = (o: Extract<Outcome.Encoded, { _tag: "Failed" }>): string => {
  const code = /network error \(([A-Za-z0-9_]+)\)/.exec(o.message)?.[1] ??
    /\b(?:server error|unexpected response) (\d{3})\b/.exec(o.message)?.[1]
  return `${o.error}${code === undefined ? "" : ` ${code}`} at ${o.step}`
}

/** The failures by kind (error, code, step), how many may have written, how many never connected. */
export const failures = (report: Batch.Report) => {
  const kinds = new Map<string, number>()
  const patients: Array<{ readonly patientId: string; readonly kind: string; readonly outcomeUnknown: boolean }> = []
  let unknown = 0
  let notSent = 0
  for (const { outcome, patientId } of report.patients) {
    if (outcome._tag !== "Failed") continue
    const kind = failureKind(outcome)
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    patients.push({ patientId, kind, outcomeUnknown: outcome.outcomeUnknown === true })
    if (outcome.outcomeUnknown === true) unknown++
    if (outcome.error === "NetworkError" && outcome.message.includes("the request was not sent")) notSent++
  }
  return { kinds: [...kinds].sort(([, a], [, b]) => b - a), patients, unknown, notSent }
}

// ---------------------------------------------------------------------------------------------
// The summary on the terminal.

const listed = 10
const mergesListed = 5

const seeReport = (reportPath: string | undefined) => reportPath ?? "--report FILE"

/** The end-of-run summary: counts with their meaning, a few merges, at most ten items a section. */
export const summaryText = (report: Batch.Report, reportPath: string | undefined): string => {
  const lines = [
    `Run ${report.runId}: ${report.total} patient records in ${(report.elapsedMillis / 1000).toFixed(1)} s`
  ]
  for (const { count, meaning, tag } of countRows(report)) {
    lines.push(`  ${tag.padEnd(14)} ${String(count).padStart(6)}  ${meaning}`.trimEnd())
  }

  const merged = merges(report)
  if (merged.length > 0) {
    lines.push("Merged (main ← incoming):")
    for (const m of merged.slice(0, mergesListed)) lines.push(`  ${m.main} ← ${m.incoming}`)
    if (merged.length > mergesListed) lines.push(`  … see ${seeReport(reportPath)} for all ${merged.length} merges`)
  }

  const all = items(report)
  const section = (title: string, found: ReadonlyArray<Item>) => {
    if (found.length === 0) return
    lines.push(`${title} (${found.length}):`)
    for (const item of found.slice(0, listed)) {
      const label = item.status === "refused" ? "refused" : item.status === "would" ? "would  " : "review "
      lines.push(`  ${label} ${item.kind.padEnd(10)} ${item.ids.padEnd(15)} ${item.codes.join(",")}`)
    }
    if (found.length > listed) {
      lines.push(
        `  … and ${found.length - listed} more — ${
          reportPath === undefined ? "run with --report FILE for the full list" : `see ${reportPath}`
        }`
      )
    }
  }
  section("Would write (dry run: nothing was written)", all.filter((i) => i.status === "would"))
  section("For a person (patient ids and reason codes)", all.filter((i) => i.status !== "would"))

  const failed = failures(report)
  if (failed.kinds.length > 0) {
    lines.push("Failed (by kind: error, code, step):")
    for (const [kind, n] of failed.kinds) lines.push(`  ${kind.padEnd(40)} ${n}`)
    if (failed.unknown > 0) {
      lines.push(`  ${failed.unknown} of them may have written (outcome unknown): a re-run verifies before repeating`)
    }
  }
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// The report files.

/** The format of a --report file, from its name: .md/.markdown, .html/.htm, else JSON. */
export type ReportFormat = "json" | "markdown" | "html"

export const formatOf = (file: string): ReportFormat => {
  const lower = file.toLowerCase()
  return lower.endsWith(".md") || lower.endsWith(".markdown")
    ? "markdown"
    : lower.endsWith(".html") || lower.endsWith(".htm")
    ? "html"
    : "json"
}

/** What the run was against, for the report's heading (never a key or a URL's credentials). */
export interface ReportContext {
  readonly target: string
  readonly dryRun: boolean
}

interface Table {
  readonly title: string
  readonly note?: string | undefined
  readonly head: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

// The same tables for Markdown and HTML: what is in one is in the other.
const tables = (report: RunReport): ReadonlyArray<Table> => {
  const all = items(report)
  const itemRows = (status: ReadonlyArray<Item["status"]>) =>
    all.filter((i) => status.includes(i.status)).map((i) => [
      i.status,
      i.kind,
      i.ids,
      i.codes.join(", "),
      i.score === undefined ? "" : i.score.toFixed(1),
      i.grade ?? "",
      (i.fields ?? []).join(", "),
      i.reviewId ?? ""
    ])
  const itemHead = ["status", "kind", "patients", "codes", "score", "grade", "differing fields", "review id"]
  const failed = failures(report)
  const out: Array<Table> = [
    {
      title: "Outcomes",
      head: ["outcome", "records", "meaning"],
      rows: countRows(report).map((r) => [r.tag, String(r.count), r.meaning])
    },
    {
      title: "Merges",
      note: "main ← incoming: the incoming record was merged into the main one.",
      head: ["main", "incoming"],
      rows: merges(report).map((m) => [m.main, m.incoming])
    },
    { title: "Would write (dry run: nothing was written)", head: itemHead, rows: itemRows(["would"]) },
    {
      title: "For a person",
      note: "Pairs and patients a safety rule or the approver sent to a person, or refused.",
      head: itemHead,
      rows: itemRows(["review", "refused"])
    },
    {
      title: "Failed",
      note: failed.unknown > 0
        ? `${failed.unknown} may have written (outcome unknown): a re-run verifies before repeating.`
        : undefined,
      head: ["patient", "error, code and step", "outcome unknown"],
      rows: failed.patients.map((f) => [f.patientId, f.kind, f.outcomeUnknown ? "yes" : ""])
    }
  ]
  return out.filter((t) => t.rows.length > 0 || t.title === "Outcomes")
}

const reviewNote = (review: ReviewSummary) =>
  `${review.pending} waiting for a person (pending), ${review.deferred} deferred, in ${review.storage}. Act on it: ${review.command}.`

const heading = (report: RunReport, context: ReportContext) =>
  `${report.total} patient records in ${(report.elapsedMillis / 1000).toFixed(1)} s against ${context.target}${
    context.dryRun ? " (dry run: nothing was written)" : ""
  }.`

// A cell's text in Markdown: pipes escaped, no line breaks.
const md = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")

/** The report as Markdown: a heading, then one table a section (every item, not the first ten). */
export const toMarkdown = (report: RunReport, context: ReportContext): string => {
  const lines = [`# hero-effect run ${md(report.runId)}`, "", heading(report, context).replace(/\|/g, "\\|"), ""]
  if (report.review !== undefined) lines.push(`**Review queue:** ${md(reviewNote(report.review))}`, "")
  for (const table of tables(report)) {
    lines.push(`## ${table.title}`, "")
    if (table.note !== undefined) lines.push(table.note, "")
    lines.push(`| ${table.head.join(" | ")} |`, `|${table.head.map(() => " --- ").join("|")}|`)
    for (const row of table.rows) lines.push(`| ${row.map(md).join(" | ")} |`)
    lines.push("")
  }
  return lines.join("\n")
}

const html = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

/** The report as one self-contained HTML page (no script, no external resource). */
export const toHtml = (report: RunReport, context: ReportContext): string => {
  const sections = tables(report).map((table) =>
    [
      `<h2>${html(table.title)}</h2>`,
      table.note === undefined ? "" : `<p>${html(table.note)}</p>`,
      "<table>",
      `<thead><tr>${table.head.map((h) => `<th>${html(h)}</th>`).join("")}</tr></thead>`,
      `<tbody>${
        table.rows.map((row) => `<tr>${row.map((c) => `<td>${html(c)}</td>`).join("")}</tr>`).join("\n")
      }</tbody>`,
      "</table>"
    ].join("\n")
  )
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>hero-effect run ${html(report.runId)}</title>`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;margin-bottom:1.5rem}",
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}</style></head><body>",
    `<h1>hero-effect run ${html(report.runId)}</h1>`,
    `<p>${html(heading(report, context))}</p>`,
    report.review === undefined ? "" : `<p><strong>Review queue:</strong> ${html(reviewNote(report.review))}</p>`,
    ...sections,
    "</body></html>",
    ""
  ].join("\n")
}

/** The file's contents in the format its name asks for. */
export const render = (file: string, report: RunReport, context: ReportContext): string => {
  const format = formatOf(file)
  return format === "markdown"
    ? toMarkdown(report, context)
    : format === "html"
    ? toHtml(report, context)
    : JSON.stringify(report, null, 2)
}
