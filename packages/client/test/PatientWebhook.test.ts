// PatientWebhook: signature verification (hex/base64, prefix, constant-time compare of digests),
// timestamp formats and the replay window under TestClock, body limits and malformed bodies, the
// memory dedupe store, and the HttpApp handler's statuses (run without sockets).
import { HttpServerRequest } from "@effect/platform"
import type { HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Effect, Either, Logger, LogLevel, Redacted, Schema, TestClock } from "effect"
import * as PatientWebhook from "../src/PatientWebhook.js"

const signingKey = Redacted.make("whsec_test_key")
const now = 1_767_225_600_000 // 2026-01-01T00:00:00Z
const event = { object: "Patient", id: "4242", practice_group_id: "pg-777", event: "patient.medical-record-updated" }
const bodyText = JSON.stringify(event)
const body = new TextEncoder().encode(bodyText)
const seconds = String(now / 1000)

const atNow = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.zipRight(TestClock.setTime(now), effect)

const verify = (headers: Record<string, string>, options: Partial<PatientWebhook.VerifyOptions> = {}) =>
  atNow(Effect.either(PatientWebhook.verify({ body, headers, signingKey, ...options })))

const tagOf = <A>(result: Either.Either<A, PatientWebhook.WebhookError>) =>
  Either.isLeft(result) ? result.left._tag : "ok"

describe("verify", () => {
  it.effect("a hex-signed delivery decodes, with its delivery key and timestamp", () =>
    Effect.gen(function*() {
      const result = yield* verify(PatientWebhook.sign({ body, signingKey, timestamp: seconds }))
      expect(Either.isRight(result)).toBe(true)
      const verified = Either.getOrThrow(result)
      expect(verified.event).toStrictEqual({
        object: "Patient",
        id: "4242",
        practiceGroupId: "pg-777",
        event: "patient.medical-record-updated"
      })
      expect(verified.timestampMillis).toBe(now)
      expect(verified.deliveryKey).toBe(PatientWebhook.deliveryKey(seconds, body))
      expect(verified.deliveryKey).toMatch(/^[0-9a-f]{64}$/)
    }))

  it.effect("hex in upper case, base64, base64url and a sha256= prefix are accepted by default", () =>
    Effect.gen(function*() {
      const hex = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      const b64 = PatientWebhook.sign({ body, signingKey, timestamp: seconds, encoding: "base64", prefix: true })
      const upper = { ...hex, "x-herohealth-signature": hex["x-herohealth-signature"].toUpperCase() }
      const url = {
        ...b64,
        "x-herohealth-signature": b64["x-herohealth-signature"].replace(/\+/g, "-").replace(/\//g, "_").replace(
          /=+$/,
          ""
        )
      }
      for (const headers of [hex, b64, upper, url]) expect(tagOf(yield* verify(headers))).toBe("ok")
      // Restricted encodings refuse the other one.
      expect(tagOf(yield* verify(b64, { encoding: "hex" }))).toBe("WebhookSignatureInvalid")
      expect(tagOf(yield* verify(hex, { encoding: "base64" }))).toBe("WebhookSignatureInvalid")
      expect(tagOf(yield* verify(hex, { encoding: "hex" }))).toBe("ok")
    }))

  it.effect("header names are case-insensitive; platform Headers work too", () =>
    Effect.gen(function*() {
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      const shouting = {
        "X-Herohealth-Timestamp": signed["x-herohealth-timestamp"],
        "X-HEROHEALTH-SIGNATURE": signed["x-herohealth-signature"]
      }
      expect(tagOf(yield* verify(shouting))).toBe("ok")
      const request = HttpServerRequest.fromWeb(new Request("http://x/", { method: "POST", headers: shouting }))
      expect(tagOf(yield* verify({}, { headers: request.headers }))).toBe("ok")
    }))

  it.effect("wrong key, tampered body, tampered timestamp, garbage and truncated signatures are invalid", () =>
    Effect.gen(function*() {
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      const wrong = PatientWebhook.sign({ body, signingKey: Redacted.make("other"), timestamp: seconds })
      expect(tagOf(yield* verify(wrong))).toBe("WebhookSignatureInvalid")
      const tampered = new TextEncoder().encode(bodyText.replace("4242", "4243"))
      expect(tagOf(yield* verify(signed, { body: tampered }))).toBe("WebhookSignatureInvalid")
      expect(tagOf(yield* verify({ ...signed, "x-herohealth-timestamp": String(now / 1000 + 1) }))).toBe(
        "WebhookSignatureInvalid"
      )
      for (const bad of ["zz", "", "sha256=", signed["x-herohealth-signature"].slice(0, 10), "!!!"]) {
        const result = yield* verify({ ...signed, "x-herohealth-signature": bad })
        expect(["WebhookSignatureInvalid", "WebhookSignatureMissing"]).toContain(tagOf(result))
      }
    }))

  it.effect("missing headers are WebhookSignatureMissing, naming the header", () =>
    Effect.gen(function*() {
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      const noSig = yield* verify({ "x-herohealth-timestamp": seconds })
      expect(Either.isLeft(noSig) && noSig.left).toMatchObject({ header: "x-herohealth-signature" })
      const noTs = yield* verify({ "x-herohealth-signature": signed["x-herohealth-signature"] })
      expect(Either.isLeft(noTs) && noTs.left).toMatchObject({ header: "x-herohealth-timestamp" })
    }))

  it.effect("timestamps: unix seconds, unix milliseconds and ISO 8601 with a zone; others invalid", () =>
    Effect.gen(function*() {
      for (const timestampFormat of ["seconds", "millis", "iso"] as const) {
        expect(tagOf(yield* verify(PatientWebhook.sign({ body, signingKey, timestamp: now, timestampFormat })))).toBe(
          "ok"
        )
      }
      expect(tagOf(yield* verify(PatientWebhook.sign({ body, signingKey, timestamp: "2026-01-01T01:00:00+01:00" }))))
        .toBe("ok")
      for (const bad of ["yesterday", "2026-01-01T00:00:00", "17672256000", "1767225600.5", "-1"]) {
        expect(tagOf(yield* verify(PatientWebhook.sign({ body, signingKey, timestamp: bad })))).toBe(
          bad === "17672256000" ? "WebhookTimestampStale" : "WebhookTimestampInvalid"
        )
      }
    }))

  it.effect("the replay window (default 5 minutes) refuses old and future timestamps, under TestClock", () =>
    Effect.gen(function*() {
      const at = (millis: number) => PatientWebhook.sign({ body, signingKey, timestamp: millis })
      expect(tagOf(yield* verify(at(now - 300_000)))).toBe("ok")
      expect(tagOf(yield* verify(at(now + 300_000)))).toBe("ok")
      const past = yield* verify(at(now - 301_000))
      expect(Either.isLeft(past) && past.left).toMatchObject({ _tag: "WebhookTimestampStale", direction: "past" })
      const future = yield* verify(at(now + 301_000))
      expect(Either.isLeft(future) && future.left).toMatchObject({ _tag: "WebhookTimestampStale", direction: "future" })
      expect(tagOf(yield* verify(at(now - 301_000), { replayWindow: "10 minutes" }))).toBe("ok")
      // The same signed delivery ages out as the clock moves.
      const signed = at(now)
      yield* TestClock.adjust("5 minutes")
      expect(tagOf(yield* Effect.either(PatientWebhook.verify({ body, headers: signed, signingKey })))).toBe("ok")
      yield* TestClock.adjust("1 second")
      expect(tagOf(yield* Effect.either(PatientWebhook.verify({ body, headers: signed, signingKey })))).toBe(
        "WebhookTimestampStale"
      )
    }))

  it.effect("not JSON, invalid UTF-8 or the wrong shape is malformed, naming only the path", () =>
    Effect.gen(function*() {
      const check = (text: string | Uint8Array) => {
        const raw = typeof text === "string" ? new TextEncoder().encode(text) : text
        return verify(PatientWebhook.sign({ body: raw, signingKey, timestamp: seconds }), { body: raw })
      }
      const notJson = yield* check("{\"object\":\"Patient\",")
      expect(Either.isLeft(notJson) && notJson.left).toMatchObject({ _tag: "WebhookBodyMalformed", reason: "json" })
      expect(tagOf(yield* check(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe("WebhookBodyMalformed")
      const wrong = yield* check(JSON.stringify({ ...event, id: 4242 }))
      expect(Either.isLeft(wrong) && wrong.left).toMatchObject({ reason: "schema", path: "id" })
      expect(Either.isLeft(wrong) && wrong.left.message).not.toContain("4242")
      const stricter = Schema.Struct({ ...PatientWebhook.PatientWebhookEvent.fields, id: PatientId })
      const notAnId = JSON.stringify({ ...event, id: "abc-secret" })
      const raw = new TextEncoder().encode(notAnId)
      const refused = yield* atNow(Effect.either(PatientWebhook.verify({
        body: raw,
        headers: PatientWebhook.sign({ body: raw, signingKey, timestamp: seconds }),
        signingKey,
        schema: stricter
      })))
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ reason: "schema", path: "id" })
      expect(Either.isLeft(refused) && refused.left.message).not.toContain("abc-secret")
    }))

  it.effect("a body over maxBodyBytes is refused before anything else", () =>
    Effect.gen(function*() {
      const big = new Uint8Array(64 * 1024 + 1)
      expect(tagOf(yield* verify({}, { body: big }))).toBe("WebhookBodyTooLarge")
      expect(tagOf(yield* verify(PatientWebhook.sign({ body, signingKey, timestamp: seconds }), { maxBodyBytes: 10 })))
        .toBe("WebhookBodyTooLarge")
    }))
})

describe("memory store", () => {
  it.effect("new, then duplicate; bounded by maxKeys and retention; release forgets", () =>
    Effect.gen(function*() {
      const store = yield* PatientWebhook.makeMemoryStore({ maxKeys: 2, retention: "5 minutes" })
      const info = (receivedAtMillis: number) => ({ timestampMillis: receivedAtMillis, receivedAtMillis })
      const e = { object: "Patient", id: "1", practiceGroupId: "pg", event: "patient.medical-record-updated" } as const
      expect(yield* store.record("a", e, info(0))).toBe("new")
      expect(yield* store.record("a", e, info(1))).toBe("duplicate")
      expect(yield* store.record("b", e, info(2))).toBe("new")
      expect(yield* store.record("c", e, info(3))).toBe("new") // "a" dropped for the cap
      expect(yield* store.record("a", e, info(4))).toBe("new")
      expect(yield* store.record("c", e, info(5))).toBe("duplicate")
      expect(yield* store.record("c", e, info(400_000))).toBe("new") // older than the retention
      yield* store.release("c")
      expect(yield* store.record("c", e, info(400_001))).toBe("new")
    }))
})

const decodeBody = (response: HttpServerResponse.HttpServerResponse): unknown =>
  response.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(response.body.body)) : undefined

const post = (
  raw: Uint8Array | string,
  headers: Record<string, string>,
  init: { readonly method?: string } = {}
) =>
  HttpServerRequest.fromWeb(
    new Request("http://receiver.test/webhooks", {
      method: init.method ?? "POST",
      headers: { "content-type": "application/json", ...headers },
      ...(init.method === "GET" ? {} : { body: typeof raw === "string" ? raw : new Uint8Array(raw) as BodyInit })
    })
  )

describe("makeHandler", () => {
  const setup = (
    onEvent?: PatientWebhook.HandlerOptions<PatientWebhook.PatientWebhookEvent, string, never>["onEvent"]
  ) =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const store = yield* PatientWebhook.makeMemoryStore()
      const handler = PatientWebhook.makeHandler({
        signingKey,
        onEvent: onEvent ?? ((e, key) => Effect.sync(() => void calls.push(`${e.id}:${key}`)))
      })
      const send = (request: HttpServerRequest.HttpServerRequest) =>
        handler.pipe(
          Effect.provideService(HttpServerRequest.HttpServerRequest, request),
          Effect.provideService(PatientWebhook.DeliveryStore, store)
        )
      return { calls, send }
    })

  it.effect("200 for new, 200 duplicate without a second onEvent, and every refusal's status", () =>
    atNow(Effect.gen(function*() {
      const { calls, send } = yield* setup()
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      const ok = yield* send(post(body, signed))
      expect(ok.status).toBe(200)
      expect(decodeBody(ok)).toStrictEqual({ status: "accepted" })
      const again = yield* send(post(body, signed))
      expect(again.status).toBe(200)
      expect(decodeBody(again)).toStrictEqual({ status: "duplicate" })
      expect(calls).toStrictEqual([`4242:${PatientWebhook.deliveryKey(seconds, body)}`])

      const cases: Array<[HttpServerRequest.HttpServerRequest, number, string]> = [
        [post(body, {}, { method: "GET" }), 405, "method_not_allowed"],
        [post(body, { "x-herohealth-timestamp": seconds }), 401, "signature_missing"],
        [post(bodyText.replace("4242", "4243"), signed), 401, "signature_invalid"],
        [
          post(body, PatientWebhook.sign({ body, signingKey: Redacted.make("x"), timestamp: seconds })),
          401,
          "signature_invalid"
        ],
        [post(body, PatientWebhook.sign({ body, signingKey, timestamp: now - 3_600_000 })), 400, "timestamp_stale"],
        [post(body, PatientWebhook.sign({ body, signingKey, timestamp: "soon" })), 400, "timestamp_invalid"],
        [
          post("not json", PatientWebhook.sign({ body: "not json", signingKey, timestamp: seconds })),
          400,
          "body_malformed"
        ],
        [
          post("x".repeat(70_000), PatientWebhook.sign({ body: "x".repeat(70_000), signingKey, timestamp: seconds })),
          413,
          "body_too_large"
        ]
      ]
      for (const [request, status, code] of cases) {
        const response = yield* send(request)
        expect([response.status, decodeBody(response)]).toStrictEqual([status, { error: code }])
      }
      expect(calls.length).toBe(1)
    })))

  it.effect("a chunked body over the limit (no Content-Length) is cut off at the limit: 413", () =>
    atNow(Effect.gen(function*() {
      const { send } = yield* setup()
      let pulled = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          if (pulled > 1000) controller.close()
          else controller.enqueue(new Uint8Array(16 * 1024))
        }
      })
      const request = HttpServerRequest.fromWeb(
        new Request("http://receiver.test/", { method: "POST", body: stream, duplex: "half" } as RequestInit)
      )
      const response = yield* send(request)
      expect(response.status).toBe(413)
      expect(response.headers["connection"]).toBe("close")
      expect(pulled).toBeLessThan(20)
    })))

  it.effect("onEvent failing answers 500 and releases the delivery: the retry runs onEvent again", () =>
    atNow(Effect.gen(function*() {
      let attempts = 0
      const { send } = yield* setup(() => Effect.suspend(() => ++attempts === 1 ? Effect.fail("boom") : Effect.void))
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      expect((yield* send(post(body, signed))).status).toBe(500)
      expect((yield* send(post(body, signed))).status).toBe(200)
      expect(attempts).toBe(2)
    })))

  it.effect("a failing store answers 500 store_unavailable, onEvent not called", () =>
    atNow(Effect.gen(function*() {
      let called = 0
      const handler = PatientWebhook.makeHandler({ signingKey, onEvent: () => Effect.sync(() => void called++) })
      const failing: PatientWebhook.DeliveryStoreService = {
        record: () => Effect.fail(new PatientWebhook.DeliveryStoreError({ operation: "record" })),
        release: () => Effect.void
      }
      const response = yield* handler.pipe(
        Effect.provideService(
          HttpServerRequest.HttpServerRequest,
          post(body, PatientWebhook.sign({ body, signingKey, timestamp: seconds }))
        ),
        Effect.provideService(PatientWebhook.DeliveryStore, failing)
      )
      expect([response.status, decodeBody(response)]).toStrictEqual([500, { error: "store_unavailable" }])
      expect(called).toBe(0)
    })))

  it.effect("logs carry codes only: no body, patient id, practice group id, signature or key", () =>
    atNow(Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        lines.push(JSON.stringify({ message, annotations: Object.fromEntries(annotations) }))
      })
      const { send } = yield* setup()
      const signed = PatientWebhook.sign({ body, signingKey, timestamp: seconds })
      yield* Effect.gen(function*() {
        yield* send(post(body, signed))
        yield* send(post(body, signed))
        yield* send(post(bodyText.replace("4242", "4243"), signed))
        yield* send(
          post("{\"id\":\"4242\"}", PatientWebhook.sign({ body: "{\"id\":\"4242\"}", signingKey, timestamp: seconds }))
        )
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.Debug))
      expect(lines.length).toBe(4)
      const text = lines.join("\n")
      for (
        const secret of ["4242", "pg-777", signed["x-herohealth-signature"], Redacted.value(signingKey), "Patient"]
      ) {
        expect(text).not.toContain(secret)
      }
    })))
})
