import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Guard from "../Guard.js"
import type * as ReviewPage from "../ReviewPage.js"
import * as ReviewQueue from "../ReviewQueue.js"
import * as Secret from "./secret.js"

// ---------------------------------------------------------------------------------------------
// HTML: every interpolated value is escaped unless it is already `Html` (built by `html` itself).

/** @internal */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"'`=]/g, (c) =>
    c === "&"
      ? "&amp;"
      : c === "<"
      ? "&lt;"
      : c === ">"
      ? "&gt;"
      : c === "\""
      ? "&quot;"
      : c === "'"
      ? "&#39;"
      : c === "`"
      ? "&#96;"
      : "&#61;")

class Html {
  constructor(readonly value: string) {}
}

type Part = Html | string | number | boolean | null | undefined | ReadonlyArray<Part>

const render = (part: Part): string => {
  if (part === undefined || part === null || part === false || part === true) return ""
  if (part instanceof Html) return part.value
  if (typeof part === "number") return escapeHtml(String(part))
  if (typeof part === "string") return escapeHtml(part)
  return part.map(render).join("")
}

/** A template whose interpolations are escaped (arrays are rendered part by part). */
const html = (strings: TemplateStringsArray, ...parts: ReadonlyArray<Part>): Html => {
  let out = strings[0] ?? ""
  for (let i = 0; i < parts.length; i++) out += render(parts[i]) + (strings[i + 1] ?? "")
  return new Html(out)
}

// ---------------------------------------------------------------------------------------------
// Rule codes in words (value-free).

const explanations: Readonly<Record<string, string>> = {
  SAME_RECORD: "The two records are the same Hero record: there is nothing to merge.",
  PREVIEW_PAIR_MISMATCH: "The merge preview is about other records than the pair that was asked for.",
  RESULT_NOT_MAIN: "The merged record would not keep the main record's id.",
  INCOMING_ARCHIVED: "The incoming record is archived: it may already have been merged.",
  MAIN_ARCHIVED: "The main record is archived.",
  UNRECOGNISED_STATUS: "A record has a status other than archived or unarchived.",
  NHS_NUMBER_MISMATCH:
    "Both records have verified NHS numbers and they differ. Such records go to PCSE: never merge or link them here.",
  NHS_NUMBER_INVALID:
    "A record carries an NHS number that fails validation (most likely a keying error, not a missing number).",
  NHS_NUMBER_LOST: "The merged record would have no NHS number although one of the records has one.",
  NHS_NUMBER_DEMOGRAPHICS_CONFLICT:
    "The records share a verified NHS number but disagree on forename, surname or date of birth: one of them may carry another person's number.",
  DOB_DAY_MONTH_SWAP: "The dates of birth are the same date with the day and month swapped on one record.",
  DOB_MISMATCH: "Both dates of birth are known and they differ.",
  DECEASED_MISMATCH: "One record is marked deceased and the other is not.",
  RESTRICTED:
    "A record is restricted: it is joined only with a person's approval (for a link, unless a shared verified NHS number supports it).",
  SEX_MISMATCH: "Both records have a known sex and they differ.",
  SEX_CHANGE_RECORDED: "The recorded sex differs and one of the records has a recorded change of sex.",
  NAMES_TOO_FAR: "The surnames or forenames are too far apart to be sure it is one person.",
  PLACEHOLDER_NAME: "A record has a placeholder name (Baby, Twin, Unknown, Test …) rather than the person's name.",
  SENTINEL_DOB: "A record has a placeholder date of birth (such as 1900-01-01).",
  SEX_NOT_KNOWN: "A record's sex is not known.",
  LOOKALIKE_PRESENT:
    "Another record shares the date of birth and surname but is a different person (twins, relatives): make sure these two are not confused with it.",
  LINKED_TO_ANOTHER_PATIENT: "The EHR record is already linked to a different Hero patient.",
  CANDIDATE_NOT_MATCH: "The EHR candidate's demographic score grades below a match.",
  CANDIDATE_MARGIN: "Another EHR candidate scores almost as well as this one.",
  POPULATION_INCOMPLETE: "Too many Hero records share the date of birth to check them all for look-alikes.",
  SCORE_NOT_MATCH: "The demographic score of the two records grades below a match.",
  DEFERRED_BY_APPROVER: "No rule objected, but the approver asks a person to confirm.",
  REJECTED_BY_APPROVER: "The approver rejected the write.",
  REJECTED_BY_REVIEWER: "A reviewer rejected the write.",
  ROUTE_TO_PCSE: "Different verified NHS numbers: the case goes to PCSE rather than being resolved here.",
  BOTH_LINKED: "Both Hero records are linked to EHR records: two GP records for one person, or a wrong link.",
  "linked-to-another-patient":
    "The matching EHR record is already linked to a different Hero patient (likely a duplicate Hero record).",
  "several-matches": "More than one EHR candidate matches.",
  "only-possible": "No EHR candidate is a match; there are only possible ones."
}

const ruleDescriptions: ReadonlyMap<string, string> = new Map(
  [...Guard.defaultRules, ...Guard.defaultLinkRules].map((rule) => [rule.code, rule.description])
)

/** @internal */
export const knownCodes: ReadonlyArray<string> = Object.keys(explanations)

/** @internal */
export const explain = (code: string): string =>
  Object.hasOwn(explanations, code)
    ? explanations[code]!
    : ruleDescriptions.get(code) ?? "No explanation is recorded for this code."

// ---------------------------------------------------------------------------------------------
// Secrets: digests compared in constant time.

/** @internal */
export const bearerTokens = (
  tokens: Readonly<Record<string, Redacted.Redacted<string>>>
): (reviewerId: string, token: Redacted.Redacted<string>) => Effect.Effect<boolean> => {
  const digests = new Map<string, Buffer>()
  for (const [id, token] of Object.entries(tokens)) {
    const value = Redacted.value(token)
    if (value.length > 0) digests.set(id, Secret.digest(value))
  }
  // Unknown reviewers are compared too, against a digest nobody holds: the same work either way.
  const nobody = Secret.digest(Secret.randomToken())
  return (reviewerId, token) =>
    Effect.sync(() => {
      const expected = digests.get(reviewerId)
      const value = Redacted.value(token)
      const same = Secret.matches(expected ?? nobody, value)
      return expected !== undefined && value.length > 0 && same
    })
}

// ---------------------------------------------------------------------------------------------
// Sessions in memory.

interface Session {
  readonly key: string
  readonly reviewerId: string
  readonly csrf: string
  readonly csrfDigest: Buffer
  readonly createdAt: number
  readonly expiresAt: number
  flash: string | undefined
}

class CurrentSession extends Context.Tag("@hero-effect/workflows/ReviewPage/CurrentSession")<
  CurrentSession,
  Session
>() {}

const sessionKey = (id: string) => Secret.digest(id).toString("hex")

const makeSessions = (ttl: Duration.Duration, max: number) => {
  const sessions = new Map<string, Session>()
  const sweep = (now: number) => {
    for (const [key, session] of sessions) if (session.expiresAt <= now) sessions.delete(key)
  }
  return {
    create: (reviewerId: string) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        sweep(now)
        // Bounded: the oldest sessions go first (a Map keeps insertion order).
        while (sessions.size >= max) {
          const oldest = sessions.keys().next()
          if (oldest.done === true) break
          sessions.delete(oldest.value)
        }
        const id = Secret.randomToken()
        const csrf = Secret.randomToken()
        const session: Session = {
          key: sessionKey(id),
          reviewerId,
          csrf,
          csrfDigest: Secret.digest(csrf),
          createdAt: now,
          expiresAt: now + Duration.toMillis(ttl),
          flash: undefined
        }
        sessions.set(session.key, session)
        return { id, session }
      }),
    find: (id: string | undefined) =>
      Effect.map(Clock.currentTimeMillis, (now): Session | undefined => {
        if (id === undefined || id.length === 0 || id.length > 128) return undefined
        const key = sessionKey(id)
        const session = sessions.get(key)
        if (session === undefined) return undefined
        if (session.expiresAt <= now) {
          sessions.delete(key)
          return undefined
        }
        return session
      }),
    remove: (session: Session) => Effect.sync(() => sessions.delete(session.key))
  }
}

// ---------------------------------------------------------------------------------------------
// Responses.

const base = "/review"
const loginPath = `${base}/login`
const logoutPath = `${base}/logout`
const itemPath = (id: string) => `${base}/items/${encodeURIComponent(id)}`
const decisionPath = (id: string) => `${itemPath(id)}/decision`

/** @internal */
export const securityHeaders: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  pragma: "no-cache",
  "content-security-policy":
    "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin"
}

const styles = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f6f7f9; }
header { background: #1d3557; color: #fff; padding: .6rem 1.2rem; display: flex; justify-content: space-between; align-items: center; }
header a, header button { color: #fff; }
header form { display: inline; }
header button { background: none; border: 1px solid #fff; border-radius: 3px; cursor: pointer; }
main { padding: 1rem 1.2rem; max-width: 80rem; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid #d0d4da; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
tr.differs td, tr.differs th { background: #fff3cd; }
tr.differs th::after { content: " ≠"; color: #a15c00; }
td.empty { color: #8a8f98; }
.flash { background: #e7f5ea; border: 1px solid #8cc99b; padding: .5rem .8rem; margin-bottom: 1rem; }
.error { background: #fdecea; border: 1px solid #e5a39b; padding: .5rem .8rem; margin-bottom: 1rem; }
.change { font-size: .8em; color: #6b4a00; }
code { font-family: ui-monospace, monospace; }
dl.codes dt { font-weight: bold; margin-top: .4rem; }
dl.codes dd { margin-left: 1rem; }
fieldset { background: #fff; border: 1px solid #d0d4da; margin: 1rem 0; }
label { display: block; margin: .4rem 0 .2rem; }
textarea { width: 100%; max-width: 40rem; min-height: 4rem; }
button.approve { background: #2a7d3b; color: #fff; }
button.reject { background: #b3261e; color: #fff; }
button { padding: .35rem .9rem; margin-right: .5rem; }
`

const page = (title: string, body: Html, session?: Session): Html =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Hero review</title>
<style>${new Html(styles)}</style>
</head>
<body>
<header><span><a href="${base}">Hero review</a></span>${
    session === undefined
      ? undefined
      : html`<span>Signed in as <strong class="reviewer">${session.reviewerId}</strong>
<form method="post" action="${logoutPath}"><input type="hidden" name="csrf" value="${session.csrf}"><button type="submit">Sign out</button></form></span>`
  }</header>
<main>
${body}
</main>
</body>
</html>
`

const respond = (status: number, body: Html): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(body.value, { status, contentType: "text/html; charset=utf-8" })

const redirect = (location: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.redirect(location, { status: 303 })

const message = (status: number, title: string, text: string, session?: Session) =>
  respond(
    status,
    page(
      title,
      html`<h1>${title}</h1>
<p class="${status >= 400 ? "error" : "flash"}">${text}</p>
<p><a href="${session === undefined ? loginPath : base}">${
        session === undefined ? "Sign in" : "Back to the review list"
      }</a></p>`,
      session
    )
  )

const loginForm = (failed: boolean) =>
  page(
    "Sign in",
    html`<h1>Sign in to review</h1>
${failed ? html`<p class="error" role="alert">Sign-in failed. Check your reviewer id and token.</p>` : undefined}
<form method="post" action="${loginPath}" autocomplete="off">
<label for="reviewer">Reviewer id</label>
<input id="reviewer" name="reviewer" autocomplete="username" required maxlength="200">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="4096">
<p><button type="submit">Sign in</button></p>
</form>`
  )

// ---------------------------------------------------------------------------------------------
// The records side by side.

const hiddenFields = new Set(["verificationCredentials"])

const fieldLabels: Readonly<Record<string, string>> = {
  id: "Id",
  uid: "UID",
  emisId: "EMIS id",
  ehrPartnerId: "EHR partner id",
  nhsNumber: "NHS number",
  dateOfBirth: "Date of birth",
  heroId: "Hero id",
  heroUid: "Hero UID",
  ehrRegistered: "EHR registered",
  addressLine1: "Address line 1",
  addressLine2: "Address line 2",
  addressLine3: "Address line 3"
}

/** @internal */
export const fieldLabel = (field: string): string => {
  if (Object.hasOwn(fieldLabels, field)) return fieldLabels[field]!
  const words = field.replace(/([a-z])([A-Z0-9])/g, "$1 $2").toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A record's value as text (undefined when it has none). @internal */
export const display = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined
  if (typeof value === "string") return value.length === 0 ? undefined : value
  if (typeof value === "boolean") return value ? "yes" : "no"
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString()
  if (Array.isArray(value)) {
    const parts = value.map(display).filter((p): p is string => p !== undefined)
    return parts.length === 0 ? undefined : parts.join("; ")
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>
    if (record._tag === "VerifiedNhsNumber" && typeof record.value === "string") return record.value
    if (record._tag === "UnverifiedNhsNumber" && typeof record.value === "string") {
      return `${record.value} (fails validation: ${String(record.reason)})`
    }
    if ("label" in record && "value" in record) {
      return `${display(record.label) ?? "?"} ${display(record.value) ?? ""}${
        record.role === undefined ? "" : ` (${display(record.role)})`
      }`
    }
    const parts = Object.entries(record).filter(([key]) => key !== "_tag").flatMap(([key, v]) => {
      const shown = display(v)
      return shown === undefined ? [] : [`${key}: ${shown}`]
    })
    return parts.length === 0 ? undefined : parts.join(", ")
  }
  return String(value)
}

interface Column {
  readonly title: string
  readonly record: Readonly<Record<string, unknown>>
}

const v1Fields = Object.keys(PatientV1.fields)
const v2Fields = Object.keys(PatientV2.fields)

const columnsOf = (evidence: ReviewQueue.ReviewEvidence): ReadonlyArray<Column> =>
  evidence._tag === "MergeEvidence"
    ? [
      { title: "Main (kept)", record: evidence.main },
      { title: "Incoming (merged in)", record: evidence.incoming },
      { title: "Result", record: evidence.result }
    ]
    : [
      { title: "Hero patient", record: evidence.patient },
      { title: "EHR candidate", record: evidence.candidate }
    ]

/** The rows of the comparison: each field, its values, whether they differ. @internal */
export const rowsOf = (evidence: ReviewQueue.ReviewEvidence) => {
  const columns = columnsOf(evidence)
  const order = evidence._tag === "MergeEvidence" ? v1Fields : [...new Set([...v1Fields, ...v2Fields])]
  const present = new Set(columns.flatMap((c) => Object.keys(c.record)))
  const fields = [...order, ...[...present].filter((f) => !order.includes(f))].filter((f) => !hiddenFields.has(f))
  return {
    columns: columns.map((c) => c.title),
    rows: fields.flatMap((field) => {
      const values = columns.map((c) => display(c.record[field]))
      if (values.every((v) => v === undefined)) return []
      return [{ field, values, differs: values.some((v) => v !== values[0]) }]
    })
  }
}

const comparison = (item: ReviewQueue.ReviewItem, evidence: ReviewQueue.ReviewEvidence): Html => {
  const { columns, rows } = rowsOf(evidence)
  const changes = new Map(item.fields.map((f) => [f.field, f.change]))
  return html`<table class="records">
<thead><tr><th scope="col">Field</th>${columns.map((title) => html`<th scope="col">${title}</th>`)}</tr></thead>
<tbody>
${
    rows.map(({ differs, field, values }) => {
      const change = changes.get(field)
      return html`<tr class="${
        differs || change !== undefined ? "differs" : "same"
      }" data-field="${field}"><th scope="row">${fieldLabel(field)}${
        change === undefined ? undefined : html` <span class="change">(${change})</span>`
      }</th>${
        values.map((value) => value === undefined ? html`<td class="empty">—</td>` : html`<td>${value}</td>`)
      }</tr>\n`
    })
  }</tbody>
</table>`
}

const codesList = (codes: ReadonlyArray<string>): Html =>
  codes.length === 0
    ? html`<p>No rule codes.</p>`
    : html`<dl class="codes">${codes.map((code) => html`<dt><code>${code}</code></dt><dd>${explain(code)}</dd>`)}</dl>`

const rejectReasons: ReadonlyArray<[ReviewQueue.RejectReason, string]> = [
  ["different-people", "Different people (twins, namesakes, a common name)"],
  ["related-people", "Related people (a parent and child, siblings)"],
  ["wrong-record", "A record carries someone else's identifier"],
  ["placeholder-identity", "A placeholder or test identity"],
  ["insufficient-evidence", "Cannot tell from what is shown"],
  ["other", "Other (see the note)"]
]

const decisionForm = (item: ReviewQueue.ReviewItem, session: Session): Html =>
  html`<form method="post" action="${decisionPath(item.id)}" class="decision">
<input type="hidden" name="csrf" value="${session.csrf}">
<fieldset>
<legend>Your decision</legend>
<label for="reason">Reason (for a rejection)</label>
<select id="reason" name="reason">
<option value="">Choose a reason…</option>
${rejectReasons.map(([value, text]) => html`<option value="${value}">${text}</option>\n`)}</select>
<label for="note">Note (optional, no more than 2,000 characters)</label>
<textarea id="note" name="note" maxlength="2000"></textarea>
<p>
<button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button>
<button type="submit" name="decision" value="defer" class="defer">Defer</button>
</p>
</fieldset>
</form>`

const isOpen = (status: ReviewQueue.ReviewStatus) => status === "pending" || status === "deferred"

const itemPage = (item: ReviewQueue.ReviewItem, evidence: ReviewQueue.ReviewEvidence, session: Session) =>
  page(
    `Review ${item.id}`,
    html`<h1>${item.kind === "merge" ? "Merge" : "Link"} review <code class="review-id">${item.id}</code></h1>
<p><a href="${base}">Back to the review list</a></p>
<table class="summary">
<tr><th scope="row">Status</th><td class="status">${item.status}</td></tr>
<tr><th scope="row">Score</th><td>${item.score}</td></tr>
<tr><th scope="row">Grade</th><td>${item.grade}</td></tr>
<tr><th scope="row">Created</th><td>${item.createdAt}</td></tr>
${
      item.decision === undefined ?
        undefined :
        html`<tr><th scope="row">Last decision</th><td>${item.decision.decision} by ${item.decision.by} at ${item.decision.at}${
          item.decision.reason === undefined ? undefined : html` (${item.decision.reason})`
        }</td></tr>`
    }
</table>
<h2>Why a person decides</h2>
${codesList(item.codes)}
<h2>The records</h2>
<p>Highlighted rows differ between the records.</p>
${comparison(item, evidence)}
${
      isOpen(item.status)
        ? decisionForm(item, session)
        : html`<p class="flash">This review is ${item.status}: it cannot be decided again.</p>`
    }`,
    session
  )

const listPage = (
  items: ReadonlyArray<ReviewQueue.ReviewItem>,
  counts: Readonly<Record<ReviewQueue.ReviewStatus, number>> | undefined,
  flash: string | undefined,
  nextCursor: string | undefined,
  session: Session
) =>
  page(
    "Reviews",
    html`<h1>Reviews waiting for a decision</h1>
${flash === undefined ? undefined : html`<p class="flash" role="status">${flash}</p>`}
${
      counts === undefined
        ? undefined
        : html`<p class="counts">Pending: ${counts.pending} · Deferred: ${counts.deferred} · Approved: ${counts.approved} · Rejected: ${counts.rejected}</p>`
    }
${
      items.length === 0
        ? html`<p class="empty-list">Nothing to review.</p>`
        : html`<table class="items">
<thead><tr><th scope="col">Kind</th><th scope="col">Review</th><th scope="col">Status</th><th scope="col">Rule codes</th><th scope="col">Score</th><th scope="col">Grade</th><th scope="col">Created</th></tr></thead>
<tbody>
${
          items.map((item) =>
            html`<tr class="item" data-kind="${item.kind}"><td>${item.kind}</td><td><a class="open" href="${
              itemPath(item.id)
            }"><code>${item.id}</code></a></td><td>${item.status}</td><td>${
              item.codes.map((code, i) => html`${i > 0 ? ", " : ""}<code title="${explain(code)}">${code}</code>`)
            }</td><td>${item.score}</td><td>${item.grade}</td><td>${item.createdAt}</td></tr>\n`
          )
        }</tbody>
</table>`
    }
${
      nextCursor === undefined
        ? undefined
        : html`<p><a class="next" href="${`${base}?after=${encodeURIComponent(nextCursor)}`}">Next page</a></p>`
    }`,
    session
  )

// ---------------------------------------------------------------------------------------------
// Requests.

const pathOf = (url: string) => {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

const queryOf = (url: string) => {
  const start = url.indexOf("?")
  return new URLSearchParams(start === -1 ? "" : url.slice(start + 1))
}

const maxBody = 64 * 1024

const readForm = (request: HttpServerRequest.HttpServerRequest) =>
  HttpIncomingMessage.withMaxBodySize(request.urlParamsBody, Option.some(maxBody)).pipe(
    Effect.option
  )

const field = (form: UrlParams.UrlParams, name: string): string | undefined =>
  Option.getOrUndefined(UrlParams.getFirst(form, name))

// A POST from another site is refused: a cross-site fetch (`Sec-Fetch-Site`), or an `Origin` that
// is not this one. Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` even for
// its own forms: accepted only when `Sec-Fetch-Site` vouches that the request is same-origin.
const sameOrigin = (request: HttpServerRequest.HttpServerRequest, allowed: ReadonlyArray<string> | undefined) => {
  const site = request.headers["sec-fetch-site"]
  if (site !== undefined && site !== "same-origin" && site !== "none") return false
  const origin = request.headers["origin"]
  if (origin === undefined) return true
  if (origin === "null") return site === "same-origin"
  if (allowed !== undefined) return allowed.includes(origin)
  const host = request.headers["host"]
  if (host === undefined) return false
  try {
    const url = new URL(origin)
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === host
  } catch {
    return false
  }
}

const hasControl = (text: string) => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

const validReviewerId = (id: string) => id.length > 0 && id.length <= 200 && !hasControl(id)

const failureName = (error: unknown): string =>
  typeof error === "object" && error !== null
    ? "_tag" in error && typeof error._tag === "string" ? error._tag : error.constructor?.name ?? "object"
    : typeof error

/** @internal */
export const make = (
  options: ReviewPage.Options
): Effect.Effect<HttpApp.Default, never, ReviewQueue.ReviewQueue> =>
  Effect.gen(function*() {
    const queue = yield* ReviewQueue.ReviewQueue
    const ttl = Duration.decode(options.sessionTtl ?? "30 minutes")
    const maxSessions = Math.max(1, Math.floor(options.maxSessions ?? 1000))
    const pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 50)))
    const secure = options.secureCookie ?? false
    const cookieName = options.cookieName ?? "hero_review_session"
    const sessions = makeSessions(ttl, maxSessions)

    const sessionCookie = (response: HttpServerResponse.HttpServerResponse, id: string) =>
      HttpServerResponse.unsafeSetCookie(response, cookieName, id, {
        httpOnly: true,
        sameSite: "strict",
        path: base,
        secure,
        maxAge: ttl
      })
    const clearCookie = (response: HttpServerResponse.HttpServerResponse) =>
      HttpServerResponse.unsafeSetCookie(response, cookieName, "", {
        httpOnly: true,
        sameSite: "strict",
        path: base,
        secure,
        maxAge: Duration.zero
      })

    const csrfOk = (session: Session, given: string | undefined) =>
      given !== undefined && given.length <= 256 && Secret.matches(session.csrfDigest, given)

    const forbidden = (session?: Session) =>
      message(
        403,
        "Not allowed",
        "The form did not come from this review page, or it has expired. Open the page again and retry.",
        session
      )
    const unavailable = (operation: string, session?: Session) =>
      Effect.as(
        Effect.logWarning("review page: the review queue failed").pipe(Effect.annotateLogs({ operation })),
        message(503, "Unavailable", "The review queue is not available just now. Try again shortly.", session)
      )
    const notFound = (session?: Session) => message(404, "Not found", "There is no such review.", session)

    // Sign-in.
    const loginGet = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const session = yield* sessions.find(request.cookies[cookieName])
      return session === undefined ? respond(200, loginForm(false)) : redirect(base)
    })

    const loginPost = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!sameOrigin(request, options.allowedOrigins)) return forbidden()
      const form = yield* readForm(request)
      if (Option.isNone(form)) return message(400, "Bad request", "The sign-in form could not be read.")
      const reviewerId = (field(form.value, "reviewer") ?? "").trim()
      const token = field(form.value, "token") ?? ""
      const ok = validReviewerId(reviewerId) && token.length > 0 && token.length <= 4096 &&
        (yield* options.authenticate(reviewerId, Redacted.make(token)).pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause)
              ? Effect.failCause(cause)
              : Effect.as(Effect.logWarning("review page: the sign-in check failed"), false)
          )
        ))
      if (!ok) return respond(401, loginForm(true))
      // A new session at every sign-in (never one the browser brought along).
      const previous = yield* sessions.find(request.cookies[cookieName])
      if (previous !== undefined) yield* sessions.remove(previous)
      const { id } = yield* sessions.create(reviewerId)
      return sessionCookie(redirect(base), id)
    })

    const publicRoutes = HttpRouter.empty.pipe(
      HttpRouter.get(loginPath, loginGet),
      HttpRouter.post(loginPath, loginPost)
    )

    // Signed in.
    const list = Effect.gen(function*() {
      const session = yield* CurrentSession
      const request = yield* HttpServerRequest.HttpServerRequest
      const after = queryOf(request.url).get("after") ?? undefined
      const flash = session.flash
      session.flash = undefined
      return yield* Effect.all([
        queue.list({ status: ["pending", "deferred"], limit: pageSize, cursor: after }),
        Effect.option(queue.counts)
      ]).pipe(
        Effect.map(([listed, counts]) =>
          respond(200, listPage(listed.items, Option.getOrUndefined(counts), flash, listed.nextCursor, session))
        ),
        Effect.catchTags({
          ReviewInvalid: () =>
            Effect.succeed(message(400, "Bad request", "That page of the list does not exist.", session)),
          ReviewStorageError: () => unavailable("list", session)
        })
      )
    })

    const item = Effect.gen(function*() {
      const session = yield* CurrentSession
      const id = (yield* HttpRouter.params).id ?? ""
      return yield* Effect.all([queue.get(id), queue.evidence(id)]).pipe(
        Effect.map(([item, evidence]) => respond(200, itemPage(item, evidence, session))),
        Effect.catchTags({
          ReviewNotFound: () => Effect.succeed(notFound(session)),
          ReviewStorageError: () => unavailable("item", session)
        })
      )
    })

    const decide = Effect.gen(function*() {
      const session = yield* CurrentSession
      const request = yield* HttpServerRequest.HttpServerRequest
      const id = (yield* HttpRouter.params).id ?? ""
      if (!sameOrigin(request, options.allowedOrigins)) return forbidden(session)
      const form = yield* readForm(request)
      if (Option.isNone(form)) return message(400, "Bad request", "The form could not be read.", session)
      if (!csrfOk(session, field(form.value, "csrf"))) return forbidden(session)
      const choice = field(form.value, "decision")
      const reason = field(form.value, "reason")
      const noteText = field(form.value, "note") ?? ""
      const note = noteText.trim().length === 0 ? {} : { note: noteText }
      let decision: ReviewQueue.Decision
      if (choice === "approve") decision = { _tag: "Approve", ...note }
      else if (choice === "defer") decision = { _tag: "Defer", ...note }
      else if (choice === "reject") {
        const known = rejectReasons.find(([value]) => value === reason)
        if (known === undefined) {
          return message(400, "Choose a reason", "A rejection needs a reason: go back and choose one.", session)
        }
        decision = { _tag: "Reject", reason: known[0], ...note }
      } else return message(400, "Bad request", "Choose approve, reject or defer.", session)
      return yield* queue.decide(id, decision, session.reviewerId).pipe(
        Effect.map((decided) => {
          session.flash = decided.status === "approved"
            ? `Approved review ${decided.id}.`
            : decided.status === "rejected"
            ? `Rejected review ${decided.id} (${decided.decision?.reason ?? "no reason"}).`
            : `Deferred review ${decided.id}.`
          return redirect(base)
        }),
        Effect.catchTags({
          ReviewNotFound: () => Effect.succeed(notFound(session)),
          ReviewClosed: (closed) =>
            Effect.succeed(message(
              409,
              "Already decided",
              `This review is already ${closed.status}: your decision was not recorded.`,
              session
            )),
          ReviewInvalid: (invalid) =>
            Effect.succeed(message(400, "Not recorded", `The decision was not recorded: ${invalid.reason}.`, session)),
          ReviewStorageError: () => unavailable("decide", session)
        })
      )
    })

    const logout = Effect.gen(function*() {
      const session = yield* CurrentSession
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!sameOrigin(request, options.allowedOrigins)) return forbidden(session)
      const form = yield* readForm(request)
      if (Option.isNone(form) || !csrfOk(session, field(form.value, "csrf"))) return forbidden(session)
      yield* sessions.remove(session)
      return clearCookie(redirect(loginPath))
    })

    const privateRoutes = HttpRouter.empty.pipe(
      HttpRouter.get(base, list),
      HttpRouter.get(`${base}/items/:id`, item),
      HttpRouter.post(`${base}/items/:id/decision`, decide),
      HttpRouter.post(logoutPath, logout)
    )

    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = pathOf(request.url)
      if (path === loginPath) {
        return yield* publicRoutes.pipe(
          Effect.catchTag("RouteNotFound", () => Effect.succeed(message(405, "Not allowed", "Use the sign-in form.")))
        )
      }
      const cookie = request.cookies[cookieName]
      const session = yield* sessions.find(cookie)
      if (session === undefined) {
        // Nothing but the way to sign in.
        const to = redirect(loginPath)
        return cookie === undefined ? to : clearCookie(to)
      }
      return yield* privateRoutes.pipe(
        Effect.provideService(CurrentSession, session),
        Effect.catchTag("RouteNotFound", () => Effect.succeed(notFound(session)))
      )
    }).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.failCause(cause)
          : Effect.as(
            // The kind of failure only: a message could carry values.
            Effect.logError("review page: request failed").pipe(
              Effect.annotateLogs({ error: failureName(Cause.squash(cause)) })
            ),
            message(500, "Something went wrong", "The request failed. Nothing about it was recorded here.")
          )
      ),
      Effect.map(HttpServerResponse.setHeaders(securityHeaders))
    )
    return app
  })

/** @internal */
export const layer = (
  options: ReviewPage.Options
): Layer.Layer<never, never, ReviewQueue.ReviewQueue | HttpServer.HttpServer> =>
  Layer.unwrapEffect(
    Effect.map(make(options), (app) =>
      HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.mountApp(base, app, { includePrefix: true }))))
  )
