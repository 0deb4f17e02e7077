import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import * as HeroHealthTransport from "@hero-effect/client/HeroHealthTransport"
import * as UndiciTransport from "@hero-effect/client/UndiciTransport"
import { Faults, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import { Effect, Fiber, Layer, Redacted } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

// The undici transport against the sandbox's HTTP server on an ephemeral loopback port. The
// behaviours every transport shares run in the sandbox's ClientBehaviour suite; here are the
// socket-level ones that only a real transport has: time limits, refused and reset connections,
// interruption, query and body on the wire. Time limits are real timers here: 150 ms where only a
// hang must time out, 1 s where a retry must also answer in time on a loaded machine.
const id = (s: string) => PatientId.make(s)

const withServer = (options: Sandbox.SandboxOptions = {}) =>
  SandboxServer.layer({ port: 0 }).pipe(Layer.provideMerge(Sandbox.layer({ seed: 3, patients: 6, ...options })))

const clientFor = (baseUrl: string, sandbox: Sandbox.SandboxService, policies = {}) =>
  HeroHealthClient.layerUndici().pipe(Layer.provide(HeroHealthConfig.layer({
    baseUrl,
    apiKey: Redacted.make(sandbox.credentials.apiKey),
    practiceGroupId: sandbox.credentials.practiceGroupId,
    rateLimit: "unlimited",
    policies
  })))

const withClient = <A, E>(
  body: (hero: HeroHealthClient["Type"], sandbox: Sandbox.SandboxService) => Effect.Effect<A, E>,
  options: Sandbox.SandboxOptions = {},
  policies = {}
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    return yield* Effect.flatMap(HeroHealthClient, (hero) => body(hero, sandbox)).pipe(
      Effect.provide(clientFor(server.url, sandbox, policies))
    )
  }).pipe(Effect.provide(withServer(options)), Effect.scoped)

// A port nothing listens on: bound, then closed.
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = http.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describe("UndiciTransport", () => {
  it.live("reads and writes through undici: query values encoded, JSON bodies sent", () =>
    withClient((hero, sandbox) =>
      Effect.gen(function*() {
        const first = sandbox.world.patients[0]!
        expect((yield* hero.getPatientById(id(first.id))).id).toBe(first.id)
        const found = yield* hero.listPatientsV2({ field: "last_name", search: `${first.lastName}` })
        expect(found.data.map((p) => p.heroId)).toContain(first.id)
        // Encoded, `&` is part of the value (no match); sent raw, it would cut the value short.
        const injected = yield* hero.listPatientsV2({ field: "last_name", search: `${first.lastName}&x=1` })
        expect(injected.data).toStrictEqual([])
        const other = sandbox.world.patients[1]!
        const preview = yield* hero.previewPatientMerge(id(first.id), { incomingPatientId: id(other.id) })
        expect(preview.mergeToken).toBeDefined()
      })
    ))

  it.live("an exchange that outlives the attempt timeout is a Timeout; a read is retried, then succeeds", () =>
    withClient(
      (hero, sandbox) =>
        Effect.gen(function*() {
          const first = sandbox.world.patients[0]!
          expect((yield* hero.getPatientById(id(first.id))).id).toBe(first.id)
          expect((yield* sandbox.faultLog).length).toBe(1)
        }),
      { faults: [Faults.scripted("getPatientById", [1], Faults.Fault.Hang())] },
      { getPatientById: { attemptTimeout: "1 second", baseDelay: "0 millis" } }
    ))

  it.live("a hung write is a Timeout that may have reached the server, and is not repeated", () =>
    withClient(
      (hero, sandbox) =>
        Effect.gen(function*() {
          const [a, b] = sandbox.world.patients
          const preview = yield* hero.previewPatientMerge(id(a!.id), { incomingPatientId: id(b!.id) })
          const error = yield* Effect.flip(
            hero.mergePatient(id(a!.id), { mergeToken: preview.mergeToken, incomingPatientId: id(b!.id) })
          )
          expect(error).toMatchObject({ _tag: "Timeout", scope: "attempt" })
          expect((yield* sandbox.faultLog).length).toBe(1)
        }),
      { faults: [Faults.scripted("mergePatient", [1], Faults.Fault.Hang())] },
      { mergePatient: { attemptTimeout: "150 millis" } }
    ))

  it.live("a reset connection on a write is a NetworkError that may have reached the server", () =>
    withClient(
      (hero, sandbox) =>
        Effect.gen(function*() {
          const [a] = sandbox.world.patients
          const candidates = yield* hero.listPatientEhrCandidates(id(a!.id))
          const ehrPartnerId = candidates.data[0]?.ehrPartnerId
          if (ehrPartnerId === undefined) return
          const error = yield* Effect.flip(hero.connectPatientEhr(id(a!.id), { ehrPartnerId }))
          expect(error).toMatchObject({ _tag: "NetworkError", mayHaveReachedServer: true })
        }),
      { faults: [Faults.scripted("connectPatientEhr", [1], Faults.Fault.Reset())] }
    ))

  it.live("a refused connection is a NetworkError that certainly did not reach the server", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const sandbox = yield* Sandbox.make({ seed: 3, patients: 2 })
      const error = yield* Effect.flip(
        Effect.flatMap(HeroHealthClient, (hero) => hero.getPatientById(id("100001"))).pipe(
          Effect.provide(clientFor(`http://127.0.0.1:${port}`, sandbox, { getPatientById: { maxRetries: 0 } }))
        )
      )
      expect(error).toMatchObject({ _tag: "NetworkError", mayHaveReachedServer: false, reason: "ECONNREFUSED" })
    }))

  it.live("interrupting a call aborts its exchange and leaves the transport usable", () =>
    withClient(
      (hero, sandbox) =>
        Effect.gen(function*() {
          const first = sandbox.world.patients[0]!
          const fiber = yield* Effect.fork(hero.getPatientById(id(first.id)))
          // Wait until the hung request has reached the server, then interrupt it.
          while ((yield* sandbox.faultLog).length === 0) yield* Effect.yieldNow()
          yield* Fiber.interrupt(fiber)
          expect((yield* hero.getPatientById(id(first.id))).id).toBe(first.id)
        }),
      { faults: [Faults.scripted("getPatientById", [1], Faults.Fault.Hang())] }
    ))

  it.live("a transport of your own plugs in through HeroHealthTransport", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const transport: HeroHealthTransport.Service = {
        send: (request) =>
          Effect.sync(() => {
            seen.push(`${request.method} ${new URL(request.url).pathname} ${request.timeoutMillis > 0}`)
            return { status: 503, headers: {}, text: "" }
          })
      }
      const error = yield* Effect.flip(
        Effect.flatMap(HeroHealthClient, (hero) => hero.getPatientById(id("100001"))).pipe(
          Effect.provide(HeroHealthClient.layerTransport.pipe(
            Layer.provide(Layer.succeed(HeroHealthTransport.HeroHealthTransport, transport)),
            Layer.provide(HeroHealthConfig.layer({
              baseUrl: "https://api.example.test",
              apiKey: Redacted.make("k"),
              practiceGroupId: PracticeGroupId.make("pg"),
              rateLimit: "unlimited",
              policies: { getPatientById: { maxRetries: 0 } }
            }))
          ))
        )
      )
      expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
      expect(seen).toStrictEqual(["GET /v1/patients/100001 true"])
    }))

  it.live("a redirect is not followed: the key never goes to another origin", () =>
    Effect.gen(function*() {
      const hits: Array<string> = []
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<http.Server>((resolve) => {
            const s = http.createServer((req, res) => {
              hits.push(req.url ?? "")
              res.writeHead(302, { location: "/elsewhere" })
              res.end()
            })
            s.listen(0, "127.0.0.1", () => resolve(s))
          })
        ),
        (s) => Effect.promise(() => new Promise<void>((resolve) => s.close(() => resolve())))
      )
      const { port } = server.address() as AddressInfo
      const sandbox = yield* Sandbox.make({ seed: 3, patients: 2 })
      const error = yield* Effect.flip(
        Effect.flatMap(HeroHealthClient, (hero) => hero.getPatientById(id("100001"))).pipe(
          Effect.provide(clientFor(`http://127.0.0.1:${port}`, sandbox))
        )
      )
      expect(error).toMatchObject({ _tag: "UnexpectedResponse", status: 302 })
      expect(hits).toStrictEqual(["/v1/patients/100001"])
    }).pipe(Effect.scoped))

  it.live("the agent closes with its scope", () =>
    Effect.gen(function*() {
      const server = yield* SandboxServer.SandboxServer
      const request = {
        method: "GET",
        url: `${server.url}/v1/patients/100001`,
        headers: {},
        body: undefined,
        timeoutMillis: 5000
      } as const
      // Open: the same request gets an answer (401 without a key is still an answer).
      const open = yield* Effect.scoped(Effect.flatMap(UndiciTransport.make(), (transport) => transport.send(request)))
      expect(open.status).toBe(401)
      // Closed with its scope: the agent refuses to dispatch.
      const closed = yield* Effect.scoped(UndiciTransport.make())
      const error = yield* Effect.flip(closed.send(request))
      expect(error).toMatchObject({ _tag: "TransportError", kind: "failed", reason: "UND_ERR_DESTROYED" })
    }).pipe(Effect.provide(withServer()), Effect.scoped))
})
