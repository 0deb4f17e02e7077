import { describe, expect, it } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import { Cause, Effect, Exit, FastCheck as fc } from "effect"
import { clientWith } from "./support/scripted.js"

// D10: ids are ASCII digits (`^\d+$`, as Hero documents PatientId) checked before any encoding.
// Lone surrogates (on which encodeURIComponent throws), non-ASCII digits, zero-width and bidi
// marks, percent signs, slashes and dots: InvalidInput, nothing sent, nothing thrown, no defect.
const hostileChar = fc.constantFrom(
  "\uD800", // lone high surrogate
  "\uDFFF", // lone low surrogate
  "\u0661", // Arabic-Indic digit one
  "\u06F1", // extended Arabic-Indic digit one
  "\uFF11", // fullwidth digit one
  "\u0967", // Devanagari digit one
  "\u200D", // zero-width joiner
  "\u200B", // zero-width space
  "\uFEFF", // byte order mark
  "\u200F", // right-to-left mark
  "\u202E", // right-to-left override
  "\u2066", // left-to-right isolate
  "%",
  "%2F",
  "/",
  "\\",
  "..",
  ".",
  "?",
  "#",
  " ",
  "\n",
  "\u0000",
  "+",
  "-",
  "e"
)

// Digits with at least one hostile character somewhere (start, middle or end).
const hostileId = fc.tuple(fc.stringMatching(/^[0-9]{0,8}$/), hostileChar, fc.stringMatching(/^[0-9]{0,8}$/))
  .map(([a, c, b]) => `${a}${c}${b}`)

const anyNonDigits = fc.oneof(
  hostileId,
  fc.string({ unit: "binary", minLength: 1 }).filter((s) => !/^[0-9]+$/.test(s)),
  fc.constantFrom("", "..", "1/../2", "१२३", "١٢٣", "１２３", "12\u200D3", "\u200F123", "1".repeat(129))
)

type Call = (hero: HeroHealthClientService, value: any) => Effect.Effect<unknown, { readonly _tag: string }>

const calls: ReadonlyArray<readonly [string, Call]> = [
  ["getPatientById", (h, v) => h.getPatientById(v)],
  ["getPatientByIdV2", (h, v) => h.getPatientByIdV2(v)],
  ["listPatientEhrCandidates", (h, v) => h.listPatientEhrCandidates(v)],
  ["listPatientAttachments", (h, v) => h.listPatientAttachments(v)],
  ["patientBillingInfo", (h, v) => h.patientBillingInfo(v)],
  ["listPatientPaymentMethods", (h, v) => h.listPatientPaymentMethods(v)],
  ["connectPatientEhr (path)", (h, v) => h.connectPatientEhr(v, { ehrPartnerId: "E1" as never })],
  ["connectPatientEhr (ehrPartnerId)", (h, v) => h.connectPatientEhr("1001" as never, { ehrPartnerId: v })],
  ["previewPatientMerge (path)", (h, v) => h.previewPatientMerge(v, { incomingPatientId: "1002" as never })],
  ["previewPatientMerge (incoming)", (h, v) => h.previewPatientMerge("1001" as never, { incomingPatientId: v })],
  [
    "mergePatient (path)",
    (h, v) => h.mergePatient(v, { mergeToken: undefined as never, incomingPatientId: "1002" as never })
  ],
  [
    "listPatientsV2 (lone surrogate in search)",
    (h, v) => h.listPatientsV2({ field: "last_name", search: `x${v}\uD800` } as never)
  ]
]

describe("ids are ASCII digits, validated before any encoding", () => {
  for (const [name, call] of calls) {
    it.effect(`${name}: hostile ids are InvalidInput, never thrown, never a defect, nothing sent`, () =>
      Effect.gen(function*() {
        const { count, hero } = yield* clientWith([{ status: 200, body: {} }])
        const values = name.includes("ehrPartnerId")
          // EHR partner ids may hold letters and `-`: only the non-ASCII, space and control ones.
          ? fc.sample(anyNonDigits.filter((s) => !/^[\x21-\x7e]{1,128}$/.test(s)), { numRuns: 200, seed: 11 })
          : name.includes("incoming")
          // The body's patient_id has the schema's rule (digits, no length cap).
          ? fc.sample(anyNonDigits.filter((s) => !/^[0-9]+$/.test(s)), { numRuns: 200, seed: 11 })
          : fc.sample(anyNonDigits, { numRuns: 200, seed: 11 })
        for (const value of values) {
          // Built and run: neither may throw.
          const exit = yield* Effect.exit(Effect.suspend(() => call(hero, value)))
          if (Exit.isSuccess(exit)) throw new Error(`accepted ${JSON.stringify(value)}`)
          expect(Cause.isDie(exit.cause)).toBe(false)
          expect(Cause.failureOption(exit.cause), JSON.stringify(value)).toMatchObject({
            _tag: "Some",
            value: { _tag: "InvalidInput" }
          })
        }
        expect(yield* count).toBe(0)
      }))
  }

  it.effect("a lone surrogate makes no method throw synchronously", () =>
    Effect.gen(function*() {
      const { hero } = yield* clientWith([{ status: 200, body: {} }])
      expect(() => hero.getPatientById("12\uD800" as never)).not.toThrow()
      expect(() => hero.connectPatientEhr("12\uD800" as never, { ehrPartnerId: "E1" as never })).not.toThrow()
    }))

  it.effect("ASCII digit ids are sent as they are", () =>
    Effect.gen(function*() {
      const { hero, requests } = yield* clientWith([{ status: 200, body: {} }])
      yield* Effect.exit(hero.listPatientAttachments("000123" as never))
      expect((yield* requests).map((r) => r.url.pathname)).toStrictEqual(["/v1/patients/000123/attachments"])
    }))
})
