import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SeedFile, SeedGenerator } from "@hero-effect/sandbox"
import { isNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Effect, Either } from "effect"
import { exampleJson, examplePath, json } from "./support/helpers.js"

describe("seed generator", () => {
  it("is deterministic: the same seed gives the same world, another seed another", () => {
    const a = SeedGenerator.generateSeedFile({ seed: 42, patients: 60 })
    expect(SeedGenerator.generateSeedFile({ seed: 42, patients: 60 })).toEqual(a)
    expect(SeedGenerator.generateSeedFile({ seed: 43, patients: 60 })).not.toEqual(a)
    expect(SeedFile.encode(SeedGenerator.generate({ seed: 42, patients: 60 }))).toEqual(
      SeedFile.encode(SeedGenerator.generate({ seed: 42, patients: 60 }))
    )
  })

  it("makes realistic synthetic UK data", () => {
    const file = SeedGenerator.generateSeedFile({ seed: 7, patients: 100 }) as any
    const people = [...file.patients, ...file.ehr_records]
    const idsOf = (kind: string) =>
      new Set<string>(
        file.truth.filter((t: any) => t.kind === kind).flatMap((t: any) => [...t.hero_ids, ...t.ehr_partner_ids])
      )
    // Unidentified patients have no contact details (the EHR's may have the no-fixed-abode
    // pseudo-postcode); a twin's Hero record may carry a transposed number failing Modulus 11.
    const placeholders = idsOf("placeholderUnknown")
    const transposed = idsOf("twinTransposedNhs")
    expect(placeholders.size).toBeGreaterThan(0)
    for (const p of people) {
      const id = p.id ?? p.ehr_partner_id
      if (p.nhs_number !== undefined) {
        expect(p.nhs_number).toMatch(/^999\d{7}$/)
        if (!(transposed.has(id) && p.id !== undefined)) expect(isNhsNumber(p.nhs_number)).toBe(true)
      }
      if (placeholders.has(id)) {
        expect(p.mobile).toBeUndefined()
        expect([undefined, "ZZ99 3VZ"]).toContain(p.postcode)
      } else {
        expect(p.mobile).toMatch(/^07700 900\d{3}$/)
        expect(p.postcode).toMatch(/^[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}$/)
      }
      expect(p.dob).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    const sources = file.ehr_records.map((r: any) => r.data_source)
    const emis = sources.filter((s: string) => s === "emis").length
    expect(emis / sources.length).toBeGreaterThan(0.35)
    expect(emis / sources.length).toBeLessThan(0.65)
    for (const r of file.ehr_records) {
      const label = r.identifiers.find((i: any) => i.name === "ehr_partner_id").label
      expect(label).toBe(r.data_source === "emis" ? "EMIS" : "Systm One")
      if (r.data_source === "emis") expect(r.emis_id).toBe(r.ehr_partner_id)
    }
    const heroNhs = file.patients.filter((p: any) => p.nhs_number !== undefined).map((p: any) => p.nhs_number)
    // duplicates share a number on purpose; distinct people never do, except a twin's Hero record
    // that carries the other twin's number (miskeyed on purpose)
    const truthShared = new Set(
      file.truth.filter((t: any) => t.should_merge || t.kind === "twinNhsMiskeyed").flatMap((t: any) =>
        t.hero_ids.map((id: string) => file.patients.find((p: any) => p.id === id).nhs_number)
      )
    )
    const counts = new Map<string, number>()
    for (const n of heroNhs) counts.set(n, (counts.get(n) ?? 0) + 1)
    for (const [n, c] of counts) if (c > 1) expect(truthShared.has(n)).toBe(true)
  })

  it("records the ground truth of every duplicate kind with the chosen shares", () => {
    const world = SeedGenerator.generate({
      seed: 11,
      patients: 100,
      duplicates: {
        samePerson: 0.1,
        typo: 0.1,
        changedSurname: 0.1,
        twins: 0.1,
        family: 0.1,
        alreadyLinked: 0.1,
        restricted: 0.05,
        deceased: 0.05
      }
    })
    const byKind = (kind: string) => world.truth.filter((t) => t.kind === kind)
    expect(byKind("samePerson")).toHaveLength(10)
    expect(byKind("restricted")).toHaveLength(5)
    const patient = (id: string) => world.patients.find((p) => p.id === id)!
    const nhs = (id: string) => patient(id).nhsNumber?.value
    for (const t of byKind("samePerson")) expect(nhs(t.heroIds[0]!)).toBe(nhs(t.heroIds[1]!))
    for (const t of byKind("typo")) {
      expect(nhs(t.heroIds[1]!)).toBeUndefined()
      expect(patient(t.heroIds[1]!).lastName).not.toBe(patient(t.heroIds[0]!).lastName)
      expect(t.shouldMerge).toBe(true)
    }
    for (const t of byKind("changedSurname")) {
      expect(nhs(t.heroIds[0]!)).toBe(nhs(t.heroIds[1]!))
      expect(patient(t.heroIds[1]!).lastName).not.toBe(patient(t.heroIds[0]!).lastName)
    }
    for (const t of byKind("twins")) {
      const [a, b] = t.heroIds.map(patient)
      expect(a!.dateOfBirth).toBe(b!.dateOfBirth)
      expect(a!.lastName).toBe(b!.lastName)
      expect(a!.postcode).toBe(b!.postcode)
      expect(nhs(a!.id)).not.toBe(nhs(b!.id))
      expect(t.shouldMerge).toBe(false)
    }
    for (const t of byKind("family")) {
      expect(patient(t.heroIds[0]!).dateOfBirth).not.toBe(patient(t.heroIds[1]!).dateOfBirth)
      expect(t.shouldMerge).toBe(false)
    }
    for (const t of byKind("alreadyLinked")) {
      expect(world.links).toContainEqual({ heroId: t.heroIds[0], ehrPartnerId: t.ehrPartnerIds[0] })
    }
    for (const t of byKind("restricted")) expect(patient(t.heroIds[0]!).restricted).toBe(true)
    for (const t of byKind("deceased")) expect(patient(t.heroIds[0]!).deceasedAt).toBeDefined()
  })

  it.effect("a generated world serves its links, and candidates find each duplicate's EHR record", () =>
    Effect.gen(function*() {
      const sb = yield* Sandbox.make({ seed: 5, patients: 60 })
      for (const t of sb.truth.filter((t) => t.kind === "alreadyLinked")) {
        const p = yield* json(sb, "GET", `/v1/patients/${t.heroIds[0]}`, undefined, sb.headers)
        expect(p.body).toMatchObject({ ehr_partner_id: t.ehrPartnerIds[0], ehr_registered: true })
      }
      // (an `nhsOnly` person has no EHR record to find)
      for (const t of sb.truth.filter((t) => t.shouldMerge && t.ehrPartnerIds.length > 0)) {
        for (const id of t.heroIds) {
          const c = yield* json(sb, "GET", `/v1/patients/${id}/ehr/candidates`, undefined, sb.headers)
          expect(c.body.data.map((r: any) => r.ehr_partner_id)).toContain(t.ehrPartnerIds[0])
        }
      }
    }))
})

describe("seed file", () => {
  it.effect("loads the documented example", () =>
    Effect.gen(function*() {
      const world = yield* SeedFile.load(examplePath)
      expect(world.practiceGroupId).toBe("pg-example")
      expect(world.patients.map((p) => p.id)).toEqual(["100001", "100002", "100003", "100004"])
      expect(world.keys[3]!.rateLimit).toBeDefined()
      expect(world.pds[1]!.identityCheck).toBe(true)
    }))

  it.effect("round-trips a generated world through the JSON format", () =>
    Effect.gen(function*() {
      const file = SeedFile.encode(SeedGenerator.generate({ seed: 9, patients: 30 }))
      const text = JSON.stringify(file)
      const world = yield* SeedFile.decode(JSON.parse(text))
      expect(SeedFile.encode(world)).toEqual(file)
    }))

  it.effect("refuses inconsistent or invalid files with a SeedFileError", () =>
    Effect.gen(function*() {
      const base = exampleJson as any
      const bad = [
        { ...base, patients: [...base.patients, base.patients[0]] },
        { ...base, links: [{ hero_id: "100001", ehr_partner_id: "missing" }] },
        { ...base, ehr_records: [{ ...base.ehr_records[0], ehr_partner_id: undefined }] },
        { ...base, pds: [{ ...base.pds[0], nhs_number: "1234567890" }] },
        // a truth kind may be any family name, but not an empty one
        { ...base, truth: [{ kind: "", hero_ids: [], ehr_partner_ids: [], should_merge: false }] },
        { patients: "none" }
      ]
      for (const json of bad) {
        const result = yield* Effect.either(SeedFile.decode(json))
        expect(Either.isLeft(result) && result.left._tag).toBe("SeedFileError")
      }
      const foreign = yield* SeedFile.decode({
        ...base,
        truth: [{ kind: "familyFromElsewhere", hero_ids: ["100001"], ehr_partner_ids: [], should_merge: false }]
      })
      expect(foreign.truth[0]!.kind).toBe("familyFromElsewhere")
      const missing = yield* Effect.either(SeedFile.load("/nonexistent/seed.json"))
      expect(Either.isLeft(missing)).toBe(true)
    }))
})
