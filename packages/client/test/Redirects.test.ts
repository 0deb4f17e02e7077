import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Effect } from "effect"
import { loopback, transportNames, withClientOn } from "./support/loopback.js"
import { wirePatientV1 } from "./support/scripted.js"

// D5: a redirect to another origin must never be followed with the key, whatever HttpClient the
// client runs on. Server A answers 302 to server B (another port: another origin); B must see
// nothing, and the call fails as UnexpectedResponse(302). Real sockets, 127.0.0.1 only.
describe("redirects are never followed", () => {
  for (const transport of transportNames) {
    for (const status of [301, 302, 307, 308]) {
      it.live(`${transport}: a ${status} to another origin is an UnexpectedResponse; the other origin sees no request`, () =>
        Effect.gen(function*() {
          const b = yield* loopback((_, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            res.end(JSON.stringify(wirePatientV1))
          })
          const a = yield* loopback((req, res) => {
            res.writeHead(status, { location: `${b.url}${req.url ?? "/"}` })
            res.end()
          })
          const error = yield* withClientOn(
            transport,
            a.url,
            (hero) => Effect.flip(hero.getPatientById(PatientId.make("1001")))
          )
          expect(error).toMatchObject({ _tag: "UnexpectedResponse", status })
          expect(error.message).toContain("redirect")
          expect(a.hits.map((h) => h.path)).toStrictEqual(["/v1/patients/1001"])
          expect(b.hits).toStrictEqual([])
        }).pipe(Effect.scoped))
    }
  }

  it.live("FetchHttpClient: a write is not re-sent to the redirect target either", () =>
    Effect.gen(function*() {
      const b = yield* loopback((_, res) => {
        res.writeHead(200)
        res.end()
      })
      const a = yield* loopback((req, res) => {
        res.writeHead(307, { location: `${b.url}${req.url ?? "/"}` })
        res.end()
      })
      const error = yield* withClientOn(
        "FetchHttpClient",
        a.url,
        (hero) => Effect.flip(hero.connectPatientEhr(PatientId.make("1001"), { ehrPartnerId: "E1" as never }))
      )
      expect(error).toMatchObject({ _tag: "UnexpectedResponse", status: 307 })
      expect(b.hits).toStrictEqual([])
    }).pipe(Effect.scoped))
})
