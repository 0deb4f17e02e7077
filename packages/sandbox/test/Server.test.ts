import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { Sandbox as S } from "@hero-effect/sandbox"
import { Faults, Protocol, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { Context, Effect, Either, Exit, Fiber, Layer, Schedule, Schema, Scope } from "effect"
import { example, headers } from "./support/helpers.js"
import { responseProblems, responseValidator } from "./support/openapi.js"

const { Fault } = Faults

/** Runs `f` with a server over `sb` on a free loopback port and a real HTTP client pointed at it. */
const withServer = <A, E>(
  sb: S.SandboxService,
  f: (http: HttpClient.HttpClient, url: string) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const server = yield* SandboxServer.SandboxServer
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((r) =>
        r.pipe(HttpClientRequest.prependUrl(server.url), HttpClientRequest.setHeaders(headers))
      )
    )
    return yield* f(http, server.url)
  }).pipe(
    Effect.provide(
      Layer.merge(SandboxServer.layer(), FetchHttpClient.layer).pipe(Layer.provide(Layer.succeed(Sandbox.Sandbox, sb)))
    ),
    Effect.scoped
  )

interface Exchange {
  readonly operation: string
  readonly status: number
  readonly contentType: string | undefined
  readonly text: string
}

describe("HTTP server", () => {
  it.live("serves on 127.0.0.1 with a free port; real paths, status codes, headers and bodies", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* withServer(sb, (http, url) =>
        Effect.gen(function*() {
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
          const ok = yield* http.get("/v1/patients/100001")
          expect(ok.status).toBe(200)
          expect(ok.headers["content-type"]).toContain("application/json")
          expect(((yield* ok.json) as any).id).toBe("100001")
          const noAuth = yield* Effect.promise(() => fetch(`${url}/v1/patients/100001`))
          expect(noAuth.status).toBe(401)
          expect(yield* Effect.promise(() => noAuth.json())).toMatchObject({ statusCode: 401, code: "unauthorised" })
          const connect = yield* http.post("/v1/patients/100001/ehr/connect", {
            body: yield* HttpClientRequest.bodyJson(HttpClientRequest.post(""), { ehr_partner_id: "5000001" }).pipe(
              Effect.map((r) => r.body)
            )
          })
          expect(connect.status).toBe(200)
          expect(yield* connect.text).toBe("")
          const garbage = yield* http.execute(
            HttpClientRequest.post("/v1/patients/register").pipe(
              HttpClientRequest.bodyText("{oops", "application/json")
            )
          )
          expect(garbage.status).toBe(400)
          expect(((yield* garbage.json) as any).message[0].code).toBe("invalid_json")
        }))
      expect((yield* sb.counters).connectsApplied("100001", "5000001")).toBe(1)
    }))

  it.live("reset drops the connection; hang never answers (a 200 ms client timeout observes it); malformed JSON is sent verbatim", () =>
    Effect.gen(function*() {
      const sb = yield* example({
        faults: [
          Faults.scripted("getPatientById", [1], Fault.Reset()),
          Faults.scripted("getPatientById", [2], Fault.Hang()),
          Faults.scripted("connectPatientEhr", [1], Fault.AppliedThenLost()),
          Faults.scripted("listPatientAttachments", [1], Fault.MalformedJson())
        ]
      })
      yield* withServer(sb, (http) =>
        Effect.gen(function*() {
          const reset = yield* Effect.either(http.get("/v1/patients/100001"))
          expect(Either.isLeft(reset) && reset.left._tag === "RequestError" && reset.left.reason).toBe("Transport")
          const hang = yield* Effect.either(http.get("/v1/patients/100001").pipe(Effect.timeout("200 millis")))
          expect(Either.isLeft(hang) && hang.left._tag).toBe("TimeoutException")
          expect((yield* http.get("/v1/patients/100001")).status).toBe(200)
          const lost = yield* Effect.either(
            HttpClientRequest.post("/v1/patients/100001/ehr/connect").pipe(
              HttpClientRequest.bodyJson({ ehr_partner_id: "5000001" }),
              Effect.flatMap(http.execute)
            )
          )
          expect(Either.isLeft(lost)).toBe(true)
          const malformed = yield* http.get("/v1/patients/100001/attachments")
          expect(malformed.status).toBe(200)
          expect(yield* malformed.text).toBe("{\"data\": [")
        }))
      expect((yield* sb.counters).connectsApplied("100001", "5000001")).toBe(1)
    }))

  it.live("closing the layer ends a hanging request and stops the server", () =>
    Effect.gen(function*() {
      const sb = yield* example({ faults: [Faults.scripted("getPatientById", [1], Fault.Hang())] })
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        Layer.merge(SandboxServer.layer(), FetchHttpClient.layer).pipe(
          Layer.provide(Layer.succeed(Sandbox.Sandbox, sb))
        ),
        scope
      )
      const url = Context.get(context, SandboxServer.SandboxServer).url
      const http = Context.get(context, HttpClient.HttpClient)
      const fiber = yield* Effect.fork(Effect.either(http.get(`${url}/v1/patients/100001`, { headers })))
      // wait until the request has reached the sandbox
      yield* sb.faultLog.pipe(
        Effect.repeat({ until: (log) => log.length === 1, schedule: Schedule.spaced("5 millis") })
      )
      const closed = yield* Scope.close(scope, Exit.void).pipe(Effect.timeout("60 seconds"), Effect.either)
      expect(Either.isRight(closed)).toBe(true)
      const result = yield* Fiber.join(fiber)
      expect(Either.isLeft(result)).toBe(true)
      const after = yield* Effect.either(
        Effect.tryPromise(() => fetch(`${url}/v1/patients/100001`, { headers }))
      )
      expect(Either.isLeft(after)).toBe(true)
    }))

  it.live("every response of a traffic suite over all 14 operations validates against the OpenAPI document", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const traffic: Array<readonly [string, string, string, unknown?]> = [
        ["getPatientById", "GET", "/v1/patients/100001"],
        ["getPatientById", "GET", "/v1/patients/100004"],
        ["getPatientById", "GET", "/v1/patients/000"],
        ["getPatientByIdV2", "GET", "/v2/patients/100001"],
        ["getPatientByIdV2", "GET", "/v2/patients/100003?data_source=ehr"],
        ["getPatientByIdV2", "GET", "/v2/patients/100003?data_source=hero"],
        ["listPatientEhrCandidates", "GET", "/v1/patients/100001/ehr/candidates"],
        ["listPatientEhrCandidates", "GET", "/v1/patients/100003/ehr/candidates"],
        ["listPatientAttachments", "GET", "/v1/patients/100001/attachments"],
        ["listPatientAttachments", "GET", "/v1/patients/100002/attachments"],
        ["patientBillingInfo", "GET", "/v1/patients/100001/billing_info"],
        ["patientBillingInfo", "GET", "/v1/patients/100002/billing_info"],
        ["listPatientPaymentMethods", "GET", "/v1/patients/100001/payment_methods"],
        ["listPatientPaymentMethods", "GET", "/v1/patients/100002/payment_methods"],
        ["listPatients", "GET", "/v1/patients?field=nhs_number&search=9990010005"],
        ["listPatients", "GET", "/v1/patients?field=emis_id&search=none"],
        ["listPatients", "GET", "/v1/patients?field=bogus&search=x"],
        ["listPatientsV2", "GET", "/v2/patients?field=ehr_partner_id&search=5000002&dataSource=ehr"],
        ["listPatientsV2", "GET", "/v2/patients?field=last_name&search=smith"],
        ["listPatientsV3", "GET", "/v3/patients?last_name=Smith&page_size=1"],
        ["listPatientsV3", "GET", "/v3/patients?dob=1975-05-05"],
        ["listPatientsV3", "GET", "/v3/patients"],
        ["connectPatientEhr", "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" }],
        ["connectPatientEhr", "POST", "/v1/patients/100002/ehr/connect", { ehr_partner_id: "5000001" }],
        ["previewPatientMerge", "POST", "/v1/patients/100001/merge/preview", { patient_id: "100002" }],
        ["previewPatientMerge", "POST", "/v1/patients/100001/merge/preview", { patient_id: "100001" }],
        ["mergePatient", "POST", "/v1/patients/100001/merge", { patient_id: "100002", merge_token: "mt_forged" }],
        ["registerPatient", "POST", "/v1/patients/register", {
          dob: "1999-02-02",
          first_name: "Zoe",
          last_name: "Ng",
          mobile: "07700 900500",
          nhs_number: "9990060002"
        }],
        ["registerPatient", "POST", "/v1/patients/register", { dob: "x" }],
        ["registerPatientPds", "POST", "/v1/patients/register_pds", { nhs_number: "9990050007", dob: "2001-11-11" }],
        ["registerPatientPds", "POST", "/v1/patients/register_pds", { nhs_number: "9990040001", dob: "1962-03-30" }],
        ["registerPatientPds", "POST", "/v1/patients/register_pds", { nhs_number: "9990070008", dob: "1962-03-30" }],
        ["registerPatientPds", "POST", "/v1/patients/register_pds", { surname: "only" }]
      ]
      const exchanges = yield* withServer(
        sb,
        (http) =>
          Effect.forEach(traffic, ([operation, method, path, body]) =>
            Effect.gen(function*() {
              const request = method === "GET"
                ? HttpClientRequest.get(path)
                : HttpClientRequest.post(path).pipe(HttpClientRequest.bodyUnsafeJson(body))
              const res = yield* http.execute(request)
              return { operation, status: res.status, contentType: res.headers["content-type"], text: yield* res.text }
            }))
      )
      // a merge with a real token, from the preview in the traffic
      const preview = JSON.parse(exchanges[24]!.text)
      const merged = yield* withServer(sb, (http) =>
        Effect.gen(function*() {
          const res = yield* http.execute(
            HttpClientRequest.post("/v1/patients/100001/merge").pipe(
              HttpClientRequest.bodyUnsafeJson({ patient_id: "100002", merge_token: preview.merge_token })
            )
          )
          return {
            operation: "mergePatient",
            status: res.status,
            contentType: res.headers["content-type"],
            text: yield* res.text
          }
        }))
      const all: Array<Exchange> = [...exchanges, merged]
      const isErrorBody = Schema.is(Protocol.ErrorBody)
      const problems = all.flatMap((x) => {
        const body = x.text === "" ? undefined : JSON.parse(x.text)
        if (body !== undefined) expect(x.contentType).toContain("application/json")
        return responseProblems(x.operation, x.status, body, isErrorBody)
      })
      expect(problems).toEqual([])
      expect(all.filter((x) => x.status === 200).map((x) => x.operation)).toEqual(
        expect.arrayContaining([
          "getPatientById",
          "getPatientByIdV2",
          "listPatientEhrCandidates",
          "listPatientAttachments",
          "patientBillingInfo",
          "listPatientPaymentMethods",
          "listPatients",
          "listPatientsV2",
          "listPatientsV3",
          "connectPatientEhr",
          "previewPatientMerge",
          "mergePatient",
          "registerPatient",
          "registerPatientPds"
        ])
      )
      expect(new Set(all.map((x) => x.status))).toEqual(new Set([200, 400, 404, 409]))
    }))

  it("the validator rejects the schema-breaking fault bodies", () => {
    const operations = [
      "getPatientById",
      "getPatientByIdV2",
      "listPatientEhrCandidates",
      "listPatients",
      "listPatientsV2",
      "listPatientsV3",
      "listPatientAttachments",
      "previewPatientMerge",
      "registerPatient",
      "registerPatientPds",
      "patientBillingInfo",
      "listPatientPaymentMethods"
    ] as const
    for (const operation of operations) {
      const validate = responseValidator(operation, 200)!
      expect(validate(Faults.schemaBreakingBody(operation))).toBe(false)
    }
  })
})
