import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SeedFile } from "@hero-effect/sandbox"
import { PatientId } from "@hero-effect/schema/Ids"
import { testRangeNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Approver, Batch, Journal, PatientLease, Pipeline } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"

// The pipeline's identity decisions on small hand-built worlds: links go through the rules and the
// approver, a look-alike stops automation, a population cut short asks a person, and an EHR record
// owned by a Hero patient the population did not show is merged into only after comparing the two.
const nhs = (n: number) => testRangeNhsNumber(40_000 + n)

const heroWire = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  title: "Mr",
  first_name: "John",
  last_name: "Ashworth",
  sex: "Male",
  dob: "1988-06-14",
  nhs_number: nhs(1),
  mobile: "07700 900101",
  address_line_1: "4 Mill Lane",
  town: "Bolton",
  postcode: "BL1 4QT",
  data_source: "hero",
  status: "unarchived",
  restricted: false,
  ...over
})

const ehrWire = (ehrId: string, over: Record<string, unknown> = {}) => ({
  ehr_partner_id: ehrId,
  emis_id: ehrId,
  title: "Mr",
  first_name: "John",
  last_name: "Ashworth",
  sex: "Male",
  dob: "1988-06-14",
  nhs_number: nhs(1),
  line_1: "4 Mill Lane",
  town: "Bolton",
  postcode: "BL1 4QT",
  data_source: "emis",
  restricted: false,
  identifiers: [],
  ehr_registered: true,
  ...over
})

const worldOf = (file: Record<string, unknown>) => SeedFile.decodeSync({ practice_group_id: "pg-1", ...file })

const layers = (file: Record<string, unknown>, approver: Approver.Service = Approver.automatic) =>
  Layer.mergeAll(
    Sandbox.layerClient({ world: worldOf(file) }),
    Journal.layerMemory,
    PatientLease.layerMemory,
    Approver.layer(approver)
  )

const p = PatientId.make

// Twins: 200001 (no NHS number) is John; his twin Jon's GP record is at the same address.
const twins = {
  patients: [heroWire("200001", { nhs_number: null })],
  ehr_records: [
    ehrWire("6000001"),
    ehrWire("6000002", { first_name: "Jon", nhs_number: nhs(2), line_1: "4 Mill Lane" })
  ]
}

describe("links go through the rules and the approver", () => {
  it.effect("a twin's record beside the patient's own: no link, a review item naming both candidates", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r" }, p("200001"))
      expect(outcome._tag).toBe("NeedsReview")
      expect(outcome).toMatchObject({ patientId: "200001" })
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.writeLog).length).toBe(0)
    }).pipe(Effect.provide(layers(twins))))

  it.effect("always-ask defers a link a rule would have allowed; the decision is journaled before any write", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r" }, p("200001"))
      expect(outcome).toMatchObject({
        _tag: "NeedsReview",
        kind: "link",
        patientId: "200001",
        ehrPartnerId: "6000001",
        reasons: ["DEFERRED_BY_APPROVER"]
      })
      const decisions = (yield* Journal.entries("200001")).filter((e) => e._tag === "Decision")
      expect(decisions).toMatchObject([{ kind: "link", decision: "deferred", grade: "match" }])
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.writeLog).length).toBe(0)
    }).pipe(
      Effect.provide(layers({ patients: [heroWire("200001")], ehr_records: [ehrWire("6000001")] }, Approver.alwaysAsk))
    ))

  it.effect("a dry run says which record it would link, with score and grade, and writes nothing", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r", dryRun: true }, p("200001"))
      expect(outcome).toMatchObject({
        _tag: "NeedsReview",
        reasons: ["dry-run", "would-link"],
        kind: "link",
        patientId: "200001",
        ehrPartnerId: "6000001",
        grade: "match"
      })
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.writeLog).length).toBe(0)
    }).pipe(Effect.provide(layers({ patients: [heroWire("200001")], ehr_records: [ehrWire("6000001")] }))))

  it.effect("a population search cut short asks a person unless one verified NHS number identifies the patient", () =>
    Effect.gen(function*() {
      const patients = [
        heroWire("200001", { nhs_number: null }),
        heroWire("200002", { first_name: "Alice", sex: "Female", nhs_number: nhs(5) }),
        heroWire("200003", { first_name: "Ruth", sex: "Female", nhs_number: nhs(6) })
      ]
      const world = { patients, ehr_records: [ehrWire("6000001")] }
      const cut = yield* Pipeline.processPatient({ runId: "r", populationLimit: 1 }, p("200001")).pipe(
        Effect.provide(layers(world))
      )
      expect(cut).toMatchObject({ _tag: "NeedsReview", reasons: ["POPULATION_INCOMPLETE"] })
      const whole = yield* Pipeline.processPatient({ runId: "r" }, p("200001")).pipe(Effect.provide(layers(world)))
      expect(whole._tag).toBe("Linked")
    }))
})

describe("duplicates", () => {
  it.effect("two records with one verified NHS number and no EHR record are merged, the survivor by rules", () =>
    Effect.gen(function*() {
      // 200002 is more complete (an email): it stays, from either side.
      const first = yield* Pipeline.processPatient({ runId: "r" }, p("200001"))
      expect(first).toMatchObject({ _tag: "Merged", mainPatientId: "200002", incomingPatientId: "200001" })
      const second = yield* Pipeline.processPatient({ runId: "r" }, p("200002"))
      expect(second._tag).toBe("NoCandidate")
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.counters).mergesApplied("200002", "200001")).toBe(1)
    }).pipe(Effect.provide(layers({
      patients: [heroWire("200001"), heroWire("200002", { email: "j.ashworth@example.com" })]
    }))))

  it.effect("a record agreeing on everything but a verified NHS number goes to a person, never merged", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r" }, p("200002"))
      expect(outcome).toMatchObject({
        _tag: "NeedsReview",
        reasons: ["NHS_NUMBER_MISMATCH", "ROUTE_TO_PCSE"],
        patientId: "200002",
        otherPatientId: "200001"
      })
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.writeLog).length).toBe(0)
    }).pipe(Effect.provide(layers({ patients: [heroWire("200001"), heroWire("200002", { nhs_number: nhs(9) })] }))))

  it.effect("an EHR record owned by a Hero patient the search did not show: compared first, then merged into it", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r", population: "none" }, p("200002"))
      expect(outcome).toMatchObject({ _tag: "Merged", mainPatientId: "200001", incomingPatientId: "200002" })
    }).pipe(Effect.provide(layers({
      patients: [heroWire("200001"), heroWire("200002")],
      ehr_records: [ehrWire("6000001")],
      links: [{ hero_id: "200001", ehr_partner_id: "6000001" }]
    }))))

  it.effect("...and not merged when the two Hero records are different people", () =>
    Effect.gen(function*() {
      const outcome = yield* Pipeline.processPatient({ runId: "r", population: "none" }, p("200002"))
      expect(outcome).toMatchObject({
        _tag: "NeedsReview",
        reasons: ["linked-to-another-patient"],
        otherPatientId: "200001",
        ehrPartnerId: "6000001"
      })
      const sandbox = yield* Sandbox.Sandbox
      expect((yield* sandbox.writeLog).length).toBe(0)
    }).pipe(Effect.provide(layers({
      // The owner's Hero record is someone else entirely (a wrong link made before this job).
      patients: [
        heroWire("200001", { first_name: "Margaret", sex: "Female", dob: "1950-02-02", nhs_number: nhs(7) }),
        heroWire("200002")
      ],
      ehr_records: [ehrWire("6000001")],
      links: [{ hero_id: "200001", ehr_partner_id: "6000001" }]
    }))))
})

describe("two batches over the same patients", () => {
  it.effect("sharing a lease layer and a journal: no request written twice, one outcome per patient", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const ids = sandbox.world.patients.map((p) => p.id)
      const run = (runId: string, order: ReadonlyArray<string>) =>
        Batch.run(Batch.idsFromList(order), { runId, concurrency: 8 })
      yield* Effect.all([run("a", ids), run("b", [...ids].reverse()), run("c", ids)], { concurrency: "unbounded" })
      const exchanges = yield* sandbox.exchanges
      const writes = exchanges.filter((e) =>
        e.operation === "connectPatientEhr" || e.operation === "mergePatient" || e.operation === "previewPatientMerge"
      ).map((e) => `${e.operation} ${e.path}`)
      expect(writes.length).toBeGreaterThan(10)
      expect(writes.length).toBe(new Set(writes).size)
      const outcomes = (yield* Journal.entries()).filter((e) => e._tag === "PatientOutcome").map((e) => e.patientId)
      expect(outcomes.length).toBe(ids.length)
      expect(new Set(outcomes).size).toBe(ids.length)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Sandbox.layerClient({ seed: 23, patients: 60, exchangeLogSize: 100_000 }),
          Journal.layerMemory,
          PatientLease.layerMemory,
          Approver.layerAutomatic
        )
      )
    ))
})
