/**
 * A deterministic generator of realistic synthetic worlds: UK names, addresses and postcodes, NHS
 * numbers from the `999` test range, mobiles from Ofcom's drama range (07700 900xxx), half the
 * practice on EMIS Web and half on SystmOne, and a chosen share of each kind of duplicate, with the
 * ground truth recorded. The same options always give the same world.
 *
 * @since 0.1.0
 */
import { testRangeNhsNumber } from "@hero-effect/schema"
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
 * 10% already linked, 3% restricted, 3% deceased.
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
  deceased: 0.03
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
  /** How many base people (default 40); duplicate groups add records on top. */
  readonly patients?: number | undefined
  readonly duplicates?: Partial<DuplicateShares> | undefined
  /** Share of Spine people who must verify their identity before register_pds (default 0.05). */
  readonly identityCheck?: number | undefined
  readonly practiceGroupId?: string | undefined
  readonly odsCode?: string | undefined
}

type Wire = Record<string, unknown>

interface Person {
  readonly firstName: string
  readonly lastName: string
  readonly sex: "Male" | "Female"
  readonly dob: string
  readonly nhsNumber: string
  readonly addressLine1: string
  readonly town: string
  readonly county: string
  readonly postcode: string
  readonly mobile: string
  readonly email: string
  readonly ehr: "emis" | "systm_one"
  readonly title: string
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

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
    return `${year}-${pad(month, 2)}-${pad(day, 2)}`
  }
  let personIndex = 0
  const newPerson = (overrides: Partial<Person> = {}): Person => {
    const sex = overrides.sex ?? (prng.chance(0.5) ? "Female" : "Male")
    const firstName = overrides.firstName ?? prng.pick(sex === "Female" ? Names.femaleNames : Names.maleNames)
    const lastName = overrides.lastName ?? prng.pick(Names.surnames)
    const place = prng.pick(Names.towns)
    const index = personIndex++
    const dob = overrides.dob ?? dobBetween(1935, 2020)
    const age = 2026 - Number(dob.slice(0, 4))
    return {
      title: overrides.title ??
        (age < 18 ? (sex === "Male" ? "Master" : "Miss") : sex === "Male" ? "Mr" : prng.pick(["Mrs", "Ms", "Miss"])),
      sex,
      firstName,
      lastName,
      dob,
      nhsNumber: overrides.nhsNumber ?? nextNhs(),
      addressLine1: overrides.addressLine1 ?? `${prng.int(1, 180)} ${prng.pick(Names.streets)}`,
      town: overrides.town ?? place.town,
      county: overrides.county ?? place.county,
      postcode: overrides.postcode ?? postcodeIn(place.area),
      mobile: overrides.mobile ?? nextMobile(),
      email: overrides.email ??
        `${firstName}.${lastName}${index}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ""),
      ehr: overrides.ehr ?? (index % 2 === 0 ? "emis" : "systm_one")
    }
  }
  const typoOf = (name: string) => {
    const letters = [...name]
    const i = prng.int(1, Math.max(1, letters.length - 2))
    if (letters[i] !== letters[i + 1] && i + 1 < letters.length) {
      ;[letters[i], letters[i + 1]] = [letters[i + 1]!, letters[i]!]
    } else letters.splice(i, 0, letters[i]!)
    return letters.join("")
  }

  // Assign kinds to groups, then shuffle so duplicates are not next to each other.
  const kinds: Array<DuplicateKind | "unique"> = []
  for (const kind of duplicateKinds) {
    for (let i = 0; i < Math.round(count * shares[kind]); i++) kinds.push(kind)
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

  const addHero = (p: Person, extra: { withNhs?: boolean; restricted?: boolean; deceasedAt?: string } = {}) => {
    const id = String(heroCursor++)
    const withNhs = extra.withNhs ?? true
    patients.push({
      id,
      uid: `00000000-0000-4000-8000-${pad(Number(id), 12)}`,
      title: p.title,
      first_name: p.firstName,
      last_name: p.lastName,
      sex: p.sex,
      dob: p.dob,
      ...(withNhs ? { nhs_number: p.nhsNumber } : {}),
      email: p.email,
      emails: [p.email],
      mobile: p.mobile,
      address_line_1: p.addressLine1,
      town: p.town,
      county: p.county,
      postcode: p.postcode,
      country: "United Kingdom",
      data_source: "hero",
      status: "unarchived",
      restricted: extra.restricted ?? false,
      ...(extra.deceasedAt !== undefined ? { deceased_at: extra.deceasedAt } : {}),
      identifiers: [
        ...(withNhs ? [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: p.nhsNumber }] : []),
        { source: "hero", name: "hero_id", role: "main", label: "Hero", value: id }
      ],
      ehr_registered: false
    })
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
        created_at: `2025-${pad(prng.int(1, 12), 2)}-${pad(prng.int(1, 28), 2)}T09:30:00.000Z`
      }]
    }
    return id
  }
  const addEhr = (p: Person, extra: { restricted?: boolean; deceasedAt?: string } = {}) => {
    const n = ehrCursor++
    const ehrId = p.ehr === "emis" ? String(5_000_000 + n * 7 + prng.int(0, 6)) : `S1${pad(800_000 + n * 11, 7)}`
    const label = p.ehr === "emis" ? "EMIS" : "Systm One"
    ehrRecords.push({
      ehr_partner_id: ehrId,
      ...(p.ehr === "emis" ? { emis_id: ehrId } : {}),
      title: p.title,
      first_name: p.firstName,
      last_name: p.lastName,
      sex: p.sex,
      dob: p.dob,
      nhs_number: p.nhsNumber,
      mobile: p.mobile,
      line_1: p.addressLine1,
      town: p.town,
      county: p.county,
      postcode: p.postcode,
      data_source: p.ehr,
      restricted: extra.restricted ?? false,
      ...(extra.deceasedAt !== undefined ? { deceased_at: extra.deceasedAt } : {}),
      last_sync_at: "2026-01-05T08:00:00.000Z",
      identifiers: [
        { source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: p.nhsNumber },
        { source: "ehr_partner", name: "ehr_partner_id", role: "main", label, value: ehrId }
      ],
      ehr_registered: true
    })
    return ehrId
  }
  const addPds = (p: Person) => {
    pds.push({
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
    })
  }
  const addTruth = (kind: DuplicateKind, heroIds: Array<string>, ehrIds: Array<string>, shouldMerge: boolean) =>
    truth.push({ kind, hero_ids: heroIds, ehr_partner_ids: ehrIds, should_merge: shouldMerge })

  for (const kind of kinds) {
    const p = newPerson()
    switch (kind) {
      case "unique": {
        addHero(p)
        addEhr(p)
        addPds(p)
        break
      }
      case "samePerson": {
        const a = addHero(p)
        const b = addHero({ ...p, mobile: nextMobile() })
        addTruth(kind, [a, b], [addEhr(p)], true)
        addPds(p)
        break
      }
      case "typo": {
        const a = addHero(p)
        const b = addHero({ ...p, lastName: typoOf(p.lastName) }, { withNhs: false })
        addTruth(kind, [a, b], [addEhr(p)], true)
        addPds(p)
        break
      }
      case "changedSurname": {
        let newSurname = prng.pick(Names.surnames)
        if (newSurname === p.lastName) newSurname = `${newSurname}-Hughes`
        const renamed = { ...p, lastName: newSurname }
        const a = addHero(renamed)
        const b = addHero(p)
        addTruth(kind, [a, b], [addEhr(renamed)], true)
        addPds(renamed)
        break
      }
      // Two different people at one address who must never be merged: a twin (same date of
      // birth) or a family member (a later generation).
      case "twins":
      case "family": {
        const year = Number(p.dob.slice(0, 4))
        const other = newPerson({
          lastName: p.lastName,
          dob: kind === "twins" ? p.dob : dobBetween(year + 22, Math.min(2024, year + 40)),
          addressLine1: p.addressLine1,
          town: p.town,
          county: p.county,
          postcode: p.postcode,
          ehr: p.ehr
        })
        const a = addHero(p)
        const b = addHero(other)
        addTruth(kind, [a, b], [addEhr(p), addEhr(other)], false)
        addPds(p)
        addPds(other)
        break
      }
      case "alreadyLinked": {
        const a = addHero(p)
        const e = addEhr(p)
        links.push({ hero_id: a, ehr_partner_id: e })
        addTruth(kind, [a], [e], false)
        addPds(p)
        break
      }
      case "restricted": {
        const a = addHero(p, { restricted: true })
        const b = addHero({ ...p, mobile: nextMobile() })
        addTruth(kind, [a, b], [addEhr(p, { restricted: true })], true)
        addPds(p)
        break
      }
      case "deceased": {
        const deceasedAt = `2025-${pad(prng.int(1, 12), 2)}-${pad(prng.int(1, 28), 2)}T12:00:00.000Z`
        const a = addHero(p, { deceasedAt })
        const b = addHero(p)
        addTruth(kind, [a, b], [addEhr(p, { deceasedAt })], true)
        addPds(p)
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
