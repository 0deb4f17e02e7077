import { describe, expect, it } from "@effect/vitest"
import { SeedGenerator } from "@hero-effect/sandbox"
import type { WorldState } from "@hero-effect/sandbox/World"
import { RegisterPatientRequest } from "@hero-effect/schema/Registration"
import { Schema } from "effect"
import { PersistentMap } from "../src/internal/persistentMap.js"
import * as W from "../src/internal/world.js"

// The world's indexes and persistent maps exist for speed only: every answer must be the one a
// full scan over plain Maps gives, after any sequence of writes.
const scanning = (state: WorldState): WorldState => ({
  ...state,
  patients: new Map(state.patients),
  ehrRecords: new Map(state.ehrRecords)
})

describe("world at scale (internal)", () => {
  it("indexed candidates and linked records equal a full scan, before and after seeded connects, relinks and merges", () => {
    const world = SeedGenerator.generate({ seed: 23, patients: 300 })
    let state = W.fromWorld(world, "23")
    const ids = world.patients.map((p) => p.id)
    const ehrIds = world.ehrRecords.flatMap((r) => (r.ehrPartnerId === undefined ? [] : [r.ehrPartnerId]))
    let seed = 7
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const check = () => {
      for (const id of ids) {
        for (const matching of ["nhs-number-or-demographics", "nhs-number"] as const) {
          expect(W.candidates(state, id, matching)).toStrictEqual(W.candidates(scanning(state), id, matching))
        }
        expect(W.linkedEhr(state, id)).toStrictEqual([...state.ehrRecords.values()].find((r) => r.heroId === id))
      }
    }
    check()
    let applied = 0
    for (let i = 0; i < 400; i++) {
      const now = 1_000 + i
      if (next(2) === 0) {
        const result = W.connect(state, ids[next(ids.length)]!, ehrIds[next(ehrIds.length)]!, "replace", now)
        if (result._tag === "Ok") state = result.state
      } else {
        const main = ids[next(ids.length)]!
        const incoming = ids[next(ids.length)]!
        const previewed = W.preview(state, main, incoming, now, 60_000)
        if (previewed._tag !== "Ok") continue
        const merged = W.merge(previewed.state, main, incoming, previewed.value.token, now)
        if (merged._tag === "Ok") {
          state = merged.state
          applied++
        }
      }
    }
    expect(applied).toBeGreaterThan(10)
    check()
    // Insertion order is kept through updates, as a Map would keep it.
    expect([...state.patients.keys()]).toStrictEqual(ids)
  })

  it("indexed Hero look-ups (v1/v2 field=dob|nhs_number|last_name, v3 filters) equal a full scan, before and after seeded writes", () => {
    const world = SeedGenerator.generate({ seed: 29, patients: 150 })
    let state = W.fromWorld(world, "29")
    const ids = world.patients.map((p) => p.id)
    const ehrIds = world.ehrRecords.flatMap((r) => (r.ehrPartnerId === undefined ? [] : [r.ehrPartnerId]))
    let seed = 11
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const registerRequest = Schema.decodeUnknownSync(RegisterPatientRequest)
    // Values to look up: every dob, NHS number (verified or not, also from identifiers) and surname
    // of the current state, written as callers write them, and a few that match nothing.
    const lookups = () => {
      const patients = [...state.patients.values()].map((r) => r.patient)
      const dobs = new Set<string>(["2099-01-01"])
      const numbers = new Set<string>(["9990000018"])
      const surnames = new Set<string>(["Nobody"])
      for (const p of patients) {
        if (p.dateOfBirth !== null) dobs.add(p.dateOfBirth)
        if (p.nhsNumber !== undefined) numbers.add(p.nhsNumber.value)
        for (const i of p.identifiers ?? []) if (i.name === "nhs_number") numbers.add(i.value)
        if (p.lastName !== undefined) surnames.add(p.lastName)
      }
      // A seeded sample keeps the full scans affordable.
      const sample = (values: Set<string>, n: number) => [...values].filter(() => next(values.size) < n)
      return { dobs: sample(dobs, 60), numbers: sample(numbers, 60), surnames: sample(surnames, 30) }
    }
    let checked = 0
    const check = () => {
      const scan = scanning(state)
      const { dobs, numbers, surnames } = lookups()
      // The indexed side really is indexed (not a scan compared with itself).
      const patients = state.patients as PersistentMap<string, unknown>
      expect(patients).toBeInstanceOf(PersistentMap)
      for (const name of ["nhs", "dob", "lastName"]) expect(patients.lookup(name, "x")).toBeDefined()
      expect(patients.lookup("dob", dobs[0]!)!.size).toBeLessThan(patients.size / 4)
      const v1v2 = (field: W.SearchField, value: string) => {
        for (const listArchived of [next(2) === 0]) {
          const indexed = W.searchV1(state, field, value, listArchived)
          expect(indexed).toStrictEqual(W.searchV1(scan, field, value, listArchived))
          expect(W.searchV2(state, field, value, "hero", listArchived)).toStrictEqual(
            W.searchV2(scan, field, value, "hero", listArchived)
          )
          checked += indexed.length
        }
      }
      for (const dob of dobs) {
        v1v2("dob", dob)
        v1v2("dob", ` ${dob}T00:00:00.000Z`)
      }
      for (const n of numbers) {
        v1v2("nhs_number", n)
        v1v2("nhs_number", `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`)
      }
      for (const name of surnames) {
        v1v2("last_name", name)
        v1v2("last_name", ` ${name.toUpperCase()} `)
      }
      const filters: Array<W.V3Filters> = [
        ...dobs.map((dateOfBirth) => ({ dateOfBirth })),
        ...numbers.filter((n) => /^\d{10}$/.test(n)).map((nhsNumber) => ({ nhsNumber })),
        ...surnames.map((lastName) => ({ lastName: lastName.toLowerCase() })),
        ...dobs.slice(0, 40).map((dateOfBirth, i) => ({ dateOfBirth, lastName: surnames[i % surnames.length]! })),
        ...numbers.slice(0, 40).map((nhsNumber, i) => ({ nhsNumber, dateOfBirth: dobs[i % dobs.length]! })),
        { firstName: "Baby" },
        { firstName: "Unknown", lastName: "Unknown" }
      ]
      for (const f of filters) {
        for (const listArchived of [false, true]) {
          expect(W.searchV3(state, f, listArchived)).toStrictEqual(W.searchV3(scan, f, listArchived))
        }
      }
    }
    check()
    let applied = 0
    for (let i = 0; i < 300; i++) {
      const now = 1_000 + i
      const op = next(3)
      if (op === 0) {
        const result = W.connect(state, ids[next(ids.length)]!, ehrIds[next(ehrIds.length)]!, "replace", now)
        if (result._tag === "Ok") state = result.state
      } else if (op === 1) {
        const main = ids[next(ids.length)]!
        const incoming = ids[next(ids.length)]!
        const previewed = W.preview(state, main, incoming, now, 60_000)
        if (previewed._tag !== "Ok") continue
        const merged = W.merge(previewed.state, main, incoming, previewed.value.token, now)
        if (merged._tag === "Ok") {
          state = merged.state
          applied++
        }
      } else {
        // A registration: an update of a patient with a verified number, or a new patient.
        const p = world.patients[next(world.patients.length)]!
        const verified = p.nhsNumber?._tag === "VerifiedNhsNumber" ? p.nhsNumber.value : undefined
        const request = registerRequest({
          dob: next(2) === 0 ? p.dateOfBirth : "1999-12-31",
          first_name: p.firstName ?? "New",
          last_name: next(2) === 0 ? (p.lastName ?? "Person") : "Newcomer",
          mobile: "07700 900999",
          ...(verified !== undefined && next(2) === 0 ? { nhs_number: verified } : {})
        })
        const result = W.register(state, request, now)
        if (result._tag === "Ok") state = result.state
      }
    }
    expect(applied).toBeGreaterThan(10)
    expect(state.patients.size).toBeGreaterThan(ids.length)
    check()
    expect(checked).toBeGreaterThan(300)
  })

  it("a bounded write log keeps the newest writes; the count keeps them all", () => {
    const world = SeedGenerator.generate({ seed: 3, patients: 40 })
    let state = W.fromWorld(world, "3", 3)
    const ehrIds = world.ehrRecords.flatMap((r) => (r.ehrPartnerId === undefined ? [] : [r.ehrPartnerId]))
    let writes = 0
    for (const [i, p] of world.patients.entries()) {
      const result = W.connect(state, p.id, ehrIds[i % ehrIds.length]!, "replace", i)
      if (result._tag === "Ok" && result.value.applied) {
        state = result.state
        writes++
      }
    }
    expect(writes).toBeGreaterThan(3)
    // A relink that replaces a link logs the unlink too, so there are at least as many entries.
    expect(state.writes).toBeGreaterThanOrEqual(writes)
    const total = state.writes
    expect(state.writeLog.map((e) => e.seq)).toStrictEqual([total - 2, total - 1, total])
    expect(W.fromWorld(world, "3", 0).writeLog).toStrictEqual([])
  })
})
