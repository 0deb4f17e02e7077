import type { DateOfBirth } from "@hero-effect/schema/DateOfBirth"
import type { Identifier } from "@hero-effect/schema/Identifier"
import type { EhrPartnerId } from "@hero-effect/schema/Ids"
import { EmisId, PatientId, PatientUid } from "@hero-effect/schema/Ids"
import { VerifiedNhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV2, PatientV3 } from "@hero-effect/schema/Patient"
import type { RegisterPatientPdsRequest, RegisterPatientRequest } from "@hero-effect/schema/Registration"
import type { OperationId } from "../Faults.js"
import type { CandidateMatching, Relink } from "../SandboxConfig.js"
import type { HeroRecord, PdsPerson, TokenRecord, World, WorldState, WriteLogEntry } from "../World.js"
import { mapWith, PersistentMap } from "./persistentMap.js"
import type { IndexSpec } from "./persistentMap.js"
import * as Prng from "./prng.js"
import { normaliseName, normalisePostcode, similarNames } from "./similarity.js"

/** An API error: status, machine code, message without patient data. @internal */
export interface Failure {
  readonly _tag: "Failure"
  readonly status: number
  readonly code: string
  readonly message: string
}

/** @internal */
export const failure = (status: number, code: string, message: string): Failure => ({
  _tag: "Failure",
  status,
  code,
  message
})

/** @internal */
export const notFound = failure(404, "patient_not_found", "No patient found")

/** The result of a write: a value and the new state, or a failure. @internal */
export type Result<A> =
  | { readonly _tag: "Ok"; readonly value: A; readonly state: WorldState }
  | Failure

const ok = <A>(value: A, state: WorldState): Result<A> => ({ _tag: "Ok", value, state })

/** Drops `undefined` properties (for exact optional property types). @internal */
export const compact = <A extends object>(o: A): A =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as A

const omit = <A extends object, K extends keyof A>(o: A, ...keys: ReadonlyArray<K>): A => {
  const copy: Record<string, unknown> = { ...o } as Record<string, unknown>
  for (const key of keys) delete copy[key as string]
  return copy as A
}

/** The validated NHS number of a record, if it has one. @internal */
export const nhsOf = (p: { readonly nhsNumber?: PatientV1["nhsNumber"] }): string | undefined =>
  p.nhsNumber?._tag === "VerifiedNhsNumber" ? p.nhsNumber.value : undefined

/** A deterministic uid for a Hero id. @internal */
export const uidOf = (id: string): PatientUid =>
  PatientUid.make(`00000000-0000-4000-8000-${id.replace(/\D/g, "").padStart(12, "0").slice(-12)}`)

const ehrLabel = (record: PatientV2): "EMIS" | "Systm One" => record.dataSource === "systm_one" ? "Systm One" : "EMIS"

const ehrIdentifier = (value: string, label: "EMIS" | "Systm One"): Identifier => ({
  source: "ehr_partner",
  name: "ehr_partner_id",
  role: "main",
  label,
  value
})

const withoutEhrIdentifiers = (identifiers: ReadonlyArray<Identifier> | undefined): Array<Identifier> =>
  (identifiers ?? []).filter((i) => !(i.name === "ehr_partner_id" && i.role === "main"))

/** Builds the live state of a world. Links are applied to both sides. @internal */
export const fromWorld = (world: World, seed: string, writeLogSize?: number): WorldState => {
  const patients = PersistentMap.from<string, HeroRecord>(
    world.patients.map((patient) => [patient.id, { patient, version: 1 }]),
    heroIndexes
  )
  const ehrRecords = PersistentMap.from<string, PatientV2>(
    world.ehrRecords.flatMap((record) => record.ehrPartnerId !== undefined ? [[record.ehrPartnerId, record]] : []),
    ehrIndexes
  )
  let state: WorldState = {
    practiceGroupId: world.practiceGroupId,
    odsCode: world.odsCode,
    patients,
    ehrRecords,
    pds: world.pds,
    billing: world.billing,
    paymentMethods: world.paymentMethods,
    attachments: world.attachments,
    tokens: PersistentMap.from([]),
    nextPatientId: world.patients.reduce((max, p) => Math.max(max, Number(p.id) + 1), 100001),
    tokenSeq: 0,
    tokenSeed: seed,
    writeLog: [],
    writes: 0,
    writeLogSize,
    merges: PersistentMap.from([]),
    connects: PersistentMap.from([]),
    registrations: PersistentMap.from([]),
    truth: world.truth
  }
  for (const link of world.links) state = applyLink(state, link.heroId, link.ehrPartnerId)
  return {
    ...state,
    patients: PersistentMap.from([...state.patients].map(([id, r]) => [id, { ...r, version: 1 }]), heroIndexes)
  }
}

const applyLink = (state: WorldState, heroId: string, ehrPartnerId: EhrPartnerId): WorldState => {
  const record = state.patients.get(heroId)
  const ehr = state.ehrRecords.get(ehrPartnerId)
  if (record === undefined || ehr === undefined) return state
  const label = ehrLabel(ehr)
  const patient: PatientV1 = {
    ...record.patient,
    ehrPartnerId,
    ehrRegistered: true,
    identifiers: [...withoutEhrIdentifiers(record.patient.identifiers), ehrIdentifier(ehrPartnerId, label)],
    ...(ehr.dataSource === "emis" ? { emisId: EmisId.make(ehrPartnerId) } : {})
  }
  const patients = mapWith(state.patients, heroId, { patient, version: record.version + 1 })
  const ehrRecords = mapWith(
    state.ehrRecords,
    ehrPartnerId,
    compact({ ...ehr, heroId: record.patient.id, heroUid: record.patient.uid, ehrRegistered: true })
  )
  return { ...state, patients, ehrRecords }
}

const unlinkPatient = (state: WorldState, heroId: string): WorldState => {
  const record = state.patients.get(heroId)
  if (record === undefined) return state
  const patient: PatientV1 = {
    ...omit(record.patient, "ehrPartnerId"),
    ehrRegistered: false,
    identifiers: withoutEhrIdentifiers(record.patient.identifiers)
  }
  const patients = mapWith(state.patients, heroId, { patient, version: record.version + 1 })
  return { ...state, patients }
}

const unlinkEhr = (state: WorldState, ehrPartnerId: string): WorldState => {
  const ehr = state.ehrRecords.get(ehrPartnerId)
  if (ehr === undefined) return state
  const ehrRecords = mapWith(state.ehrRecords, ehrPartnerId, omit(ehr, "heroId", "heroUid"))
  return { ...state, ehrRecords }
}

const logWrite = (
  state: WorldState,
  now: number,
  operation: OperationId,
  patientId: PatientId,
  detail: string,
  other?: string
): WorldState => {
  const entry: WriteLogEntry = compact({ seq: state.writes + 1, at: now, operation, patientId, other, detail })
  const size = state.writeLogSize
  const writeLog = size === undefined
    ? [...state.writeLog, entry]
    : size <= 0
    ? []
    : [...state.writeLog.slice(Math.max(0, state.writeLog.length - size + 1)), entry]
  return { ...state, writeLog, writes: state.writes + 1 }
}

const bump = (map: ReadonlyMap<string, number>, key: string): ReadonlyMap<string, number> => {
  return mapWith(map, key, (map.get(key) ?? 0) + 1)
}

/** Counter key of a merge. @internal */
export const mergeKey = (main: string, incoming: string) => `${main}<-${incoming}`

/** Counter key of a connect. @internal */
export const connectKey = (patientId: string, ehrPartnerId: string) => `${patientId}|${ehrPartnerId}`

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/** A Hero patient in the v2 shape. @internal */
export const toV2 = (p: PatientV1): PatientV2 =>
  compact({
    emisId: p.emisId,
    ehrPartnerId: p.ehrPartnerId,
    dateOfBirth: p.dateOfBirth,
    deceasedAt: p.deceasedAt,
    title: p.title,
    firstName: p.firstName,
    lastName: p.lastName,
    sex: p.sex,
    nhsNumber: p.nhsNumber,
    email: p.email,
    mobile: p.mobile,
    lastSyncAt: p.lastSyncAt,
    town: p.town,
    county: p.county,
    postcode: p.postcode,
    restricted: p.restricted,
    dataSource: p.dataSource,
    addressLine1: p.addressLine1,
    addressLine2: p.addressLine2,
    addressLine3: p.addressLine3,
    heroId: p.id,
    heroUid: p.uid,
    identifiers: p.identifiers ?? [],
    ehrRegistered: p.ehrRegistered ?? null
  }) as PatientV2

/** A Hero patient in the v3 shape. @internal */
export const toV3 = (p: PatientV1, odsCode: string | undefined): PatientV3 =>
  compact({ ...toV2(p), odsCode }) as PatientV3

/** A patient by id (archived ones too). @internal */
export const getPatient = (state: WorldState, id: string): HeroRecord | undefined => state.patients.get(id)

// EHR records are found by NHS number, date of birth or link: indexed, so a look-up does not scan
// the whole EHR (a 100,000-patient world answers in microseconds).
const ehrIndexes: ReadonlyArray<IndexSpec<PatientV2>> = [
  {
    name: "nhs",
    keysOf: (ehr) => {
      const nhs = nhsOf(ehr)
      return nhs === undefined ? [] : [nhs]
    }
  },
  { name: "dob", keysOf: (ehr) => (ehr.dateOfBirth === null ? [] : [ehr.dateOfBirth]) },
  { name: "hero", keysOf: (ehr) => (ehr.heroId === undefined ? [] : [ehr.heroId]) }
]

// Hero patients are found by NHS number (the record's, verified or not, and its identifiers'),
// date of birth and surname, as the v1/v2 look-ups and v3 filters match them: indexed, so a
// `dob=` or `nhs_number=` search per patient does not scan the practice.
const heroIndexes: ReadonlyArray<IndexSpec<HeroRecord>> = [
  {
    name: "nhs",
    keysOf: ({ patient }) => [
      ...(patient.nhsNumber === undefined ? [] : [patient.nhsNumber.value]),
      ...(patient.identifiers ?? []).filter((i) => i.name === "nhs_number").map((i) => i.value)
    ]
  },
  { name: "dob", keysOf: ({ patient }) => (patient.dateOfBirth === null ? [] : [patient.dateOfBirth]) },
  {
    name: "lastName",
    keysOf: ({ patient }) => (patient.lastName === undefined ? [] : [patient.lastName.trim().toLowerCase()])
  }
]

// The values an index of `map` may hold under `key` (a superset: the caller re-checks), or all of
// them when the map has no such index.
const indexedIn = <V>(map: ReadonlyMap<string, V>, name: string, key: string): Iterable<V> => {
  if (!(map instanceof PersistentMap)) return map.values()
  const ids = map.lookup(name, key)
  if (ids === undefined) return map.values()
  // In the map's own order, so every answer is the one a scan would give.
  return map.inOrder(ids).map((id) => map.get(id)!)
}

const indexed = (state: WorldState, name: string, key: string): Iterable<PatientV2> =>
  indexedIn(state.ehrRecords, name, key)

// The index key a v1/v2 look-up value or a v3 filter falls under, as `matchesField` compares it.
const nhsKey = (value: string) => value.trim().replace(/[\s-]/g, "")
const dobKey = (value: string) => value.trim().slice(0, 10)
const nameKey = (value: string) => value.trim().toLowerCase()

// The Hero patients that may have `value` in `field`: an index bucket, or every patient.
const heroPool = (state: WorldState, field: SearchField, value: string): Iterable<HeroRecord> => {
  switch (field) {
    case "nhs_number":
      return indexedIn(state.patients, "nhs", nhsKey(value))
    case "dob":
      return indexedIn(state.patients, "dob", dobKey(value))
    case "last_name":
      return indexedIn(state.patients, "lastName", nameKey(value))
    default:
      return state.patients.values()
  }
}

const visibleIn = (records: Iterable<HeroRecord>, listArchived: boolean): Array<PatientV1> => {
  const out: Array<PatientV1> = []
  for (const { patient } of records) if (listArchived || patient.status !== "archived") out.push(patient)
  return out
}

// Unarchived Hero patients with this verified NHS number, in the map's order (through the index).
const unarchivedWithNhs = (state: WorldState, nhs: string): Array<HeroRecord> =>
  Array.from(indexedIn(state.patients, "nhs", nhs)).filter((r) =>
    r.patient.status !== "archived" && nhsOf(r.patient) === nhs
  )

const ehrLinkedTo = (state: WorldState, heroId: string): Array<[string, PatientV2]> =>
  Array.from(indexed(state, "hero", heroId)).flatMap((ehr) =>
    ehr.heroId === heroId && ehr.ehrPartnerId !== undefined ? [[ehr.ehrPartnerId, ehr] as [string, PatientV2]] : []
  )

/** The EHR record linked to a Hero patient, if any (through the index, not a scan). @internal */
export const linkedEhr = (state: WorldState, heroId: string): PatientV2 | undefined =>
  ehrLinkedTo(state, heroId)[0]?.[1]

const maybeCandidates = (
  state: WorldState,
  p: PatientV1,
  nhs: string | undefined,
  matching: CandidateMatching
): Iterable<PatientV2> => {
  if (!(state.ehrRecords instanceof PersistentMap)) return state.ehrRecords.values()
  const seen = new Map<string, PatientV2>()
  const add = (records: Iterable<PatientV2>) => {
    for (const r of records) if (r.ehrPartnerId !== undefined) seen.set(r.ehrPartnerId, r)
  }
  if (nhs !== undefined) add(indexed(state, "nhs", nhs))
  if (matching === "nhs-number-or-demographics" && p.dateOfBirth !== null) add(indexed(state, "dob", p.dateOfBirth))
  add(indexed(state, "hero", p.id))
  return seen.values()
}

/** EHR candidates of a Hero patient, NHS-number matches first. @internal */
export const candidates = (
  state: WorldState,
  id: string,
  matching: CandidateMatching
): ReadonlyArray<PatientV2> | Failure => {
  const record = state.patients.get(id)
  if (record === undefined) return notFound
  const p = record.patient
  const nhs = nhsOf(p)
  const found: Array<{ readonly rank: number; readonly record: PatientV2 }> = []
  for (const ehr of maybeCandidates(state, p, nhs, matching)) {
    const byNhs = nhs !== undefined && nhsOf(ehr) === nhs
    const sameDob = p.dateOfBirth !== null && ehr.dateOfBirth === p.dateOfBirth
    const samePostcode = p.postcode !== undefined && ehr.postcode !== undefined &&
      normalisePostcode(p.postcode) === normalisePostcode(ehr.postcode)
    const byDemographics = matching === "nhs-number-or-demographics" && sameDob &&
      (similarNames(p.lastName, ehr.lastName) || (samePostcode && similarNames(p.firstName, ehr.firstName)))
    const linkedHere = ehr.heroId === p.id
    if (byNhs || byDemographics || linkedHere) {
      found.push({ rank: linkedHere ? 0 : byNhs ? 1 : 2, record: ehr })
    }
  }
  return found
    .sort((a, b) => a.rank - b.rank || String(a.record.ehrPartnerId).localeCompare(String(b.record.ehrPartnerId)))
    .map((f) => f.record)
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/** The fields `field` may name in v1/v2 look-ups. @internal */
export const searchFields = [
  "nhs_number",
  "emis_id",
  "ehr_partner_id",
  "gha_number",
  "hero_id",
  "id",
  "hero_uid",
  "uid",
  "email",
  "mobile",
  "first_name",
  "last_name",
  "dob",
  "postcode"
] as const

/** @internal */
export type SearchField = typeof searchFields[number]

/** @internal */
export const isSearchField = (s: string): s is SearchField => (searchFields as ReadonlyArray<string>).includes(s)

const identifierValues = (p: PatientV2, name: string): Array<string> =>
  p.identifiers.filter((i) => i.name === name).map((i) => i.value)

/** Whether a record (in the v2 view) has `value` in `field`: exact, but case-insensitive for text. @internal */
export const matchesField = (p: PatientV2, field: SearchField, value: string): boolean => {
  const v = value.trim()
  const eqText = (x: string | undefined) => x !== undefined && x.trim().toLowerCase() === v.toLowerCase()
  switch (field) {
    case "nhs_number": {
      const digits = v.replace(/[\s-]/g, "")
      return p.nhsNumber?.value === digits || identifierValues(p, "nhs_number").includes(digits)
    }
    case "emis_id":
      return p.emisId === v
    case "ehr_partner_id":
      return p.ehrPartnerId === v || identifierValues(p, "ehr_partner_id").includes(v)
    case "gha_number":
      return identifierValues(p, "gha_number").includes(v)
    case "hero_id":
    case "id":
      return p.heroId === v || identifierValues(p, "hero_id").includes(v)
    case "hero_uid":
    case "uid":
      return p.heroUid === v || identifierValues(p, "hero_uid").includes(v)
    case "email":
      return eqText(p.email)
    case "mobile":
      return p.mobile !== undefined && p.mobile.replace(/\s/g, "") === v.replace(/\s/g, "")
    case "first_name":
      return eqText(p.firstName)
    case "last_name":
      return eqText(p.lastName)
    case "dob":
      return p.dateOfBirth !== null && p.dateOfBirth === v.slice(0, 10)
    case "postcode":
      return p.postcode !== undefined && normalisePostcode(p.postcode) === normalisePostcode(v)
  }
}

/** v1 look-up. @internal */
export const searchV1 = (
  state: WorldState,
  field: SearchField,
  value: string,
  listArchived: boolean
): ReadonlyArray<PatientV1> =>
  visibleIn(heroPool(state, field, value), listArchived).filter((p) => matchesField(toV2(p), field, value))

/** v2 look-up, in Hero or in the EHR. @internal */
export const searchV2 = (
  state: WorldState,
  field: SearchField,
  value: string,
  source: "hero" | "ehr",
  listArchived: boolean
): ReadonlyArray<PatientV2> =>
  (source === "ehr" ? [...state.ehrRecords.values()] : visibleIn(heroPool(state, field, value), listArchived).map(toV2))
    .filter((p) => matchesField(p, field, value))

/** v3 filters (already decoded). @internal */
export interface V3Filters {
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly dateOfBirth?: string | undefined
  readonly nhsNumber?: string | undefined
  readonly ehrPartnerId?: string | undefined
}

// The Hero patients a v3 search may return: the bucket of its most selective indexed filter.
const v3Pool = (state: WorldState, filters: V3Filters): Iterable<HeroRecord> =>
  filters.nhsNumber !== undefined
    ? heroPool(state, "nhs_number", filters.nhsNumber)
    : filters.dateOfBirth !== undefined
    ? heroPool(state, "dob", filters.dateOfBirth)
    : filters.lastName !== undefined
    ? heroPool(state, "last_name", filters.lastName)
    : state.patients.values()

/** v3 search: the AND of the filters. @internal */
export const searchV3 = (state: WorldState, filters: V3Filters, listArchived: boolean): ReadonlyArray<PatientV3> =>
  visibleIn(v3Pool(state, filters), listArchived).filter((p) => {
    const v2 = toV2(p)
    return (filters.firstName === undefined || matchesField(v2, "first_name", filters.firstName)) &&
      (filters.lastName === undefined || matchesField(v2, "last_name", filters.lastName)) &&
      (filters.dateOfBirth === undefined || matchesField(v2, "dob", filters.dateOfBirth)) &&
      (filters.nhsNumber === undefined || matchesField(v2, "nhs_number", filters.nhsNumber)) &&
      (filters.ehrPartnerId === undefined || matchesField(v2, "ehr_partner_id", filters.ehrPartnerId))
  }).map((p) => toV3(p, state.odsCode))

// ---------------------------------------------------------------------------------------------
// Connect
// ---------------------------------------------------------------------------------------------

/** Links a Hero patient to an EHR record; `applied: false` when the link already existed. @internal */
export const connect = (
  state: WorldState,
  id: string,
  ehrPartnerId: EhrPartnerId,
  relink: Relink,
  now: number
): Result<{ readonly applied: boolean }> => {
  const record = state.patients.get(id)
  if (record === undefined) return notFound
  if (record.patient.status === "archived") {
    return failure(409, "patient_archived", "The patient is archived (merged into another patient)")
  }
  const ehr = state.ehrRecords.get(ehrPartnerId)
  if (ehr === undefined) return failure(404, "ehr_record_not_found", "No EHR record with this ehr_partner_id")
  if (ehr.heroId === id && record.patient.ehrPartnerId === ehrPartnerId) return ok({ applied: false }, state)
  let next = state
  if (ehr.heroId !== undefined && ehr.heroId !== id) {
    if (relink === "refuse") {
      return failure(409, "ehr_record_linked_to_other_patient", "The EHR record is already linked to another patient")
    }
    next = unlinkPatient(next, ehr.heroId)
    next = logWrite(next, now, "connectPatientEhr", ehr.heroId, "unlinked (relink replaced)", ehrPartnerId)
  }
  const previous = record.patient.ehrPartnerId
  if (previous !== undefined && previous !== ehrPartnerId) next = unlinkEhr(next, previous)
  next = applyLink(next, id, ehrPartnerId)
  next = logWrite(next, now, "connectPatientEhr", record.patient.id, "connected", ehrPartnerId)
  next = { ...next, connects: bump(next.connects, connectKey(id, ehrPartnerId)) }
  return ok({ applied: true }, next)
}

// ---------------------------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------------------------

const fillable = [
  "emisId",
  "ehrPartnerId",
  "deceasedAt",
  "title",
  "firstName",
  "lastName",
  "sex",
  "nhsNumber",
  "email",
  "mobile",
  "lastSyncAt",
  "town",
  "county",
  "postcode",
  "emails",
  "addressLine1",
  "addressLine2",
  "addressLine3",
  "country",
  "notes",
  "verificationCredentials",
  "sexChangedAt"
] as const

/**
 * What the main record becomes: its own values, the incoming record's where the main has none,
 * the incoming record's identifiers added as secondary (and its Hero id), restricted if either is.
 * @internal
 */
export const mergeResult = (main: PatientV1, incoming: PatientV1): PatientV1 => {
  const filled: Record<string, unknown> = { ...main }
  for (const key of fillable) {
    if (filled[key] === undefined && incoming[key] !== undefined) filled[key] = incoming[key]
  }
  if (main.dateOfBirth === null && incoming.dateOfBirth !== null) filled["dateOfBirth"] = incoming.dateOfBirth
  const identifiers: Array<Identifier> = [...(main.identifiers ?? [])]
  const has = (i: Identifier) => identifiers.some((j) => j.name === i.name && j.value === i.value)
  const incomingIdentifiers: Array<Identifier> = [
    ...(incoming.identifiers ?? []),
    { source: "hero", name: "hero_id", role: "secondary", label: "Hero", value: incoming.id }
  ]
  for (const i of incomingIdentifiers) if (!has(i)) identifiers.push({ ...i, role: "secondary" })
  return {
    ...(filled as unknown as PatientV1),
    identifiers,
    restricted: main.restricted || incoming.restricted,
    ehrRegistered: (main.ehrRegistered ?? false) || (incoming.ehrRegistered ?? false),
    status: "unarchived"
  }
}

const archivedFailure = failure(409, "patient_archived", "A patient in this merge is archived")

/** Issues a merge token for (main, incoming). @internal */
export const preview = (
  state: WorldState,
  mainId: string,
  incomingId: string,
  now: number,
  ttlMillis: number
): Result<
  { readonly main: PatientV1; readonly incoming: PatientV1; readonly result: PatientV1; readonly token: string }
> => {
  if (mainId === incomingId) return failure(409, "same_patient", "A patient cannot be merged into itself")
  const main = state.patients.get(mainId)
  const incoming = state.patients.get(incomingId)
  if (main === undefined || incoming === undefined) return notFound
  if (main.patient.status === "archived" || incoming.patient.status === "archived") return archivedFailure
  const seq = state.tokenSeq + 1
  const prng = Prng.make(`${state.tokenSeed}|merge-token|${seq}`)
  const token = `mt_${seq}_${Array.from({ length: 24 }, () => prng.int(0, 15).toString(16)).join("")}`
  const record: TokenRecord = {
    token,
    mainId: main.patient.id,
    incomingId: incoming.patient.id,
    mainVersion: main.version,
    incomingVersion: incoming.version,
    expiresAt: now + ttlMillis,
    used: false
  }
  const tokens = mapWith(state.tokens, token, record)
  return ok(
    { main: main.patient, incoming: incoming.patient, result: mergeResult(main.patient, incoming.patient), token },
    { ...state, tokens, tokenSeq: seq }
  )
}

/** Carries out a merge with a token. @internal */
export const merge = (
  state: WorldState,
  mainId: string,
  incomingId: string,
  token: string,
  now: number
): Result<void> => {
  const record = state.tokens.get(token)
  if (record === undefined) return failure(409, "merge_token_invalid", "The merge token is not known")
  if (record.used) return failure(409, "merge_token_used", "The merge token has already been used")
  if (now >= record.expiresAt) return failure(409, "merge_token_expired", "The merge token has expired")
  if (record.mainId !== mainId || record.incomingId !== incomingId) {
    return failure(409, "merge_token_mismatch", "The merge token was issued for another pair of patients")
  }
  const main = state.patients.get(mainId)
  const incoming = state.patients.get(incomingId)
  if (main === undefined || incoming === undefined) return notFound
  if (main.patient.status === "archived" || incoming.patient.status === "archived") return archivedFailure
  if (main.version !== record.mainVersion || incoming.version !== record.incomingVersion) {
    return failure(409, "merge_token_stale", "A patient changed since the preview; preview again")
  }
  const result = mergeResult(main.patient, incoming.patient)
  const patients = mapWith(
    mapWith(state.patients, mainId, { patient: result, version: main.version + 1 }),
    incomingId,
    {
      patient: { ...incoming.patient, status: "archived", identifiers: [] },
      version: incoming.version + 1
    }
  )
  let ehrRecords = state.ehrRecords
  for (const [key, ehr] of ehrLinkedTo(state, incomingId)) {
    ehrRecords = mapWith(ehrRecords, key, compact({ ...ehr, heroId: result.id, heroUid: result.uid }))
  }
  const tokens = mapWith(state.tokens, token, { ...record, used: true })
  let next: WorldState = {
    ...state,
    patients,
    ehrRecords,
    tokens,
    merges: bump(state.merges, mergeKey(mainId, incomingId))
  }
  next = logWrite(next, now, "mergePatient", main.patient.id, "merged", incomingId)
  return ok(undefined, next)
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

const nhsIdentifier = (nhs: string): Identifier => ({
  source: "nhs",
  name: "nhs_number",
  role: "main",
  label: "NHS",
  value: nhs
})

const heroIdentifier = (id: string): Identifier => ({
  source: "hero",
  name: "hero_id",
  role: "main",
  label: "Hero",
  value: id
})

const createPatient = (
  state: WorldState,
  fields: Partial<PatientV1> & { readonly dateOfBirth: DateOfBirth; readonly dataSource: PatientV1["dataSource"] },
  now: number,
  operation: OperationId
): { readonly id: PatientId; readonly state: WorldState } => {
  const id = PatientId.make(String(state.nextPatientId))
  const nhs = nhsOf(fields)
  const patient = compact({
    ...fields,
    id,
    uid: uidOf(id),
    status: "unarchived",
    restricted: false,
    ehrRegistered: false,
    identifiers: [...(nhs !== undefined ? [nhsIdentifier(nhs)] : []), heroIdentifier(id)]
  }) as PatientV1
  const patients = mapWith(state.patients, id, { patient, version: 1 })
  let next: WorldState = {
    ...state,
    patients,
    nextPatientId: state.nextPatientId + 1,
    registrations: bump(state.registrations, id)
  }
  next = logWrite(next, now, operation, id, "created")
  return { id, state: next }
}

/** Register a Patient: update on the same NHS number and dob, otherwise create. @internal */
export const register = (state: WorldState, request: RegisterPatientRequest, now: number): Result<PatientId> => {
  const nhs = request.nhsNumber
  const fields = compact({
    dateOfBirth: request.dateOfBirth,
    firstName: request.firstName,
    lastName: request.lastName,
    mobile: request.mobile,
    ehrPartnerId: request.ehrPartnerId,
    nhsNumber: nhs !== undefined ? new VerifiedNhsNumber({ value: nhs }) : undefined,
    sex: request.sex,
    title: request.title,
    addressLine1: request.addressLine1,
    addressLine2: request.addressLine2,
    addressLine3: request.addressLine3,
    town: request.town,
    county: request.county,
    country: request.country,
    postcode: request.postcode,
    email: request.email
  }) as Partial<PatientV1>
  if (nhs !== undefined) {
    const existing = unarchivedWithNhs(state, nhs).find((r) => r.patient.dateOfBirth === request.dateOfBirth)
    if (existing !== undefined) {
      const patients = mapWith(state.patients, existing.patient.id, {
        patient: { ...existing.patient, ...fields },
        version: existing.version + 1
      })
      let next: WorldState = { ...state, patients, registrations: bump(state.registrations, existing.patient.id) }
      next = logWrite(next, now, "registerPatient", existing.patient.id, "updated")
      return ok(existing.patient.id, next)
    }
  }
  const created = createPatient(
    state,
    { ...fields, dateOfBirth: request.dateOfBirth, dataSource: request.dataSource ?? "hero" },
    now,
    "registerPatient"
  )
  return ok(created.id, created.state)
}

/** The PDS person a register_pds request traces, if any. @internal */
export const tracePds = (state: WorldState, request: RegisterPatientPdsRequest): PdsPerson | undefined =>
  request._tag === "ByNhsNumber"
    ? state.pds.find((p) => p.nhsNumber === request.nhsNumber && p.dateOfBirth === request.dateOfBirth)
    : state.pds.find((p) =>
      p.dateOfBirth === request.dateOfBirth &&
      normaliseName(p.firstName) === normaliseName(request.forename) &&
      normaliseName(p.lastName) === normaliseName(request.surname) &&
      p.postcode !== undefined && normalisePostcode(p.postcode) === normalisePostcode(request.postcode)
    )

/** @internal */
export type PdsOutcome =
  | { readonly _tag: "Registered"; readonly id: PatientId }
  | { readonly _tag: "IdentityCheck"; readonly loginUrl: string }

/** Register a Patient using PDS. @internal */
export const registerPds = (
  state: WorldState,
  request: RegisterPatientPdsRequest,
  now: number
): Result<PdsOutcome> => {
  const person = tracePds(state, request)
  if (person === undefined) return failure(404, "no_pds_match", "No patient found on the Spine")
  if (person.identityCheck) {
    const prng = Prng.make(`${state.tokenSeed}|identity|${person.nhsNumber}`)
    const ref = Array.from({ length: 16 }, () => prng.int(0, 15).toString(16)).join("")
    return ok({ _tag: "IdentityCheck", loginUrl: `https://sandbox.herohealth.invalid/verify/${ref}` }, state)
  }
  const existing = unarchivedWithNhs(state, person.nhsNumber)[0]
  if (existing !== undefined) return ok({ _tag: "Registered", id: existing.patient.id }, state)
  const created = createPatient(
    state,
    compact({
      dateOfBirth: person.dateOfBirth,
      dataSource: "pds",
      nhsNumber: new VerifiedNhsNumber({ value: person.nhsNumber }),
      firstName: person.firstName,
      lastName: person.lastName,
      postcode: person.postcode,
      title: person.title,
      sex: person.sex,
      addressLine1: person.addressLine1,
      town: person.town,
      mobile: person.mobile
    }),
    now,
    "registerPatientPds"
  )
  return ok({ _tag: "Registered", id: created.id }, created.state)
}
