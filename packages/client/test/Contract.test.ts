import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient, type HeroHealthClientService, HeroHealthConfig, operationIds } from "@hero-effect/client"
import type { DateOfBirth, NhsNumber, PatientId } from "@hero-effect/schema"
import { makeMergeToken } from "@hero-effect/schema"
import { Chunk, Effect, Either, Layer, Redacted, Stream } from "effect"
import { prism } from "./support/prism.js"

// Contract test against the OpenAPI document: Prism validates every request we send (a request
// that breaks the document gets 422, which the client would surface as InvalidRequest) and, in
// dynamic mode, answers with random bodies that conform to the document, which must all decode.
const id = "123" as PatientId
const nhs = "9434765919" as NhsNumber
const dob = "1989-04-11" as DateOfBirth

const calls: Record<(typeof operationIds)[number], (c: HeroHealthClientService) => Effect.Effect<unknown, unknown>> = {
  listPatientEhrCandidates: (c) => c.listPatientEhrCandidates(id),
  connectPatientEhr: (c) => c.connectPatientEhr(id, { ehrPartnerId: "E-1" as never }),
  previewPatientMerge: (c) => c.previewPatientMerge(id, { incomingPatientId: "456" as PatientId }),
  mergePatient: (c) => c.mergePatient(id, { mergeToken: makeMergeToken("tok"), incomingPatientId: "456" as PatientId }),
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

const clientAt = (url: string) =>
  HeroHealthClient.make.pipe(
    Effect.provide(
      Layer.mergeAll(
        HeroHealthConfig.layer({
          baseUrl: url,
          apiKey: Redacted.make("contract-key"),
          practiceGroupId: "pg-1" as never,
          rateLimit: "unlimited"
        }),
        FetchHttpClient.layer
      )
    )
  )

describe("contract with the OpenAPI document (Prism)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it.scopedLive(
      `every operation's request is accepted and every dynamic response decodes (seed ${seed})`,
      () =>
        Effect.gen(function*() {
          const { url } = yield* prism({ seed })
          const client = yield* clientAt(url)
          const failures: Array<string> = []
          for (const operation of operationIds) {
            for (let round = 0; round < 12; round++) {
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
          expect(failures).toStrictEqual([])
        }),
      120_000
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
    60_000
  )
})
