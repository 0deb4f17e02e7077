import { describe, expect, it } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import { validateNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Cause, Effect, Exit, FastCheck as fc } from "effect"
import { clientWith } from "./support/scripted.js"

// Generated invalid inputs to every operation: each must fail with InvalidInput, send nothing,
// and never die. Callers in plain JavaScript can pass anything, so the inputs are cast.
const unsafeId = fc.oneof(
  fc.constantFrom("", ".", "..", "a/b", "../1", "1?x", "1#y", "%2F", " 1", "1\t", "1\n2", "\u0000"),
  fc.string({ minLength: 1 }).map((s) => `${s}/`),
  fc.string({ minLength: 129, maxLength: 300 }),
  fc.anything().filter((u) => typeof u !== "string")
)

const invalidNhs = fc.oneof(fc.string(), fc.stringMatching(/^\d{10}$/), fc.anything())
  .filter((u) => typeof u !== "string" || validateNhsNumber(u)._tag === "Invalid")

const anyBody = fc.oneof(fc.anything(), fc.object(), fc.record({ nhsNumber: invalidNhs, dateOfBirth: fc.string() }))

type Call = (hero: HeroHealthClientService, value: any) => Effect.Effect<unknown, { readonly _tag: string }>

const byId: ReadonlyArray<readonly [string, Call]> = [
  ["listPatientEhrCandidates", (h, v) => h.listPatientEhrCandidates(v)],
  ["connectPatientEhr", (h, v) => h.connectPatientEhr(v, { ehrPartnerId: "E1" as never })],
  ["previewPatientMerge", (h, v) => h.previewPatientMerge(v, { incomingPatientId: "1" as never })],
  ["mergePatient", (h, v) => h.mergePatient(v, { mergeToken: undefined as never, incomingPatientId: "1" as never })],
  ["getPatientById", (h, v) => h.getPatientById(v)],
  ["listPatientAttachments", (h, v) => h.listPatientAttachments(v)],
  ["patientBillingInfo", (h, v) => h.patientBillingInfo(v)],
  ["listPatientPaymentMethods", (h, v) => h.listPatientPaymentMethods(v)],
  ["getPatientByIdV2", (h, v) => h.getPatientByIdV2(v)]
]

const byBody: ReadonlyArray<readonly [string, Call]> = [
  ["connectPatientEhr", (h, v) => h.connectPatientEhr("1" as never, v)],
  ["previewPatientMerge", (h, v) => h.previewPatientMerge("1" as never, v)],
  ["mergePatient", (h, v) => h.mergePatient("1" as never, v)],
  ["listPatients", (h, v) => h.listPatients(v)],
  ["registerPatientPds", (h, v) => h.registerPatientPds(v)],
  ["registerPatient", (h, v) => h.registerPatient(v)],
  ["getPatientByIdV2", (h, v) => h.getPatientByIdV2("1" as never, v)],
  ["listPatientsV2", (h, v) => h.listPatientsV2(v)],
  ["listPatientsV3", (h, v) => h.listPatientsV3(v)]
]

const refusedBeforeSending = (call: Call, arbitrary: fc.Arbitrary<unknown>, seed: number) =>
  Effect.gen(function*() {
    const { count, hero } = yield* clientWith([{ status: 200, body: {} }])
    const values = fc.sample(arbitrary, { numRuns: 60, seed })
    for (const value of values) {
      const exit = yield* Effect.exit(call(hero, value))
      if (Exit.isSuccess(exit)) throw new Error(`accepted ${JSON.stringify(value)}`)
      expect(Cause.isDie(exit.cause)).toBe(false)
      expect(Cause.failureOption(exit.cause)).toMatchObject({ _tag: "Some", value: { _tag: "InvalidInput" } })
    }
    expect(yield* count).toBe(0)
  })

describe("bad input never reaches the wire and never dies", () => {
  for (const [operation, call] of byId) {
    it.effect(`${operation}: unsafe ids`, () => refusedBeforeSending(call, unsafeId, 1))
  }
  for (const [operation, call] of byBody) {
    it.effect(`${operation}: arbitrary bodies and queries`, () =>
      refusedBeforeSending(
        call,
        // `{}` (and `undefined` for v2's optional query) are valid inputs of the look-ups.
        anyBody.filter((u) =>
          !((operation.startsWith("listPatients") || operation === "getPatientByIdV2") &&
            (u === undefined ||
              (typeof u === "object" && u !== null && !Array.isArray(u) && Object.keys(u).length === 0)))
        ),
        2
      ))
  }
  it.effect("listPatientsV3 and registerPatientPds: invalid NHS numbers", () =>
    Effect.gen(function*() {
      yield* refusedBeforeSending((h, v) => h.listPatientsV3({ nhsNumber: v }), invalidNhs, 3)
      yield* refusedBeforeSending(
        (h, v) => h.registerPatientPds({ _tag: "ByNhsNumber", nhsNumber: v, dateOfBirth: "1990-01-01" as never }),
        invalidNhs,
        4
      )
    }))
})
