/**
 * The world the sandbox serves: the practice group's Hero patients, the EHR's own records, the
 * links between them, the synthetic NHS Spine (PDS), API keys, and the ground truth of a generated
 * world. Patients and EHR records are the domain values of `@hero-effect/schema`.
 *
 * @since 0.1.0
 */
import type { Attachment } from "@hero-effect/schema/Attachment"
import type { BillingInfo } from "@hero-effect/schema/Billing"
import type { DateOfBirth } from "@hero-effect/schema/DateOfBirth"
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import type { NhsNumber } from "@hero-effect/schema/NhsNumber"
import type { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import type { PaymentMethodsResponse } from "@hero-effect/schema/PaymentMethod"
import type { SexInput } from "@hero-effect/schema/Sex"
import type { TitleInput } from "@hero-effect/schema/Title"
import type { OperationId } from "./Faults.js"
import type { ApiKey } from "./SandboxConfig.js"

/**
 * A person on the synthetic NHS Spine, which `register_pds` traces. `identityCheck` people make
 * `register_pds` answer `{ message, login_url }` instead of registering them.
 *
 * @since 0.1.0
 * @category models
 */
export interface PdsPerson {
  readonly nhsNumber: NhsNumber
  readonly dateOfBirth: DateOfBirth
  readonly firstName: string
  readonly lastName: string
  readonly postcode?: string
  readonly title?: TitleInput
  readonly sex?: SexInput
  readonly addressLine1?: string
  readonly town?: string
  readonly mobile?: string
  readonly identityCheck: boolean
}

/**
 * A link between a Hero patient and an EHR record.
 *
 * @since 0.1.0
 * @category models
 */
export interface Link {
  readonly heroId: PatientId
  readonly ehrPartnerId: EhrPartnerId
}

/**
 * The kinds of group a generated world contains (the families of hard cases real GP lists hold).
 *
 * True duplicates (two Hero records of one person: should merge):
 *
 * - `samePerson`: the same person registered twice in Hero.
 * - `typo`: the same person again with a typo in the surname and no NHS number.
 * - `changedSurname`: the same person under a new surname, same NHS number.
 * - `restricted`: a restricted record and its duplicate (handle with care).
 * - `deceased`: a deceased patient registered twice (one record deceased, the other not).
 * - `nickname`: the second record under a diminutive (Robert/Bob, Margaret/Peggy …), with or
 *   without the NHS number.
 * - `doubleBarrelled`: one record has a double-barrelled surname (Smith-Jones), the other the single
 *   one; same verified NHS number.
 * - `dobSwapped`: day and month of the date of birth swapped on one record; same NHS number.
 * - `sexChanged`: sex differs between the records, `sex_changed_at` on the one with the current
 *   sex; same NHS number.
 * - `movedAddress`: the second record has an older address; same NHS number; the EHR record has
 *   the current one.
 * - `nhsOnly`: two records with the same verified NHS number and no EHR record for the person.
 * - `unrelatedNhs`: the second record carries an unrelated valid NHS number (nobody else's in the
 *   world); demographics otherwise equal.
 *
 * Look-alikes (different people: must not merge, and must not share an EHR record):
 *
 * - `twins`: two people, same surname, date of birth and address.
 * - `family`: relatives at the same address with the same surname.
 * - `twinsSimilarNames`: twins with similar first names (Jon/John); one twin's Hero record has no
 *   NHS number; in about half the groups that twin's own EHR record has another address.
 * - `twinNhsMiskeyed`: twins; one twin's Hero record carries the other twin's NHS number.
 * - `twinTransposedNhs`: twins; one twin's Hero record has its NHS number with two digits
 *   transposed, failing Modulus 11 (it decodes as an `UnverifiedNhsNumber`).
 * - `sameNameFlats`: two people with a common name and the same dob in one block of flats (same
 *   postcode and street, other flat numbers); one Hero record has no NHS number.
 * - `parentChildSameName`: parent and child with the same full name at one address, 20–40 years
 *   apart.
 * - `placeholderBaby`: newborn twins registered as "Baby <Surname>", no NHS number on Hero.
 * - `placeholderUnknown`: two or three people recorded as "Unknown Unknown" (or "Not Known"), dob
 *   1900-01-01, sex "Not known", no NHS number on Hero.
 * - `ownGpMoved`: a Hero patient without NHS number whose own EHR record is not in the world,
 *   beside a twin with a similar name whose EHR record is (and maybe a Hero record).
 * - `noGpBesideLookalike`: a Hero patient without NHS number and no EHR record, beside a
 *   look-alike's EHR record (same surname and dob, or same name and dob elsewhere).
 *
 * Nothing to do:
 *
 * - `alreadyLinked`: a Hero patient already linked to its EHR record.
 *
 * @since 0.1.0
 * @category models
 */
export type DuplicateKind =
  | "samePerson"
  | "typo"
  | "changedSurname"
  | "twins"
  | "family"
  | "alreadyLinked"
  | "restricted"
  | "deceased"
  | "nickname"
  | "doubleBarrelled"
  | "dobSwapped"
  | "sexChanged"
  | "movedAddress"
  | "nhsOnly"
  | "unrelatedNhs"
  | "twinsSimilarNames"
  | "twinNhsMiskeyed"
  | "twinTransposedNhs"
  | "sameNameFlats"
  | "parentChildSameName"
  | "placeholderBaby"
  | "placeholderUnknown"
  | "ownGpMoved"
  | "noGpBesideLookalike"

/**
 * Every duplicate kind.
 *
 * @since 0.1.0
 * @category constants
 */
export const duplicateKinds: ReadonlyArray<DuplicateKind> = [
  "samePerson",
  "typo",
  "changedSurname",
  "twins",
  "family",
  "alreadyLinked",
  "restricted",
  "deceased",
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

/**
 * The kind of a truth entry: a {@link DuplicateKind}, `"unique"` (a person with no look-alike or
 * duplicate: one Hero record, one EHR record), or any other non-empty string (a seed file may bring
 * families this library does not know).
 *
 * @since 0.1.0
 * @category models
 */
export type TruthKind = DuplicateKind | "unique" | (string & {})

/**
 * One real person of a truth entry: their Hero records and their EHR records in the world.
 *
 * @since 0.1.0
 * @category models
 */
export interface TruthPerson {
  readonly heroIds: ReadonlyArray<PatientId>
  readonly ehrPartnerIds: ReadonlyArray<EhrPartnerId>
}

/**
 * Ground truth about a group of records: what they are, whether a correct workflow merges the Hero
 * patients, and (`people`) which records belong to which real person. A should-merge group is one
 * person; look-alikes are one person each. The first hero id is the record a careful person would
 * keep (informative only: a workflow decides its survivor by its own rules). Without `people`, a
 * should-merge group is one person, and otherwise each hero id is its own person, with the EHR ids
 * paired to the hero ids by position (see `Truth.personIndex`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TruthEntry {
  readonly kind: TruthKind
  readonly heroIds: ReadonlyArray<PatientId>
  readonly ehrPartnerIds: ReadonlyArray<EhrPartnerId>
  readonly shouldMerge: boolean
  readonly people?: ReadonlyArray<TruthPerson>
}

/**
 * A complete starting world, as a seed file or the generator describes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface World {
  readonly practiceGroupId: string
  readonly odsCode?: string | undefined
  readonly patients: ReadonlyArray<PatientV1>
  readonly ehrRecords: ReadonlyArray<PatientV2>
  readonly links: ReadonlyArray<Link>
  readonly pds: ReadonlyArray<PdsPerson>
  readonly keys: ReadonlyArray<ApiKey>
  readonly billing: Readonly<Record<string, BillingInfo>>
  readonly paymentMethods: Readonly<Record<string, PaymentMethodsResponse>>
  readonly attachments: Readonly<Record<string, ReadonlyArray<Attachment>>>
  readonly truth: ReadonlyArray<TruthEntry>
}

/**
 * An empty world for a practice group.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty = (practiceGroupId = "sandbox-practice-group"): World => ({
  practiceGroupId,
  patients: [],
  ehrRecords: [],
  links: [],
  pds: [],
  keys: [],
  billing: {},
  paymentMethods: {},
  attachments: {},
  truth: []
})

/**
 * A Hero patient in the sandbox: the v1 record and a version, bumped on every change (merge
 * tokens are bound to it).
 *
 * @since 0.1.0
 * @category models
 */
export interface HeroRecord {
  readonly patient: PatientV1
  readonly version: number
}

/**
 * One write the sandbox applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface WriteLogEntry {
  readonly seq: number
  /** Epoch milliseconds of the `Clock`. */
  readonly at: number
  readonly operation: OperationId
  readonly patientId: PatientId
  /** For a merge, the incoming patient; for a connect, the EHR record. */
  readonly other?: string | undefined
  readonly detail: string
}

/**
 * A merge token as the sandbox keeps it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRecord {
  readonly token: string
  readonly mainId: PatientId
  readonly incomingId: PatientId
  readonly mainVersion: number
  readonly incomingVersion: number
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly used: boolean
}

/**
 * The live state of the sandbox.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorldState {
  readonly practiceGroupId: string
  readonly odsCode: string | undefined
  readonly patients: ReadonlyMap<string, HeroRecord>
  readonly ehrRecords: ReadonlyMap<string, PatientV2>
  readonly pds: ReadonlyArray<PdsPerson>
  readonly billing: Readonly<Record<string, BillingInfo>>
  readonly paymentMethods: Readonly<Record<string, PaymentMethodsResponse>>
  readonly attachments: Readonly<Record<string, ReadonlyArray<Attachment>>>
  readonly tokens: ReadonlyMap<string, TokenRecord>
  readonly nextPatientId: number
  readonly tokenSeq: number
  readonly tokenSeed: string
  /** The most recent writes (all of them unless the sandbox's `writeLogSize` bounds it). */
  readonly writeLog: ReadonlyArray<WriteLogEntry>
  /** How many writes were applied (the log may keep fewer). */
  readonly writes: number
  /** The write log's bound, if any. */
  readonly writeLogSize: number | undefined
  /** Applied merges per `"<main><-<incoming>"`. */
  readonly merges: ReadonlyMap<string, number>
  /** Applied connects per `"<patient>|<ehr_partner_id>"`. */
  readonly connects: ReadonlyMap<string, number>
  /** Applied registrations (creations and updates) per patient id. */
  readonly registrations: ReadonlyMap<string, number>
  readonly truth: ReadonlyArray<TruthEntry>
}

/**
 * How many times each write was applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  /** Merges applied of `incoming` into `main`. */
  readonly mergesApplied: (main: string, incoming: string) => number
  /** Connects applied of a patient to an EHR record. */
  readonly connectsApplied: (patientId: string, ehrPartnerId: string) => number
  /** Registrations (creations and updates by register/register_pds) applied, in total or for a patient. */
  readonly registrationsApplied: (patientId?: string) => number
  /** Every write applied. */
  readonly writes: number
}
