import { describe, expect, it } from "@effect/vitest"
import { SeedGenerator } from "@hero-effect/sandbox"
import type { WorldState } from "@hero-effect/sandbox/World"
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
