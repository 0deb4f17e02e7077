import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { operationIds } from "@hero-effect/client/Operation"
import { TelemetryCapture } from "@hero-effect/sandbox"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { PatientId, ReceivedPatientId } from "@hero-effect/schema/Ids"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import { CanonicalNhsNumber } from "@hero-effect/schema/NhsNumber"
import { ConfigProvider, Effect, Either, Fiber, Layer, LogLevel, Redacted, Schema, TestClock } from "effect"
import { cases } from "./support/cases.js"
import { apiKey, clientWith, type Reply, wirePatientV1 } from "./support/scripted.js"

const nhs = CanonicalNhsNumber.make("9434765919")
// An id as a response may carry one (any string, branded): what the client must refuse to put in a path.
const received = Schema.decodeSync(ReceivedPatientId)

describe("bad input is refused before any request", () => {
  it.effect("unsafe or empty ids", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 200, body: wirePatientV1 }])
      for (const bad of ["", "..", ".", "a/b", "1?x=1", "1#", "%2e%2e", "1 2", "1\n", "x".repeat(200)]) {
        const error = yield* Effect.flip(hero.getPatientById(received(bad)))
        expect(error._tag).toBe("InvalidInput")
      }
      expect(yield* count).toBe(0)
    }))

  it.effect("ids are ASCII digits in the path; anything else is refused before sending", () =>
    Effect.gen(function*() {
      const { hero, requests } = yield* clientWith([{ status: 200, body: wirePatientV1 }])
      yield* hero.getPatientById(PatientId.make("0012345"))
      const error = yield* Effect.flip(hero.getPatientById(received("id:1+é")))
      expect(error._tag).toBe("InvalidInput")
      const sent = yield* requests
      expect(sent.map((r) => r.url.pathname)).toStrictEqual(["/v1/patients/0012345"])
    }))

  it.effect("invalid bodies and queries, with messages that do not echo the values", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([{ status: 200 }])
      const badNhs = "9434765918" as never
      const errors = [
        yield* Effect.flip(
          hero.registerPatientPds({
            _tag: "ByNhsNumber",
            nhsNumber: badNhs,
            dateOfBirth: CanonicalDateOfBirth.make("1990-01-01")
          })
        ),
        yield* Effect.flip(hero.listPatientsV3({ nhsNumber: badNhs })),
        yield* Effect.flip(hero.listPatientsV3({})),
        yield* Effect.flip(hero.connectPatientEhr(PatientId.make("1"), { ehrPartnerId: "" as never })),
        yield* Effect.flip(
          hero.mergePatient(PatientId.make("1"), {
            mergeToken: makeMergeToken("t"),
            incomingPatientId: received("x/y")
          })
        ),
        yield* Effect.flip(
          hero.registerPatient({
            dateOfBirth: "1990-02-30" as never,
            firstName: "Ada",
            lastName: "L",
            mobile: "0"
          })
        ),
        yield* Effect.flip(hero.listPatients({ field: "DROP TABLE", search: nhs }))
      ]
      for (const error of errors) {
        expect(error._tag).toBe("InvalidInput")
        expect(error.message).not.toContain("9434765918")
        expect(error.message).not.toContain(nhs)
        expect(JSON.stringify(error)).not.toContain("9434765918")
      }
      expect(errors[0]!.message).toContain("check digit")
      expect(yield* count).toBe(0)
    }))
})

describe("privacy", () => {
  it.effect("the API key, a searched NHS number and merge tokens appear in no log line, span or error", () =>
    Effect.gen(function*() {
      const { linesAtLeast, spans, spansText } = yield* TelemetryCapture.capture(Effect.gen(function*() {
        const { hero } = yield* clientWith([
          { status: 503 },
          { status: 200, body: { data: [], count: 0 } },
          { status: 200, body: { ...wirePatientV1, unexpected: true, id: 12 } },
          { status: 409, text: `{"code":"merge_token_used","echo":"${nhs} tok-SECRET"}` },
          { status: 418, text: `patient ${nhs} Ada Lovelace SW1A 1AA` }
        ])
        const calls = Effect.all([
          Effect.either(hero.listPatients({ field: "nhs_number", search: nhs })),
          Effect.either(hero.getPatientById(PatientId.make("1001"))),
          Effect.either(
            hero.mergePatient(PatientId.make("1001"), {
              mergeToken: makeMergeToken("tok-SECRET"),
              incomingPatientId: PatientId.make("1002")
            })
          ),
          Effect.either(hero.listPatientsV3({ nhsNumber: nhs }))
        ])
        const fiber = yield* Effect.fork(calls)
        yield* TestClock.adjust("60 seconds")
        const results = yield* Fiber.join(fiber)
        for (const r of results as ReadonlyArray<Either.Either<unknown, { readonly message: string }>>) {
          if (Either.isLeft(r)) {
            yield* Effect.logInfo("call failed", r.left)
            yield* Effect.logError(r.left.message)
          }
        }
      }))
      const everything = `${linesAtLeast(LogLevel.Debug)}\n${spansText()}`
      expect(spans.map((s) => s.name)).toContain("HeroHealthClient.listPatients")
      expect(everything).not.toContain(apiKey)
      expect(everything).not.toContain(nhs)
      expect(everything).not.toContain("943 476 5919")
      expect(everything).not.toContain("tok-SECRET")
      expect(everything).not.toContain("Lovelace")
      expect(everything).not.toContain("SW1A")
      const listSpan = spans.find((s) => s.name === "HeroHealthClient.listPatients")!
      expect(listSpan.attributes.get("url.query")).toBe("field=REDACTED&search=REDACTED")
      expect(listSpan.attributes.get("hero.attempts")).toBe(2)
    }))
})

describe("privacy over every operation", () => {
  it.effect("no operation, succeeding or failing with any status, logs or traces the key or patient data", () =>
    Effect.gen(function*() {
      const replies: ReadonlyArray<Reply> = [
        { status: 200, body: { ...wirePatientV1, id: "x" } },
        { status: 400, body: { error: true, statusCode: 400, message: [{ code: "c", expected: nhs, path: [] }] } },
        { status: 404, text: `no patient ${nhs}` },
        { status: 409, body: { code: "conflict", patient: wirePatientV1 } },
        { status: 429, headers: { "retry-after": "1" } },
        { status: 503, text: "Lovelace" },
        { fail: "reset" }
      ]
      const { linesAtLeast, spansText } = yield* TelemetryCapture.capture(Effect.gen(function*() {
        for (const operation of operationIds) {
          for (const reply of [cases[operation].ok, ...replies]) {
            const { hero } = yield* clientWith([reply, cases[operation].ok])
            const fiber = yield* Effect.fork(Effect.either(cases[operation].call(hero)))
            yield* TestClock.adjust("60 seconds")
            const result = yield* Fiber.join(fiber)
            if (Either.isLeft(result)) {
              yield* Effect.logWarning("failed", result.left, String(result.left))
            }
          }
        }
      }))
      const everything = `${linesAtLeast(LogLevel.Debug)}\n${spansText()}`
      for (const secret of [apiKey, nhs, "Lovelace", "1989-04-11", "SW1A 1AA", "tok-1"]) {
        expect(everything).not.toContain(secret)
      }
    }))
})

describe("configuration", () => {
  const options = { apiKey: Redacted.make("k"), practiceGroupId: "pg" as never }

  it.effect("refuses plain http except on loopback, and URLs with credentials", () =>
    Effect.gen(function*() {
      for (
        const baseUrl of [
          "http://api.herohealth.net",
          "https://user:pw@api.test",
          "ftp://x",
          "not a url",
          "https://x?y=1"
        ]
      ) {
        expect(Either.isLeft(yield* Effect.either(HeroHealthConfig.make({ ...options, baseUrl })))).toBe(true)
      }
      for (
        const baseUrl of [
          "http://127.0.0.1:4010",
          "http://localhost:1",
          "http://[::1]:8080",
          HeroHealthConfig.staging,
          HeroHealthConfig.production
        ]
      ) {
        expect(Either.isRight(yield* Effect.either(HeroHealthConfig.make({ ...options, baseUrl })))).toBe(true)
      }
    }))

  it.effect("layerConfig reads HERO_API_KEY, HERO_PRACTICE_GROUP_ID and HERO_ENVIRONMENT / HERO_BASE_URL", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) =>
        Effect.either(HeroHealthConfig.pipe(
          Effect.provide(HeroHealthConfig.layerConfig()),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        ))
      const production = yield* read({
        HERO_API_KEY: "k1",
        HERO_PRACTICE_GROUP_ID: "pg-1",
        HERO_ENVIRONMENT: "production"
      })
      expect(Either.isRight(production) && production.right.baseUrl).toBe(HeroHealthConfig.production)
      expect(Either.isRight(production) && String(production.right.apiKey)).toBe("<redacted>")
      const custom = yield* read({
        HERO_API_KEY: "k1",
        HERO_PRACTICE_GROUP_ID: "pg-1",
        HERO_BASE_URL: "http://127.0.0.1:4010/"
      })
      expect(Either.isRight(custom) && custom.right.baseUrl).toBe("http://127.0.0.1:4010")
      const missing = yield* read({ HERO_PRACTICE_GROUP_ID: "pg-1" })
      expect(Either.isLeft(missing)).toBe(true)
      const defaulted = yield* read({ HERO_API_KEY: "k1", HERO_PRACTICE_GROUP_ID: "pg-1" })
      expect(Either.isRight(defaulted) && defaulted.right.baseUrl).toBe(HeroHealthConfig.staging)
    }))

  it.effect("HeroHealthClient.layerConfig builds a working client from the environment", () =>
    Effect.gen(function*() {
      const client = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(wirePatientV1))))
      )
      const layer = HeroHealthClient.layerConfig().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
      const built = yield* Effect.either(HeroHealthClient.pipe(
        Effect.flatMap((hero) => hero.getPatientById(PatientId.make("1001"))),
        Effect.provide(layer),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["HERO_API_KEY", "k"], ["HERO_PRACTICE_GROUP_ID", "pg"]]))
        )
      ))
      expect(Either.isRight(built)).toBe(true)
    }))
})
