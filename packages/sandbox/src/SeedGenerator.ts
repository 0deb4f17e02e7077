/**
 * A deterministic generator of realistic synthetic worlds: UK names, addresses and postcodes, NHS
 * numbers from the `999` test range, mobiles from Ofcom's drama range (07700 900xxx), half the
 * practice on EMIS Web and half on SystmOne, and a chosen share of each kind of duplicate, with the
 * ground truth recorded. The same options always give the same world.
 *
 * @since 0.1.0
 */
import { testRangeNhsNumber, validateNhsNumber } from "@hero-effect/schema/NhsNumber"
import * as Names from "./internal/names.js"
import * as Prng from "./internal/prng.js"
import type { SeedFileEncoded } from "./SeedFile.js"
import * as SeedFile from "./SeedFile.js"
import type { DuplicateKind, World } from "./World.js"
import { duplicateKinds } from "./World.js"

/**
 * The share of base people (0 to 1) that become each kind of duplicate group.
 *
 * @since 0.1.0
 * @category models
 */
export type DuplicateShares = { readonly [K in DuplicateKind]: number }

/**
 * The default shares: 10% same person twice, 5% typo, 5% changed surname, 5% twins, 5% family,
 * 10% already linked, 3% restricted, 3% deceased, and 2% of each of the other kinds (`nickname`,
 * `doubleBarrelled`, `dobSwapped`, `sexChanged`, `movedAddress`, `nhsOnly`, `unrelatedNhs`,
 * `twinsSimilarNames`, `twinNhsMiskeyed`, `twinTransposedNhs`, `sameNameFlats`,
 * `parentChildSameName`, `placeholderBaby`, `placeholderUnknown`, `ownGpMoved`,
 * `noGpBesideLookalike`). A kind has `Math.round(patients × share)` groups, so at 120 patients
 * every kind has two or more; a share of 0 leaves a kind out.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultShares: DuplicateShares = {
  samePerson: 0.1,
  typo: 0.05,
  changedSurname: 0.05,
  twins: 0.05,
  family: 0.05,
  alreadyLinked: 0.1,
  restricted: 0.03,
  deceased: 0.03,
  nickname: 0.02,
  doubleBarrelled: 0.02,
  dobSwapped: 0.02,
  sexChanged: 0.02,
  movedAddress: 0.02,
  nhsOnly: 0.02,
  unrelatedNhs: 0.02,
  twinsSimilarNames: 0.02,
  twinNhsMiskeyed: 0.02,
  twinTransposedNhs: 0.02,
  sameNameFlats: 0.02,
  parentChildSameName: 0.02,
  placeholderBaby: 0.02,
  placeholderUnknown: 0.02,
  ownGpMoved: 0.02,
  noGpBesideLookalike: 0.02
}

/**
 * Options of the generator.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  /** The seed (default 1). */
  readonly seed?: number | string | undefined
  /** How many base people (default 40); each duplicate group takes one and adds records on top. */
  readonly patients?: number | undefined
  /** Shares per kind, over {@link defaultShares} (0 leaves a kind out). */
  readonly duplicates?: Partial<DuplicateShares> | undefined
  /** Share of Spine people who must verify their identity before register_pds (default 0.05). */
  readonly identityCheck?: number | undefined
  readonly practiceGroupId?: string | undefined
  readonly odsCode?: string | undefined
}

type Wire = Record<string, unknown>

type Sex = "Male" | "Female" | "Not known"

interface Address {
  readonly addressLine1?: string | undefined
  readonly addressLine2?: string | undefined
  readonly town?: string | undefined
  readonly county?: string | undefined
  readonly postcode?: string | undefined
}

interface Person extends Address {
  readonly firstName: string
  readonly lastName: string
  readonly sex: Sex
  readonly dob: string
  /** The person's own NHS number (on their EHR record and the Spine). */
  readonly nhsNumber: string
  readonly mobile?: string | undefined
  readonly email?: string | undefined
  readonly ehr: "emis" | "systm_one"
  readonly title?: string | undefined
}

interface HeroExtra {
  /** Whether the Hero record carries an NHS number (default true). */
  readonly withNhs?: boolean | undefined
  /** The NHS number the record carries when it is not the person's own (miskeyed, transposed). */
  readonly nhsNumber?: string | undefined
  readonly restricted?: boolean | undefined
  readonly deceasedAt?: string | undefined
  readonly sexChangedAt?: string | undefined
}

type HeroSpec = readonly [Person, HeroExtra?]

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

const compact = (o: Wire): Wire => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

const swapAt = (s: string, i: number, j: number): string => {
  const chars = [...s]
  ;[chars[i], chars[j]] = [chars[j]!, chars[i]!]
  return chars.join("")
}

const person = (heroIds: ReadonlyArray<string>, ehrIds: ReadonlyArray<string>): Wire => ({
  hero_ids: heroIds,
  ehr_partner_ids: ehrIds
})

/**
 * Generates a world as a seed file (wire field names), ready to be written as JSON.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSeedFile = (options: GenerateOptions = {}): SeedFileEncoded => {
  const seed = options.seed ?? 1
  const prng = Prng.make(`hero-sandbox|${seed}`)
  const count = Math.max(0, Math.floor(options.patients ?? 40))
  const shares: DuplicateShares = { ...defaultShares, ...options.duplicates }
  const identityShare = options.identityCheck ?? 0.05

  const usedNhs = new Set<string>()
  const nhsBase = prng.int(0, 899_999)
  let nhsCursor = nhsBase
  const nextNhs = (): string => {
    for (;;) {
      const n = testRangeNhsNumber(nhsCursor)
      nhsCursor = (Number(n.slice(3, 9)) + 1 + prng.int(0, 40)) % 1_000_000
      if (!usedNhs.has(n)) {
        usedNhs.add(n)
        return n
      }
    }
  }
  let mobileCursor = 0
  const nextMobile = () => `07700 900${pad(mobileCursor++ % 1000, 3)}`
  const postcodeIn = (area: string) =>
    `${area}${prng.int(1, 29)} ${prng.int(1, 9)}${prng.pick([...Names.inwardLetters])}${
      prng.pick([...Names.inwardLetters])
    }`
  const dobBetween = (from: number, to: number) => {
    const year = prng.int(from, to)
    const month = prng.int(1, 12)
    const day = prng.int(1, 28)
    return `${year}-${pad(month)}-${pad(day)}`
  }
  const shuffle = <A>(items: ReadonlyArray<A>): Array<A> => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = prng.int(0, i)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }
  const titleFor = (sex: Sex, dob: string): string | undefined => {
    if (sex === "Not known") return undefined
    const age = 2026 - Number(dob.slice(0, 4))
    return age < 18 ? (sex === "Male" ? "Master" : "Miss") : sex === "Male" ? "Mr" : prng.pick(["Mrs", "Ms", "Miss"])
  }
  const townOf = (name: string | undefined): Names.Town => Names.towns.find((t) => t.town === name) ?? Names.towns[0]!
  // A street address in a town (a random one unless given).
  const newAddress = (place: Names.Town = prng.pick(Names.towns)): Address => ({
    addressLine1: `${prng.int(1, 180)} ${prng.pick(Names.streets)}`,
    town: place.town,
    county: place.county,
    postcode: postcodeIn(place.area)
  })
  // Another address than `from`'s: other postcode and street line (same town when `sameTown`).
  const otherAddress = (from: Address, sameTown: boolean): Address => {
    for (;;) {
      const address = newAddress(sameTown ? townOf(from.town) : prng.pick(Names.towns))
      if (address.postcode !== from.postcode && address.addressLine1 !== from.addressLine1) {
        return { ...address, addressLine2: undefined }
      }
    }
  }
  const addressOf = (p: Address): Address => ({
    addressLine1: p.addressLine1,
    addressLine2: p.addressLine2,
    town: p.town,
    county: p.county,
    postcode: p.postcode
  })
  const firstNameFor = (sex: Sex, not: ReadonlyArray<string> = []): string => {
    for (;;) {
      const name = prng.pick(sex === "Female" ? Names.femaleNames : Names.maleNames)
      if (!not.includes(name)) return name
    }
  }
  let personIndex = 0
  const newPerson = (overrides: Partial<Person> = {}): Person => {
    const sex = overrides.sex ?? (prng.chance(0.5) ? "Female" : "Male")
    const firstName = overrides.firstName ?? firstNameFor(sex)
    const lastName = overrides.lastName ?? prng.pick(Names.surnames)
    const place = prng.pick(Names.towns)
    const index = personIndex++
    const dob = overrides.dob ?? dobBetween(1935, 2020)
    return {
      title: overrides.title ?? titleFor(sex, dob),
      sex,
      firstName,
      lastName,
      dob,
      nhsNumber: overrides.nhsNumber ?? nextNhs(),
      addressLine1: overrides.addressLine1 ?? `${prng.int(1, 180)} ${prng.pick(Names.streets)}`,
      addressLine2: overrides.addressLine2,
      town: overrides.town ?? place.town,
      county: overrides.county ?? place.county,
      postcode: overrides.postcode ?? postcodeIn(place.area),
      mobile: overrides.mobile ?? nextMobile(),
      email: overrides.email ??
        `${firstName}.${lastName}${index}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ""),
      ehr: overrides.ehr ?? (index % 2 === 0 ? "emis" : "systm_one")
    }
  }
  // Another person at `p`'s address with `p`'s surname, date of birth and practice system.
  const twinOf = (p: Person, overrides: Partial<Person> = {}): Person =>
    newPerson({ lastName: p.lastName, dob: p.dob, ...addressOf(p), ehr: p.ehr, ...overrides })
  const typoOf = (name: string) => {
    const letters = [...name]
    const i = prng.int(1, Math.max(1, letters.length - 2))
    if (letters[i] !== letters[i + 1] && i + 1 < letters.length) {
      ;[letters[i], letters[i + 1]] = [letters[i + 1]!, letters[i]!]
    } else letters.splice(i, 0, letters[i]!)
    return letters.join("")
  }
  // `nhs` with two adjacent digits transposed so that it fails Modulus 11 (keeping the 999 test
  // prefix); another digit pair if no adjacent one fails; a wrong check digit as a last resort.
  const transposedInvalid = (nhs: string): string => {
    const fails = (s: string) => s !== nhs && validateNhsNumber(s)._tag === "Invalid"
    for (const i of shuffle([3, 4, 5, 6, 7, 8])) {
      const t = swapAt(nhs, i, i + 1)
      if (fails(t)) return t
    }
    for (let i = 3; i < 10; i++) {
      for (let j = i + 2; j < 10; j++) {
        const t = swapAt(nhs, i, j)
        if (fails(t)) return t
      }
    }
    return `${nhs.slice(0, 9)}${(Number(nhs[9]) + 1) % 10}`
  }

  // Assign kinds to groups, then shuffle so duplicates are not next to each other.
  const kinds: Array<DuplicateKind | "unique"> = []
  for (const kind of duplicateKinds) {
    for (let i = 0; i < Math.round(count * Math.max(0, shares[kind])); i++) kinds.push(kind)
  }
  while (kinds.length < count) kinds.push("unique")
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = prng.int(0, i)
    ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
  }

  const patients: Array<Wire> = []
  const ehrRecords: Array<Wire> = []
  const links: Array<Wire> = []
  const pds: Array<Wire> = []
  const truth: Array<Wire> = []
  const billing: Record<string, Wire> = {}
  const paymentMethods: Record<string, Wire> = {}
  const attachments: Record<string, Array<Wire>> = {}
  let heroCursor = 100001
  let ehrCursor = 0

  const addHero = (p: Person, extra: HeroExtra = {}) => {
    const id = String(heroCursor++)
    const nhs = (extra.withNhs ?? true) ? (extra.nhsNumber ?? p.nhsNumber) : undefined
    patients.push(compact({
      id,
      uid: `00000000-0000-4000-8000-${pad(Number(id), 12)}`,
      title: p.title,
      first_name: p.firstName,
      last_name: p.lastName,
      sex: p.sex,
      dob: p.dob,
      nhs_number: nhs,
      email: p.email,
      emails: p.email === undefined ? undefined : [p.email],
      mobile: p.mobile,
      address_line_1: p.addressLine1,
      address_line_2: p.addressLine2,
      town: p.town,
      county: p.county,
      postcode: p.postcode,
      country: p.postcode === undefined ? undefined : "United Kingdom",
      data_source: "hero",
      status: "unarchived",
      restricted: extra.restricted ?? false,
      deceased_at: extra.deceasedAt,
      sex_changed_at: extra.sexChangedAt,
      identifiers: [
        ...(nhs !== undefined ? [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: nhs }] : []),
        { source: "hero", name: "hero_id", role: "main", label: "Hero", value: id }
      ],
      ehr_registered: false
    }))
    const insured = prng.chance(0.3)
    billing[id] = {
      id: `bill_${id}`,
      external_billing_id: `EXT-${pad(prng.int(0, 999_999), 6)}`,
      ...(insured
        ? {
          insurance: {
            insurer: prng.pick(Names.insurers),
            membership_number: `M${pad(prng.int(0, 99_999_999), 8)}`,
            auth_code: `A${pad(prng.int(0, 99_999), 5)}`
          }
        }
        : {}),
      billing_note: insured ? "Insured patient: check authorisation before booking" : "",
      confidential: false
    }
    if (prng.chance(0.4)) {
      paymentMethods[id] = {
        object: "list",
        data: [{
          id: `pm_${pad(prng.int(0, 999_999_999), 9)}`,
          type: "card",
          fingerprint: `fp${pad(prng.int(0, 999_999), 6)}`,
          brand: prng.pick(["visa", "mastercard", "amex"]),
          last4: pad(prng.int(0, 9999), 4),
          exp_month: prng.int(1, 12),
          exp_year: prng.int(2027, 2031)
        }]
      }
    }
    if (prng.chance(0.3)) {
      attachments[id] = [{
        id: `att_${id}_1`,
        name: prng.pick(Names.attachmentNames),
        content_type: "application/pdf",
        created_at: `2025-${pad(prng.int(1, 12))}-${pad(prng.int(1, 28))}T09:30:00.000Z`
      }]
    }
    return id
  }
  // Adds Hero records in a seeded order (which one comes first in the list varies with the seed);
  // returns their ids in the order given.
  const addHeroes = <const T extends ReadonlyArray<HeroSpec>>(specs: T): { readonly [K in keyof T]: string } => {
    const ids: Array<string> = specs.map(() => "")
    for (const i of shuffle(specs.map((_, i) => i))) ids[i] = addHero(specs[i]![0], specs[i]![1])
    return ids as unknown as { readonly [K in keyof T]: string }
  }
  const addEhr = (p: Person, extra: { restricted?: boolean; deceasedAt?: string } = {}) => {
    const n = ehrCursor++
    const ehrId = p.ehr === "emis" ? String(5_000_000 + n * 7 + prng.int(0, 6)) : `S1${pad(800_000 + n * 11, 7)}`
    const label = p.ehr === "emis" ? "EMIS" : "Systm One"
    ehrRecords.push(compact({
      ehr_partner_id: ehrId,
      emis_id: p.ehr === "emis" ? ehrId : undefined,
      title: p.title,
      first_name: p.firstName,
      last_name: p.lastName,
      sex: p.sex,
      dob: p.dob,
      nhs_number: p.nhsNumber,
      mobile: p.mobile,
      line_1: p.addressLine1,
      line_2: p.addressLine2,
      town: p.town,
      county: p.county,
      postcode: p.postcode,
      data_source: p.ehr,
      restricted: extra.restricted ?? false,
      deceased_at: extra.deceasedAt,
      last_sync_at: "2026-01-05T08:00:00.000Z",
      identifiers: [
        { source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: p.nhsNumber },
        { source: "ehr_partner", name: "ehr_partner_id", role: "main", label, value: ehrId }
      ],
      ehr_registered: true
    }))
    return ehrId
  }
  // EHR records in a seeded order; ids in the order given.
  const addEhrs = <const T extends ReadonlyArray<Person>>(people: T): { readonly [K in keyof T]: string } => {
    const ids: Array<string> = people.map(() => "")
    for (const i of shuffle(people.map((_, i) => i))) ids[i] = addEhr(people[i]!)
    return ids as unknown as { readonly [K in keyof T]: string }
  }
  const addPds = (p: Person) => {
    pds.push(compact({
      nhs_number: p.nhsNumber,
      dob: p.dob,
      first_name: p.firstName,
      last_name: p.lastName,
      postcode: p.postcode,
      title: p.title,
      sex: p.sex,
      address_line_1: p.addressLine1,
      town: p.town,
      mobile: p.mobile,
      identity_check: prng.chance(identityShare)
    }))
  }
  const addTruth = (
    kind: DuplicateKind | "unique",
    heroIds: ReadonlyArray<string>,
    ehrIds: ReadonlyArray<string>,
    shouldMerge: boolean,
    people: ReadonlyArray<Wire>
  ) => truth.push({ kind, hero_ids: heroIds, ehr_partner_ids: ehrIds, should_merge: shouldMerge, people })
  // One person, every record of the group.
  const onePerson = (kind: DuplicateKind, heroIds: ReadonlyArray<string>, ehrIds: ReadonlyArray<string>) =>
    addTruth(kind, heroIds, ehrIds, true, [person(heroIds, ehrIds)])
  // Different people: hero id i and EHR id i are person i's.
  const apart = (kind: DuplicateKind, heroIds: ReadonlyArray<string>, ehrIds: ReadonlyArray<string>) =>
    addTruth(
      kind,
      heroIds,
      ehrIds,
      false,
      heroIds.map((h, i) => person([h], ehrIds[i] === undefined ? [] : [ehrIds[i]!]))
    )
  const similarPair = (mixedShare: number) => {
    const pair = prng.chance(mixedShare) ? prng.pick(Names.similarFirstNamesMixed) : prng.pick(Names.similarFirstNames)
    return prng.chance(0.5)
      ? { first: pair.a, firstSex: pair.sexA, second: pair.b, secondSex: pair.sexB }
      : { first: pair.b, firstSex: pair.sexB, second: pair.a, secondSex: pair.sexA }
  }
  // Twins with different first names (any), as a pair of people.
  const anyTwins = (): readonly [Person, Person] => {
    const x = newPerson()
    const sex: Sex = prng.chance(0.5) ? "Female" : "Male"
    return [x, twinOf(x, { sex, firstName: firstNameFor(sex, [x.firstName]) })]
  }

  for (const kind of kinds) {
    switch (kind) {
      case "unique": {
        const p = newPerson()
        const a = addHero(p)
        const e = addEhr(p)
        addTruth(kind, [a], [e], false, [person([a], [e])])
        addPds(p)
        break
      }
      case "samePerson": {
        const p = newPerson()
        const a = addHero(p)
        const b = addHero({ ...p, mobile: nextMobile() })
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "typo": {
        const p = newPerson()
        const a = addHero(p)
        const b = addHero({ ...p, lastName: typoOf(p.lastName) }, { withNhs: false })
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "changedSurname": {
        const p = newPerson()
        let newSurname = prng.pick(Names.surnames)
        if (newSurname === p.lastName) newSurname = `${newSurname}-Hughes`
        const renamed = { ...p, lastName: newSurname }
        const a = addHero(renamed)
        const b = addHero(p)
        onePerson(kind, [a, b], [addEhr(renamed)])
        addPds(renamed)
        break
      }
      // Two different people at one address who must never be merged: a twin (same date of
      // birth) or a family member (a later generation).
      case "twins":
      case "family": {
        const p = newPerson()
        const year = Number(p.dob.slice(0, 4))
        const other = newPerson({
          lastName: p.lastName,
          dob: kind === "twins" ? p.dob : dobBetween(year + 22, Math.min(2024, year + 40)),
          ...addressOf(p),
          ehr: p.ehr
        })
        const a = addHero(p)
        const b = addHero(other)
        apart(kind, [a, b], [addEhr(p), addEhr(other)])
        addPds(p)
        addPds(other)
        break
      }
      case "alreadyLinked": {
        const p = newPerson()
        const a = addHero(p)
        const e = addEhr(p)
        links.push({ hero_id: a, ehr_partner_id: e })
        addTruth(kind, [a], [e], false, [person([a], [e])])
        addPds(p)
        break
      }
      case "restricted": {
        const p = newPerson()
        const a = addHero(p, { restricted: true })
        const b = addHero({ ...p, mobile: nextMobile() })
        onePerson(kind, [a, b], [addEhr(p, { restricted: true })])
        addPds(p)
        break
      }
      case "deceased": {
        const p = newPerson()
        const deceasedAt = `2025-${pad(prng.int(1, 12))}-${pad(prng.int(1, 28))}T12:00:00.000Z`
        const a = addHero(p, { deceasedAt })
        const b = addHero(p)
        onePerson(kind, [a, b], [addEhr(p, { deceasedAt })])
        addPds(p)
        break
      }
      // ---- true duplicates: one person, two Hero records ----
      case "nickname": {
        const name = prng.pick(Names.nicknames)
        const p = newPerson({ firstName: name.formal, sex: name.sex })
        const short: Person = { ...p, firstName: name.short, mobile: prng.chance(0.5) ? p.mobile : nextMobile() }
        const [a, b] = addHeroes([[p], [short, { withNhs: prng.chance(0.5) }]])
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "doubleBarrelled": {
        const p = newPerson()
        let other = prng.pick(Names.surnames)
        while (other === p.lastName) other = prng.pick(Names.surnames)
        const barrelled: Person = {
          ...p,
          lastName: prng.chance(0.5) ? `${p.lastName}-${other}` : `${other}-${p.lastName}`
        }
        // The EHR holds one of the two forms; the record with that form is the one to keep.
        const [current, previous] = prng.chance(0.5) ? [barrelled, p] : [p, barrelled]
        const [a, b] = addHeroes([[current], [previous]])
        onePerson(kind, [a, b], [addEhr(current)])
        addPds(current)
        break
      }
      case "dobSwapped": {
        const year = prng.int(1935, 2020)
        const month = prng.int(1, 12)
        let day = prng.int(1, 11)
        if (day >= month) day++
        const p = newPerson({ dob: `${year}-${pad(month)}-${pad(day)}` })
        const swapped: Person = { ...p, dob: `${year}-${pad(day)}-${pad(month)}` }
        const [a, b] = addHeroes([[p], [swapped]])
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "sexChanged": {
        const p0 = newPerson({ dob: dobBetween(1950, 2006) })
        const p: Person = { ...p0, title: prng.chance(0.3) ? "Mx" : p0.title }
        const oldSex: Sex = p.sex === "Male" ? "Female" : "Male"
        const before: Person = { ...p, sex: oldSex, title: titleFor(oldSex, p.dob) }
        const sexChangedAt = `${prng.int(2019, 2025)}-${pad(prng.int(1, 12))}-${pad(prng.int(1, 28))}T10:00:00.000Z`
        const [a, b] = addHeroes([[p, { sexChangedAt }], [before]])
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "movedAddress": {
        const p = newPerson()
        const old: Person = { ...p, ...otherAddress(p, prng.chance(0.5)) }
        const [a, b] = addHeroes([[p], [old]])
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      case "nhsOnly": {
        const p = newPerson()
        const second: Person = {
          ...p,
          mobile: prng.chance(0.5) ? p.mobile : nextMobile(),
          email: prng.chance(0.5) ? p.email : undefined
        }
        const [a, b] = addHeroes([[p], [second]])
        onePerson(kind, [a, b], [])
        addPds(p)
        break
      }
      case "unrelatedNhs": {
        const p = newPerson()
        // A valid number from the allocator that nobody else in the world has.
        const unrelated = nextNhs()
        const [a, b] = addHeroes([[p], [p, { nhsNumber: unrelated }]])
        onePerson(kind, [a, b], [addEhr(p)])
        addPds(p)
        break
      }
      // ---- look-alikes: different people ----
      case "twinsSimilarNames": {
        const names = similarPair(0.15)
        const x = newPerson({ firstName: names.first, sex: names.firstSex })
        const y = twinOf(x, { firstName: names.second, sex: names.secondSex })
        const noNhs = prng.int(0, 1)
        const moved = prng.chance(0.5)
        const [hx, hy] = addHeroes([[x, { withNhs: noNhs !== 0 }], [y, { withNhs: noNhs !== 1 }]])
        // The variant: the NHS-less twin moved out, and their own EHR record has the new address.
        const current = [x, y].map((t, i) => (moved && i === noNhs ? { ...t, ...otherAddress(t, true) } : t))
        const [ex, ey] = addEhrs([current[0]!, current[1]!])
        apart(kind, [hx, hy], [ex, ey])
        addPds(current[0]!)
        addPds(current[1]!)
        break
      }
      case "twinNhsMiskeyed": {
        const [x, y] = anyTwins()
        const wrong = prng.int(0, 1)
        const [hx, hy] = addHeroes([
          [x, wrong === 0 ? { nhsNumber: y.nhsNumber } : {}],
          [y, wrong === 1 ? { nhsNumber: x.nhsNumber } : {}]
        ])
        apart(kind, [hx, hy], addEhrs([x, y]))
        addPds(x)
        addPds(y)
        break
      }
      case "twinTransposedNhs": {
        const [x, y] = anyTwins()
        const wrong = prng.int(0, 1)
        const [hx, hy] = addHeroes([
          [x, wrong === 0 ? { nhsNumber: transposedInvalid(x.nhsNumber) } : {}],
          [y, wrong === 1 ? { nhsNumber: transposedInvalid(y.nhsNumber) } : {}]
        ])
        apart(kind, [hx, hy], addEhrs([x, y]))
        addPds(x)
        addPds(y)
        break
      }
      case "sameNameFlats": {
        const name = prng.pick(Names.commonFullNames)
        const street = `${prng.int(1, 120)} ${prng.pick(Names.blocksOfFlats)}`
        const flatA = prng.int(1, 40)
        let flatB = prng.int(1, 39)
        if (flatB >= flatA) flatB++
        const split = prng.chance(0.5)
        const flat = (n: number): Address =>
          split ? { addressLine1: `Flat ${n}`, addressLine2: street } : { addressLine1: `Flat ${n}, ${street}` }
        const place = prng.pick(Names.towns)
        const shared: Partial<Person> = {
          firstName: name.firstName,
          lastName: name.lastName,
          sex: name.sex,
          dob: dobBetween(1950, 2004),
          town: place.town,
          county: place.county,
          postcode: postcodeIn(place.area)
        }
        const x = newPerson({ ...shared, ...flat(flatA) })
        const y = newPerson({ ...shared, ...flat(flatB), ehr: x.ehr })
        const noNhs = prng.int(0, 1)
        const [hx, hy] = addHeroes([[x, { withNhs: noNhs !== 0 }], [y, { withNhs: noNhs !== 1 }]])
        apart(kind, [hx, hy], addEhrs([x, y]))
        addPds(x)
        addPds(y)
        break
      }
      case "parentChildSameName": {
        const sex: Sex = prng.chance(0.8) ? "Male" : "Female"
        const parentYear = prng.int(1940, 1990)
        const parent = newPerson({ sex, dob: dobBetween(parentYear, parentYear) })
        const childYear = parentYear + prng.int(20, Math.min(40, 2024 - parentYear))
        const child = twinOf(parent, { firstName: parent.firstName, sex, dob: dobBetween(childYear, childYear) })
        // Which record lacks an NHS number: the parent's, the child's, or neither.
        const noNhs = prng.int(0, 2)
        const [hp, hc] = addHeroes([[parent, { withNhs: noNhs !== 0 }], [child, { withNhs: noNhs !== 1 }]])
        apart(kind, [hp, hc], addEhrs([parent, child]))
        addPds(parent)
        addPds(child)
        break
      }
      case "placeholderBaby": {
        const lastName = prng.pick(Names.surnames)
        const home = newAddress()
        const mobile = nextMobile()
        const dob = prng.chance(0.8)
          ? `2025-${pad(prng.int(1, 12))}-${pad(prng.int(1, 28))}`
          : `2026-01-${pad(prng.int(1, 4))}`
        const ehr = prng.chance(0.5) ? "emis" : "systm_one"
        const baby = (): Person => ({
          firstName: "Baby",
          lastName,
          sex: prng.chance(0.5) ? "Not known" : prng.chance(0.5) ? "Female" : "Male",
          dob,
          nhsNumber: nextNhs(),
          ...home,
          mobile,
          ehr
        })
        const babies = [baby(), baby()] as const
        // The EHR records are "Baby <Surname>" too, or already carry the names given later.
        const named = prng.chance(0.5)
        const taken: Array<string> = []
        const onEhr = babies.map((b): Person => {
          if (!named) return b
          const sex: Sex = b.sex === "Not known" ? (prng.chance(0.5) ? "Female" : "Male") : b.sex
          const firstName = firstNameFor(sex, taken)
          taken.push(firstName)
          return { ...b, sex, firstName, title: titleFor(sex, dob) }
        })
        const [ha, hb] = addHeroes([[babies[0], { withNhs: false }], [babies[1], { withNhs: false }]])
        apart(kind, [ha, hb], addEhrs([onEhr[0]!, onEhr[1]!]))
        addPds(onEhr[0]!)
        addPds(onEhr[1]!)
        break
      }
      case "placeholderUnknown": {
        const [firstName, lastName] = prng.pick(Names.placeholderNames)
        const size = prng.chance(0.5) ? 2 : 3
        const unknowns = Array.from({ length: size }, (): Person => ({
          firstName,
          lastName,
          sex: "Not known",
          dob: "1900-01-01",
          nhsNumber: nextNhs(),
          ehr: prng.chance(0.5) ? "emis" : "systm_one"
        }))
        const heroIds = addHeroes(unknowns.map((p): HeroSpec => [p, { withNhs: false }]))
        // The EHR's placeholders are the same shape, sometimes with the "no fixed abode" postcode.
        const ehrIds = addEhrs(
          unknowns.map((p) => (prng.chance(0.5) ? { ...p, postcode: Names.noFixedAbodePostcode } : p))
        )
        apart(kind, heroIds, ehrIds)
        break
      }
      case "ownGpMoved": {
        const names = similarPair(0.15)
        const x = newPerson({ firstName: names.first, sex: names.firstSex })
        const y = twinOf(x, { firstName: names.second, sex: names.secondSex })
        // x's own EHR record is at the practice they moved to: not in this world.
        const heroIds = prng.chance(0.5) ? addHeroes([[x, { withNhs: false }], [y]]) : [addHero(x, { withNhs: false })]
        const ey = addEhr(y)
        addTruth(kind, heroIds, [ey], false, [person([heroIds[0]!], []), person(heroIds.slice(1), [ey])])
        addPds(x)
        addPds(y)
        break
      }
      case "noGpBesideLookalike": {
        const x = newPerson()
        const lookalike = prng.chance(0.5)
          ? newPerson({ lastName: x.lastName, dob: x.dob, sex: x.sex, firstName: firstNameFor(x.sex, [x.firstName]) })
          : newPerson({
            firstName: x.firstName,
            lastName: x.lastName,
            sex: x.sex,
            dob: x.dob,
            ...otherAddress(x, false)
          })
        const hx = addHero(x, { withNhs: false })
        const ey = addEhr(lookalike)
        addTruth(kind, [hx], [ey], false, [person([hx], []), person([], [ey])])
        addPds(x)
        addPds(lookalike)
        break
      }
    }
  }

  return {
    practice_group_id: options.practiceGroupId ?? "sandbox-practice-group",
    ods_code: options.odsCode ?? "Y00001",
    patients,
    ehr_records: ehrRecords,
    links,
    pds,
    keys: [],
    billing_info: billing,
    payment_methods: paymentMethods,
    attachments,
    truth
  } as unknown as SeedFileEncoded
}

/**
 * Generates a world. The same options always give the same world.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate = (options: GenerateOptions = {}): World => SeedFile.decodeSync(generateSeedFile(options))
