import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Faults, Sandbox, SandboxHttpClient } from "@hero-effect/sandbox"
import { PatientV1 } from "@hero-effect/schema/Patient"
import { Effect, Either, Fiber, Layer, TestClock } from "effect"
import { example, exampleWorld, headers } from "./support/helpers.js"

const { Fault } = Faults

const client = (sb: Sandbox.SandboxService) => SandboxHttpClient.make(sb)

const get = (sb: Sandbox.SandboxService, path: string) =>
  client(sb).execute(HttpClientRequest.get(path).pipe(HttpClientRequest.setHeaders(headers)))

const post = (sb: Sandbox.SandboxService, path: string, body: unknown) =>
  client(sb).execute(
    HttpClientRequest.post(path).pipe(HttpClientRequest.setHeaders(headers), HttpClientRequest.bodyUnsafeJson(body))
  )

const statusOf = (sb: Sandbox.SandboxService, path: string) =>
  get(sb, path).pipe(
    Effect.map((r) => r.status),
    Effect.catchTag("RequestError", (e) => Effect.succeed(e.reason))
  )

describe("no-socket HttpClient", () => {
  it.effect("answers with the core's status, headers and JSON body; relative URLs work", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const res = yield* get(sb, "/v1/patients/100001")
      expect(res.status).toBe(200)
      expect(res.headers["content-type"]).toBe("application/json")
      const patient = yield* HttpClientResponse.schemaBodyJson(PatientV1)(res)
      expect(patient.id).toBe("100001")
      const absolute = yield* client(sb).get("https://api.staging.htech.app/v1/patients/100001", { headers })
      expect(absolute.status).toBe(200)
      const posted = yield* post(sb, "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" })
      expect(posted.status).toBe(200)
      expect(yield* posted.text).toBe("")
    }))

  it.effect("is usable as the HttpClient service", () =>
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      expect((yield* http.get("/v1/patients/100001", { headers })).status).toBe(200)
      expect((yield* http.get("/v1/patients/100001")).status).toBe(401)
    }).pipe(
      Effect.provide(SandboxHttpClient.layer.pipe(Layer.provide(Sandbox.layer({ world: exampleWorld }))))
    ))
})

describe("faults", () => {
  it.effect("scripted: the n-th call of an operation gets the fault, and the fault log says so", () =>
    Effect.gen(function*() {
      const sb = yield* example({
        faults: [Faults.scripted("getPatientById", [2, 4], Fault.Status({ status: 503 }))]
      })
      const statuses: Array<unknown> = []
      for (let i = 0; i < 5; i++) statuses.push(yield* statusOf(sb, "/v1/patients/100001"))
      expect(statuses).toEqual([200, 503, 200, 503, 200])
      // other operations are not counted
      expect(yield* statusOf(sb, "/v1/patients/100001/billing_info")).toBe(200)
      const log = yield* sb.faultLog
      expect(log.map((e) => [e.operation, e.call, e.fault._tag])).toEqual([
        ["getPatientById", 2, "Status"],
        ["getPatientById", 4, "Status"]
      ])
    }))

  it.effect("status faults 500/502/503/504 carry the error body", () =>
    Effect.gen(function*() {
      const codes = { 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout" }
      for (const status of [500, 502, 503, 504] as const) {
        const sb = yield* example({ faults: [Faults.scripted("getPatientById", [1], Fault.Status({ status }))] })
        const res = yield* get(sb, "/v1/patients/100001")
        expect(res.status).toBe(status)
        expect(yield* res.json).toEqual({
          error: true,
          statusCode: status,
          code: codes[status],
          message: expect.any(String)
        })
      }
    }))

  it.effect("429 with Retry-After", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("*", [1], Fault.RateLimited({ retryAfter: 7 }))] })
      const res = yield* get(sb, "/v1/patients/100001/attachments")
      expect(res.status).toBe(429)
      expect(res.headers["retry-after"]).toBe("7")
      expect((yield* res.json as Effect.Effect<any, any>).code).toBe("rate_limited")
    }))

  it.effect("latency follows the Clock", () =>
    Effect.gen(function*() {
      const sb = yield* example({
        faults: [Faults.scripted("getPatientById", [1], Fault.Latency({ duration: "2 seconds" }))]
      })
      const fiber = yield* Effect.fork(statusOf(sb, "/v1/patients/100001"))
      yield* TestClock.adjust("1999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toBe(200)
    }))

  it.effect("reset: a Transport error, and nothing applied", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("connectPatientEhr", [1], Fault.Reset())] })
      const result = yield* Effect.either(post(sb, "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" }))
      expect(Either.isLeft(result) && result.left._tag === "RequestError" && result.left.reason).toBe("Transport")
      expect((yield* sb.counters).connectsApplied("100001", "5000001")).toBe(0)
    }))

  it.effect("hang: never answers; a client timeout ends it", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("getPatientById", [1], Fault.Hang())] })
      const fiber = yield* Effect.fork(get(sb, "/v1/patients/100001").pipe(Effect.timeout("30 seconds"), Effect.either))
      yield* TestClock.adjust("29 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      expect(Either.isLeft(result) && result.left._tag).toBe("TimeoutException")
      expect(yield* statusOf(sb, "/v1/patients/100001")).toBe(200)
    }))

  it.effect("malformed JSON: 200 with a body that does not parse", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("getPatientById", [1], Fault.MalformedJson())] })
      const res = yield* get(sb, "/v1/patients/100001")
      expect(res.status).toBe(200)
      expect(yield* res.text).toBe("{\"data\": [")
      const again = yield* example({ faults: [Faults.scripted("getPatientById", [1], Fault.MalformedJson())] })
      const parsed = yield* Effect.either((yield* get(again, "/v1/patients/100001")).json)
      expect(Either.isLeft(parsed)).toBe(true)
    }))

  it.effect("schema-breaking: valid JSON that the operation's schema rejects", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("*", [1, 2, 3], Fault.SchemaBreaking())] })
      const res = yield* get(sb, "/v1/patients/100001")
      expect(res.status).toBe(200)
      const decoded = yield* Effect.either(HttpClientResponse.schemaBodyJson(PatientV1)(res))
      expect(Either.isLeft(decoded) && decoded.left._tag).toBe("ParseError")
      const list = yield* get(sb, "/v1/patients?field=nhs_number&search=9990010005")
      expect(yield* list.json).toEqual({ data: "not-a-list", count: "many" })
    }))

  it.effect("applied-then-lost: the merge happens, the connection drops, a retry is refused as used", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("mergePatient", [1], Fault.AppliedThenLost())] })
      const preview = yield* post(sb, "/v1/patients/100001/merge/preview", { patient_id: "100002" })
      const token = ((yield* preview.json) as any).merge_token
      const lost = yield* Effect.either(
        post(sb, "/v1/patients/100001/merge", { patient_id: "100002", merge_token: token })
      )
      expect(Either.isLeft(lost) && lost.left._tag).toBe("RequestError")
      expect((yield* sb.counters).mergesApplied("100001", "100002")).toBe(1)
      const retry = yield* post(sb, "/v1/patients/100001/merge", { patient_id: "100002", merge_token: token })
      expect(retry.status).toBe(409)
      expect(((yield* retry.json) as any).code).toBe("merge_token_used")
      expect((yield* sb.counters).mergesApplied("100001", "100002")).toBe(1)
    }))

  it.effect("random faults: the same seed gives the same sequence, another seed another", () =>
    Effect.gen(function*() {
      const plan = (seed: string): Faults.FaultPlan => [
        Faults.random({
          operation: "*",
          probability: 0.4,
          seed,
          faults: [Fault.Status({ status: 503 }), Fault.Reset(), Fault.RateLimited({ retryAfter: 1 })]
        })
      ]
      const run = (seed: string) =>
        Effect.gen(function*() {
          const sb = yield* example({ faults: plan(seed) })
          const out: Array<unknown> = []
          for (let i = 0; i < 40; i++) out.push(yield* statusOf(sb, "/v1/patients/100001"))
          return out
        })
      const a = yield* run("alpha")
      expect(yield* run("alpha")).toEqual(a)
      expect(yield* run("beta")).not.toEqual(a)
      expect(a.filter((s) => s !== 200).length).toBeGreaterThan(5)
      expect(new Set(a)).toEqual(new Set([200, 503, "Transport", 429]))
    }))

  it.effect("setFaults replaces the plan at run time", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* sb.setFaults([Faults.scripted("getPatientById", [1], Fault.Status({ status: 500 }))])
      expect(yield* statusOf(sb, "/v1/patients/100001")).toBe(500)
      expect(yield* statusOf(sb, "/v1/patients/100001")).toBe(200)
    }))
})
