// WebhookSender against PatientWebhook's handler on an ephemeral loopback port: each fault gets
// the status the receiver should answer, the receiver's onEvent runs once per genuine new
// delivery, and the same seed sends the same bytes.
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
import { Chunk, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import * as WebhookSender from "../src/WebhookSender.js"

const signingKey = Redacted.make("whsec_sandbox_test")
const now = 1_767_225_600_000

/** A receiver on 127.0.0.1:0; its URL and the deliveries its onEvent saw. */
const receiver = Effect.gen(function*() {
  const seen: Array<string> = []
  const app = PatientWebhook.makeHandler({
    signingKey,
    onEvent: (event, key) => Effect.sync(() => void seen.push(`${event.id}:${key}`))
  })
  const context = yield* Layer.build(
    HttpServer.serve(app).pipe(
      Layer.provide(PatientWebhook.layerMemoryStore()),
      Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    )
  )
  const server = yield* HttpServer.HttpServer.pipe(Effect.provide(context))
  const port = server.address._tag === "TcpAddress" ? server.address.port : 0
  return { url: `http://127.0.0.1:${port}/webhooks`, seen }
})

const options = (url: string) => ({ url, signingKey, patientId: "1001", practiceGroupId: "pg-42", seed: 7 })

/** Runs `effect` while moving the TestClock to each pending sleep (the replay's wait). */
const driven = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) {
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isNonEmpty(sleeps)) yield* TestClock.adjust("10 minutes")
      else yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Fiber.join(fiber)
  })

const expected: Record<WebhookSender.Fault, ReadonlyArray<number>> = {
  "none": [200],
  "bad-signature": [401],
  "wrong-key": [401],
  "tampered-body": [401],
  "stale-timestamp": [400],
  "replay": [200, 400],
  "duplicate": [200, 200],
  "out-of-order": [200, 200],
  "malformed-json": [400],
  "oversize": [413]
}

describe("WebhookSender", () => {
  for (const fault of WebhookSender.faults) {
    it.scoped(`${fault}: ${expected[fault].join(", ")}`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const { seen, url } = yield* receiver
        const deliveries = yield* driven(WebhookSender.send({ ...options(url), fault }))
        expect(deliveries.map((d) => d.status)).toStrictEqual(expected[fault])
        expect(deliveries.every((d) => d.fault === fault)).toBe(true)
        const accepted = fault === "none" || fault === "replay" || fault === "duplicate"
          ? 1
          : fault === "out-of-order"
          ? 2
          : 0
        expect(seen.length).toBe(accepted)
        if (fault === "duplicate" || fault === "replay") {
          expect(deliveries[1]!.body).toStrictEqual(deliveries[0]!.body)
          expect(deliveries[1]!.headers).toStrictEqual(deliveries[0]!.headers)
        }
        if (fault === "out-of-order") {
          const [newer, older] = deliveries
          expect(Number(older!.headers[PatientWebhook.timestampHeader])).toBeLessThan(
            Number(newer!.headers[PatientWebhook.timestampHeader])
          )
        }
        if (fault === "oversize") expect(deliveries[0]!.body.length).toBe(PatientWebhook.defaultMaxBodyBytes + 1)
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  }

  it.scoped("the same seed sends the same bytes; another seed other random choices", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const { url } = yield* receiver
      const run = (seed: number) =>
        WebhookSender.sendAll({ ...options(url), seed }, [
          "bad-signature",
          "wrong-key",
          "tampered-body",
          "malformed-json"
        ])
      const strip = (ds: ReadonlyArray<WebhookSender.Delivery>) => ds.map((d) => ({ h: d.headers, b: [...d.body] }))
      const a = strip(yield* run(1))
      const b = strip(yield* run(1))
      const c = strip(yield* run(2))
      expect(a).toStrictEqual(b)
      expect(a).not.toStrictEqual(c)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
