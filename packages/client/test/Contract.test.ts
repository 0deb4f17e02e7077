import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient, type Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { operationIds } from "@hero-effect/client/Operation"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { PatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { CanonicalNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Chunk, Context, Effect, Either, Layer, Redacted, Stream } from "effect"
import { prism } from "./support/prism.js"

// Contract test against the OpenAPI document: Prism validates every request we send (a request
// that breaks the document gets 422, which the client would surface as InvalidRequest) and, in
// dynamic mode, answers with random bodies that conform to the document, which must all decode.
const id = PatientId.make("123")
const nhs = CanonicalNhsNumber.make("9434765919")
const dob = CanonicalDateOfBirth.make("1989-04-11")

const calls: Record<(typeof operationIds)[number], (c: HeroHealthClientService) => Effect.Effect<unknown, unknown>> = {
  listPatientEhrCandidates: (c) => c.listPatientEhrCandidates(id),
  connectPatientEhr: (c) => c.connectPatientEhr(id, { ehrPartnerId: "E-1" as never }),
  previewPatientMerge: (c) => c.previewPatientMerge(id, { incomingPatientId: PatientId.make("456") }),
  mergePatient: (c) =>
    c.mergePatient(id, { mergeToken: makeMergeToken("tok"), incomingPatientId: PatientId.make("456") }),
  getPatientById: (c) => c.getPatientById(id),
  listPatientAttachments: (c) => c.listPatientAttachments(id),
  listPatients: (c) => c.listPatients({ field: "emis_id", search: "E-1" }),
  registerPatientPds: (c) =>
    Effect.zip(
      c.registerPatientPds({ _tag: "ByNhsNumber", nhsNumber: nhs, dateOfBirth: dob, ehrPartnerId: "E-1" as never }),
      c.registerPatientPds({
        _tag: "ByDemographics",
        forename: "Ada",
        surname: "Lovelace",
        dateOfBirth: dob,
        postcode: "SW1A 1AA" as never
      })
    ),
  registerPatient: (c) =>
    c.registerPatient({
      dateOfBirth: dob,
      firstName: "Ada",
      lastName: "Lovelace",
      mobile: "07700900123",
      nhsNumber: nhs,
      title: "Ms",
      sex: "Female",
      dataSource: "hero",
      postcode: "SW1A 1AA",
      email: "ada@example.org"
    }),
  patientBillingInfo: (c) => c.patientBillingInfo(id),
  listPatientPaymentMethods: (c) => c.listPatientPaymentMethods(id),
  getPatientByIdV2: (c) => c.getPatientByIdV2(id, { dataSource: "hero" }),
  listPatientsV2: (c) => c.listPatientsV2({ field: "ehr_partner_id", search: "E-1", dataSource: "hero" }),
  listPatientsV3: (c) => c.listPatientsV3({ lastName: "Lovelace", dateOfBirth: dob, pageIndex: 0, pageSize: 20 })
}

const noRetries = Object.fromEntries(operationIds.map((op) => [op, { maxRetries: 0, maxThrottledRetries: 0 }]))

const configAt = (url: string) =>
  HeroHealthConfig.layer({
    baseUrl: url,
    apiKey: Redacted.make("contract-key"),
    practiceGroupId: "pg-1" as never,
    rateLimit: "unlimited",
    policies: noRetries
  })

// Prism answers with the response of a documented status when asked (`Prefer: code=N`).
const preferring = (code: number | undefined) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      code === undefined
        ? client
        : HttpClient.mapRequest(client, HttpClientRequest.setHeader("prefer", `code=${code}, dynamic=true`)))
  ).pipe(Layer.provide(FetchHttpClient.layer))

type Transport = "platform" | "undici"

// Built in the test's scope: the undici transport's agent lives as long as the test.
const clientAt = (url: string, transport: Transport = "platform", code?: number) =>
  Effect.map(
    Layer.build(
      transport === "undici"
        ? HeroHealthClient.layerUndici().pipe(Layer.provide(configAt(url)))
        : HeroHealthClient.layer.pipe(Layer.provide(Layer.mergeAll(configAt(url), preferring(code))))
    ),
    Context.get(HeroHealthClient)
  )

// The documented error statuses, per operation, and the typed error each must become.
const documentedErrors: ReadonlyArray<
  readonly [(typeof operationIds)[number], number, string]
> = [
  ...operationIds.map((op) => [op, 429, "RateLimited"] as const),
  ...(["registerPatientPds", "registerPatient"] as const).flatMap((op) => [
    [op, 400, "InvalidRequest"] as const,
    [op, 401, "Unauthorised"] as const,
    [op, 404, "PatientNotFound"] as const,
    [op, 500, "ServerError"] as const
  ])
]

const exercise = (client: HeroHealthClientService, rounds: number) =>
  Effect.gen(function*() {
    const failures: Array<string> = []
    for (const operation of operationIds) {
      for (let round = 0; round < rounds; round++) {
        const result = yield* Effect.either(calls[operation](client))
        if (Either.isLeft(result)) {
          failures.push(`${operation}#${round}: ${String((result.left as Error).message)}`)
        }
      }
    }
    const streamed = yield* Effect.either(
      Stream.runCollect(Stream.take(client.streamPatientsV3({ lastName: "Lovelace" }), 5))
    )
    if (Either.isLeft(streamed)) failures.push(`streamPatientsV3: ${streamed.left.message}`)
    else expect(Chunk.size(streamed.right)).toBeGreaterThanOrEqual(0)
    return failures
  })

describe("contract with the OpenAPI document (Prism)", () => {
  // Prism re-seeds on every request with --seed, so a seeded run sends back the same body to
  // every round; unseeded dynamic mode gives a new conforming body each time.
  for (const transport of ["platform", "undici"] as const) {
    it.scopedLive(
      `every operation's request is accepted and 10 distinct dynamic responses each decode (${transport} transport)`,
      () =>
        Effect.gen(function*() {
          const { url } = yield* prism({ seed: 0, seeded: false })
          const client = yield* clientAt(url, transport)
          expect(yield* exercise(client, 10)).toStrictEqual([])
        }),
      900_000
    )
  }

  it.scopedLive(
    "unseeded dynamic mode really varies the bodies (the rounds above are not one body 10 times)",
    () =>
      Effect.gen(function*() {
        const { url } = yield* prism({ seed: 0, seeded: false })
        const bodies = new Set<string>()
        for (let i = 0; i < 8; i++) {
          const text = yield* Effect.promise(() =>
            fetch(`${url}/v1/patients/123`, { headers: { "x-api-key": "k", "x-practice-group-id": "pg" } }).then((r) =>
              r.text()
            )
          )
          bodies.add(text)
        }
        expect(bodies.size).toBeGreaterThan(4)
      }),
    900_000
  )

  it.scopedLive("every documented error status reaches the caller as its typed error", () =>
    Effect.gen(function*() {
      const { url } = yield* prism({ seed: 0, seeded: false })
      const wrong: Array<string> = []
      for (const [operation, status, tag] of documentedErrors) {
        const client = yield* clientAt(url, "platform", status)
        const result = yield* Effect.either(calls[operation](client))
        const got = Either.isLeft(result) ? (result.left as { _tag?: string })._tag : "success"
        if (got !== tag) wrong.push(`${operation} ${status}: ${got}, expected ${tag}`)
      }
      expect(wrong).toStrictEqual([])
    }), 900_000)

  for (const seed of [1, 2]) {
    it.scopedLive(
      `seeded responses decode too (seed ${seed})`,
      () =>
        Effect.gen(function*() {
          const { url } = yield* prism({ seed })
          const client = yield* clientAt(url)
          expect(yield* exercise(client, 1)).toStrictEqual([])
        }),
      900_000
    )
  }
  it.scopedLive(
    "the document's security holds: a request without the two headers gets 401",
    () =>
      Effect.gen(function*() {
        const { url } = yield* prism({ seed: 6 })
        const response = yield* Effect.promise(() => fetch(`${url}/v1/patients/123`))
        expect(response.status).toBe(401)
      }),
    900_000
  )
})
