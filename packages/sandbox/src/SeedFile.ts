/**
 * The seed file: a JSON document, in the API's wire field names, describing exactly the world a
 * test wants (patients, EHR records, links, the synthetic Spine, API keys, billing, payment methods,
 * attachments, ground truth). See the package README for the format.
 *
 * @since 0.1.0
 */
import { Attachment } from "@hero-effect/schema/Attachment"
import { BillingInfo } from "@hero-effect/schema/Billing"
import { DateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { EhrPartnerId, PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import { NhsNumber } from "@hero-effect/schema/NhsNumber"
import { PatientV1, PatientV2 } from "@hero-effect/schema/Patient"
import { PaymentMethodsResponse } from "@hero-effect/schema/PaymentMethod"
import { SexInput } from "@hero-effect/schema/Sex"
import { TitleInput } from "@hero-effect/schema/Title"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import type { ApiKey } from "./SandboxConfig.js"
import type { TruthKind, World } from "./World.js"

const required = <S extends Schema.Schema.All, const K extends PropertyKey>(key: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

const optional = <S extends Schema.Schema.All, const K extends PropertyKey>(key: K, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

const list = <S extends Schema.Schema.Any, const K extends PropertyKey>(key: K, schema: S) =>
  Schema.optionalWith(Schema.Array(schema), { default: () => [] }).pipe(Schema.fromKey(key))

const record = <S extends Schema.Schema.Any, const K extends PropertyKey>(key: K, schema: S) =>
  Schema.optionalWith(Schema.Record({ key: Schema.String, value: schema }), { default: () => ({}) }).pipe(
    Schema.fromKey(key)
  )

/**
 * A person on the synthetic Spine (`pds` entries).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PdsPersonEntry = Schema.Struct({
  nhsNumber: required("nhs_number", NhsNumber),
  dateOfBirth: required("dob", DateOfBirth),
  firstName: required("first_name", Schema.String),
  lastName: required("last_name", Schema.String),
  postcode: optional("postcode", Schema.String),
  title: optional("title", TitleInput),
  sex: optional("sex", SexInput),
  addressLine1: optional("address_line_1", Schema.String),
  town: optional("town", Schema.String),
  mobile: optional("mobile", Schema.String),
  identityCheck: Schema.optionalWith(Schema.Boolean, { default: () => false }).pipe(Schema.fromKey("identity_check"))
}).annotations({ identifier: "PdsPersonEntry" })

/**
 * An API key (`keys` entries): `rate_limit` is `{ limit, window_seconds, kind? }`, `kind` being
 * `"fixed"` (the default when absent) or `"sliding"` (see `SandboxConfig.RateLimitKind`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiKeyEntry = Schema.Struct({
  key: Schema.NonEmptyString,
  practiceGroupId: required("practice_group_id", Schema.NonEmptyString),
  scopes: Schema.Array(Schema.Literal("patients", "messaging", "booking", "booking_links")),
  practiceGroups: optional("practice_groups", Schema.Array(Schema.String)),
  rateLimit: optional(
    "rate_limit",
    Schema.Struct({
      limit: Schema.Int.pipe(Schema.positive()),
      windowSeconds: required("window_seconds", Schema.Number.pipe(Schema.positive())),
      kind: optional("kind", Schema.Literal("fixed", "sliding"))
    })
  )
}).annotations({ identifier: "ApiKeyEntry" })

/**
 * A link (`links` entries).
 *
 * @since 0.1.0
 * @category schemas
 */
export const LinkEntry = Schema.Struct({
  heroId: required("hero_id", PatientId),
  ehrPartnerId: required("ehr_partner_id", EhrPartnerId)
}).annotations({ identifier: "LinkEntry" })

/**
 * The kind of a truth entry: any non-empty string (a foreign seed file may carry families this
 * library does not know), typed as {@link TruthKind} (the known kinds, documented in `World`, or
 * any other string).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TruthKindSchema: Schema.Schema<TruthKind, string> = Schema.NonEmptyString.annotations({
  identifier: "TruthKind",
  description: "A duplicate kind (see World.DuplicateKind), \"unique\", or any other family name"
})

/**
 * One real person of a truth entry (`people` entries): `{ hero_ids, ehr_partner_ids }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TruthPersonEntry = Schema.Struct({
  heroIds: required("hero_ids", Schema.Array(PatientId)),
  ehrPartnerIds: required("ehr_partner_ids", Schema.Array(EhrPartnerId))
}).annotations({ identifier: "TruthPersonEntry" })

/**
 * Ground truth (`truth` entries). `people` (optional) names the group's records per real person.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TruthEntry = Schema.Struct({
  kind: TruthKindSchema,
  heroIds: required("hero_ids", Schema.Array(PatientId)),
  ehrPartnerIds: required("ehr_partner_ids", Schema.Array(EhrPartnerId)),
  shouldMerge: required("should_merge", Schema.Boolean),
  people: optional("people", Schema.Array(TruthPersonEntry))
}).annotations({ identifier: "TruthEntry" })

/**
 * The whole file. Every list and map is optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SeedFile = Schema.Struct({
  practiceGroupId: Schema.optionalWith(PracticeGroupId, {
    default: () => PracticeGroupId.make("sandbox-practice-group")
  }).pipe(
    Schema.fromKey("practice_group_id")
  ),
  odsCode: optional("ods_code", Schema.String),
  patients: list("patients", PatientV1),
  ehrRecords: list("ehr_records", PatientV2),
  links: list("links", LinkEntry),
  pds: list("pds", PdsPersonEntry),
  keys: list("keys", ApiKeyEntry),
  billing: record("billing_info", BillingInfo),
  paymentMethods: record("payment_methods", PaymentMethodsResponse),
  attachments: record("attachments", Schema.Array(Attachment)),
  truth: list("truth", TruthEntry)
}).annotations({ identifier: "SeedFile" })

/**
 * @since 0.1.0
 * @category models
 */
export interface SeedFile extends Schema.Schema.Type<typeof SeedFile> {}

/**
 * The file as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface SeedFileEncoded extends Schema.Schema.Encoded<typeof SeedFile> {}

/**
 * A seed file that cannot be read or does not describe a consistent world.
 *
 * @since 0.1.0
 * @category errors
 */
export class SeedFileError extends Schema.TaggedError<SeedFileError>()("SeedFileError", {
  message: Schema.String
}) {}

const toWorld = (file: SeedFile): World => ({
  practiceGroupId: file.practiceGroupId,
  odsCode: file.odsCode,
  patients: file.patients,
  ehrRecords: file.ehrRecords,
  links: file.links,
  pds: file.pds,
  keys: file.keys.map((k): ApiKey => ({
    key: k.key,
    practiceGroupId: k.practiceGroupId,
    scopes: k.scopes,
    practiceGroups: k.practiceGroups,
    rateLimit: k.rateLimit === undefined
      ? undefined
      : {
        limit: k.rateLimit.limit,
        window: Duration.seconds(k.rateLimit.windowSeconds),
        // Absent stays absent, so a file round-trips exactly.
        ...(k.rateLimit.kind !== undefined ? { kind: k.rateLimit.kind } : {})
      }
  })),
  billing: file.billing,
  paymentMethods: file.paymentMethods,
  attachments: file.attachments,
  truth: file.truth
})

// At most this many problems are listed; a file with thousands of bad records says how many more.
const maxIssuesListed = 20

/**
 * The problems of a seed file by path and expectation, never by value: a seed file holds patient
 * data (NHS numbers, names, dates of birth), and Effect's formatters quote the actual value
 * ("Expected …, actual <the NHS number>"). Only the part before ", actual" is kept.
 */
const describeIssues = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const lines = issues.slice(0, maxIssuesListed).map((issue) => {
    const path = issue.path.length === 0 ? "(file)" : issue.path.map(String).join(".")
    switch (issue._tag) {
      case "Missing":
        return `${path}: is missing`
      case "Unexpected":
        return `${path}: is not a known field`
      default: {
        const expected = /^Expected [^,\n]*/.exec(issue.message)?.[0]
        return `${path}: ${expected === undefined ? "is not valid" : expected.replace(/^Expected/, "expected")}`
      }
    }
  })
  if (issues.length > maxIssuesListed) lines.push(`… and ${issues.length - maxIssuesListed} more`)
  return `The seed file is not valid (values are not shown):\n${lines.join("\n")}`
}

const check = (world: World): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const ids = new Set<string>()
  for (const p of world.patients) {
    if (ids.has(p.id)) problems.push(`patients: duplicate id ${p.id}`)
    ids.add(p.id)
  }
  const ehrIds = new Set<string>()
  world.ehrRecords.forEach((r, i) => {
    if (r.ehrPartnerId === undefined) problems.push(`ehr_records[${i}]: ehr_partner_id is required`)
    else if (ehrIds.has(r.ehrPartnerId)) problems.push(`ehr_records[${i}]: duplicate ehr_partner_id`)
    else ehrIds.add(r.ehrPartnerId)
  })
  world.links.forEach((l, i) => {
    if (!ids.has(l.heroId)) problems.push(`links[${i}]: unknown hero_id`)
    if (!ehrIds.has(l.ehrPartnerId)) problems.push(`links[${i}]: unknown ehr_partner_id`)
  })
  return problems
}

/**
 * Decodes and checks a parsed seed file (ids unique, every EHR record has an `ehr_partner_id`,
 * links name known records).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (json: unknown): Effect.Effect<World, SeedFileError> =>
  Schema.decodeUnknown(SeedFile, { errors: "all" })(json).pipe(
    Effect.mapError((e) => new SeedFileError({ message: describeIssues(e) })),
    Effect.map(toWorld),
    Effect.filterOrElse(
      (world) => check(world).length === 0,
      (world) => Effect.fail(new SeedFileError({ message: check(world).join("\n") }))
    )
  )

/**
 * Decodes a seed file, throwing {@link SeedFileError} when it is not valid.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeSync = (json: unknown): World => Effect.runSync(decode(json))

/**
 * Reads, parses and decodes a seed file.
 *
 * @since 0.1.0
 * @category decoding
 */
export const load = (path: string): Effect.Effect<World, SeedFileError> =>
  Effect.tryPromise({
    try: () => fs.readFile(path, "utf8"),
    catch: () => new SeedFileError({ message: `Cannot read the seed file ${path}` })
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: (): unknown => JSON.parse(text),
        catch: () => new SeedFileError({ message: `The seed file ${path} is not valid JSON` })
      })
    ),
    Effect.flatMap(decode)
  )

/**
 * Encodes a world as a seed file (wire field names).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (world: World): SeedFileEncoded =>
  Schema.encodeSync(SeedFile)({
    practiceGroupId: PracticeGroupId.make(world.practiceGroupId),
    ...(world.odsCode !== undefined ? { odsCode: world.odsCode } : {}),
    patients: world.patients,
    ehrRecords: world.ehrRecords,
    links: world.links,
    pds: world.pds,
    keys: world.keys.map((k) => ({
      key: k.key,
      practiceGroupId: k.practiceGroupId,
      scopes: k.scopes,
      ...(k.practiceGroups !== undefined ? { practiceGroups: k.practiceGroups } : {}),
      ...(k.rateLimit !== undefined
        ? {
          rateLimit: {
            limit: k.rateLimit.limit,
            windowSeconds: Duration.toSeconds(Duration.decode(k.rateLimit.window)),
            ...(k.rateLimit.kind !== undefined ? { kind: k.rateLimit.kind } : {})
          }
        }
        : {})
    })),
    billing: world.billing,
    paymentMethods: world.paymentMethods,
    attachments: world.attachments,
    truth: world.truth
  })
