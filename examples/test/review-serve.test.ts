// `pnpm review serve`: the review page over the queue in a SQLite file, as its own process. The
// tokens come from HERO_REVIEW_TOKENS (without them: a usage error before anything is opened);
// the page answers on the address it prints, shows nothing before sign-in, signs a reviewer in
// and lists the pending item — by its opaque id, without the records' values.
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { Sandbox } from "@hero-effect/sandbox"
import { MergeDiff, ReviewQueue, Scoring } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { startKillable } from "./support/killable.js"

const token = "token-of-dr-a-0123456789"

// One pending merge of two records of a small world, in a queue file.
const queueFile = (file: string) =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const sandbox = yield* Sandbox.Sandbox
    const [main, incoming] = yield* Effect.forEach(
      sandbox.world.patients.slice(0, 2).map((p) => p.id),
      (id) => client.getPatientById(id)
    )
    const queue = yield* ReviewQueue.ReviewQueue
    const item = yield* queue.propose({
      runId: "run-1",
      patientId: incoming!.id,
      reason: "guard asks for review",
      request: {
        kind: "merge",
        runId: "run-1",
        mainPatientId: main!.id,
        incomingPatientId: incoming!.id,
        diff: MergeDiff.diff({ main: main!, incoming: incoming!, result: main! }),
        score: Scoring.scorePatients(main!, incoming!),
        guard: {
          verdict: "review",
          findings: [{ code: "SEX_MISMATCH", severity: "review", reason: "the records disagree on sex" }]
        },
        records: { main: main!, incoming: incoming!, result: main! }
      }
    })
    return { item, names: [main!.firstName, main!.lastName, incoming!.lastName] }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        Sandbox.layerClient({ seed: 5, patients: 4 }),
        ReviewQueue.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: file })))
      )
    )
  )

describe("pnpm review serve", () => {
  it.scopedLive(
    "serves the page on the queue file: nothing before sign-in, then the pending item",
    () =>
      Effect.gen(function*() {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "hero-review-serve-"))),
          (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
        )
        const file = path.join(dir, "review.db")
        const { item, names } = yield* queueFile(file)

        // No tokens: a usage error (exit 2), nothing served.
        const refused = startKillable({ script: "review.ts", args: ["serve", "--db", file, "--port", "0"], env: {} })
        const refusedExit = yield* Effect.promise(() => refused.exited)
        expect(refusedExit.code, refused.output()).toBe(2)
        expect(refused.output()).toContain("HERO_REVIEW_TOKENS")

        const server = yield* Effect.acquireRelease(
          Effect.sync(() =>
            startKillable({
              script: "review.ts",
              args: ["serve", "--db", file, "--port", "0"],
              env: { HERO_REVIEW_TOKENS: `dr-a=${token}` }
            })
          ),
          (child) => Effect.sync(() => child.kill())
        )
        // The address it prints once it listens (a hang detector, not a timing assertion).
        let url: string | undefined
        for (let i = 0; i < 1200 && url === undefined; i++) {
          url = /the review page is at (http:\/\/\S+)/.exec(server.output())?.[1]
          if (url === undefined) yield* Effect.sleep("100 millis")
        }
        expect(url, server.output()).toBeDefined()

        const before = yield* Effect.promise(() => fetch(url!, { redirect: "manual" }))
        expect(before.status).toBe(303)
        expect(before.headers.get("location")).toContain("/review/login")
        expect(before.headers.get("cache-control")).toBe("no-store")
        expect(yield* Effect.promise(() => before.text())).not.toContain(item.id)

        const origin = new URL(url!).origin
        const signIn = (secret: string) =>
          Effect.promise(() =>
            fetch(`${origin}/review/login`, {
              method: "POST",
              redirect: "manual",
              headers: { "content-type": "application/x-www-form-urlencoded", origin, "sec-fetch-site": "same-origin" },
              body: new URLSearchParams({ reviewer: "dr-a", token: secret }).toString()
            })
          )
        expect((yield* signIn("not-the-token-at-all")).status).toBe(401)
        const signedIn = yield* signIn(token)
        expect(signedIn.status, yield* Effect.promise(() => signedIn.text())).toBe(303)
        const cookie = signedIn.headers.get("set-cookie")?.split(";")[0]
        expect(cookie).toBeDefined()

        const list = yield* Effect.promise(() => fetch(url!, { headers: { cookie: cookie! } }))
        expect(list.status).toBe(200)
        const html = yield* Effect.promise(() => list.text())
        expect(html).toContain(item.id)
        for (const name of names) if (name !== undefined && name.length > 2) expect(html).not.toContain(name)
        expect(server.output()).not.toContain(token)
      }),
    300_000
  )
})
