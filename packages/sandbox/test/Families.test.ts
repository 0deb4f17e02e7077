import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SeedGenerator, Truth, World } from "@hero-effect/sandbox"
import { validateNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import { sexes } from "@hero-effect/schema/Sex"
import { Effect } from "effect"
import * as Names from "../src/internal/names.js"
import { similarNames } from "../src/internal/similarity.js"
import { json } from "./support/helpers.js"

// The families of hard cases the generator plants, checked on several seeds: each kind is there,
// its truth names the people precisely, and the family's defining property holds.

const seeds = [1, 2, 3, 4, 5, 6]
const worlds = seeds.map((seed) => ({ seed, world: SeedGenerator.generate({ seed, patients: 120 }) }))

const view = (world: World.World) => {
  const heroById = new Map(world.patients.map((p) => [p.id as string, p]))
  const ehrById = new Map(world.ehrRecords.map((r) => [r.ehrPartnerId as string, r]))
  const hero = (id: string): PatientV1 => heroById.get(id)!
  const ehr = (id: string): PatientV2 => ehrById.get(id)!
  const nhs = (p: { readonly nhsNumber?: PatientV1["nhsNumber"] }) => p.nhsNumber?.value
  const verified = (p: { readonly nhsNumber?: PatientV1["nhsNumber"] }) =>
    p.nhsNumber?._tag === "VerifiedNhsNumber" ? p.nhsNumber.value : undefined
  const groups = (kind: World.DuplicateKind) => world.truth.filter((t) => t.kind === kind)
  // The records of each person of an entry.
  const peopleOf = (t: World.TruthEntry) =>
    t.people!.map((p) => ({ heroes: p.heroIds.map(hero), ehrs: p.ehrPartnerIds.map(ehr) }))
  // Every NHS number anywhere in the world, with how many records (Hero, EHR, Spine) carry it.
  const nhsUse = new Map<string, number>()
  const use = (n: string | undefined) => {
    if (n !== undefined) nhsUse.set(n, (nhsUse.get(n) ?? 0) + 1)
  }
  for (const p of world.patients) use(nhs(p))
  for (const r of world.ehrRecords) use(nhs(r))
  for (const p of world.pds) use(p.nhsNumber)
  return { hero, ehr, nhs, verified, groups, peopleOf, nhsUse }
}

const newKinds: ReadonlyArray<World.DuplicateKind> = [
  "nickname",
  "doubleBarrelled",
  "dobSwapped",
  "sexChanged",
  "movedAddress",
  "nhsOnly",
  "unrelatedNhs",
  "twinsSimilarNames",
  "twinNhsMiskeyed",
  "twinTransposedNhs",
  "sameNameFlats",
  "parentChildSameName",
  "placeholderBaby",
  "placeholderUnknown",
  "ownGpMoved",
  "noGpBesideLookalike"
]

const addressLine = (p: { readonly addressLine1?: string | undefined; readonly addressLine2?: string | undefined }) =>
  [p.addressLine1, p.addressLine2].filter((l) => l !== undefined).join(", ")

describe("generated families", () => {
  it("every kind is there at 120 patients, documented in duplicateKinds and in the default shares", () => {
    for (const { world } of worlds) {
      const kinds = new Set(world.truth.map((t) => t.kind))
      for (const kind of [...World.duplicateKinds, "unique"]) expect(kinds.has(kind), kind).toBe(true)
    }
    for (const kind of newKinds) {
      expect(World.duplicateKinds).toContain(kind)
      expect(SeedGenerator.defaultShares[kind]).toBeGreaterThanOrEqual(0.02)
      expect(SeedGenerator.defaultShares[kind]).toBeLessThanOrEqual(0.03)
    }
  })

  it("truth names the people: every record in exactly one person of one entry, ids exist, merge groups are one person", () => {
    for (const { seed, world } of worlds) {
      const heroIds = new Set(world.patients.map((p) => p.id as string))
      const ehrIds = new Set(world.ehrRecords.map((r) => r.ehrPartnerId as string))
      const heroSeen = new Map<string, number>()
      const ehrSeen = new Map<string, number>()
      for (const t of world.truth) {
        expect(t.people, `${seed} ${t.kind}`).toBeDefined()
        const people = t.people!
        expect(people.length).toBeGreaterThan(0)
        if (t.shouldMerge) expect(people, t.kind).toHaveLength(1)
        else if (t.kind !== "unique" && t.kind !== "alreadyLinked") {
          expect(people.length, t.kind).toBeGreaterThanOrEqual(2)
        } else expect(people).toHaveLength(1)
        // `people` covers exactly the entry's ids.
        expect(people.flatMap((p) => p.heroIds).sort()).toStrictEqual([...t.heroIds].sort())
        expect(people.flatMap((p) => p.ehrPartnerIds).sort()).toStrictEqual([...t.ehrPartnerIds].sort())
        for (const p of people) {
          expect(p.heroIds.length + p.ehrPartnerIds.length).toBeGreaterThan(0)
          for (const id of p.heroIds) {
            expect(heroIds.has(id), id).toBe(true)
            heroSeen.set(id, (heroSeen.get(id) ?? 0) + 1)
          }
          for (const id of p.ehrPartnerIds) {
            expect(ehrIds.has(id), id).toBe(true)
            ehrSeen.set(id, (ehrSeen.get(id) ?? 0) + 1)
          }
        }
      }
      // Every Hero patient and EHR record of the world, each exactly once.
      expect([...heroSeen.keys()].sort()).toStrictEqual([...heroIds].sort())
      expect([...ehrSeen.keys()].sort()).toStrictEqual([...ehrIds].sort())
      expect([...heroSeen.values()].every((n) => n === 1)).toBe(true)
      expect([...ehrSeen.values()].every((n) => n === 1)).toBe(true)
      // The person index agrees with `people`.
      const index = Truth.personIndex(world.truth)
      expect(index.heroPerson.size).toBe(heroIds.size)
      expect(index.ehrPerson.size).toBe(ehrIds.size)
      for (const t of world.truth) {
        const keys = t.people!.map((p) =>
          new Set([
            ...p.heroIds.map((id) => index.heroPerson.get(id)),
            ...p.ehrPartnerIds.map((id) => index.ehrPerson.get(id))
          ])
        )
        for (const k of keys) expect(k.size).toBe(1)
        expect(new Set(keys.map((k) => [...k][0])).size).toBe(keys.length)
        for (const k of keys) expect(index.kindOf.get([...k][0]!)).toBe(t.kind)
      }
    }
  })

  it("true duplicates: nickname, double-barrelled, dob swapped, sex changed, moved address", () => {
    const nicknames = new Set<string>()
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("nickname")) {
        const [[a, b]] = [t.heroIds.map(w.hero)] as [[PatientV1, PatientV1]]
        const [e] = t.ehrPartnerIds.map(w.ehr)
        expect(t.shouldMerge).toBe(true)
        expect(a.lastName).toBe(b.lastName)
        expect(a.dateOfBirth).toBe(b.dateOfBirth)
        expect(a.firstName).not.toBe(b.firstName)
        expect(
          Names.nicknames.some((n) => n.formal === a.firstName && n.short === b.firstName),
          `${a.firstName}/${b.firstName}`
        ).toBe(true)
        expect(e!.firstName).toBe(a.firstName)
        expect(w.verified(a)).toBe(w.nhs(e!))
        nicknames.add(`${a.firstName}/${b.firstName}/${w.nhs(b) === undefined}`)
      }
      for (const t of w.groups("doubleBarrelled")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        const [double, single] = a.lastName!.includes("-") ? [a, b] : [b, a]
        expect(single.lastName).not.toContain("-")
        expect(double.lastName!.split("-")).toContain(single.lastName)
        expect(w.verified(a)).toBeDefined()
        expect(w.verified(a)).toBe(w.verified(b))
        expect(w.ehr(t.ehrPartnerIds[0]!).lastName).toBe(a.lastName)
      }
      for (const t of w.groups("dobSwapped")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        const [y, m, d] = a.dateOfBirth!.split("-")
        expect(b.dateOfBirth).toBe(`${y}-${d}-${m}`)
        expect(Number(d)).toBeLessThanOrEqual(12)
        expect(d).not.toBe(m)
        expect(w.verified(a)).toBeDefined()
        expect(w.verified(a)).toBe(w.verified(b))
        expect(w.ehr(t.ehrPartnerIds[0]!).dateOfBirth).toBe(a.dateOfBirth)
      }
      for (const t of w.groups("sexChanged")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        expect(a.sex).not.toBe(b.sex)
        expect(a.sexChangedAt).toBeDefined()
        expect(b.sexChangedAt).toBeUndefined()
        expect(w.ehr(t.ehrPartnerIds[0]!).sex).toBe(a.sex)
        expect(w.verified(a)).toBeDefined()
        expect(w.verified(a)).toBe(w.verified(b))
      }
      for (const t of w.groups("movedAddress")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        const e = w.ehr(t.ehrPartnerIds[0]!)
        expect(b.postcode).not.toBe(a.postcode)
        expect(b.addressLine1).not.toBe(a.addressLine1)
        expect([e.postcode, e.addressLine1]).toStrictEqual([a.postcode, a.addressLine1])
        expect(w.verified(a)).toBeDefined()
        expect(w.verified(a)).toBe(w.verified(b))
      }
    }
    // Names and which record lacks the NHS number vary with the seed.
    expect(nicknames.size).toBeGreaterThan(3)
  })

  it("true duplicates: NHS number only (no EHR record anywhere), an unrelated valid NHS number", () => {
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("nhsOnly")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        const n = w.verified(a)
        expect(n).toBeDefined()
        expect(w.verified(b)).toBe(n)
        expect(t.ehrPartnerIds).toStrictEqual([])
        expect(t.people).toStrictEqual([{ heroIds: t.heroIds, ehrPartnerIds: [] }])
        expect(world.ehrRecords.some((r) => w.nhs(r) === n)).toBe(false)
      }
      for (const t of w.groups("unrelatedNhs")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        const own = w.verified(a)!
        const unrelated = w.verified(b)!
        expect(unrelated).toBeDefined()
        expect(unrelated).not.toBe(own)
        expect(validateNhsNumber(unrelated)._tag).toBe("Valid")
        // Nobody else carries it: not another Hero patient, not an EHR record, not the Spine.
        expect(w.nhsUse.get(unrelated)).toBe(1)
        expect(w.nhs(w.ehr(t.ehrPartnerIds[0]!))).toBe(own)
        for (const field of ["firstName", "lastName", "dateOfBirth", "postcode", "sex"] as const) {
          expect(b[field]).toBe(a[field])
        }
      }
    }
  })

  it("twins with similar names: same dob, surname and postcode, similar first names, one without NHS number; the moved-out variant", () => {
    let moved = 0
    let stayed = 0
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("twinsSimilarNames")) {
        expect(t.shouldMerge).toBe(false)
        const [x, y] = w.peopleOf(t) as [
          { heroes: [PatientV1]; ehrs: [PatientV2] },
          { heroes: [PatientV1]; ehrs: [PatientV2] }
        ]
        const [hx, hy] = [x.heroes[0], y.heroes[0]]
        expect(hx.dateOfBirth).toBe(hy.dateOfBirth)
        expect(hx.lastName).toBe(hy.lastName)
        expect(hx.postcode).toBe(hy.postcode)
        expect(hx.firstName).not.toBe(hy.firstName)
        expect(similarNames(hx.firstName, hy.firstName), `${hx.firstName}/${hy.firstName}`).toBe(true)
        expect([w.nhs(hx), w.nhs(hy)].filter((n) => n === undefined)).toHaveLength(1)
        const [ex, ey] = [x.ehrs[0], y.ehrs[0]]
        expect(w.verified(ex)).toBeDefined()
        expect(w.verified(ey)).toBeDefined()
        expect(w.verified(ex)).not.toBe(w.verified(ey))
        // The Hero record with a number carries its own.
        for (const p of [x, y]) if (w.nhs(p.heroes[0]) !== undefined) expect(w.nhs(p.heroes[0])).toBe(w.nhs(p.ehrs[0]))
        const withoutNhs = w.nhs(hx) === undefined ? x : y
        const other = withoutNhs === x ? y : x
        expect(other.ehrs[0].postcode).toBe(other.heroes[0].postcode)
        if (withoutNhs.ehrs[0].postcode !== withoutNhs.heroes[0].postcode) {
          moved++
          expect(withoutNhs.ehrs[0].addressLine1).not.toBe(withoutNhs.heroes[0].addressLine1)
        } else stayed++
      }
    }
    expect(moved).toBeGreaterThan(0)
    expect(stayed).toBeGreaterThan(0)
  })

  it("twins with a miskeyed or a transposed NHS number", () => {
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("twinNhsMiskeyed")) {
        const people = w.peopleOf(t)
        expect(people).toHaveLength(2)
        const [x, y] = people as [
          { heroes: [PatientV1]; ehrs: [PatientV2] },
          { heroes: [PatientV1]; ehrs: [PatientV2] }
        ]
        expect(x.heroes[0].dateOfBirth).toBe(y.heroes[0].dateOfBirth)
        expect(x.heroes[0].lastName).toBe(y.heroes[0].lastName)
        expect(w.verified(x.ehrs[0])).not.toBe(w.verified(y.ehrs[0]))
        // Exactly one twin's Hero record carries the other twin's (valid) number.
        const miskeyed = [x, y].filter((p, i) => w.verified(p.heroes[0]) === w.verified([y, x][i]!.ehrs[0]))
        expect(miskeyed).toHaveLength(1)
        const own = [x, y].filter((p) => w.verified(p.heroes[0]) === w.verified(p.ehrs[0]))
        expect(own).toHaveLength(1)
      }
      for (const t of w.groups("twinTransposedNhs")) {
        const [x, y] = w.peopleOf(t) as [
          { heroes: [PatientV1]; ehrs: [PatientV2] },
          { heroes: [PatientV1]; ehrs: [PatientV2] }
        ]
        const bad = [x, y].filter((p) => p.heroes[0].nhsNumber?._tag === "UnverifiedNhsNumber")
        expect(bad).toHaveLength(1)
        const hero = bad[0]!.heroes[0]
        const value = hero.nhsNumber!.value
        expect(validateNhsNumber(value)._tag).toBe("Invalid")
        expect(hero.nhsNumber).toMatchObject({ reason: "check-digit" })
        // Its own number with two digits swapped.
        const own = w.verified(bad[0]!.ehrs[0])!
        const differ = [...value].flatMap((c, i) => (c === own[i] ? [] : [i]))
        expect(differ).toHaveLength(2)
        expect([...value].sort()).toStrictEqual([...own].sort())
        expect(value.startsWith("999")).toBe(true)
        // The other twin's record is fine.
        const good = bad[0] === x ? y : x
        expect(w.verified(good.heroes[0])).toBe(w.verified(good.ehrs[0]))
      }
    }
  })

  it("same name in a block of flats, parent and child with the same name", () => {
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("sameNameFlats")) {
        const [a, b] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        expect(Names.commonFullNames.some((n) => n.firstName === a.firstName && n.lastName === a.lastName)).toBe(true)
        expect([b.firstName, b.lastName, b.dateOfBirth, b.postcode]).toStrictEqual([
          a.firstName,
          a.lastName,
          a.dateOfBirth,
          a.postcode
        ])
        const flat = /^Flat (\d+), (.+)$/
        const [, flatA, streetA] = flat.exec(addressLine(a))!
        const [, flatB, streetB] = flat.exec(addressLine(b))!
        expect(streetA).toBe(streetB)
        expect(flatA).not.toBe(flatB)
        expect([w.nhs(a), w.nhs(b)].filter((n) => n === undefined)).toHaveLength(1)
        const [ea, eb] = t.ehrPartnerIds.map(w.ehr) as [PatientV2, PatientV2]
        expect(w.verified(ea)).not.toBe(w.verified(eb))
        expect(addressLine(ea)).toBe(addressLine(a))
        expect(addressLine(eb)).toBe(addressLine(b))
      }
      for (const t of w.groups("parentChildSameName")) {
        const [parent, child] = t.heroIds.map(w.hero) as [PatientV1, PatientV1]
        expect(`${child.firstName} ${child.lastName}`).toBe(`${parent.firstName} ${parent.lastName}`)
        expect(child.postcode).toBe(parent.postcode)
        expect(child.addressLine1).toBe(parent.addressLine1)
        const gap = Number(child.dateOfBirth!.slice(0, 4)) - Number(parent.dateOfBirth!.slice(0, 4))
        expect(gap).toBeGreaterThanOrEqual(20)
        expect(gap).toBeLessThanOrEqual(40)
        const [ep, ec] = t.ehrPartnerIds.map(w.ehr) as [PatientV2, PatientV2]
        expect(ep.dateOfBirth).toBe(parent.dateOfBirth)
        expect(ec.dateOfBirth).toBe(child.dateOfBirth)
        expect(w.verified(ep)).not.toBe(w.verified(ec))
      }
    }
  })

  it("placeholders: Baby <Surname> twins and Unknown Unknown, without NHS numbers on Hero", () => {
    let named = 0
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("placeholderBaby")) {
        const babies = t.heroIds.map(w.hero)
        expect(babies).toHaveLength(2)
        for (const b of babies) {
          expect(b.firstName).toBe("Baby")
          expect(b.lastName).toBe(babies[0]!.lastName)
          expect(b.dateOfBirth).toBe(babies[0]!.dateOfBirth)
          expect(b.dateOfBirth!.slice(0, 4)).toMatch(/^202[56]$/)
          expect(b.nhsNumber).toBeUndefined()
          expect(sexes).toContain(b.sex)
        }
        const ehrs = t.ehrPartnerIds.map(w.ehr)
        expect(new Set(ehrs.map(w.verified)).size).toBe(2)
        for (const e of ehrs) {
          expect([e.lastName, e.dateOfBirth]).toStrictEqual([babies[0]!.lastName, babies[0]!.dateOfBirth])
        }
        if (ehrs.some((e) => e.firstName !== "Baby")) named++
      }
      for (const t of w.groups("placeholderUnknown")) {
        const people = t.heroIds.map(w.hero)
        expect(people.length).toBeGreaterThanOrEqual(2)
        expect(people.length).toBeLessThanOrEqual(3)
        const ehrs = t.ehrPartnerIds.map(w.ehr)
        for (const p of [...people, ...ehrs]) {
          expect(Names.placeholderNames).toContainEqual([p.firstName, p.lastName])
          expect([p.firstName, p.lastName]).toStrictEqual([people[0]!.firstName, people[0]!.lastName])
          expect(p.dateOfBirth).toBe("1900-01-01")
          expect(p.sex).toBe("Not known")
        }
        for (const p of people) expect(p.nhsNumber).toBeUndefined()
        expect(new Set(ehrs.map(w.verified)).size).toBe(ehrs.length)
        expect(ehrs.every((e) => w.verified(e) !== undefined)).toBe(true)
      }
    }
    expect(named).toBeGreaterThan(0)
  })

  it("EHR traps: own GP moved beside a similar twin, no GP beside a look-alike", () => {
    let twinHasHero = 0
    for (const { world } of worlds) {
      const w = view(world)
      for (const t of w.groups("ownGpMoved")) {
        const [alone, twin] = w.peopleOf(t) as [
          { heroes: [PatientV1]; ehrs: [] },
          { heroes: Array<PatientV1>; ehrs: [PatientV2] }
        ]
        const x = alone.heroes[0]
        expect(alone.ehrs).toStrictEqual([])
        expect(x.nhsNumber).toBeUndefined()
        const e = twin.ehrs[0]
        expect([e.dateOfBirth, e.lastName, e.postcode]).toStrictEqual([x.dateOfBirth, x.lastName, x.postcode])
        expect(e.firstName).not.toBe(x.firstName)
        expect(similarNames(e.firstName, x.firstName)).toBe(true)
        // x is on the Spine, but no EHR record of this world carries their number.
        const spine = world.pds.find((p) =>
          p.firstName === x.firstName && p.lastName === x.lastName && p.dateOfBirth === x.dateOfBirth
        )!
        expect(spine).toBeDefined()
        expect(world.ehrRecords.some((r) => w.nhs(r) === spine.nhsNumber)).toBe(false)
        if (twin.heroes.length > 0) twinHasHero++
      }
      for (const t of w.groups("noGpBesideLookalike")) {
        const [alone, lookalike] = w.peopleOf(t) as [
          { heroes: [PatientV1]; ehrs: [] },
          { heroes: []; ehrs: [PatientV2] }
        ]
        const x = alone.heroes[0]
        expect(x.nhsNumber).toBeUndefined()
        expect(alone.ehrs).toStrictEqual([])
        expect(lookalike.heroes).toStrictEqual([])
        const e = lookalike.ehrs[0]
        expect([e.lastName, e.dateOfBirth]).toStrictEqual([x.lastName, x.dateOfBirth])
        expect(e.firstName !== x.firstName || e.postcode !== x.postcode).toBe(true)
      }
    }
    expect(twinHasHero).toBeGreaterThan(0)
  })

  it("vary with the seed: which record comes first in the list, and which lacks the NHS number", () => {
    const firstIsLower = new Set<boolean>()
    const missingAt = new Set<number>()
    for (const { world } of worlds) {
      const w = view(world)
      for (const kind of ["nickname", "dobSwapped", "twinsSimilarNames", "sameNameFlats"] as const) {
        for (const t of w.groups(kind)) {
          firstIsLower.add(Number(t.heroIds[0]) < Number(t.heroIds[1]))
          const byListOrder = [...t.heroIds].sort()
          byListOrder.forEach((id, i) => {
            if (w.hero(id).nhsNumber === undefined) missingAt.add(i)
          })
        }
      }
    }
    expect([...firstIsLower].sort()).toStrictEqual([false, true])
    expect([...missingAt].sort()).toStrictEqual([0, 1])
  })

  it("a share of 0 removes a kind; chosen kinds only", () => {
    const none = Object.fromEntries(World.duplicateKinds.map((k) => [k, 0]))
    const world = SeedGenerator.generate({ seed: 3, patients: 50, duplicates: { ...none, twinsSimilarNames: 0.2 } })
    expect(new Set(world.truth.map((t) => t.kind))).toStrictEqual(new Set(["twinsSimilarNames", "unique"]))
    expect(world.truth.filter((t) => t.kind === "twinsSimilarNames")).toHaveLength(10)
    const without = SeedGenerator.generate({ seed: 3, patients: 120, duplicates: { nickname: 0 } })
    expect(without.truth.some((t) => t.kind === "nickname")).toBe(false)
  })

  it.effect("the sandbox serves them: a v3 search by dob finds both twins, the transposed number is an unverified number on the wire", () =>
    Effect.gen(function*() {
      const sb = yield* Sandbox.make({ seed: 2, patients: 120 })
      const t = sb.truth.find((t) => t.kind === "twinTransposedNhs")!
      const [a] = t.heroIds.map((id) => sb.world.patients.find((p) => p.id === id)!)
      const found = yield* json(
        sb,
        "GET",
        `/v3/patients?dob=${a!.dateOfBirth}&last_name=${a!.lastName}`,
        undefined,
        sb.headers
      )
      expect(found.status).toBe(200)
      expect(found.body.data.map((p: any) => p.hero_id)).toEqual(expect.arrayContaining([...t.heroIds]))
      const bad = sb.world.patients.find((p) =>
        t.heroIds.includes(p.id) && p.nhsNumber?._tag === "UnverifiedNhsNumber"
      )!
      const read = yield* json(sb, "GET", `/v1/patients/${bad.id}`, undefined, sb.headers)
      expect(read.body.nhs_number).toBe(bad.nhsNumber!.value)
      expect(validateNhsNumber(read.body.nhs_number)._tag).toBe("Invalid")
    }))
})
