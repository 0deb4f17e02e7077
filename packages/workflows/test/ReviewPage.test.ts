// The review page: in process (escaping of hostile record values, sign-in, sessions on the
// TestClock, CSRF and origin checks, closed and unknown items, the headers of every response),
// and in headless Chromium over a real loopback server (a world where merges wait for a person:
// sign in, open, approve one, reject another; the next run applies the approval exactly once).
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import { Guard, ReviewQueue } from "@hero-effect/workflows"
import * as ReviewPage from "@hero-effect/workflows/ReviewPage"
import { Effect, Layer, Redacted, TestClock } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { Page, Response } from "playwright-core"
import { chromium } from "playwright-core"
import { idsOf } from "./support/durable.js"
import { client, csrfOf, mergeRequest, origin } from "./support/page.js"
import { hero } from "./support/patients.js"
import { journalRun, queueApproverWorld } from "./support/review.js"

const token = "a-long-random-reviewer-token"
const options = (extra: Partial<ReviewPage.Options> = {}): ReviewPage.Options => ({
  authenticate: ReviewPage.bearerTokens({
    "dr-a": Redacted.make(token),
    "<b>dr-x</b>": Redacted.make("hostile-reviewer-token")
  }),
  ...extra
})

const hostileName = "<script>alert(1)</script>"
const hostileSurname = "\"><img src=x onerror=alert(2)>"

// A queue with one merge about a record with hostile values.
const proposeHostile = Effect.gen(function*() {
  const queue = yield* ReviewQueue.ReviewQueue
  const main = hero({ first_name: hostileName, last_name: hostileSurname, town: "O'Brien & <Sons>" })
  const incoming = hero({ id: "1002", first_name: "Martha", sex: "Male" })
  return yield* queue.propose({
    runId: "run-1",
    patientId: incoming.id,
    request: mergeRequest(main, incoming),
    reason: "guard asks for review"
  })
})

const expectSecurityHeaders = (headers: Headers) => {
  expect(headers.get("cache-control")).toBe("no-store")
  expect(headers.get("content-security-policy")).toContain("default-src 'none'")
  expect(headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
  expect(headers.get("content-security-policy")).toContain("form-action 'self'")
  expect(headers.get("content-security-policy")).not.toContain("script-src")
  expect(headers.get("x-content-type-options")).toBe("nosniff")
  expect(headers.get("referrer-policy")).toBe("no-referrer")
}

describe("ReviewPage (in process)", () => {
  it("escapeHtml escapes every character that could end a text or an attribute", () => {
    expect(ReviewPage.escapeHtml(`<a href="x" onclick='y'>&\`=`)).toBe(
      "&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;&amp;&#96;&#61;"
    )
  })

  it.effect("hostile record values and reviewer ids render escaped; the list shows no values", () =>
    Effect.gen(function*() {
      const item = yield* proposeHostile
      const browser = client(yield* ReviewPage.make(options()))
      const signedIn = yield* browser.signIn("<b>dr-x</b>", "hostile-reviewer-token")
      expect(signedIn.status).toBe(303)
      const page = yield* browser.get(`/review/items/${item.id}`)
      expect(page.status).toBe(200)
      expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
      expect(page.text).toContain("&quot;&gt;&lt;img src&#61;x onerror&#61;alert(2)&gt;")
      expect(page.text).toContain("O&#39;Brien &amp; &lt;Sons&gt;")
      expect(page.text).toContain("&lt;b&gt;dr-x&lt;/b&gt;")
      expect(page.text).not.toContain("<script")
      expect(page.text).not.toContain("<img")
      expect(page.text).not.toContain("<b>dr-x")
      // The differing rows are marked; an equal one is not.
      expect(page.text).toMatch(/<tr class="differs" data-field="firstName">/)
      expect(page.text).toMatch(/<tr class="differs" data-field="sex">/)
      expect(page.text).toMatch(/<tr class="same" data-field="postcode">/)
      expect(page.text).toContain(ReviewPage.escapeHtml(ReviewPage.explain("SEX_MISMATCH")))
      const list = yield* browser.get("/review")
      expect(list.status).toBe(200)
      expect(list.text).toContain(item.id)
      for (const value of ["alert", "Martha", "Pemberton", "Brien", "LS6 2AB", "1984-03-07"]) {
        expect(list.text).not.toContain(value)
      }
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it.effect("without a session everything but the sign-in is a redirect to it and shows nothing", () =>
    Effect.gen(function*() {
      const item = yield* proposeHostile
      const browser = client(yield* ReviewPage.make(options()))
      for (
        const reply of [
          yield* browser.get("/review"),
          yield* browser.get(`/review/items/${item.id}`),
          yield* browser.get("/review/nowhere"),
          yield* browser.post(`/review/items/${item.id}/decision`, { form: { decision: "approve" } }),
          yield* browser.post("/review/logout")
        ]
      ) {
        expect(reply.status).toBe(303)
        expect(reply.location).toBe("/review/login")
        expect(reply.text).not.toContain(item.id)
        expectSecurityHeaders(reply.headers)
      }
      // A made-up session cookie is no session (and is cleared).
      browser.jar.set("hero_review_session", "forged")
      const forged = yield* browser.get("/review")
      expect(forged.status).toBe(303)
      expect(forged.setCookies.join()).toMatch(/hero_review_session=;.*Max-Age=0/)
      const login = yield* browser.get("/review/login")
      expect(login.status).toBe(200)
      expectSecurityHeaders(login.headers)
      expect(login.text).toContain("name=\"reviewer\"")
      expect(login.text).not.toContain(item.id)
      expect((yield* ReviewQueue.ReviewQueue.pipe(Effect.flatMap((q) => q.get(item.id)))).status).toBe("pending")
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it.effect("wrong credentials are a 401 that does not say which part was wrong", () =>
    Effect.gen(function*() {
      const browser = client(yield* ReviewPage.make(options()))
      const wrongToken = yield* browser.signIn("dr-a", "not-the-token")
      const unknownReviewer = yield* browser.signIn("dr-nobody", token)
      const empty = yield* browser.signIn("", "")
      for (const reply of [wrongToken, unknownReviewer, empty]) {
        expect(reply.status).toBe(401)
        expect(reply.setCookies).toStrictEqual([])
        expectSecurityHeaders(reply.headers)
      }
      expect(wrongToken.text).toBe(unknownReviewer.text)
      const right = yield* browser.signIn("dr-a", token)
      expect(right.status).toBe(303)
      expect(right.location).toBe("/review")
      const cookie = right.setCookies.find((c) => c.startsWith("hero_review_session="))!
      expect(cookie).toMatch(/HttpOnly/)
      expect(cookie).toMatch(/SameSite=Strict/)
      expect(cookie).toMatch(/Path=\/review/)
      expect(cookie).not.toMatch(/Secure/)
      // 32 random bytes, base64url.
      expect(cookie).toMatch(/^hero_review_session=[A-Za-z0-9_-]{43};/)
      const secure = client(yield* ReviewPage.make(options({ secureCookie: true })))
      expect((yield* secure.signIn("dr-a", token)).setCookies.join()).toMatch(/; Secure/)
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it.effect("bearerTokens compares digests: the right token only, never an unknown or inherited id", () =>
    Effect.gen(function*() {
      const check = ReviewPage.bearerTokens({ "dr-a": Redacted.make(token), "dr-empty": Redacted.make("") })
      expect(yield* check("dr-a", Redacted.make(token))).toBe(true)
      expect(yield* check("dr-a", Redacted.make(`${token}x`))).toBe(false)
      expect(yield* check("dr-a", Redacted.make(""))).toBe(false)
      expect(yield* check("dr-b", Redacted.make(token))).toBe(false)
      expect(yield* check("dr-empty", Redacted.make(""))).toBe(false)
      expect(yield* check("__proto__", Redacted.make(""))).toBe(false)
      expect(yield* check("constructor", Redacted.make("[object Object]"))).toBe(false)
    }))

  it.effect("sessions expire by the Clock and are bounded (the oldest goes)", () =>
    Effect.gen(function*() {
      const app = yield* ReviewPage.make(options({ sessionTtl: "30 minutes", maxSessions: 2 }))
      const first = client(app)
      yield* first.signIn("dr-a", token)
      yield* TestClock.adjust("29 minutes")
      expect((yield* first.get("/review")).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      expect((yield* first.get("/review")).status).toBe(303)
      const [a, b, c] = [client(app), client(app), client(app)]
      yield* a.signIn("dr-a", token)
      yield* b.signIn("dr-a", token)
      yield* c.signIn("dr-a", token)
      expect((yield* a.get("/review")).status).toBe(303)
      expect((yield* b.get("/review")).status).toBe(200)
      expect((yield* c.get("/review")).status).toBe(200)
      // Signing out ends the session.
      const list = yield* c.get("/review")
      const out = yield* c.post("/review/logout", { form: { csrf: csrfOf(list.text) } })
      expect(out.status).toBe(303)
      expect(out.location).toBe("/review/login")
      expect((yield* c.get("/review")).status).toBe(303)
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it.effect("a decision needs the session's CSRF token and this origin; closed items are a 409, unknown a 404", () =>
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      const item = yield* proposeHostile
      const browser = client(yield* ReviewPage.make(options()))
      yield* browser.signIn("dr-a", token)
      const page = yield* browser.get(`/review/items/${item.id}`)
      const csrf = csrfOf(page.text)
      const path = `/review/items/${item.id}/decision`
      const refused = [
        yield* browser.post(path, { form: { decision: "approve" } }),
        yield* browser.post(path, { form: { decision: "approve", csrf: "wrong" } }),
        yield* browser.post(path, { form: { decision: "approve", csrf: `${csrf}x` } }),
        yield* browser.post(path, { form: { decision: "approve", csrf }, headers: { origin: "http://evil.example" } }),
        yield* browser.post(path, { form: { decision: "approve", csrf }, headers: { origin: "null" } }),
        yield* browser.post(path, { form: { decision: "approve", csrf }, headers: { "sec-fetch-site": "cross-site" } })
      ]
      for (const reply of refused) {
        expect(reply.status).toBe(403)
        expectSecurityHeaders(reply.headers)
      }
      // Another session's token is not this one's.
      const other = client(yield* ReviewPage.make(options()))
      yield* other.signIn("dr-a", token)
      const otherCsrf = csrfOf((yield* other.get(`/review/items/${item.id}`)).text)
      expect((yield* browser.post(path, { form: { decision: "approve", csrf: otherCsrf } })).status).toBe(403)
      expect((yield* queue.get(item.id)).status).toBe("pending")
      // A rejection needs a reason.
      expect((yield* browser.post(path, { form: { decision: "reject", csrf } })).status).toBe(400)
      expect((yield* queue.get(item.id)).status).toBe("pending")
      // The page's own form: from this origin, or `Origin: null` (what a browser sends under
      // `Referrer-Policy: no-referrer`) when `Sec-Fetch-Site` says same-origin.
      const deferred = yield* browser.post(path, {
        form: { decision: "defer", csrf },
        headers: { origin: "null", "sec-fetch-site": "same-origin" }
      })
      expect(deferred.status).toBe(303)
      expect((yield* queue.get(item.id)).status).toBe("deferred")
      const decided = yield* browser.post(path, {
        form: { decision: "reject", reason: "related-people", note: "mother and son", csrf },
        headers: { origin }
      })
      expect(decided.status).toBe(303)
      expect(decided.location).toBe("/review")
      expectSecurityHeaders(decided.headers)
      const after = yield* queue.get(item.id)
      expect(after.status).toBe("rejected")
      expect(after.decision).toMatchObject({ by: "dr-a", reason: "related-people", note: "mother and son" })
      const list = yield* browser.get("/review")
      // The flash of the latest decision only.
      expect(list.text).toContain(`Rejected review ${item.id} (related-people).`)
      expect(list.text).toContain("Nothing to review.")
      // Shown once.
      expect((yield* browser.get("/review")).text).not.toContain("Rejected review")
      const again = yield* browser.post(path, { form: { decision: "approve", csrf } })
      expect(again.status).toBe(409)
      expect(again.text).toContain("already rejected")
      expect((yield* queue.get(item.id)).status).toBe("rejected")
      // A closed item shows no form.
      const closed = yield* browser.get(`/review/items/${item.id}`)
      expect(closed.text).not.toContain("name=\"decision\"")
      const unknown = [
        yield* browser.get("/review/items/rv_00000000000000000000000000000000"),
        yield* browser.post("/review/items/rv_00000000000000000000000000000000/decision", {
          form: { decision: "approve", csrf }
        }),
        yield* browser.get("/review/elsewhere")
      ]
      for (const reply of unknown) {
        expect(reply.status).toBe(404)
        expectSecurityHeaders(reply.headers)
      }
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it.effect("the list pages with an opaque cursor", () =>
    Effect.gen(function*() {
      const queue = yield* ReviewQueue.ReviewQueue
      const first = yield* proposeHostile
      yield* TestClock.adjust("1 second")
      const second = yield* queue.propose({
        runId: "run-1",
        patientId: hero({ id: "1003" }).id,
        request: mergeRequest(hero(), hero({ id: "1003", dob: "1984-07-03" })),
        reason: "guard asks for review"
      })
      const browser = client(yield* ReviewPage.make(options({ pageSize: 1 })))
      yield* browser.signIn("dr-a", token)
      const one = yield* browser.get("/review")
      expect(one.text).toContain(first.id)
      expect(one.text).not.toContain(second.id)
      const next = /class="next" href="([^"]+)"/.exec(one.text)![1]!.replaceAll("&#61;", "=")
      const two = yield* browser.get(next)
      expect(two.status).toBe(200)
      expect(two.text).toContain(second.id)
      expect(two.text).not.toContain(first.id)
      expect((yield* browser.get("/review?after=not-a-cursor")).status).toBe(400)
    }).pipe(Effect.provide(ReviewQueue.layerMemory)))

  it("every rule code of the guard and the pipeline is explained in words", () => {
    const codes = [
      ...Guard.defaultRules.map((r) => r.code),
      ...Guard.defaultLinkRules.map((r) => r.code),
      "SCORE_NOT_MATCH",
      "DEFERRED_BY_APPROVER",
      "POPULATION_INCOMPLETE"
    ]
    for (const code of codes) {
      expect(ReviewPage.explainedCodes).toContain(code)
      expect(ReviewPage.explain(code).length).toBeGreaterThan(10)
    }
    expect(ReviewPage.explain("SOMETHING_NEW")).toBe("No explanation is recorded for this code.")
    expect(ReviewPage.explain("__proto__")).toBe("No explanation is recorded for this code.")
  })
})

// ---------------------------------------------------------------------------------------------
// In a real browser.

const chromiumPath = "/usr/bin/chromium"
// Skipped only on a developer machine without Chromium; in CI a missing browser fails.
const browserAvailable = Fs.existsSync(chromiumPath) || process.env.CI !== undefined

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

const world = ReviewPage.layer(options()).pipe(
  Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
  Layer.provideMerge(queueApproverWorld())
)

// Clicks and waits for the response of the document it posts or opens.
const submit = (page: Page, selector: string, path: string) =>
  promise(async () => {
    const [response] = await Promise.all([
      page.waitForResponse((r: Response) => new URL(r.url()).pathname === path && r.request().isNavigationRequest()),
      page.click(selector)
    ])
    await page.waitForLoadState("load")
    return response
  })

describe("ReviewPage (headless Chromium)", () => {
  it.live.skipIf(!browserAvailable)(
    "a reviewer signs in, approves one merge and rejects another; the next run merges the approved once",
    () =>
      Effect.gen(function*() {
        const queue = yield* ReviewQueue.ReviewQueue
        const sandbox = yield* Sandbox.Sandbox
        const ids = yield* idsOf
        const run = (runId: string) => journalRun(ids, runId)
        yield* run("first")
        const merges = (yield* queue.list({ kind: "merge", limit: 100 })).items
        expect(merges.length).toBeGreaterThanOrEqual(2)
        const [approved, rejected] = merges as [ReviewQueue.ReviewItem, ReviewQueue.ReviewItem]
        const evidence = yield* queue.evidence(approved.id)
        const names = evidence._tag === "MergeEvidence"
          ? [evidence.main.lastName, evidence.incoming.lastName].filter((n): n is string => (n?.length ?? 0) > 2)
          : []

        const server = yield* HttpServer.HttpServer
        const port = server.address._tag === "TcpAddress" ? server.address.port : 0
        const base = `http://127.0.0.1:${port}`

        const browser = yield* Effect.acquireRelease(
          promise(() =>
            chromium.launch({
              executablePath: chromiumPath,
              args: [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync"
              ]
            })
          ),
          (browser) => Effect.promise(() => browser.close())
        )
        const context = yield* Effect.acquireRelease(
          promise(() => browser.newContext()),
          (context) => Effect.promise(() => context.close())
        )
        const page = yield* promise(() => context.newPage())
        const seen: Array<
          { readonly url: string; readonly status: number; readonly cacheControl: string | undefined }
        > = []
        page.on("response", (r) => {
          seen.push({ url: r.url(), status: r.status(), cacheControl: r.headers()["cache-control"] })
        })
        const text = () => promise(() => page.content())

        // Unauthenticated: only the sign-in, nothing about the items.
        yield* promise(() => page.goto(`${base}/review`))
        expect(page.url()).toBe(`${base}/review/login`)
        yield* promise(() => page.goto(`${base}/review/items/${approved.id}`))
        expect(page.url()).toBe(`${base}/review/login`)
        const login = yield* text()
        for (const item of merges) expect(login).not.toContain(item.id)
        for (const name of names) expect(login).not.toContain(name)

        // A wrong token: 401, no detail, still the sign-in.
        yield* promise(() => page.fill("#reviewer", "dr-a"))
        yield* promise(() => page.fill("#token", "wrong"))
        const failed = yield* submit(page, "button[type=submit]", "/review/login")
        expect(failed.status()).toBe(401)
        expect(yield* promise(() => page.textContent(".error"))).toContain("Sign-in failed")

        // Signed in: the pending merges.
        yield* promise(() => page.fill("#reviewer", "dr-a"))
        yield* promise(() => page.fill("#token", token))
        yield* submit(page, "button[type=submit]", "/review")
        expect(page.url()).toBe(`${base}/review`)
        const list = yield* text()
        for (const item of merges) expect(list).toContain(item.id)
        for (const name of names) expect(list).not.toContain(name)
        expect(yield* promise(() => page.locator("tr.item[data-kind=merge]").count())).toBe(merges.length)

        // Open the first: the records side by side, differing rows marked, the codes in words.
        yield* submit(page, `a[href="/review/items/${approved.id}"]`, `/review/items/${approved.id}`)
        expect(page.url()).toBe(`${base}/review/items/${approved.id}`)
        expect(yield* promise(() => page.locator("table.records thead th").allTextContents())).toStrictEqual([
          "Field",
          "Main (kept)",
          "Incoming (merged in)",
          "Result"
        ])
        expect(yield* promise(() => page.locator("table.records tr.differs").count())).toBeGreaterThan(0)
        // The highlight is styled (the policy allows the page's own inline style, nothing else).
        const background = (selector: string) =>
          promise(() => page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor))
        expect(yield* background("table.records tr.differs td")).toBe("rgb(255, 243, 205)")
        expect(yield* background("table.records tr.same td")).not.toBe("rgb(255, 243, 205)")
        const explained = yield* promise(() => page.locator("dl.codes dd").allTextContents())
        expect(explained).toStrictEqual(approved.codes.map(ReviewPage.explain))
        for (const name of names.slice(0, 1)) expect(yield* text()).toContain(name)

        // Posting the form without the CSRF token, or with a wrong one, decides nothing.
        for (const form of [{ decision: "approve" }, { decision: "approve", csrf: "wrong" }]) {
          const reply = yield* promise(() =>
            context.request.post(`${base}/review/items/${rejected.id}/decision`, { form, maxRedirects: 0 })
          )
          expect(reply.status()).toBe(403)
          expect(reply.headers()["cache-control"]).toBe("no-store")
        }
        expect((yield* queue.get(rejected.id)).status).toBe("pending")

        // Approve.
        yield* submit(page, "button[value=approve]", "/review")
        expect(page.url()).toBe(`${base}/review`)
        expect(yield* promise(() => page.textContent(".flash"))).toBe(`Approved review ${approved.id}.`)
        expect((yield* queue.get(approved.id)).status).toBe("approved")

        // Reject another, with a reason and a note.
        yield* promise(() => page.goto(`${base}/review/items/${rejected.id}`))
        yield* promise(() => page.selectOption("#reason", "different-people"))
        yield* promise(() => page.fill("#note", "two people of one name"))
        yield* submit(page, "button[value=reject]", "/review")
        expect(yield* promise(() => page.textContent(".flash"))).toBe(
          `Rejected review ${rejected.id} (different-people).`
        )
        expect(yield* queue.get(rejected.id)).toMatchObject({
          status: "rejected",
          decision: { by: "dr-a", reason: "different-people", note: "two people of one name" }
        })
        // Decided items leave the list.
        const remaining = yield* promise(() => page.locator("tr.item a.open").allTextContents())
        expect(remaining).not.toContain(approved.id)
        expect(remaining).not.toContain(rejected.id)
        expect(remaining).toContain(merges[2]?.id ?? remaining[0])

        // Every response the browser saw: no-store.
        expect(seen.length).toBeGreaterThan(8)
        for (const response of seen) expect(response).toMatchObject({ cacheControl: "no-store" })
        expect(seen.some((r) => r.status === 303)).toBe(true)

        // The next run: the approved merge applied exactly once, the rejected never.
        yield* run("second")
        const counters = yield* sandbox.counters
        expect(counters.mergesApplied(approved.mainPatientId!, approved.incomingPatientId!)).toBe(1)
        expect(counters.mergesApplied(rejected.mainPatientId!, rejected.incomingPatientId!)).toBe(0)
      }).pipe(Effect.scoped, Effect.provide(world)),
    60_000
  )
})
