/**
 * The schemas against the API document (`shared/api/patients.openapi.yaml`): every component schema
 * has a schema here that decodes it, values generated from the document decode, the document's
 * examples and the docs' mock samples decode (or are rejected for a documented reason).
 */
import { describe, expect, it } from "@effect/vitest"
import { Attachment } from "@hero-effect/schema/Attachment"
import { BillingInfo } from "@hero-effect/schema/Billing"
import { DataSource } from "@hero-effect/schema/DataSource"
import { DateOfBirth } from "@hero-effect/schema/DateOfBirth"
import { ConnectPatientEhrRequest } from "@hero-effect/schema/EhrConnection"
import { Identifier } from "@hero-effect/schema/Identifier"
import {
  AttachmentList,
  EhrCandidateList,
  PatientV1List,
  PatientV2List,
  PatientV3List
} from "@hero-effect/schema/ListEnvelope"
import { MergePatientRequest, MergePreview, PreviewPatientMergeRequest } from "@hero-effect/schema/Merge"
import { EhrCandidate, PatientV1, PatientV2, PatientV3 } from "@hero-effect/schema/Patient"
import { PatientStatus } from "@hero-effect/schema/PatientStatus"
import { PaymentMethodsResponse } from "@hero-effect/schema/PaymentMethod"
import {
  IdentityCheckRequired,
  RegisterPatientPdsByDemographics,
  RegisterPatientPdsByNhsNumber,
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest,
  RegisterPatientResult
} from "@hero-effect/schema/Registration"
import { ListPatientsParams, ListPatientsV2Params, ListPatientsV3Params } from "@hero-effect/schema/Search"
import { Sex, SexInput } from "@hero-effect/schema/Sex"
import { Title, TitleInput } from "@hero-effect/schema/Title"
import { ValidationErrorBody, ValidationIssue } from "@hero-effect/schema/ValidationError"
import { PatientWebhookEvent } from "@hero-effect/schema/Webhook"
import { Effect, Either, ParseResult, Redacted, Schema } from "effect"
import {
  componentSchema,
  componentSchemaNames,
  documentExamples,
  fake,
  fakeMany,
  formatValidationErrors,
  type JsonSchema,
  operationRequestSchema,
  operationResponseSchema,
  validator
} from "./support/openapi.js"

const SAMPLES = 50

const treeError = (e: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(e)

/** `components.schemas` name → the schema that decodes its wire form. */
const decoders = {
  // The document's Title and Sex are `nullable: true` enums. Our enums do not take null (the
  // records wrap them as optional-nullable fields), so the component is `NullOr` of ours.
  Title: Schema.NullOr(Title),
  TitleInput,
  Sex: Schema.NullOr(Sex),
  SexInput,
  PatientDataSource: DataSource,
  PatientStatus,
  Identifier,
  PatientV1,
  PatientV2,
  EhrCandidate,
  PatientV3,
  EhrCandidateList,
  PatientV1List,
  PatientV2List,
  PatientV3List,
  Attachment,
  AttachmentList,
  ConnectPatientEhrRequest,
  PreviewPatientMergeRequest,
  MergePreview,
  MergePatientRequest,
  RegisterPatientPdsByNhsNumber,
  RegisterPatientPdsByDemographics,
  RegisterPatientPdsRequest,
  RegisterPatientRequest,
  PatientIdResponse: RegisterPatientResult,
  IdentityVerificationRequired: IdentityCheckRequired,
  RegisterPatientPdsResponse: RegisterPatientPdsResult,
  BillingInfo,
  PaymentMethodsResponse,
  ValidationIssue,
  ValidationError: ValidationErrorBody,
  PatientWebhookEvent
} satisfies Record<string, Schema.Schema.AnyNoContext>

type Component = keyof typeof decoders

const decoderOf = (name: string): Schema.Schema.AnyNoContext => {
  const decoder = (decoders as Record<string, Schema.Schema.AnyNoContext>)[name]
  if (decoder === undefined) throw new Error(`No decoder mapped for component ${name}`)
  return decoder
}

/** What the API returns (and the webhook body Hero posts): every document-valid value must decode. */
const responseComponents: ReadonlyArray<Component> = [
  "Title",
  "Sex",
  "PatientDataSource",
  "PatientStatus",
  "Identifier",
  "PatientV1",
  "PatientV2",
  "EhrCandidate",
  "PatientV3",
  "EhrCandidateList",
  "PatientV1List",
  "PatientV2List",
  "PatientV3List",
  "Attachment",
  "AttachmentList",
  "MergePreview",
  "PatientIdResponse",
  "IdentityVerificationRequired",
  "RegisterPatientPdsResponse",
  "BillingInfo",
  "PaymentMethodsResponse",
  "ValidationIssue",
  "ValidationError",
  "PatientWebhookEvent"
]

/** Closed input enums: the document lists exactly our values, so every sample decodes as is. */
const inputEnumComponents: ReadonlyArray<Component> = ["TitleInput", "SexInput"]

/**
 * Request bodies, with the fields on which our schema is deliberately stricter than the document
 * (which mostly says only `type: string`) and a valid value for each.
 */
const requestComponents: Readonly<Partial<Record<Component, Readonly<Record<string, string>>>>> = {
  // Non-empty and trimmed (the document: any string).
  ConnectPatientEhrRequest: { ehr_partner_id: "E1" },
  // Digits, like the same field of Merge Patients (the document gives this one no pattern).
  PreviewPatientMergeRequest: { patient_id: "123" },
  // Nothing stricter: the document has `^\d+$` on patient_id and any string is a merge token.
  MergePatientRequest: {},
  RegisterPatientRequest: {
    dob: "1989-04-11", // a real calendar date (document: a non-empty string)
    first_name: "Ada", // non-empty and trimmed (document: minLength 1)
    last_name: "Lovelace",
    mobile: "07700900000",
    nhs_number: "9434765919", // a valid NHS number (document: a non-empty string)
    ehr_partner_id: "E1",
    data_source: "hero" // the data_source enum (document: any string)
  },
  RegisterPatientPdsByNhsNumber: {
    nhs_number: "9434765919",
    dob: "1989-04-11", // a real date, never null (document: nullable string)
    ehr_partner: "EMIS", // trimmed (document: minLength 1)
    ehr_partner_id: "E1"
  },
  RegisterPatientPdsByDemographics: {
    dob: "1989-04-11",
    postcode: "SW1A 1AA", // a UK postcode (document: any string)
    forename: "Ada", // non-empty and trimmed (document: any string)
    surname: "Lovelace",
    ehr_partner: "EMIS",
    ehr_partner_id: "E1"
  },
  RegisterPatientPdsRequest: {
    nhs_number: "9434765919",
    dob: "1989-04-11",
    postcode: "SW1A 1AA",
    forename: "Ada",
    surname: "Lovelace",
    ehr_partner: "EMIS",
    ehr_partner_id: "E1"
  }
}

/** The sample with every strict field it carries replaced by a valid value. */
const withValidStrictFields = (sample: unknown, valid: Readonly<Record<string, string>>): unknown => {
  if (typeof sample !== "object" || sample === null || Array.isArray(sample)) return sample
  return Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, key in valid ? valid[key] : value]))
}

/**
 * `oneOf` components whose alternatives overlap, so a value of one alternative is rejected by a
 * strict JSON Schema validator. RegisterPatientPdsResponse: IdentityVerificationRequired has no
 * required property and allows additional ones, so every `{ patient_id }` body also matches it and
 * fails `oneOf` ("must match exactly one schema"). The sanity check treats these as `anyOf`.
 */
const ambiguousOneOf: ReadonlyArray<Component> = ["RegisterPatientPdsResponse"]

const asAnyOf = (schema: JsonSchema): JsonSchema => {
  if (typeof schema === "boolean" || !Array.isArray(schema["oneOf"])) return schema
  const { oneOf, ...rest } = schema
  return { ...rest, anyOf: oneOf }
}

const checkedSchema = (name: Component): JsonSchema =>
  ambiguousOneOf.includes(name) ? asAnyOf(componentSchema(name)) : componentSchema(name)

interface Failure {
  readonly seed: number
  readonly sample: unknown
  readonly error: string
}

const show = (failures: ReadonlyArray<Failure>) =>
  failures.slice(0, 3).map((f) => `seed ${f.seed}\n${JSON.stringify(f.sample, null, 2)}\n${f.error}`).join("\n\n")

/** Samples that are invalid per the document itself (a generator bug, or a document the faker misreads). */
const documentInvalid = (name: Component, samples: ReadonlyArray<{ seed: number; value: unknown }>) => {
  const validate = validator(checkedSchema(name))
  return samples.flatMap(({ seed, value }): Array<Failure> => {
    const errors = validate(value)
    return errors === null ? [] : [{ seed, sample: value, error: formatValidationErrors(errors) }]
  })
}

/** Samples that do not decode. */
const undecodable = (name: Component, samples: ReadonlyArray<{ seed: number; value: unknown }>) => {
  const decode = Schema.decodeUnknownEither(decoderOf(name))
  return samples.flatMap(({ seed, value }): Array<Failure> => {
    const result = decode(value)
    return Either.isLeft(result) ? [{ seed, sample: value, error: treeError(result.left) }] : []
  })
}

describe("the component map", () => {
  it("maps every component schema of the document, and nothing else", () => {
    expect(Object.keys(decoders).sort()).toEqual([...componentSchemaNames()].sort())
  })

  it("puts every component in exactly one group (response, input enum, request)", () => {
    const grouped = [...responseComponents, ...inputEnumComponents, ...Object.keys(requestComponents)]
    expect([...grouped].sort()).toEqual(Object.keys(decoders).sort())
  })

  it("reaches the operation bodies through the same components", () => {
    expect(operationResponseSchema("getPatientById", 200)).toEqual(componentSchema("PatientV1"))
    expect(operationResponseSchema("listPatientEhrCandidates", "200")).toEqual(componentSchema("EhrCandidateList"))
    expect(operationResponseSchema("registerPatientPds", 400)).toEqual(componentSchema("ValidationError"))
    expect(operationResponseSchema("registerPatientPds", 200)).toEqual(componentSchema("RegisterPatientPdsResponse"))
    expect(operationRequestSchema("mergePatient")).toEqual(componentSchema("MergePatientRequest"))
    expect(operationRequestSchema("onPatientMedicalRecordUpdated")).toEqual(componentSchema("PatientWebhookEvent"))
    // Documented without a body.
    expect(operationResponseSchema("connectPatientEhr", 200)).toBeUndefined()
    expect(operationResponseSchema("getPatientById", 429)).toBeUndefined()
    expect(operationRequestSchema("getPatientById")).toBeUndefined()
    expect(() => operationResponseSchema("getPatientById", 404)).toThrow(/no response for status 404/)
    expect(() => operationRequestSchema("noSuchOperation")).toThrow(/No operation/)
  })

  it("converts nullable, $ref and allOf to JSON Schema", () => {
    const v1 = componentSchema("PatientV1") as { properties: Record<string, Record<string, unknown>> }
    expect(v1.properties["dob"]).toEqual({ type: ["string", "null"], format: "date-time" })
    expect(v1.properties["title"]!["type"]).toEqual(["string", "null"])
    expect(v1.properties["title"]!["enum"]).toContain(null)
    expect(v1.properties["title"]!["enum"]).toContain("")
    expect(v1.properties["status"]).toEqual({ type: "string", enum: ["archived", "unarchived"] })
    expect(JSON.stringify(componentSchema("PatientV3"))).not.toMatch(/"\$ref"|"x-|"nullable"|"example"/)
    const validate = validator(componentSchema("PatientV3"))
    expect(validate({ dob: null, identifiers: [], ehr_registered: null, ods_code: null })).toBeNull()
    expect(validate({ dob: null, identifiers: [], ehr_registered: null, hero_id: "abc" })).not.toBeNull()
  })
})

describe("the generator", () => {
  it("is deterministic for a seed", () => {
    const schema = componentSchema("PatientV1")
    expect(fake(schema, 7)).toEqual(fake(schema, 7))
    expect(fake(schema, 7)).not.toEqual(fake(schema, 8))
  })

  it("generates optional properties in some samples and not in others, and nulls where nullable", () => {
    const samples = fakeMany(componentSchema("PatientV1"), SAMPLES).map((s) => s.value as Record<string, unknown>)
    for (const key of ["uid", "title", "nhs_number", "identifiers"]) {
      expect(samples.some((s) => key in s), `some sample has ${key}`).toBe(true)
      expect(samples.some((s) => !(key in s)), `some sample lacks ${key}`).toBe(true)
    }
    expect(samples.some((s) => s["dob"] === null)).toBe(true)
    expect(samples.some((s) => typeof s["dob"] === "string")).toBe(true)
  })
})

describe("document-valid responses decode", () => {
  it.each(responseComponents)(`%s: ${SAMPLES} generated samples are valid per the document and decode`, (name) => {
    const samples = fakeMany(checkedSchema(name), SAMPLES)
    const invalid = documentInvalid(name, samples)
    expect(invalid, `samples invalid per the document (generator sanity):\n${show(invalid)}`).toEqual([])
    const failures = undecodable(name, samples)
    expect(failures, `document-valid samples that do not decode:\n${show(failures)}`).toEqual([])
  })

  // The generator writes date-times one way only (`2008-07-07T02:42:28Z`). The document's
  // `format: date-time` is RFC 3339 §5.6, which also allows these forms.
  it.each([
    "2019-08-24T14:15:22Z",
    "2019-08-24T14:15:22.123456Z",
    "2019-08-24T14:15:22+01:00",
    "2019-08-24T23:30:00-05:00",
    "2019-08-24T14:15:22-00:00",
    "2019-08-24t14:15:22z", // §5.6: "T" and "Z" may be lower case
    "2016-12-31T23:59:60Z" // §5.6: time-second may be 60 (a leap second)
  ])("PatientV1: the document-valid date-time %s decodes in every date-time field", (dateTime) => {
    const wire = {
      id: "1",
      data_source: "hero",
      status: "unarchived",
      dob: dateTime,
      deceased_at: dateTime,
      last_sync_at: dateTime,
      sex_changed_at: dateTime
    }
    const invalid = validator(componentSchema("PatientV1"))(wire)
    expect(invalid, formatValidationErrors(invalid ?? [])).toBeNull()
    const result = Schema.decodeUnknownEither(PatientV1)(wire, { errors: "all" })
    if (Either.isLeft(result)) throw new Error(`${JSON.stringify(wire)}\n${treeError(result.left)}`)
    expect(result.right.dateOfBirth).toBe(dateTime.slice(0, 10))
  })

  it("RegisterPatientPdsResponse: the document's oneOf is ambiguous, so it is checked as anyOf", () => {
    const strict = validator(componentSchema("RegisterPatientPdsResponse"))
    expect(strict({ message: "m", login_url: "https://example.org" })).toBeNull()
    // Also matches IdentityVerificationRequired (nothing required there): not exactly one.
    expect(formatValidationErrors(strict({ patient_id: "1" }) ?? [])).toMatch(/must match exactly one schema/)
    expect(validator(checkedSchema("RegisterPatientPdsResponse"))({ patient_id: "1" })).toBeNull()
    // Both alternatives are generated over the seeds, and each decodes to its own tag.
    const tags = fakeMany(checkedSchema("RegisterPatientPdsResponse"), SAMPLES).map(({ value }) =>
      Schema.decodeUnknownSync(RegisterPatientPdsResult)(value)._tag
    )
    expect(new Set(tags)).toEqual(new Set(["PatientRegistered", "IdentityCheckRequired"]))
  })
})

describe("input enums", () => {
  it.each(inputEnumComponents)(`%s: ${SAMPLES} generated values decode`, (name) => {
    const samples = fakeMany(checkedSchema(name), SAMPLES)
    expect(documentInvalid(name, samples)).toEqual([])
    const failures = undecodable(name, samples)
    expect(failures, show(failures)).toEqual([])
  })

  it("TitleInput and SexInput reject null and the response-only empty title", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(TitleInput)(""))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(TitleInput)(null))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(SexInput)(null))).toBe(true)
  })
})

describe("document-valid requests decode once their strict fields hold valid values", () => {
  const requestNames = Object.keys(requestComponents) as Array<Component>

  it.each(requestNames)("%s", (name) => {
    const valid = requestComponents[name]!
    const samples = fakeMany(checkedSchema(name), SAMPLES)
    const invalid = documentInvalid(name, samples)
    expect(invalid, `samples invalid per the document (generator sanity):\n${show(invalid)}`).toEqual([])
    const fixed = samples.map(({ seed, value }) => ({ seed, value: withValidStrictFields(value, valid) }))
    const failures = undecodable(name, fixed)
    expect(failures, `samples that do not decode with valid strict fields:\n${show(failures)}`).toEqual([])
  })

  // The unions report an issue per alternative, so this check runs on the plain objects.
  it.each(requestNames.filter((name) => name !== "RegisterPatientPdsRequest"))(
    "%s: raw generated samples fail only on the strict fields",
    (name) => {
      const strictFields = Object.keys(requestComponents[name]!)
      const decode = Schema.decodeUnknownEither(decoderOf(name), { errors: "all" })
      const offending = fakeMany(checkedSchema(name), SAMPLES).flatMap(({ seed, value }) => {
        const result = decode(value)
        if (Either.isRight(result)) return []
        const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
        return issues.filter((issue) => !strictFields.includes(String(issue.path[0]))).map((issue) => ({
          seed,
          sample: value,
          issue
        }))
      })
      expect(offending).toEqual([])
    }
  )

  it("RegisterPatientPdsRequest: each alternative decodes to its own tag", () => {
    const valid = requestComponents.RegisterPatientPdsRequest!
    const tags = fakeMany(checkedSchema("RegisterPatientPdsRequest"), SAMPLES).map(({ value }) => {
      const fixed = withValidStrictFields(value, valid) as Record<string, unknown>
      const decoded = Schema.decodeUnknownSync(RegisterPatientPdsRequest)(fixed)
      expect(decoded._tag).toBe("nhs_number" in fixed ? "ByNhsNumber" : "ByDemographics")
      return decoded._tag
    })
    expect(new Set(tags)).toEqual(new Set(["ByNhsNumber", "ByDemographics"]))
  })

  const rejection = (schema: Schema.Schema.AnyNoContext, input: unknown): string => {
    const result = Schema.decodeUnknownEither(schema)(input)
    if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
    return treeError(result.left)
  }

  it("rejects invalid strict values with a message", () => {
    const byNhsNumber = { nhs_number: "9434765919", dob: "1989-04-11" }
    // The guide's example NHS number: its check digit would be 10, so no valid number has these nine digits.
    const badNhs = rejection(RegisterPatientPdsByNhsNumber, { ...byNhsNumber, nhs_number: "123 456 7891" })
    expect(badNhs).toMatch(/check digit/)
    expect(badNhs).not.toContain("1234567891")
    expect(badNhs).not.toContain("123 456 7891")
    expect(rejection(RegisterPatientPdsByNhsNumber, { ...byNhsNumber, dob: "not a date" })).toMatch(
      /A date of birth must be/
    )
    expect(rejection(RegisterPatientPdsByNhsNumber, { ...byNhsNumber, dob: null })).toMatch(/Expected string/)
    const byDemographics = { forename: "Ada", surname: "Lovelace", dob: "1989-04-11", postcode: "SW1A 1AA" }
    expect(rejection(RegisterPatientPdsByDemographics, { ...byDemographics, forename: "" })).toMatch(
      /Forename must not be empty/
    )
    expect(rejection(RegisterPatientPdsByDemographics, { ...byDemographics, postcode: "string" })).toMatch(
      /UK postcode/
    )
    const register = { dob: "1989-04-11", first_name: "Ada", last_name: "Lovelace", mobile: "07700900000" }
    expect(rejection(RegisterPatientRequest, { ...register, last_name: "" })).toMatch(/Last name must not be empty/)
    expect(rejection(RegisterPatientRequest, { ...register, first_name: " Ada" })).toMatch(/surrounding whitespace/)
    expect(rejection(RegisterPatientRequest, { ...register, dob: "not a date" })).toMatch(/A date of birth must be/)
    expect(rejection(RegisterPatientRequest, { ...register, nhs_number: "123 456 7891" })).toMatch(/check digit/)
    expect(rejection(RegisterPatientRequest, { ...register, data_source: "string" })).toMatch(/"hero"/)
    expect(rejection(ConnectPatientEhrRequest, { ehr_partner_id: "" })).toMatch(/must not be empty/)
    expect(rejection(PreviewPatientMergeRequest, { patient_id: "abc" })).toMatch(/string of digits/)
  })
})

describe("the document's examples", () => {
  const examples = documentExamples()
  const byPointer = new Map(examples.map((e) => [e.pointer, e]))
  const registerPds = "#/paths/~1v1~1patients~1register_pds/post/requestBody/content/application~1json/examples"
  const exampleOf = (pointer: string): unknown => {
    const example = byPointer.get(pointer)
    if (example === undefined) throw new Error(`No example at ${pointer}`)
    return example.value
  }

  /** How each example is checked; a new example in the document fails the coverage test until added. */
  const checks: Record<string, (value: unknown) => void> = {
    "#/paths/~1v1~1patients/get/parameters/0/example": (value) => {
      expect(Schema.decodeUnknownSync(ListPatientsParams)({ field: value })).toEqual({ field: "emis_id" })
    },
    [`${registerPds}/byNhsNumber/value`]: (value) => {
      // "123 456 7891" (the "Your first API call" guide) fails the Modulus 11 check.
      const result = Schema.decodeUnknownEither(RegisterPatientPdsRequest)(value)
      if (Either.isRight(result)) throw new Error("the guide's invalid NHS number was accepted")
      const message = treeError(result.left)
      expect(message).toMatch(/fails the Modulus 11 check digit/)
      expect(message).not.toContain("1234567891")
      expect(message).not.toContain("123 456 7891")
    },
    [`${registerPds}/byDemographics/value`]: (value) => {
      // Placeholders: "string" is a fine name but not a UK postcode.
      const result = Schema.decodeUnknownEither(RegisterPatientPdsByDemographics)(value)
      if (Either.isRight(result)) throw new Error("postcode \"string\" was accepted")
      expect(treeError(result.left)).toMatch(/A postcode must be a UK postcode/)
      const fixed = Schema.decodeUnknownSync(RegisterPatientPdsRequest)({
        ...(value as object),
        postcode: "SW1A 1AA"
      })
      expect(fixed).toMatchObject({ _tag: "ByDemographics", forename: "string", postcode: "SW1A 1AA" })
    },
    "#/paths/~1v2~1patients/get/parameters/2/example": (value) => {
      expect(Schema.decodeUnknownSync(ListPatientsV2Params)({ dataSource: value })).toEqual({ dataSource: "hero" })
    },
    "#/paths/~1v3~1patients/get/parameters/4/example": (value) => {
      expect(Schema.decodeUnknownSync(ListPatientsV3Params)({ dob: value })).toEqual({ dateOfBirth: "1990-12-31" })
    },
    "#/components/schemas/RegisterPatientPdsByNhsNumber/properties/dob/example": (value) => {
      expect(Schema.decodeUnknownSync(DateOfBirth)(value)).toBe("1989-04-11")
      expect(Schema.decodeUnknownSync(RegisterPatientPdsByNhsNumber)({ nhs_number: "9434765919", dob: value }))
        .toMatchObject({ _tag: "ByNhsNumber", dateOfBirth: "1989-04-11" })
    },
    "#/components/schemas/RegisterPatientPdsByDemographics/properties/dob/example": (value) => {
      expect(
        Schema.decodeUnknownSync(RegisterPatientPdsByDemographics)({
          forename: "Ada",
          surname: "Lovelace",
          postcode: "SW1A 1AA",
          dob: value
        })
      ).toMatchObject({ _tag: "ByDemographics", dateOfBirth: "1989-04-11" })
    }
  }

  it("has a check for every example in the document", () => {
    expect(examples.map((e) => e.pointer).sort()).toEqual(Object.keys(checks).sort())
  })

  it("every example is valid per the schema the document gives it", () => {
    const invalid = examples.flatMap((e) => {
      if (e.schema === undefined) return [`${e.pointer}: no schema`]
      const errors = validator(e.schema)(e.value)
      return errors === null ? [] : [`${e.pointer}: ${formatValidationErrors(errors)}`]
    })
    expect(invalid).toEqual([])
  })

  it.each(Object.keys(checks))("%s", (pointer) => {
    checks[pointer]!(exampleOf(pointer))
  })

  it("the NHS-number example's only issue is its NHS number, reported at the wire key", () => {
    const value = exampleOf(`${registerPds}/byNhsNumber/value`)
    const result = Schema.decodeUnknownEither(RegisterPatientPdsByNhsNumber)(value, { errors: "all" })
    if (Either.isRight(result)) throw new Error("the guide's invalid NHS number was accepted")
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
    expect(issues.map(({ message, path }) => ({ path, message }))).toEqual([
      { path: ["nhs_number"], message: "Invalid NHS number ending 891: fails the Modulus 11 check digit" }
    ])
  })
})

describe("the docs' mock samples", () => {
  const when = "2019-08-24T14:15:22Z"
  const mockPatientV1 = {
    // The mock sends "id": "string", which breaks the document's own `^\d+$` pattern on id (checked
    // below): a digit string stands in for it.
    id: "123",
    uid: "string",
    emis_id: "string",
    ehr_partner_id: "string",
    dob: when,
    deceased_at: when,
    title: "Baron",
    first_name: "string",
    last_name: "string",
    sex: "Not known",
    nhs_number: "string",
    email: "string",
    emails: ["string"],
    mobile: "string",
    last_sync_at: when,
    address_line_1: "string",
    address_line_2: "string",
    address_line_3: "string",
    country: "string",
    postcode: "string",
    town: "string",
    county: "string",
    notes: "string",
    verification_credentials: ["string"],
    data_source: "hero",
    restricted: false,
    sex_changed_at: when,
    status: "archived",
    identifiers: [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: "string" }],
    ehr_registered: true
  }
  const mockPatientV2 = {
    ehr_partner_id: "string",
    emis_id: "string",
    deceased_at: when,
    dob: when,
    title: "Baron",
    first_name: "string",
    last_name: "string",
    sex: "Not known",
    nhs_number: "string",
    email: "string",
    mobile: "string",
    last_sync_at: when,
    data_source: "hero",
    restricted: false,
    line_1: "string",
    line_2: "string",
    line_3: "string",
    town: "string",
    county: "string",
    postcode: "string",
    hero_id: "123", // "string" in the mock, against the document's `^\d+$`
    hero_uid: "string",
    identifiers: [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: "string" }],
    ehr_registered: true
  }
  const mockBilling = {
    id: "string",
    external_billing_id: "string",
    insurance: { insurer: "string", membership_number: "string", auth_code: "string" },
    billing_note: "string",
    confidential: true
  }

  it("the mock's own \"id\": \"string\" is invalid per the document, and we reject it too", () => {
    const errors = validator(componentSchema("PatientV1"))({ ...mockPatientV1, id: "string" })
    expect(formatValidationErrors(errors ?? [])).toMatch(/^\/id must match pattern/)
    expect(Either.isLeft(Schema.decodeUnknownEither(PatientV1)({ ...mockPatientV1, id: "string" }))).toBe(true)
  })

  it.effect("a v1 patient decodes; its NHS number is unverified and its dob a date", () =>
    Effect.gen(function*() {
      expect(validator(componentSchema("PatientV1"))(mockPatientV1)).toBeNull()
      const patient = yield* Schema.decodeUnknown(PatientV1)(mockPatientV1)
      expect(patient.nhsNumber?._tag).toBe("UnverifiedNhsNumber")
      expect(patient.nhsNumber).toMatchObject({ reason: "non-digit", value: "string" })
      expect(patient.dateOfBirth).toBe("2019-08-24")
      expect(patient).toMatchObject({
        id: "123",
        title: "Baron",
        sex: "Not known",
        dataSource: "hero",
        status: "archived",
        restricted: false,
        ehrRegistered: true,
        emails: ["string"],
        verificationCredentials: ["string"]
      })
    }))

  it.effect("a v2 patient decodes", () =>
    Effect.gen(function*() {
      expect(validator(componentSchema("PatientV2"))(mockPatientV2)).toBeNull()
      const patient = yield* Schema.decodeUnknown(PatientV2)(mockPatientV2)
      expect(patient).toMatchObject({ heroId: "123", addressLine1: "string", dateOfBirth: "2019-08-24" })
      expect(patient.nhsNumber?._tag).toBe("UnverifiedNhsNumber")
      yield* Schema.decodeUnknown(PatientV3)({ ...mockPatientV2, ods_code: "string" })
    }))

  it.effect("a merge preview of three patients and a token decodes", () =>
    Effect.gen(function*() {
      const wire = {
        main_patient: mockPatientV1,
        incoming_patient: mockPatientV1,
        result_patient: mockPatientV1,
        merge_token: "string"
      }
      expect(validator(componentSchema("MergePreview"))(wire)).toBeNull()
      const preview = yield* Schema.decodeUnknown(MergePreview)(wire)
      expect(Redacted.value(preview.mergeToken)).toBe("string")
      expect(preview.resultPatient.status).toBe("archived")
    }))

  it.effect("billing info decodes", () =>
    Effect.gen(function*() {
      expect(validator(componentSchema("BillingInfo"))(mockBilling)).toBeNull()
      const billing = yield* Schema.decodeUnknown(BillingInfo)(mockBilling)
      expect(billing).toEqual({
        id: "string",
        externalBillingId: "string",
        insurance: { insurer: "string", membershipNumber: "string", authCode: "string" },
        billingNote: "string",
        confidential: true
      })
    }))

  it.effect("empty lists decode", () =>
    Effect.gen(function*() {
      const empty = { data: [], count: 0 }
      for (const name of ["EhrCandidateList", "PatientV1List", "PatientV2List", "PatientV3List", "AttachmentList"]) {
        expect(validator(componentSchema(name))(empty)).toBeNull()
        expect(yield* Schema.decodeUnknown(decoderOf(name))(empty)).toEqual(empty)
      }
      expect(yield* Schema.decodeUnknown(PatientV1List)({ data: [mockPatientV1], count: 0 })).toMatchObject({
        count: 0,
        data: [{ id: "123" }]
      })
    }))

  it.effect("register and register_pds results decode, tagged", () =>
    Effect.gen(function*() {
      // patient_id has no pattern in the document, so the placeholder is kept.
      const registered = { patient_id: "string" }
      const identityCheck = { message: "string", login_url: "string" }
      expect(validator(componentSchema("PatientIdResponse"))(registered)).toBeNull()
      expect(validator(componentSchema("IdentityVerificationRequired"))(identityCheck)).toBeNull()
      expect(yield* Schema.decodeUnknown(RegisterPatientResult)(registered)).toEqual({
        _tag: "PatientRegistered",
        patientId: "string"
      })
      expect(yield* Schema.decodeUnknown(RegisterPatientPdsResult)(registered)).toEqual({
        _tag: "PatientRegistered",
        patientId: "string"
      })
      expect(yield* Schema.decodeUnknown(RegisterPatientPdsResult)(identityCheck)).toEqual({
        _tag: "IdentityCheckRequired",
        message: "string",
        loginUrl: "string"
      })
    }))
})
