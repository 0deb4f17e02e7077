/**
 * The world the sandbox serves: the practice group's Hero patients, the EHR's own records, the
 * links between them, the synthetic NHS Spine (PDS), API keys, and the ground truth of a generated
 * world. Patients and EHR records are the domain values of `@hero-effect/schema`.
 *
 * @since 0.1.0
 */
import type {
  Attachment,
  BillingInfo,
  DateOfBirth,
  EhrPartnerId,
  NhsNumber,
  PatientId,
  PatientV1,
  PatientV2,
  PaymentMethodsResponse,
  SexInput,
  TitleInput
} from "@hero-effect/schema"
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
 * The kinds of duplicate a generated world contains.
 *
 * - `samePerson`: the same person registered twice in Hero (should merge).
 * - `typo`: the same person again with a typo in the surname and no NHS number (should merge).
 * - `changedSurname`: the same person under a new surname, same NHS number (should merge).
 * - `twins`: two people, same surname, date of birth and address (must not merge).
 * - `family`: relatives at the same address with the same surname (must not merge).
 * - `alreadyLinked`: a Hero patient already linked to its EHR record (nothing to do).
 * - `restricted`: a restricted record and its duplicate (should merge; handle with care).
 * - `deceased`: a deceased patient registered twice (should merge).
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
  "deceased"
]

/**
 * Ground truth about a group of records: what they are, and whether a correct workflow merges
 * the Hero patients (the first id is the one to keep).
 *
 * @since 0.1.0
 * @category models
 */
export interface TruthEntry {
  readonly kind: DuplicateKind
  readonly heroIds: ReadonlyArray<PatientId>
  readonly ehrPartnerIds: ReadonlyArray<EhrPartnerId>
  readonly shouldMerge: boolean
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
