// The review queue from a terminal (`pnpm review <command>`): the links and merges the rules and
// the approver sent to a person — listed, shown, approved, rejected or deferred. The main job puts
// them there (`pnpm start --review`) and, run again with --review, applies what was approved and
// refuses what was rejected.
//
//   pnpm review list [--status pending|deferred|approved|rejected|superseded|open|all[,…]]
//                    [--kind link|merge] [--run <runId>] [--limit 1-100] [--cursor <next>]
//   pnpm review show <reviewId> [--evidence]
//   pnpm review approve <reviewId> [--note <text>]
//   pnpm review reject <reviewId> --reason <RejectReason> [--note <text>]
//   pnpm review defer <reviewId> [--note <text>]
//   pnpm review counts
//
// Storage: --db <file> (SQLite; default .hero-effect/review.db, the main job's queue without a
// --db of its own) or --postgres <url>. Decisions need --reviewer <id> (or HERO_REVIEWER). --json
// prints one JSON document on stdout (errors: one on stderr, with a code) for scripts.
//
// Patient data: an item holds ids, rule codes, the score and grade and the names of the fields
// that differ — never a value. Only `show --evidence` prints the records themselves (names, dates
// of birth, NHS numbers: an authorised reviewer's view); no other command and no error does. A
// reviewer's free-text note may name a person too, so it is shown only with --evidence.
//
// Exit codes: 0 done, 1 storage or other failure, 2 bad usage (unknown command or flag, missing
// id, bad reason — said before the storage is touched), 3 no such item, 4 already decided.
// Deep imports (not the packages' barrels): a command that answers in a second, not in several.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpServer from "@effect/platform/HttpServer"
import type { Teardown } from "@effect/platform/Runtime"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as ReviewPage from "@hero-effect/workflows/ReviewPage"
import * as ReviewQueue from "@hero-effect/workflows/ReviewQueue"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as path from "node:path"

const ExitCode = { ok: 0, failed: 1, usage: 2, notFound: 3, closed: 4 } as const

// The queue's file when neither --db nor --postgres is given: main.ts's defaultReviewDb (keep the
// two in step), relative to where the command was typed.
const defaultReviewDb = ".hero-effect/review.db"

// pnpm runs the script in examples/, but the user typed the paths where they stood (INIT_CWD).
const userDirectory = (): string => {
  const init = process.env["INIT_CWD"]
  return init !== undefined && init.length > 0 ? init : process.cwd()
}
const resolvePath = (file: string): string => path.resolve(userDirectory(), file)

// Why the command stops, with its exit code and a stable code for scripts. `message` holds ids,
// codes and paths only, never patient data.
class Failure extends Data.TaggedError("Failure")<{
  readonly exitCode: number
  readonly code: string
  readonly message: string
  readonly details?: Record<string, string> | undefined
}> {}

const usage = (message: string) => new Failure({ exitCode: ExitCode.usage, code: "usage", message })

// ---------------------------------------------------------------------------------------------
// The command line: checked in full before the storage is opened.

const statuses = ReviewQueue.ReviewStatus.literals
const kinds = ReviewQueue.ReviewItemKind.literals
const reasons = ReviewQueue.RejectReason.literals

type Flag = "value" | "boolean"
const globalFlags: Record<string, Flag> = { db: "value", postgres: "value", json: "boolean", help: "boolean" }
const decisionFlags: Record<string, Flag> = { reviewer: "value", note: "value" }
const commands: Record<string, { readonly id: boolean; readonly flags: Record<string, Flag> }> = {
  list: { id: false, flags: { status: "value", kind: "value", run: "value", limit: "value", cursor: "value" } },
  show: { id: true, flags: { evidence: "boolean" } },
  approve: { id: true, flags: decisionFlags },
  reject: { id: true, flags: { ...decisionFlags, reason: "value" } },
  defer: { id: true, flags: decisionFlags },
  counts: { id: false, flags: {} },
  serve: { id: false, flags: { port: "value", host: "value" } }
}

type Storage =
  | { readonly _tag: "sqlite"; readonly file: string }
  | { readonly _tag: "postgres"; readonly url: string }

type Command =
  | { readonly _tag: "help" }
  | { readonly _tag: "list"; readonly query: ReviewQueue.ListQuery; readonly statusLabel: string }
  | { readonly _tag: "show"; readonly id: string; readonly evidence: boolean }
  | {
    readonly _tag: "decide"
    readonly id: string
    readonly decision: ReviewQueue.Decision
    readonly reviewer: string
  }
  | { readonly _tag: "counts" }
  | {
    readonly _tag: "serve"
    readonly port: number
    readonly host: string
    readonly tokens: Readonly<Record<string, Redacted.Redacted<string>>>
  }

interface Invocation {
  readonly command: Command
  readonly storage: Storage
  readonly json: boolean
}

const maxNote = 2000

// HERO_REVIEW_TOKENS="dr-a=<token>,dr-b=<token>": who may sign in to the page, and with what.
// From the environment, never a flag: a flag's value is on every process listing.
const reviewerTokens = (
  text: string | undefined
): Readonly<Record<string, Redacted.Redacted<string>>> | Failure => {
  if (text === undefined || text.trim().length === 0) {
    return usage("serve needs HERO_REVIEW_TOKENS=<reviewer>=<token>[,…] in the environment: who may sign in")
  }
  const tokens: Record<string, Redacted.Redacted<string>> = {}
  for (const entry of text.split(",")) {
    const eq = entry.indexOf("=")
    const reviewer = eq < 0 ? "" : entry.slice(0, eq).trim()
    const token = eq < 0 ? "" : entry.slice(eq + 1).trim()
    if (reviewer.length === 0 || token.length < 16) {
      return usage(
        "HERO_REVIEW_TOKENS takes <reviewer>=<token> pairs, comma-separated, each token 16 characters or more"
      )
    }
    tokens[reviewer] = Redacted.make(token)
  }
  return tokens
}
const maxReviewer = 200

const parse = (args: ReadonlyArray<string>): Invocation | Failure => {
  const positional: Array<string> = []
  const values = new Map<string, string | true>()
  // The command is the first word that is not an option or an option's value.
  const anyFlag = (flag: string) =>
    globalFlags[flag] ?? Object.values(commands).map((c) => c.flags[flag]).find((k) => k !== undefined)
  let name: string | undefined
  for (let i = 0; i < args.length && name === undefined; i++) {
    const arg = args[i]!
    if (!arg.startsWith("-")) name = arg
    else if (arg.startsWith("--") && !arg.includes("=") && anyFlag(arg.slice(2)) === "value") i++
  }
  const spec = name === undefined ? undefined : commands[name]
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg)
      continue
    }
    if (arg === "-h") {
      values.set("help", true)
      continue
    }
    const eq = arg.indexOf("=")
    const flag = arg.slice(2, eq < 0 ? undefined : eq)
    const kind = globalFlags[flag] ?? spec?.flags[flag]
    if (!arg.startsWith("--") || kind === undefined) {
      const shown = arg.slice(0, eq < 0 ? undefined : eq)
      return usage(
        spec === undefined ? `unknown option ${shown} (see --help)` : `unknown option ${shown} for ${name} (see --help)`
      )
    }
    if (values.has(flag)) return usage(`--${flag} is given twice`)
    if (kind === "boolean") {
      if (eq >= 0) return usage(`--${flag} takes no value`)
      values.set(flag, true)
      continue
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i]
    if (value === undefined || (eq < 0 && value.startsWith("--"))) return usage(`--${flag} needs a value`)
    values.set(flag, value)
  }
  const text = (flag: string) => {
    const v = values.get(flag)
    return typeof v === "string" ? v : undefined
  }
  const json = values.has("json")
  const db = text("db")
  const postgres = text("postgres")
  if (db !== undefined && postgres !== undefined) return usage("--db and --postgres are two storages: choose one")
  const storage: Storage = postgres !== undefined
    ? { _tag: "postgres", url: postgres }
    : { _tag: "sqlite", file: resolvePath(db ?? defaultReviewDb) }
  const done = (command: Command): Invocation => ({ command, storage, json })

  if (values.has("help") || name === "help") return done({ _tag: "help" })
  if (name === undefined) return usage(`a command is needed: ${Object.keys(commands).join(", ")} (see --help)`)
  if (spec === undefined) {
    return usage(`unknown command ${JSON.stringify(name)}: one of ${Object.keys(commands).join(", ")} (see --help)`)
  }
  const rest = positional.slice(1)
  if (spec.id && rest.length === 0) return usage(`${name} needs a review id (from pnpm review list)`)
  const extra = spec.id ? rest.slice(1) : rest
  if (extra.length > 0) return usage(`unexpected argument ${JSON.stringify(extra[0])} for ${name} (see --help)`)
  const id = rest[0] ?? ""

  switch (name) {
    case "list": {
      const status = text("status") ?? "pending"
      const wanted = new Set<ReviewQueue.ReviewStatus>()
      for (const s of status.split(",").map((x) => x.trim())) {
        if (s === "open") ["pending", "deferred"].forEach((x) => wanted.add(x as ReviewQueue.ReviewStatus))
        else if (s === "all") statuses.forEach((x) => wanted.add(x))
        else if ((statuses as ReadonlyArray<string>).includes(s)) wanted.add(s as ReviewQueue.ReviewStatus)
        else {
          return usage(`--status ${JSON.stringify(s)} is not one of ${statuses.join(", ")}, open, all`)
        }
      }
      const kind = text("kind")
      if (kind !== undefined && !(kinds as ReadonlyArray<string>).includes(kind)) {
        return usage(`--kind must be one of ${kinds.join(", ")}`)
      }
      const limitText = text("limit")
      const limit = limitText === undefined ? 20 : Number(limitText)
      if (!/^\d+$/.test(limitText ?? "20") || limit < 1 || limit > 100) {
        return usage("--limit must be a whole number from 1 to 100")
      }
      return done({
        _tag: "list",
        statusLabel: [...wanted].join(", "),
        query: {
          status: [...wanted],
          kind: kind as ReviewQueue.ReviewItemKind | undefined,
          runId: text("run"),
          cursor: text("cursor"),
          limit
        }
      })
    }
    case "show":
      return done({ _tag: "show", id, evidence: values.has("evidence") })
    case "counts":
      return done({ _tag: "counts" })
    case "serve": {
      const portText = text("port") ?? "8484"
      const port = Number(portText)
      if (!/^\d+$/.test(portText) || port > 65535) return usage("--port must be a port number from 0 to 65535")
      const tokens = reviewerTokens(process.env.HERO_REVIEW_TOKENS)
      if (tokens instanceof Failure) return tokens
      return done({ _tag: "serve", port, host: text("host") ?? "127.0.0.1", tokens })
    }
    default: {
      const note = text("note")
      if (note !== undefined && note.length > maxNote) return usage(`--note is over ${maxNote} characters`)
      let decision: ReviewQueue.Decision
      if (name === "reject") {
        const reason = text("reason")
        if (reason === undefined) return usage(`reject needs --reason: one of ${reasons.join(", ")}`)
        if (!(reasons as ReadonlyArray<string>).includes(reason)) {
          return usage(`--reason ${JSON.stringify(reason)} is not one of ${reasons.join(", ")}`)
        }
        decision = {
          _tag: "Reject",
          reason: reason as ReviewQueue.RejectReason,
          ...(note === undefined ? {} : { note })
        }
      } else {
        decision = name === "approve"
          ? { _tag: "Approve", ...(note === undefined ? {} : { note }) }
          : { _tag: "Defer", ...(note === undefined ? {} : { note }) }
      }
      const reviewer = (text("reviewer") ?? process.env["HERO_REVIEWER"] ?? "").trim()
      if (reviewer.length === 0) return usage(`${name} needs --reviewer <id> (or HERO_REVIEWER): who decides`)
      if (reviewer.length > maxReviewer) return usage(`--reviewer is over ${maxReviewer} characters`)
      return done({ _tag: "decide", id, decision, reviewer })
    }
  }
}

const helpText = `hero-review: the review queue of the main job (what the rules sent to a person)

USAGE
  pnpm review list [--status <s>[,<s>…]] [--kind link|merge] [--run <runId>] [--limit N] [--cursor C]
  pnpm review show <reviewId> [--evidence]
  pnpm review approve <reviewId> [--note <text>]
  pnpm review reject <reviewId> --reason <reason> [--note <text>]
  pnpm review defer <reviewId> [--note <text>]
  pnpm review counts
  HERO_REVIEW_TOKENS=dr-a=<token> pnpm review serve [--port 8484] [--host 127.0.0.1]

COMMANDS
  list      items oldest first; --status (default pending): ${statuses.join(", ")}, open (pending and
            deferred) or all, comma-separated; --limit 1-100 (default 20); --cursor from the previous page
  show      one item: kind, ids, rule codes, score and grade, the names of the fields that differ
            --evidence also prints the two records side by side (patient data: authorised reviewers only)
  approve   the next main run with --review applies the link or merge (if the records are unchanged)
  reject    the next main run refuses it; --reason is one of: ${reasons.join(", ")}
  defer     keeps it open (status deferred)
  counts    how many items in each status
  serve     the review page on http://<host>:<port>/review (sign in with a reviewer id and its token
            from HERO_REVIEW_TOKENS); runs until stopped (Ctrl-C)

OPTIONS
  --db <file>        the queue's SQLite file (default ${defaultReviewDb}; relative to where you ran the command):
                     the main job's --db file when it ran with one
  --postgres <url>   the queue in PostgreSQL (the main job's --postgres database)
  --reviewer <id>    who decides (approve, reject, defer); or HERO_REVIEWER
  --json             one JSON document on stdout; an error as JSON on stderr, with a code
  --help             this text

No command prints a patient's name, date of birth or NHS number except show --evidence.

EXIT CODES
  0    done
  1    the storage failed, or there is no queue at --db
  2    bad usage: an unknown command or option, a missing id, a bad --reason or --status (nothing was read)
  3    no review item with that id
  4    the item was already decided (approved, rejected or superseded)
`

// ---------------------------------------------------------------------------------------------
// Output: tables for people, JSON for scripts. Items carry no values; a decision's note (free
// text a person wrote) is left out except with --evidence.

const encodeItem = Schema.encodeSync(ReviewQueue.ReviewItem)
const encodeEvidence = Schema.encodeSync(ReviewQueue.ReviewEvidence)

const itemJson = (item: ReviewQueue.ReviewItem, withNote: boolean) => {
  const encoded = encodeItem(item)
  if (withNote || encoded.decision?.note === undefined) return encoded
  const { note: _note, ...decision } = encoded.decision
  return { ...encoded, decision: { ...decision, noteHidden: true } }
}

const pairOf = (item: ReviewQueue.ReviewItem) =>
  item.kind === "merge"
    ? `${item.mainPatientId ?? "?"} ← ${item.incomingPatientId ?? "?"}`
    : `${item.patientId} → ${item.ehrPartnerId ?? "?"}`

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c]!)).join("  ").trimEnd())
    .join("\n")
}

const listText = (page: ReviewQueue.ListPage, label: string, command: string): string => {
  if (page.items.length === 0) return `No ${label} review items.`
  const rows = [
    ["ID", "KIND", "STATUS", "SCORE", "GRADE", "PATIENTS (main ← incoming / hero → ehr)", "CODES"],
    ...page.items.map((item) => [
      item.id,
      item.kind,
      item.status,
      item.score.toFixed(2),
      item.grade,
      pairOf(item),
      item.codes.join(",")
    ])
  ]
  const lines = [`${page.items.length} ${label} review item(s), oldest first:`, table(rows)]
  if (page.nextCursor !== undefined) lines.push(`More: ${command} --cursor ${page.nextCursor}`)
  lines.push("Next: pnpm review show <id> · approve <id> · reject <id> --reason <reason> · defer <id>")
  return lines.join("\n")
}

const itemText = (item: ReviewQueue.ReviewItem, withNote: boolean): string => {
  const line = (label: string, value: string) => `  ${label.padEnd(12)} ${value}`
  const lines = [`Review ${item.id}: ${item.kind}, ${item.status}`]
  lines.push(line("Write", item.pairKey))
  if (item.kind === "merge") {
    lines.push(line("Main", item.mainPatientId ?? "?"))
    lines.push(line("Incoming", item.incomingPatientId ?? "?"))
  } else {
    lines.push(line("Patient", item.patientId))
    lines.push(line("EHR record", item.ehrPartnerId ?? "?"))
  }
  lines.push(line("Score", `${item.score.toFixed(2)} (${item.grade})`))
  lines.push(line("Rule codes", item.codes.length === 0 ? "none" : item.codes.join(", ")))
  lines.push(line("Why", item.reason))
  lines.push(line(
    "Fields",
    item.fields.length === 0 ? "none differ" : item.fields.map((f) => `${f.field} (${f.change})`).join(", ")
  ))
  lines.push(line("Run", `${item.runId} (patient ${item.patientId})`))
  lines.push(line("Created", item.createdAt))
  lines.push(line("Updated", item.updatedAt))
  const d = item.decision
  if (d !== undefined) {
    const note = d.note === undefined
      ? ""
      : withNote
      ? ` — note: ${d.note}`
      : " — with a note (show --evidence prints it)"
    lines.push(
      line("Decision", `${d.decision}${d.reason === undefined ? "" : ` (${d.reason})`} by ${d.by} at ${d.at}${note}`)
    )
  }
  return lines.join("\n")
}

// Each record as field → value, flattened (`identifiers[0].value`), in the API's field names; an
// EHR candidate's address lines under the Hero record's names so they line up.
const flatten = (value: unknown, prefix: string, out: Map<string, string>) => {
  if (value === null || value === undefined) {
    out.set(prefix, "")
  } else if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, "")
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out))
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix.length === 0 ? k : `${prefix}.${k}`, out)
  } else {
    out.set(prefix, String(value))
  }
}
const v2Names: Record<string, string> = { line_1: "address_line_1", line_2: "address_line_2", line_3: "address_line_3" }
const fieldsOf = (record: Record<string, unknown>, rename: Record<string, string> = {}) => {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(record)) flatten(v, rename[k] ?? k, out)
  return out
}

const evidenceText = (evidence: ReviewQueue.ReviewEvidence): string => {
  const encoded = encodeEvidence(evidence)
  const columns: ReadonlyArray<readonly [string, Map<string, string>]> = encoded._tag === "MergeEvidence"
    ? [
      [`main ${encoded.main.id}`, fieldsOf(encoded.main)],
      [`incoming ${encoded.incoming.id}`, fieldsOf(encoded.incoming)],
      ["after the merge", fieldsOf(encoded.result)]
    ]
    : [
      [`hero ${encoded.patient.id}`, fieldsOf(encoded.patient)],
      [`ehr ${encoded.candidate.ehr_partner_id ?? "?"}`, fieldsOf(encoded.candidate, v2Names)]
    ]
  const names = [...new Set(columns.flatMap(([, fields]) => [...fields.keys()]))]
  const clip = (s: string) => s.length > 36 ? `${s.slice(0, 35)}…` : s
  const rows = names.map((name) => {
    const cells = columns.map(([, fields]) => fields.get(name) ?? "")
    const differs = new Set(cells.slice(0, 2)).size > 1
    return [differs ? "≠" : " ", name, ...cells.map(clip)]
  })
  return [
    "Evidence (patient data: for the reviewer's eyes only; ≠ marks a field that differs):",
    table([[" ", "FIELD", ...columns.map(([title]) => title)], ...rows])
  ].join("\n")
}

const countsText = (counts: Readonly<Record<ReviewQueue.ReviewStatus, number>>): string => {
  const total = statuses.reduce((n, s) => n + counts[s], 0)
  return table([["STATUS", "ITEMS"], ...statuses.map((s) => [s, String(counts[s])]), ["total", String(total)]])
}

const decidedText = (item: ReviewQueue.ReviewItem): string => {
  const what = `${item.kind} ${pairOf(item)}`
  const by = item.decision === undefined ? "" : ` by ${item.decision.by} at ${item.decision.at}`
  switch (item.status) {
    case "approved":
      return `Approved ${item.id} (${what})${by}. The next main run with --review applies it, if the records are unchanged.`
    case "rejected":
      return `Rejected ${item.id} (${what}, ${
        item.decision?.reason ?? "other"
      })${by}. The next main run with --review refuses it.`
    default:
      return `Deferred ${item.id} (${what})${by}: it stays open (pnpm review list --status deferred).`
  }
}

// ---------------------------------------------------------------------------------------------
// The commands, on the queue.

interface Output {
  readonly json: unknown
  readonly text: string
}

const listCommand = (storage: Storage, query: ReviewQueue.ListQuery) => {
  const parts = ["pnpm review list"]
  if (storage._tag === "sqlite") parts.push(`--db ${storage.file}`)
  else parts.push("--postgres <url>")
  if (query.status !== undefined) parts.push(`--status ${query.status.join(",")}`)
  if (query.kind !== undefined) parts.push(`--kind ${query.kind}`)
  if (query.runId !== undefined) parts.push(`--run ${query.runId}`)
  if (query.limit !== undefined) parts.push(`--limit ${query.limit}`)
  return parts.join(" ")
}

// The page over this queue until the process is stopped; the address once it listens.
const serve = (queue: ReviewQueue.Service, command: Extract<Command, { readonly _tag: "serve" }>) =>
  Layer.launch(
    Layer.mergeAll(
      ReviewPage.layer({ authenticate: ReviewPage.bearerTokens(command.tokens) }),
      Layer.effectDiscard(Effect.flatMap(HttpServer.HttpServer, (server) => {
        const address = server.address
        const port = address._tag === "TcpAddress" ? address.port : command.port
        return write(process.stderr, `hero-review: the review page is at http://${command.host}:${port}/review`)
      }))
    ).pipe(
      Layer.provide(Layer.succeed(ReviewQueue.ReviewQueue, queue)),
      Layer.provide(NodeHttpServer.layer(() => Http.createServer(), { port: command.port, host: command.host }))
    )
  )

const execute = (invocation: Invocation) =>
  Effect.gen(function*() {
    const queue = yield* ReviewQueue.ReviewQueue
    const command = invocation.command
    switch (command._tag) {
      case "help":
        return { json: {}, text: helpText } satisfies Output
      case "list": {
        const page = yield* queue.list(command.query)
        return {
          json: {
            items: page.items.map((item) => itemJson(item, false)),
            ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor })
          },
          text: listText(page, command.statusLabel, listCommand(invocation.storage, command.query))
        } satisfies Output
      }
      case "show": {
        const item = yield* queue.get(command.id)
        if (!command.evidence) {
          return {
            json: { item: itemJson(item, false) },
            text: `${itemText(item, false)}\n(show ${item.id} --evidence prints the records themselves)`
          }
        }
        const evidence = yield* queue.evidence(command.id)
        return {
          json: { item: itemJson(item, true), evidence: encodeEvidence(evidence) },
          text: `${itemText(item, true)}\n${evidenceText(evidence)}`
        } satisfies Output
      }
      case "decide": {
        const item = yield* queue.decide(command.id, command.decision, command.reviewer)
        return { json: { item: itemJson(item, true) }, text: decidedText(item) } satisfies Output
      }
      case "serve":
        return yield* serve(queue, command)
      case "counts": {
        const counts = yield* queue.counts
        return {
          json: { counts, total: statuses.reduce((n, s) => n + counts[s], 0) },
          text: countsText(counts)
        } satisfies Output
      }
    }
  })

const errorTag = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Error"

// The queue's errors as failures: ids, statuses, operations and tags only.
const classify = (error: unknown, storage: Storage): Failure => {
  if (error instanceof Failure) return error
  if (error instanceof ReviewQueue.ReviewNotFound) {
    return new Failure({
      exitCode: ExitCode.notFound,
      code: "not-found",
      message: `no review item ${error.id} (see pnpm review list)`,
      details: { id: error.id }
    })
  }
  if (error instanceof ReviewQueue.ReviewClosed) {
    return new Failure({
      exitCode: ExitCode.closed,
      code: "closed",
      message: `review item ${error.id} is already ${error.status}: a decision stands`,
      details: { id: error.id, status: error.status }
    })
  }
  if (error instanceof ReviewQueue.ReviewInvalid) {
    return new Failure({ exitCode: ExitCode.usage, code: "invalid", message: error.message })
  }
  if (error instanceof ReviewQueue.ReviewStorageError) {
    return new Failure({
      exitCode: ExitCode.failed,
      code: "storage",
      message: `${error.message}${error.cause === undefined ? "" : ` (${errorTag(error.cause)})`}`,
      details: { operation: error.operation }
    })
  }
  return new Failure({
    exitCode: ExitCode.failed,
    code: "storage",
    message: `cannot open the review queue ${
      storage._tag === "sqlite" ? `at ${storage.file}` : "in PostgreSQL (--postgres)"
    } (${errorTag(error)})`
  })
}

const queueLayer = (storage: Storage) =>
  storage._tag === "postgres"
    ? ReviewQueue.layerSql.pipe(Layer.provide(PgClient.layer({ url: Redacted.make(storage.url) })))
    : ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: storage.file })))

const run = (invocation: Invocation): Effect.Effect<Output, Failure> =>
  Effect.gen(function*() {
    if (invocation.command._tag === "help") return { json: { help: helpText }, text: helpText }
    const storage = invocation.storage
    // Never create a queue by looking for one: a mistyped --db is a mistake, said as one.
    if (storage._tag === "sqlite" && !fs.existsSync(storage.file)) {
      return yield* new Failure({
        exitCode: ExitCode.failed,
        code: "no-queue",
        message:
          `no review queue at ${storage.file}: run the main job with --review first (pnpm start --review), or pass --db <file>`
      })
    }
    return yield* execute(invocation).pipe(Effect.provide(queueLayer(storage)))
  }).pipe(Effect.mapError((error) => classify(error, invocation.storage)))

// ---------------------------------------------------------------------------------------------

const write = (stream: NodeJS.WriteStream, text: string) =>
  Effect.sync(() => stream.write(text.endsWith("\n") ? text : `${text}\n`))

const firstLine = (text: string): string => text.split("\n")[0]?.trim() ?? ""

const report = (failure: Failure, json: boolean) =>
  Effect.as(
    json
      ? write(
        process.stderr,
        JSON.stringify({
          error: {
            code: failure.code,
            exitCode: failure.exitCode,
            message: failure.message,
            ...(failure.details === undefined ? {} : failure.details)
          }
        })
      )
      : write(process.stderr, `hero-review: ${failure.message}`),
    failure.exitCode
  )

// `pnpm review -- list` hands the script a literal "--" first: drop it, as npm would.
const args = process.argv[2] === "--" ? process.argv.slice(3) : process.argv.slice(2)
const wantsJson = args.includes("--json")

const main: Effect.Effect<number> = Effect.suspend(() => {
  const invocation = parse(args)
  if (invocation instanceof Failure) return report(invocation, wantsJson)
  return run(invocation).pipe(
    Effect.flatMap((output) =>
      Effect.as(
        invocation.json && invocation.command._tag !== "help"
          ? write(process.stdout, JSON.stringify(output.json, null, 2))
          : write(process.stdout, output.text),
        ExitCode.ok as number
      )
    ),
    Effect.catchAll((failure) => report(failure, invocation.json))
  )
}).pipe(
  // A defect: its first line only, never a stack or a dump.
  Effect.catchAllDefect((defect) =>
    report(
      new Failure({
        exitCode: ExitCode.failed,
        code: "unexpected",
        message: `stopped on an unexpected error: ${firstLine(Cause.pretty(Cause.die(defect)))}`
      }),
      wantsJson
    )
  )
)

const teardown: Teardown = (exit, onExit) =>
  onExit(Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : ExitCode.failed)

NodeRuntime.runMain(main, { disableErrorReporting: true, teardown })
