// PatientRecheck: the webhook receiver that starts a durable re-check of the patient, served on an
// ephemeral loopback port over DurableEngine.layerMemory + ProcessPatient.layer and the sandbox,
// with the event store in memory and in SQLite (":memory:"), fed by the sandbox's WebhookSender.
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
import { Sandbox, TelemetryCapture } from "@hero-effect/sandbox"
import * as WebhookSender from "@hero-effect/sandbox/WebhookSender"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, DurableEngine, PatientLease, ProcessPatient } from "@hero-effect/workflows"
import type { Context } from "effect"
import { Chunk, Clock, Effect, Fiber, Layer, LogLevel, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import * as PatientRecheck from "../src/PatientRecheck.js"

const signingKey = Redacted.make("whsec_recheck_test")
const now = 1_767_225_600_000

type Store = Layer.Layer<PatientRecheck.EventStore | PatientWebhook.DeliveryStore, unknown>

const stores: ReadonlyArray<readonly [string, () => Store]> = [
  ["layerMemory", () => PatientRecheck.layerMemory],
  ["layerSql (SQLite)", () => PatientRecheck.layerSql.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))]
]

/** The receiver and the durable world behind it, built in the test's scope. */
const receiver = (store: Store) =>
  Effect.gen(function*() {
    const world = ProcessPatient.layer().pipe(
      Layer.provideMerge(DurableEngine.layerMemory),
      Layer.provideMerge(Layer.mergeAll(
        Sandbox.layerClient({ seed: 11, patients: 12 }),
        PatientLease.layerMemory,
        Approver.layerAutomatic
      ))
    )
    const served = HttpServer.serve(PatientRecheck.handler({ signingKey })).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
      Layer.provideMerge(store),
      Layer.provideMerge(world)
    )
    const context = yield* Layer.build(served)
    const server = yield* HttpServer.HttpServer.pipe(Effect.provide(context))
    const sandbox = yield* Sandbox.Sandbox.pipe(Effect.provide(context))
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const patient = sandbox.world.patients[0]!
    return {
      context,
      url: `http://127.0.0.1:${port}/hero/webhooks`,
      patientId: patient.id,
      practiceGroupId: sandbox.credentials.practiceGroupId
    }
  })

/** Waits (real time, a millisecond at a time) and moves the TestClock to sleeps due within a second. */
const tick = Effect.gen(function*() {
  const at = yield* Clock.currentTimeMillis
  const next = Chunk.reduce(yield* TestClock.sleeps(), Infinity, (min, t) => Math.min(min, t))
  if (next <= at + 1000) yield* TestClock.adjust(Math.max(0, next - at))
  yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
})

/** The re-check of a delivery, once complete. */
const completed = (context: Context.Context<any>, patientId: PatientId, deliveryKey: string) =>
  Effect.gen(function*() {
    const executionId = yield* ProcessPatient.ProcessPatient.executionId({ runId: `recheck/${deliveryKey}`, patientId })
    for (let i = 0; i < 5000; i++) {
      const result = yield* ProcessPatient.ProcessPatient.poll(executionId).pipe(Effect.provide(context))
      if (result !== undefined && result._tag === "Complete") return result
      yield* tick
    }
    return undefined
  })

const keyOf = (delivery: WebhookSender.Delivery) =>
  PatientWebhook.deliveryKey(delivery.headers[PatientWebhook.timestampHeader]!, delivery.body)

const startedLines = (captured: TelemetryCapture.Captured<unknown, unknown>) =>
  captured.lines.filter((l) => l.text.includes("webhook re-check started")).length

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
const starts: Record<WebhookSender.Fault, number> = {
  "none": 1,
  "bad-signature": 0,
  "wrong-key": 0,
  "tampered-body": 0,
  "stale-timestamp": 0,
  "replay": 1,
  "duplicate": 1,
  "out-of-order": 1,
  "malformed-json": 0,
  "oversize": 0
}

for (const [name, store] of stores) {
  describe(`PatientRecheck on ${name}`, () => {
    it.scoped("a valid delivery answers 200 and the patient's re-check workflow runs to completion", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const r = yield* receiver(store())
        const [delivery] = yield* WebhookSender.send({ ...r, signingKey })
        expect(delivery!.status).toBe(200)
        const result = yield* completed(r.context, r.patientId, keyOf(delivery!))
        expect(result?._tag).toBe("Complete")
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    for (const fault of WebhookSender.faults.filter((f) => f !== "none")) {
      it.scoped(`${fault}: ${expected[fault].join(", ")}, ${starts[fault]} re-check(s) started`, () =>
        Effect.gen(function*() {
          yield* TestClock.setTime(now)
          // Built inside the capture: the server's fibers inherit its logger.
          const captured = yield* TelemetryCapture.capture(Effect.gen(function*() {
            const r = yield* receiver(store())
            const fiber = yield* Effect.fork(WebhookSender.send({ ...r, signingKey, fault }))
            if (fault === "replay") {
              // The first delivery is handled and its re-check done before the sender's wait ends.
              while ((yield* TestClock.sleeps()).pipe(Chunk.filter((t) => t > now + 300_000), Chunk.isEmpty)) {
                yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
              }
              yield* TestClock.adjust("10 minutes")
            }
            const deliveries = yield* Fiber.join(fiber)
            const outcomes: Array<string | undefined> = []
            for (const d of deliveries) {
              // The older event of out-of-order starts nothing: nothing to wait for.
              if (d.status === 200 && d.label !== "older") {
                outcomes.push((yield* completed(r.context, r.patientId, keyOf(d)))?._tag)
              }
            }
            if (fault === "out-of-order") {
              const older = yield* ProcessPatient.ProcessPatient.executionId({
                runId: `recheck/${keyOf(deliveries[1]!)}`,
                patientId: r.patientId
              })
              expect(yield* ProcessPatient.ProcessPatient.poll(older).pipe(Effect.provide(r.context))).toBeUndefined()
            }
            expect(outcomes.every((o) => o === "Complete")).toBe(true)
            return deliveries
          }))
          const deliveries = captured.result._tag === "Right" ? captured.result.right : []
          expect(captured.result._tag).toBe("Right")
          expect(deliveries.map((d) => d.status)).toStrictEqual(expected[fault])
          expect(startedLines(captured)).toBe(starts[fault])
          if (fault === "out-of-order") {
            expect(captured.lines.some((l) => l.text.includes("superseded by a later re-check"))).toBe(true)
          }
        }).pipe(Effect.provide(FetchHttpClient.layer)))
    }

    it.scoped("an id that is not a PatientId (digits) is a malformed body: 400, nothing started", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const captured = yield* TelemetryCapture.capture(
          Effect.flatMap(
            receiver(store()),
            (r) => WebhookSender.send({ ...r, signingKey, patientId: "not-a-patient-id" })
          )
        )
        expect(captured.result._tag === "Right" && captured.result.right.map((d) => d.status)).toStrictEqual([400])
        expect(startedLines(captured)).toBe(0)
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })
}

describe("PatientRecheck logs", () => {
  it.scoped("no patient id, practice group id or body in any log line, at Debug", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const captured = yield* TelemetryCapture.capture(Effect.gen(function*() {
        const r = yield* receiver(stores[1]![1]())
        const sent = yield* WebhookSender.sendAll(
          { ...r, signingKey, seed: 3 },
          ["none", "duplicate", "tampered-body", "wrong-key", "malformed-json", "out-of-order", "oversize"]
        )
        for (const d of sent) {
          if (d.status === 200 && d.label !== "older") yield* completed(r.context, r.patientId, keyOf(d))
        }
        return { r, sent }
      }))
      if (captured.result._tag === "Left") throw new Error("the deliveries failed")
      const { r, sent } = captured.result.right
      expect(sent.filter((d) => d.status === 200).length).toBe(5)
      const text = captured.linesAtLeast(LogLevel.Debug)
      expect(text).toContain("webhook")
      expect(text).not.toMatch(new RegExp(`\\b${r.patientId}\\b`))
      expect(text).not.toContain(r.practiceGroupId)
      expect(text).not.toContain(Redacted.value(signingKey))
      for (const d of sent) {
        expect(text).not.toContain(d.headers[PatientWebhook.signatureHeader]!)
        expect(text).not.toContain(new TextDecoder().decode(d.body).slice(0, 40))
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
