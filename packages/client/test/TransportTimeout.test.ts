import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Deferred, Effect, Fiber } from "effect"
import type * as http from "node:http"
import { loopback, transportNames, withClientOn } from "./support/loopback.js"
import { wirePatientV1 } from "./support/scripted.js"

// The attempt timeout on Effect's own clock, on every transport: the platform transport runs the
// exchange in one child fiber under a native timer (internal/transport.ts `withTimeout`), the
// undici transport has its own timer. A server that never answers: the attempt fails as a
// Timeout, and the exchange is stopped (the server sees its connection close). Real sockets on
// 127.0.0.1; nothing here asserts on time.
const hang =
  (closed: Deferred.Deferred<void>, received: Deferred.Deferred<void>) =>
  (req: http.IncomingMessage, _: http.ServerResponse) => {
    Deferred.unsafeDone(received, Effect.void)
    req.socket.once("close", () => Deferred.unsafeDone(closed, Effect.void))
  }

describe("attempt timeout on the live clock", () => {
  for (const transport of transportNames) {
    it.live(`${transport}: a server that never answers is a Timeout of the attempt; the exchange is stopped`, () =>
      Effect.gen(function*() {
        const closed = yield* Deferred.make<void>()
        const received = yield* Deferred.make<void>()
        const server = yield* loopback(hang(closed, received))
        const error = yield* withClientOn(
          transport,
          server.url,
          (hero) => Effect.flip(hero.getPatientById(PatientId.make("1001"))),
          // Long enough that, even on a loaded machine, the request is sent before it fires.
          { policies: { getPatientById: { attemptTimeout: "1 second", maxRetries: 0 } } }
        )
        expect(error).toMatchObject({ _tag: "Timeout", scope: "attempt", afterMillis: 1000 })
        expect(server.hits.length).toBe(1)
        // Resolves only once the client has closed the connection it was waiting on.
        yield* Deferred.await(closed)
      }).pipe(Effect.scoped))

    it.live(`${transport}: interrupting the call stops its exchange; the client answers the next one`, () =>
      Effect.gen(function*() {
        const closed = yield* Deferred.make<void>()
        const received = yield* Deferred.make<void>()
        let first = true
        const server = yield* loopback((req, res) => {
          if (first) {
            first = false
            return hang(closed, received)(req, res)
          }
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify(wirePatientV1))
        })
        const patient = yield* withClientOn(
          transport,
          server.url,
          (hero) =>
            Effect.gen(function*() {
              const call = yield* Effect.fork(hero.getPatientById(PatientId.make("1001")))
              yield* Deferred.await(received)
              yield* Fiber.interrupt(call)
              yield* Deferred.await(closed)
              return yield* hero.getPatientById(PatientId.make("1001"))
            }),
          { policies: { getPatientById: { attemptTimeout: "60 seconds" } } }
        )
        expect(patient.id).toBe(wirePatientV1.id)
        expect(server.hits.length).toBe(2)
      }).pipe(Effect.scoped))
  }
})
