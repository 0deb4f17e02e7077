import { describe, expect, it } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import type { OperationId } from "@hero-effect/client/Operation"
import { operationIds, writeOperationIds } from "@hero-effect/client/Operation"
import { Faults, Sandbox } from "@hero-effect/sandbox"
import { CanonicalDateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { PatientId } from "@hero-effect/schema/Ids"
import { CanonicalNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Effect, Exit, Fiber, TestClock } from "effect"
import { exampleWorld } from "./support/helpers.js"

// Every operation × every sandbox fault kind, injected on the first call only: the typed outcome
// the caller sees and how many attempts reached the sandbox. Reads are retried; writes only when
// certainly unsent (a 429). Under TestClock on the in-memory face, so hangs and backoffs are
// virtual time.
const id = (s: string) => PatientId.make(s)
const dob = (s: string) => CanonicalDateOfBirth.make(s)

const calls: Record<OperationId, (hero: HeroHealthClientService) => Effect.Effect<unknown, { readonly _tag: string }>> =
  {
    listPatientEhrCandidates: (h) => h.listPatientEhrCandidates(id("100002")),
    connectPatientEhr: (h) => h.connectPatientEhr(id("100001"), { ehrPartnerId: "5000001" as never }),
    previewPatientMerge: (h) => h.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") }),
    mergePatient: (h) =>
      Effect.flatMap(
        h.previewPatientMerge(id("100001"), { incomingPatientId: id("100002") }),
        (preview) => h.mergePatient(id("100001"), { mergeToken: preview.mergeToken, incomingPatientId: id("100002") })
      ),
    getPatientById: (h) => h.getPatientById(id("100001")),
    listPatientAttachments: (h) => h.listPatientAttachments(id("100001")),
    listPatients: (h) => h.listPatients({ field: "nhs_number", search: "9990010005" }),
    registerPatientPds: (h) =>
      h.registerPatientPds({
        _tag: "ByNhsNumber",
        nhsNumber: CanonicalNhsNumber.make("9990050007"),
        dateOfBirth: dob("2001-11-11")
      }),
    registerPatient: (h) =>
      h.registerPatient({ dateOfBirth: dob("2000-02-02"), firstName: "Gina", lastName: "Hart", mobile: "07700900999" }),
    patientBillingInfo: (h) => h.patientBillingInfo(id("100001")),
    listPatientPaymentMethods: (h) => h.listPatientPaymentMethods(id("100001")),
    getPatientByIdV2: (h) => h.getPatientByIdV2(id("100001")),
    listPatientsV2: (h) => h.listPatientsV2({ field: "nhs_number", search: "9990010005" }),
    listPatientsV3: (h) => h.listPatientsV3({ lastName: "Smith" })
  }

const fault = Faults.Fault
const faultKinds: ReadonlyArray<readonly [string, Faults.Fault]> = [
  ["500", fault.Status({ status: 500 })],
  ["502", fault.Status({ status: 502 })],
  ["503", fault.Status({ status: 503 })],
  ["504", fault.Status({ status: 504 })],
  ["429", fault.RateLimited({ retryAfter: 2 })],
  ["latency", fault.Latency({ duration: "3 seconds" })],
  ["reset", fault.Reset()],
  ["hang", fault.Hang()],
  ["malformed JSON", fault.MalformedJson()],
  ["schema-breaking body", fault.SchemaBreaking()],
  ["applied then lost", fault.AppliedThenLost()]
]

// connect and merge document no body, so a broken body after a successful write is no failure.
const bodyless = new Set<OperationId>(["connectPatientEhr", "mergePatient"])

const expected = (operation: OperationId, kind: string): { readonly outcome: string; readonly attempts: number } => {
  const write = writeOperationIds.has(operation)
  switch (kind) {
    case "500":
    case "502":
    case "503":
    case "504":
      return write ? { outcome: "ServerError", attempts: 1 } : { outcome: "success", attempts: 2 }
    case "429":
      return { outcome: "success", attempts: 2 }
    case "latency":
      return { outcome: "success", attempts: 1 }
    case "reset":
    case "applied then lost":
      return write ? { outcome: "NetworkError", attempts: 1 } : { outcome: "success", attempts: 2 }
    case "hang":
      return write ? { outcome: "Timeout", attempts: 1 } : { outcome: "success", attempts: 2 }
    default: // malformed JSON, schema-breaking body: not retried (the server did answer)
      return bodyless.has(operation)
        ? { outcome: "success", attempts: 1 }
        : { outcome: "UnexpectedResponse", attempts: 1 }
  }
}

describe("fault matrix: every operation × every fault kind", () => {
  for (const operation of operationIds) {
    for (const [kind, injected] of faultKinds) {
      const { attempts, outcome } = expected(operation, kind)
      it.effect(`${operation} × ${kind} → ${outcome} after ${attempts} attempt(s)`, () =>
        Effect.gen(function*() {
          const hero = yield* HeroHealthClient
          const sandbox = yield* Sandbox.Sandbox
          const fiber = yield* Effect.fork(Effect.exit(calls[operation](hero)))
          yield* TestClock.adjust("5 minutes")
          const exit = yield* Fiber.join(fiber)
          if (outcome === "success") expect(exit).toMatchObject({ _tag: "Success" })
          else expect(exit).toMatchObject({ _tag: "Failure", cause: { _tag: "Fail", error: { _tag: outcome } } })
          const reached = (yield* sandbox.faultLog).filter((entry) => entry.operation === operation)
          expect(reached.length).toBe(1) // the fault was injected once
          const tries = (yield* sandbox.exchanges).filter((x) => x.operation === operation).length
          expect(tries).toBe(attempts)
          if (Exit.isFailure(exit) && operation === "mergePatient" && kind === "applied then lost") {
            expect((yield* sandbox.counters).mergesApplied("100001", "100002")).toBe(1)
          }
        }).pipe(
          Effect.provide(Sandbox.layerClient({
            world: exampleWorld,
            faults: [Faults.scripted(operation, [1], injected)],
            client: { policies: { [operation]: { attemptTimeout: "10 seconds" } } }
          }))
        ))
    }
  }
})
