import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig, type Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { Faults, Protocol, Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { PatientId } from "@hero-effect/schema/Ids"
import { CanonicalNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Chunk, Effect, Layer, Option, Redacted, Schema, Stream } from "effect"
import { exampleWorld } from "./support/helpers.js"
import { responseProblems } from "./support/openapi.js"

// One behaviour suite for the client, run against both faces of the sandbox: the in-memory
// `Sandbox.layerClient` (no sockets, TestClock) and the HTTP server on an ephemeral loopback port
// through the real client and a real HTTP stack. Both must behave the same.
type ClientOverrides = Partial<Omit<HeroHealthConfigOptions, "baseUrl">>
type Face = (options: Sandbox.SandboxOptions, client?: ClientOverrides) => Layer.Layer<
  HeroHealthClient | Sandbox.Sandbox,
  unknown
>

const inMemory: Face = (options, client) => Sandbox.layerClient({ ...options, client })

const overHttp = (
  transport: "fetch" | "undici"
): Face =>
(options, client) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    const config = HeroHealthConfig.layer({
      baseUrl: server.url,
      apiKey: Redacted.make(sandbox.credentials.apiKey),
      practiceGroupId: sandbox.credentials.practiceGroupId,
      rateLimit: "unlimited",
      ...client
    })
    return transport === "fetch"
      ? HeroHealthClient.layer.pipe(Layer.provide(config), Layer.provide(FetchHttpClient.layer))
      : HeroHealthClient.layerUndici().pipe(Layer.provide(config))
  })).pipe(
    Layer.provideMerge(SandboxServer.layer({ port: 0 })),
    Layer.provideMerge(Sandbox.layer(options))
  )

// Every response the suite's traffic produced validates against the OpenAPI document.
const isErrorBody = Schema.is(Protocol.ErrorBody)
const everyResponseConforms = Effect.gen(function*() {
  const exchanges = yield* (yield* Sandbox.Sandbox).exchanges
  const problems = exchanges.flatMap((x) =>
    x.operation !== undefined && x.outcome._tag === "Respond"
      ? responseProblems(x.operation, x.outcome.status, x.outcome.body, isErrorBody)
      : []
  )
  expect(exchanges.length).toBeGreaterThan(0)
  expect(problems).toStrictEqual([])
})

const id = (s: string) => PatientId.make(s)
// Retries without waiting, so the suite needs no clock on either face.
const instantRetries: ClientOverrides = {
  policies: Object.fromEntries(
    ["getPatientById", "listPatientEhrCandidates", "mergePatient", "connectPatientEhr"].map((
      op
    ) => [op, { baseDelay: "0 millis" }])
  )
}

type Test = (name: string, self: () => Effect.Effect<unknown, unknown>) => void

// The in-memory face runs under TestClock; the HTTP face needs the real clock for its sockets.
const faces: ReadonlyArray<readonly [string, Face, Test]> = [
  ["in-memory (Sandbox.layerClient)", inMemory, (name, self) => it.effect(name, self)],
  ["HTTP server through the real client", overHttp("fetch"), (name, self) => it.live(name, self)],
  ["HTTP server through the undici transport", overHttp("undici"), (name, self) => it.live(name, self)]
]

for (const [name, face, test] of faces) {
  describe(`client behaviour: ${name}`, () => {
    const run = <A, E>(
      body: Effect.Effect<A, E, HeroHealthClient | Sandbox.Sandbox>,
      options: Sandbox.SandboxOptions = {},
      client?: ClientOverrides
    ) =>
      Effect.scoped(Effect.provide(
        Effect.tap(body, () => everyResponseConforms),
        face({ world: exampleWorld, ...options }, client)
      ))

    test("reads a patient, and 404 becomes PatientNotFound", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const patient = yield* hero.getPatientById(id("100001"))
        expect(patient).toMatchObject({ id: "100001", firstName: "Alice", nhsNumber: { _tag: "VerifiedNhsNumber" } })
        expect(yield* Effect.flip(hero.getPatientById(id("999999")))).toMatchObject({
          _tag: "PatientNotFound",
          patientId: "999999"
        })
      })))

    test("finds EHR candidates with the Hero id they are linked to", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const candidates = yield* hero.listPatientEhrCandidates(id("100002"))
        expect(candidates.data.map((c) => c.ehrPartnerId)).toContain("5000001")
        const linked = yield* hero.listPatientEhrCandidates(id("100004"))
        expect(linked.data.find((c) => c.ehrPartnerId === "5000002")?.heroId).toBe("100003")
      })))

    test("connect is idempotent and refuses a record linked to another patient", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const sandbox = yield* Sandbox.Sandbox
        yield* hero.connectPatientEhr(id("100001"), { ehrPartnerId: "5000001" as never })
        yield* hero.connectPatientEhr(id("100001"), { ehrPartnerId: "5000001" as never })
        expect((yield* sandbox.counters).connectsApplied("100001", "5000001")).toBe(1)
        expect(yield* Effect.flip(hero.connectPatientEhr(id("100002"), { ehrPartnerId: "5000001" as never })))
          .toMatchObject({ _tag: "Conflict", code: "ehr_record_linked_to_other_patient" })
      })))

    test("preview then merge: incoming archived, token single use, applied once", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const sandbox = yield* Sandbox.Sandbox
        const preview = yield* hero.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") })
        expect(preview.mainPatient.id).toBe("100001")
        expect(preview.incomingPatient.id).toBe("100002")
        expect(String(preview.mergeToken)).toBe("<redacted>")
        const request = { mergeToken: preview.mergeToken, incomingPatientId: id("100002") }
        yield* hero.mergePatient(id("100001"), request)
        expect((yield* hero.getPatientById(id("100002"))).status).toBe("archived")
        expect(yield* Effect.flip(hero.mergePatient(id("100001"), request)))
          .toMatchObject({ _tag: "Conflict", code: "merge_token_used" })
        expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
      })))

    test("a token goes stale when a record changes after the preview, and cannot merge another pair", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const preview = yield* hero.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") })
        expect(
          yield* Effect.flip(
            hero.mergePatient(id("100003"), { mergeToken: preview.mergeToken, incomingPatientId: id("100002") })
          )
        )
          .toMatchObject({ _tag: "Conflict", code: "merge_token_mismatch" })
        yield* hero.connectPatientEhr(id("100001"), { ehrPartnerId: "5000001" as never })
        expect(
          yield* Effect.flip(
            hero.mergePatient(id("100001"), { mergeToken: preview.mergeToken, incomingPatientId: id("100002") })
          )
        )
          .toMatchObject({ _tag: "Conflict", code: "merge_token_stale" })
      })))

    test("an archived patient cannot be merged again", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        expect(yield* Effect.flip(hero.previewPatientMerge(id("100003"), { incomingPatientId: id("100004") })))
          .toMatchObject({ _tag: "Conflict", code: "patient_archived" })
      })))

    test("register_pds: existing id, identity check, no match", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const dob = (s: string) => CanonicalDateOfBirth.make(s)
        const existing = yield* hero.registerPatientPds({
          _tag: "ByNhsNumber",
          nhsNumber: CanonicalNhsNumber.make("9990010005"),
          dateOfBirth: dob("1980-01-15")
        })
        expect(existing._tag).toBe("PatientRegistered")
        const check = yield* hero.registerPatientPds({
          _tag: "ByNhsNumber",
          nhsNumber: CanonicalNhsNumber.make("9990040001"),
          dateOfBirth: dob("1962-03-30")
        })
        expect(check).toMatchObject({ _tag: "IdentityCheckRequired" })
        expect(
          yield* Effect.flip(
            hero.registerPatientPds({
              _tag: "ByNhsNumber",
              nhsNumber: CanonicalNhsNumber.make("9990050007"),
              dateOfBirth: dob("1999-01-01")
            })
          )
        )
          .toMatchObject({ _tag: "PatientNotFound" })
      })))

    test("register upserts on NHS number and date of birth", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const request = {
          dateOfBirth: CanonicalDateOfBirth.make("2000-02-02"),
          firstName: "Gina",
          lastName: "Hart",
          mobile: "07700900999",
          nhsNumber: CanonicalNhsNumber.make("9990060002")
        }
        const first = yield* hero.registerPatient(request)
        const second = yield* hero.registerPatient({ ...request, mobile: "07700900998" })
        expect(second.patientId).toBe(first.patientId)
        expect((yield* hero.getPatientById(first.patientId)).mobile).toBe("07700900998")
      })))

    test("lists and searches: v1, v2, v3 pages and the stream", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        const v1 = yield* hero.listPatients({ field: "nhs_number", search: "9990010005" })
        expect(v1.data.map((p) => p.id).sort()).toStrictEqual(["100001", "100002"])
        const v2 = yield* hero.listPatientsV2({ field: "nhs_number", search: "9990010005" })
        expect(v2.count).toBe(2)
        const page = yield* hero.listPatientsV3({ lastName: "Smith", pageSize: 1 })
        expect(page.data.length).toBe(1)
        expect(page.count).toBe(2)
        const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Smith", pageSize: 1 }))
        expect(Chunk.size(all)).toBe(2)
        expect(yield* Effect.flip(hero.listPatientsV3({}))).toMatchObject({ _tag: "InvalidInput" })
      })))

    test("billing info, payment methods, attachments, and v2 from the EHR", () =>
      run(Effect.gen(function*() {
        const hero = yield* HeroHealthClient
        expect(yield* hero.patientBillingInfo(id("100001"))).toMatchObject({ insurance: { insurer: "Bupa" } })
        expect(yield* hero.listPatientPaymentMethods(id("100001"))).toMatchObject({ data: [{ id: "pm_1" }] })
        expect((yield* hero.listPatientAttachments(id("100001"))).data).toHaveLength(1)
        const fromEhr = yield* hero.getPatientByIdV2(id("100003"), { dataSource: "ehr" })
        expect(fromEhr.ehrPartnerId).toBe("5000002")
      })))

    test("a wrong key is Unauthorised, a key without the patients scope Forbidden", () =>
      Effect.gen(function*() {
        const wrong = yield* Effect.flip(run(
          Effect.flatMap(HeroHealthClient, (hero) => hero.getPatientById(id("100001"))),
          {},
          { apiKey: Redacted.make("nope") }
        ))
        expect(wrong).toMatchObject({ _tag: "Unauthorised" })
        const scoped = yield* Effect.flip(run(
          Effect.flatMap(HeroHealthClient, (hero) => hero.getPatientById(id("100001"))),
          {},
          { apiKey: Redacted.make("messaging-only-key") }
        ))
        expect(scoped).toMatchObject({ _tag: "Forbidden" })
      }))

    test("a scripted 503 on a read is retried; a 503 on a merge is not", () =>
      run(
        Effect.gen(function*() {
          const hero = yield* HeroHealthClient
          const sandbox = yield* Sandbox.Sandbox
          expect((yield* hero.getPatientById(id("100001"))).id).toBe("100001")
          const preview = yield* hero.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") })
          const error = yield* Effect.flip(
            hero.mergePatient(id("100001"), { mergeToken: preview.mergeToken, incomingPatientId: id("100002") })
          )
          expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
          expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(0)
          expect((yield* sandbox.faultLog).length).toBe(2)
        }),
        {
          faults: [
            Faults.scripted("getPatientById", [1], Faults.Fault.Status({ status: 503 })),
            Faults.scripted("mergePatient", [1], Faults.Fault.Status({ status: 503 }))
          ]
        },
        instantRetries
      ))

    test("applied, then the response lost: the merge happened once and the client says it may have", () =>
      run(
        Effect.gen(function*() {
          const hero = yield* HeroHealthClient
          const sandbox = yield* Sandbox.Sandbox
          const preview = yield* hero.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") })
          const error = yield* Effect.flip(
            hero.mergePatient(id("100001"), { mergeToken: preview.mergeToken, incomingPatientId: id("100002") })
          )
          expect(error).toMatchObject({ _tag: "NetworkError", mayHaveReachedServer: true })
          expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
          expect((yield* hero.getPatientById(id("100002"))).status).toBe("archived")
          expect(Option.isSome(yield* sandbox.patient("100001"))).toBe(true)
        }),
        { faults: [Faults.scripted("mergePatient", [1], Faults.Fault.AppliedThenLost())] },
        instantRetries
      ))
  })
}
