/**
 * D11: every write body is exact (a field that does not belong is a 400 `unexpected`) and its
 * strings and field names are capped (`maxFieldLength`, default 1024: a 400 `refinement`), on
 * every face: the core, the in-memory `HttpClient` (what `Sandbox.layerClient` uses) and the
 * HTTP server. A body over `maxBodyBytes` is a 413 on both faces.
 */
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { Sandbox as S } from "@hero-effect/sandbox"
import { Sandbox, SandboxHttpClient, SandboxServer } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import { example, headers, json } from "./support/helpers.js"

interface Write {
  readonly name: string
  readonly path: string
  readonly body: Record<string, string>
  /** A string field the schema knows. */
  readonly field: string
}

const writes: ReadonlyArray<Write> = [
  {
    name: "connect",
    path: "/v1/patients/100001/ehr/connect",
    body: { ehr_partner_id: "5000001" },
    field: "ehr_partner_id"
  },
  { name: "preview", path: "/v1/patients/100001/merge/preview", body: { patient_id: "100002" }, field: "patient_id" },
  {
    name: "merge",
    path: "/v1/patients/100001/merge",
    body: { patient_id: "100002", merge_token: "never-issued" },
    field: "merge_token"
  },
  {
    name: "register",
    path: "/v1/patients/register",
    body: { dob: "1990-01-01", first_name: "Ann", last_name: "Example", mobile: "07700900123" },
    field: "first_name"
  },
  {
    name: "register_pds",
    path: "/v1/patients/register_pds",
    body: { nhs_number: "9990010005", dob: "1980-01-15" },
    field: "nhs_number"
  }
]

const long = "x".repeat(2000)
const hugeName = "k".repeat(2000)

/** The bodies every write must refuse with a 400, and the issue each must report. */
const refused = (w: Write) => [
  {
    label: "an unknown field",
    text: JSON.stringify({ ...w.body, junk: "x" }),
    issue: { code: "unexpected", path: ["junk"] }
  },
  {
    label: "a known field of 2000 characters",
    text: JSON.stringify({ ...w.body, [w.field]: long }),
    issue: { code: "refinement", expected: "A text must be at most 1024 characters", path: [w.field] }
  },
  {
    label: "a 2000-character unknown field",
    text: JSON.stringify({ ...w.body, junk: long }),
    issue: { code: "refinement", path: ["junk"] }
  },
  {
    label: "a 2000-character field name",
    text: JSON.stringify({ ...w.body, [hugeName]: "x" }),
    issue: { code: "refinement", expected: "A field name must be at most 1024 characters", path: [] }
  }
]

type Send = (path: string, text: string) => Effect.Effect<{ readonly status: number; readonly body: any }>

const checkAll = (sb: S.SandboxService, send: Send) =>
  Effect.gen(function*() {
    for (const w of writes) {
      for (const c of refused(w)) {
        const res = yield* send(w.path, c.text)
        expect({ write: w.name, body: c.label, status: res.status }).toEqual({
          write: w.name,
          body: c.label,
          status: 400
        })
        expect(res.body).toMatchObject({ error: true, statusCode: 400 })
        expect(res.body.message).toContainEqual(expect.objectContaining(c.issue))
        // The value sent is never echoed.
        expect(JSON.stringify(res.body)).not.toContain(long)
      }
    }
    expect((yield* sb.counters).writes).toBe(0)
  })

const viaHttpClient = (client: HttpClient.HttpClient): Send => (path, text) =>
  client.execute(
    HttpClientRequest.post(path).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyText(text, "application/json")
    )
  ).pipe(
    Effect.flatMap((res) =>
      Effect.map(res.text, (t) => ({ status: res.status, body: t === "" ? undefined : JSON.parse(t) }))
    ),
    Effect.orDie
  )

describe("D11: write bodies are exact and bounded", () => {
  it.effect("core: every write refuses unknown fields, long strings and long field names (400, documented shape)", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* checkAll(sb, (path, text) => json(sb, "POST", path, text))
    }))

  it.effect("in-memory face (Sandbox.layerClient's HttpClient): the same rules", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* checkAll(sb, viaHttpClient(SandboxHttpClient.make(sb)))
    }))

  it.live("HTTP face: the same rules", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* Effect.gen(function*() {
        const server = yield* SandboxServer.SandboxServer
        yield* checkAll(sb, (path, text) =>
          Effect.promise(async () => {
            const res = await fetch(`${server.url}${path}`, {
              method: "POST",
              headers: { ...headers, "content-type": "application/json" },
              body: text
            })
            const t = await res.text()
            return { status: res.status, body: t === "" ? undefined : JSON.parse(t) }
          }))
      }).pipe(
        Effect.provide(SandboxServer.layer().pipe(Layer.provide(Layer.succeed(Sandbox.Sandbox, sb)))),
        Effect.scoped
      )
    }))

  it.effect(
    "a 50 MB junk field: 413 through the in-memory face (never parsed); 400 where the body cap allows it",
    () =>
      Effect.gen(function*() {
        const junk = "j".repeat(50 * 1024 * 1024)
        const sb = yield* example()
        const client = viaHttpClient(SandboxHttpClient.make(sb))
        for (const w of writes) {
          const text = `${JSON.stringify(w.body).slice(0, -1)},"junk":"${junk}"}`
          const res = yield* client(w.path, text)
          expect({ write: w.name, status: res.status, body: res.body }).toEqual({
            write: w.name,
            status: 413,
            body: {
              error: true,
              statusCode: 413,
              code: "payload_too_large",
              message: "A request body must be at most 1048576 bytes"
            }
          })
        }
        // With the body cap raised, the field cap still refuses it.
        const roomy = yield* example({ maxBodyBytes: 64 * 1024 * 1024 })
        const roomyClient = viaHttpClient(SandboxHttpClient.make(roomy))
        for (const w of writes) {
          const res = yield* roomyClient(w.path, `${JSON.stringify(w.body).slice(0, -1)},"junk":"${junk}"}`)
          expect({ write: w.name, status: res.status }).toEqual({ write: w.name, status: 400 })
          expect(res.body.message).toEqual([{
            code: "refinement",
            expected: "A text must be at most 1024 characters",
            path: ["junk"]
          }])
          expect(JSON.stringify(res.body).length).toBeLessThan(1000)
        }
        expect((yield* sb.counters).writes).toBe(0)
        expect((yield* roomy.counters).writes).toBe(0)
      }),
    900_000
  )

  it.effect("limits are configurable; valid bodies still pass; junk is reported at most 100 times, deep nesting is refused", () =>
    Effect.gen(function*() {
      const sb = yield* example({ maxFieldLength: 16 })
      const short = yield* json(sb, "POST", "/v1/patients/100001/merge", {
        patient_id: "100002",
        merge_token: "t".repeat(17)
      })
      expect(short.status).toBe(400)
      expect(short.body.message).toEqual([{
        code: "refinement",
        expected: "A text must be at most 16 characters",
        path: ["merge_token"]
      }])
      const normal = yield* example()
      for (const w of writes) {
        const res = yield* json(normal, "POST", w.path, w.body)
        expect({ write: w.name, status: res.status }).not.toEqual({ write: w.name, status: 400 })
      }
      const many: Record<string, number> = { ehr_partner_id: 1 }
      for (let i = 0; i < 5000; i++) many[`junk${i}`] = i
      const flood = yield* json(normal, "POST", "/v1/patients/100002/ehr/connect", many)
      expect(flood.status).toBe(400)
      expect(flood.body.message).toHaveLength(100)
      const deep = yield* json(
        normal,
        "POST",
        "/v1/patients/100002/ehr/connect",
        `{"ehr_partner_id":${"[".repeat(200_000)}${"]".repeat(200_000)}}`
      )
      expect(deep.status).toBe(400)
      expect(deep.body.message).toEqual([
        expect.objectContaining({ code: "refinement", path: ["ehr_partner_id", 0, 0, 0, 0, 0, 0, 0] })
      ])
    }))
})
