import { describe, expect, it } from "@effect/vitest"
import { Protocol } from "@hero-effect/sandbox"
import { Effect, Option, Schema, TestClock } from "effect"
import { example, json } from "./support/helpers.js"
import { responseProblems } from "./support/openapi.js"

const errorBody = (status: number, code: string) => ({
  error: true,
  statusCode: status,
  code,
  message: expect.any(String)
})

describe("reads", () => {
  it.effect("get a patient: v1 shape, dob as date-time, archived still readable, 404 with a code", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const alice = yield* json(sb, "GET", "/v1/patients/100001")
      expect(alice.status).toBe(200)
      expect(alice.headers["content-type"]).toBe("application/json")
      expect(alice.body).toMatchObject({
        id: "100001",
        first_name: "Alice",
        dob: "1980-01-15T00:00:00.000Z",
        nhs_number: "9990010005",
        status: "unarchived",
        data_source: "hero"
      })
      expect((yield* json(sb, "GET", "/v1/patients/100004")).body.status).toBe("archived")
      const missing = yield* json(sb, "GET", "/v1/patients/999")
      expect(missing).toMatchObject({ status: 404, body: errorBody(404, "patient_not_found") })
      const route = yield* json(sb, "GET", "/v9/nothing")
      expect(route).toMatchObject({ status: 404, body: errorBody(404, "not_found") })
    }))

  it.effect("dob as a plain date when configured", () =>
    Effect.gen(function*() {
      const sb = yield* example({ dobFormat: "date" })
      expect((yield* json(sb, "GET", "/v1/patients/100001")).body.dob).toBe("1980-01-15")
    }))

  it.effect("v2 reads from Hero by default and from the linked EHR record with data_source=ehr", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const hero = yield* json(sb, "GET", "/v2/patients/100003")
      expect(hero.body).toMatchObject({ hero_id: "100003", ehr_partner_id: "5000002", ehr_registered: true })
      const ehr = yield* json(sb, "GET", "/v2/patients/100003?data_source=ehr")
      expect(ehr.body).toMatchObject({ hero_id: "100003", ehr_partner_id: "5000002", data_source: "emis" })
      expect((yield* json(sb, "GET", "/v2/patients/100001?data_source=ehr")).body.code).toBe("ehr_record_not_found")
      const bad = yield* json(sb, "GET", "/v2/patients/100001?data_source=gp")
      expect(bad.status).toBe(400)
      expect(bad.body.message[0].path).toEqual(["data_source"])
    }))

  it.effect("billing info, payment methods and attachments are seeded per patient, with defaults", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      expect((yield* json(sb, "GET", "/v1/patients/100001/billing_info")).body.insurance.insurer).toBe("Bupa")
      expect((yield* json(sb, "GET", "/v1/patients/100002/billing_info")).body).toEqual({
        id: "bill_100002",
        confidential: false
      })
      expect((yield* json(sb, "GET", "/v1/patients/100001/payment_methods")).body.data[0].last4).toBe("4242")
      expect((yield* json(sb, "GET", "/v1/patients/100002/payment_methods")).body).toEqual({ object: "list", data: [] })
      expect((yield* json(sb, "GET", "/v1/patients/100001/attachments")).body.count).toBe(1)
      expect((yield* json(sb, "GET", "/v1/patients/100002/attachments")).body).toEqual({ data: [], count: 0 })
      expect((yield* json(sb, "GET", "/v1/patients/404/attachments")).status).toBe(404)
    }))
})

describe("lists", () => {
  it.effect("v1/v2 look-ups match one field exactly; count is the total; archived are left out", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const byNhs = yield* json(sb, "GET", "/v1/patients?field=nhs_number&search=999%20001%200005")
      expect(byNhs.body.count).toBe(2)
      expect(byNhs.body.data.map((p: any) => p.id)).toEqual(["100001", "100002"])
      const jones = yield* json(sb, "GET", "/v1/patients?field=last_name&search=jones")
      expect(jones.body.data.map((p: any) => p.id)).toEqual(["100003"])
      const all = yield* example({ listArchived: true })
      expect((yield* json(all, "GET", "/v1/patients?field=last_name&search=jones")).body.count).toBe(2)
      const v2 = yield* json(sb, "GET", "/v2/patients?field=ehr_partner_id&search=S10800001&dataSource=ehr")
      expect(v2.body).toMatchObject({ count: 1, data: [{ ehr_partner_id: "S10800001", last_name: "Smyth" }] })
      const v2hero = yield* json(sb, "GET", "/v2/patients?field=hero_id&search=100003")
      expect(v2hero.body.data[0]).toMatchObject({ hero_id: "100003" })
    }))

  it.effect("v1 look-ups: unknown or missing field/search is a 400 validation body", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const unknown = yield* json(sb, "GET", "/v1/patients?field=shoe_size&search=9")
      expect(unknown.status).toBe(400)
      expect(unknown.body).toMatchObject({ error: true, statusCode: 400, message: [{ path: ["field"] }] })
      const missing = yield* json(sb, "GET", "/v1/patients")
      expect(missing.body.message.map((i: any) => i.path[0])).toEqual(["field", "search"])
    }))

  it.effect("v3: AND of filters, at least one, zero-based pages, count across pages, page size capped", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const both = yield* json(sb, "GET", "/v3/patients?first_name=alice&dob=1980-01-15")
      expect(both.body.count).toBe(2)
      expect(both.body.data[0]).toMatchObject({ hero_id: "100001", ods_code: "Y00001" })
      const page1 = yield* json(sb, "GET", "/v3/patients?first_name=Alice&page_size=1&page_index=1")
      expect(page1.body).toMatchObject({ count: 2, data: [{ hero_id: "100002" }] })
      const none = yield* json(sb, "GET", "/v3/patients?page_size=5")
      expect(none.status).toBe(400)
      const big = yield* json(sb, "GET", "/v3/patients?last_name=Smith&page_size=101")
      expect(big.body.message[0]).toMatchObject({ path: ["page_size"] })
      const neg = yield* json(sb, "GET", "/v3/patients?last_name=Smith&page_index=-1")
      expect(neg.status).toBe(400)
    }))
})

describe("EHR candidates and connect", () => {
  it.effect("candidates: NHS number matches and demographic look-alikes, each with the hero_id it is linked to", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const alice = yield* json(sb, "GET", "/v1/patients/100001/ehr/candidates")
      expect(alice.body.data.map((c: any) => c.ehr_partner_id)).toEqual(["5000001", "S10800001"])
      expect(alice.body.count).toBe(2)
      expect(alice.body.data[0].hero_id).toBeUndefined()
      const bob = yield* json(sb, "GET", "/v1/patients/100003/ehr/candidates")
      expect(bob.body.data).toMatchObject([{ ehr_partner_id: "5000002", hero_id: "100003" }])
      const strict = yield* example({ candidateMatching: "nhs-number" })
      const onlyNhs = yield* json(strict, "GET", "/v1/patients/100001/ehr/candidates")
      expect(onlyNhs.body.data.map((c: any) => c.ehr_partner_id)).toEqual(["5000001"])
      expect((yield* json(sb, "GET", "/v1/patients/1/ehr/candidates")).status).toBe(404)
    }))

  it.effect("connect links both sides, is idempotent, and counts one application", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const first = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" })
      expect(first).toMatchObject({ status: 200, body: undefined })
      const again = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" })
      expect(again.status).toBe(200)
      expect((yield* sb.counters).connectsApplied("100001", "5000001")).toBe(1)
      const patient = yield* json(sb, "GET", "/v1/patients/100001")
      expect(patient.body).toMatchObject({ ehr_partner_id: "5000001", emis_id: "5000001", ehr_registered: true })
      expect(patient.body.identifiers).toContainEqual({
        source: "ehr_partner",
        name: "ehr_partner_id",
        role: "main",
        label: "EMIS",
        value: "5000001"
      })
      const candidates = yield* json(sb, "GET", "/v1/patients/100001/ehr/candidates")
      expect(candidates.body.data[0]).toMatchObject({ ehr_partner_id: "5000001", hero_id: "100001" })
      expect((yield* sb.writeLog).map((w) => w.operation)).toEqual(["connectPatientEhr"])
    }))

  it.effect("connect to an EHR record linked to another patient: refused by default, moved with relink=replace", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const refused = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000002" })
      expect(refused).toMatchObject({ status: 409, body: errorBody(409, "ehr_record_linked_to_other_patient") })
      expect((yield* sb.counters).writes).toBe(0)

      const replacing = yield* example({ relink: "replace" })
      const moved = yield* json(replacing, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000002" })
      expect(moved.status).toBe(200)
      const bob = yield* json(replacing, "GET", "/v1/patients/100003")
      expect(bob.body.ehr_partner_id).toBeUndefined()
      expect(bob.body.ehr_registered).toBe(false)
      expect(Option.getOrThrow(yield* replacing.ehrRecord("5000002")).heroId).toBe("100001")
    }))

  it.effect("connect: unknown EHR record 404, archived patient 409, bad body 400", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const unknown = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "nope" })
      expect(unknown.body.code).toBe("ehr_record_not_found")
      const archived = yield* json(sb, "POST", "/v1/patients/100004/ehr/connect", { ehr_partner_id: "5000003" })
      expect(archived.body.code).toBe("patient_archived")
      const bad = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "" })
      expect(bad.status).toBe(400)
      expect(bad.body.message[0].path).toEqual(["ehr_partner_id"])
      const noBody = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect")
      expect(noBody.body.message[0].code).toBe("missing")
      const garbage = yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", "{not json")
      expect(garbage.body.message[0].code).toBe("invalid_json")
    }))
})

describe("merge", () => {
  const preview = (sb: any, main: string, incoming: string) =>
    json(sb, "POST", `/v1/patients/${main}/merge/preview`, { patient_id: incoming })
  const merge = (sb: any, main: string, incoming: string, token: string) =>
    json(sb, "POST", `/v1/patients/${main}/merge`, { patient_id: incoming, merge_token: token })

  it.effect("preview shows main (path id), incoming, the result and a token; merge applies it once", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const p = yield* preview(sb, "100001", "100002")
      expect(p.status).toBe(200)
      expect(p.body.main_patient.id).toBe("100001")
      expect(p.body.incoming_patient.id).toBe("100002")
      expect(p.body.result_patient).toMatchObject({
        id: "100001",
        mobile: "07700 900001",
        notes: "Registered again at reception",
        status: "unarchived"
      })
      expect(p.body.result_patient.identifiers).toContainEqual({
        source: "hero",
        name: "hero_id",
        role: "secondary",
        label: "Hero",
        value: "100002"
      })
      expect(typeof p.body.merge_token).toBe("string")
      expect((yield* sb.counters).writes).toBe(0)

      const done = yield* merge(sb, "100001", "100002", p.body.merge_token)
      expect(done).toMatchObject({ status: 200, body: undefined })
      const a = yield* json(sb, "GET", "/v1/patients/100001")
      expect(a.body).toEqual(p.body.result_patient)
      const b = yield* json(sb, "GET", "/v1/patients/100002")
      expect(b.body).toMatchObject({ status: "archived", identifiers: [] })
      const counters = yield* sb.counters
      expect(counters.mergesApplied("100001", "100002")).toBe(1)
      expect(counters.mergesApplied("100002", "100001")).toBe(0)
      expect((yield* sb.writeLog).at(-1)).toMatchObject({
        operation: "mergePatient",
        patientId: "100001",
        other: "100002"
      })
      // the same token again
      expect((yield* merge(sb, "100001", "100002", p.body.merge_token)).body.code).toBe("merge_token_used")
      expect((yield* sb.counters).mergesApplied("100001", "100002")).toBe(1)
      // the archived record can be neither previewed nor merged again
      expect((yield* preview(sb, "100001", "100002")).body.code).toBe("patient_archived")
    }))

  it.effect("token rules: unknown, mismatched pair, expired (TestClock), stale, same patient, not found", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      expect((yield* merge(sb, "100001", "100002", "mt_forged")).body).toEqual(errorBody(409, "merge_token_invalid"))
      const token = (yield* preview(sb, "100001", "100002")).body.merge_token
      expect((yield* merge(sb, "100002", "100001", token)).body.code).toBe("merge_token_mismatch")
      expect((yield* merge(sb, "100001", "100003", token)).body.code).toBe("merge_token_mismatch")

      yield* TestClock.adjust("14 minutes")
      const late = (yield* preview(sb, "100001", "100002")).body.merge_token
      yield* TestClock.adjust("1 minute")
      expect((yield* merge(sb, "100001", "100002", token)).body.code).toBe("merge_token_expired")
      expect((yield* merge(sb, "100001", "100002", late)).status).toBe(200)

      expect((yield* preview(sb, "100003", "100003")).body.code).toBe("same_patient")
      expect((yield* preview(sb, "100003", "1")).status).toBe(404)
      expect((yield* json(sb, "POST", "/v1/patients/100003/merge", { merge_token: "x" })).status).toBe(400)
    }))

  it.effect("a token goes stale when either record changes after the preview", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const token = (yield* preview(sb, "100001", "100002")).body.merge_token
      // register with the same NHS number and dob updates 100001
      const updated = yield* json(sb, "POST", "/v1/patients/register", {
        dob: "1980-01-15",
        first_name: "Alice",
        last_name: "Smith",
        mobile: "07700 900099",
        nhs_number: "9990010005"
      })
      expect(updated.body).toEqual({ patient_id: "100001" })
      expect((yield* merge(sb, "100001", "100002", token)).body).toEqual(errorBody(409, "merge_token_stale"))
      const fresh = (yield* preview(sb, "100001", "100002")).body.merge_token
      expect((yield* merge(sb, "100001", "100002", fresh)).status).toBe(200)
    }))

  it.effect("token lifetime is configurable; archived patients cannot be merged", () =>
    Effect.gen(function*() {
      const sb = yield* example({ mergeTokenTtl: "1 minute" })
      const token = (yield* preview(sb, "100001", "100002")).body.merge_token
      yield* TestClock.adjust("61 seconds")
      expect((yield* merge(sb, "100001", "100002", token)).body.code).toBe("merge_token_expired")
      expect((yield* preview(sb, "100003", "100004")).body.code).toBe("patient_archived")
      expect((yield* preview(sb, "100004", "100003")).body.code).toBe("patient_archived")
    }))
})

describe("registration", () => {
  it.effect("register creates, then updates on the same NHS number and dob", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const body = { dob: "1999-02-02", first_name: "Zoe", last_name: "Ng", mobile: "07700 900500" }
      const created = yield* json(sb, "POST", "/v1/patients/register", { ...body, nhs_number: "999 006 0002" })
      expect(created.body.patient_id).toBe("100005")
      const again = yield* json(sb, "POST", "/v1/patients/register", {
        ...body,
        nhs_number: "9990060002",
        town: "Hull"
      })
      expect(again.body.patient_id).toBe("100005")
      const zoe = yield* json(sb, "GET", "/v1/patients/100005")
      expect(zoe.body).toMatchObject({ town: "Hull", nhs_number: "9990060002", data_source: "hero" })
      const counters = yield* sb.counters
      expect(counters.registrationsApplied("100005")).toBe(2)
      const noNhs = yield* json(sb, "POST", "/v1/patients/register", body)
      expect(noNhs.body.patient_id).toBe("100006")
    }))

  it.effect("register: the 400 body lists every issue and never echoes patient data", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const bad = yield* json(sb, "POST", "/v1/patients/register", {
        dob: "1999-02-30",
        first_name: 7,
        mobile: "07700 900500",
        nhs_number: "9990060003",
        title: "Admiral"
      })
      expect(bad.status).toBe(400)
      expect(bad.body.error).toBe(true)
      const paths = bad.body.message.map((i: any) => i.path.join("."))
      expect(paths).toEqual(expect.arrayContaining(["dob", "first_name", "last_name", "nhs_number", "title"]))
      const text = JSON.stringify(bad.body)
      expect(text).not.toContain("9990060003")
      expect(text).not.toContain("1999-02-30")
      for (const issue of bad.body.message) {
        expect(Object.keys(issue).sort()).toEqual(["code", "expected", "path"])
      }
    }))

  it.effect("register_pds: existing patient, new patient from the Spine, identity check, no match", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const existing = yield* json(sb, "POST", "/v1/patients/register_pds", {
        nhs_number: "9990010005",
        dob: "1980-01-15"
      })
      expect(existing.body).toEqual({ patient_id: "100001" })
      const byName = yield* json(sb, "POST", "/v1/patients/register_pds", {
        forename: "eve",
        surname: "MASON",
        dob: "2001-11-11",
        postcode: "ex43pl"
      })
      expect(byName.body).toEqual({ patient_id: "100005" })
      const eve = yield* json(sb, "GET", "/v1/patients/100005")
      expect(eve.body).toMatchObject({ first_name: "Eve", data_source: "pds", nhs_number: "9990050007" })
      const again = yield* json(sb, "POST", "/v1/patients/register_pds", {
        nhs_number: "9990050007",
        dob: "2001-11-11"
      })
      expect(again.body).toEqual({ patient_id: "100005" })
      expect((yield* sb.counters).registrationsApplied()).toBe(1)
      const check = yield* json(sb, "POST", "/v1/patients/register_pds", {
        nhs_number: "9990040001",
        dob: "1962-03-30"
      })
      expect(check.body).toEqual({ message: expect.any(String), login_url: expect.stringMatching(/^https:\/\//) })
      const none = yield* json(sb, "POST", "/v1/patients/register_pds", { nhs_number: "9990070008", dob: "1962-03-30" })
      expect(none).toMatchObject({ status: 404, body: errorBody(404, "no_pds_match") })
      const both = yield* json(sb, "POST", "/v1/patients/register_pds", {
        nhs_number: "9990070008",
        dob: "1962-03-30",
        forename: "A",
        surname: "B",
        postcode: "LS1 4AP"
      })
      expect(both.status).toBe(400)
    }))
})

describe("concurrency", () => {
  it.effect("concurrent merges with one token apply once; concurrent connects apply once", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const token = (yield* json(sb, "POST", "/v1/patients/100001/merge/preview", { patient_id: "100002" })).body
        .merge_token
      const merges = yield* Effect.forEach(
        Array.from({ length: 50 }, () => token),
        (t) => json(sb, "POST", "/v1/patients/100001/merge", { patient_id: "100002", merge_token: t }),
        { concurrency: "unbounded" }
      )
      expect(merges.filter((r) => r.status === 200)).toHaveLength(1)
      expect(merges.filter((r) => r.body?.code === "merge_token_used")).toHaveLength(49)
      const connects = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        () => json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "S10800001" }),
        { concurrency: "unbounded" }
      )
      expect(connects.every((r) => r.status === 200)).toBe(true)
      const counters = yield* sb.counters
      expect(counters.mergesApplied("100001", "100002")).toBe(1)
      expect(counters.connectsApplied("100001", "S10800001")).toBe(1)
      expect(counters.writes).toBe(2)
    }))
})

describe("exchange log", () => {
  it.effect("keeps every answer; a whole flow's responses conform to the OpenAPI document", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* json(sb, "GET", "/v1/patients/100001/ehr/candidates")
      yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" })
      const token = (yield* json(sb, "POST", "/v1/patients/100001/merge/preview", { patient_id: "100002" })).body
        .merge_token
      yield* json(sb, "POST", "/v1/patients/100001/merge", { patient_id: "100002", merge_token: token })
      yield* json(sb, "POST", "/v1/patients/100001/merge", { patient_id: "100002", merge_token: token })
      yield* json(sb, "GET", "/v1/patients/100002")
      yield* json(sb, "GET", "/v1/patients?field=hero_id&search=100002")
      yield* json(sb, "GET", "/v2/patients/100001?data_source=ehr")
      yield* json(sb, "GET", "/v3/patients?nhs_number=9990010005")
      yield* json(sb, "GET", "/nowhere")
      const exchanges = yield* sb.exchanges
      expect(exchanges.map((x) => x.operation)).toEqual([
        "listPatientEhrCandidates",
        "connectPatientEhr",
        "previewPatientMerge",
        "mergePatient",
        "mergePatient",
        "getPatientById",
        "listPatients",
        "getPatientByIdV2",
        "listPatientsV3",
        undefined
      ])
      const isErrorBody = Schema.is(Protocol.ErrorBody)
      const problems = exchanges.flatMap((x) =>
        x.operation !== undefined && x.outcome._tag === "Respond"
          ? responseProblems(x.operation, x.outcome.status, x.outcome.body, isErrorBody)
          : []
      )
      expect(problems).toEqual([])
      const bounded = yield* example({ exchangeLogSize: 2 })
      for (let i = 0; i < 5; i++) yield* json(bounded, "GET", "/v1/patients/100001")
      expect(yield* bounded.exchanges).toHaveLength(2)
    }))
})

describe("reset", () => {
  it.effect("returns to the starting world", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      yield* json(sb, "POST", "/v1/patients/100001/ehr/connect", { ehr_partner_id: "5000001" })
      expect((yield* sb.counters).writes).toBe(1)
      yield* sb.reset
      expect((yield* sb.counters).writes).toBe(0)
      expect((yield* json(sb, "GET", "/v1/patients/100001")).body.ehr_partner_id).toBeUndefined()
    }))
})
