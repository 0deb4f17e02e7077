import { describe, expect, it } from "@effect/vitest"
import { operationIds } from "@hero-effect/client/Operation"
import { Chunk, Effect, Exit, Stream } from "effect"
import { cases } from "./support/cases.js"
import { apiKey, clientWith, practiceGroupId, type Reply, wirePatientV2 } from "./support/scripted.js"

const noRetries = Object.fromEntries(operationIds.map((op) => [op, { maxRetries: 0, maxThrottledRetries: 0 }]))

describe("HeroHealthClient operations", () => {
  it("has a case for every operationId", () => {
    expect(Object.keys(cases).sort()).toStrictEqual([...operationIds].sort())
  })

  for (const operation of operationIds) {
    const c = cases[operation]
    it.effect(`${operation}: sends the documented request and decodes the answer`, () =>
      Effect.gen(function*() {
        const { hero, requests } = yield* clientWith([c.ok])
        const result = yield* c.call(hero)
        c.check(result)
        const [sent] = yield* requests
        expect(sent?.method).toBe(c.method)
        expect(sent?.url.origin + sent!.url.pathname).toBe(`https://api.test.invalid${c.path}`)
        expect(Object.fromEntries(sent!.url.searchParams)).toStrictEqual(c.query ?? {})
        expect(sent?.headers["x-api-key"]).toBe(apiKey)
        expect(sent?.headers["x-practice-group-id"]).toBe(practiceGroupId)
        if (c.body !== undefined) expect(sent?.body).toStrictEqual(c.body)
      }))

    it.effect(`${operation}: every status maps to its typed error`, () =>
      Effect.gen(function*() {
        const expected: Array<readonly [Reply, string]> = [
          [{
            status: 400,
            body: { error: true, statusCode: 400, message: [{ code: "invalid", expected: "x", path: ["a"] }] }
          }, "InvalidRequest"],
          [{ status: 422, text: "nope" }, "InvalidRequest"],
          [{ status: 401 }, "Unauthorised"],
          [{ status: 403, body: { code: "forbidden" } }, "Forbidden"],
          [{ status: 404 }, c.hasPatient ? "PatientNotFound" : "UnexpectedResponse"],
          [{ status: 409, body: { code: "merge_token_used" } }, c.conflicts ? "Conflict" : "UnexpectedResponse"],
          [{ status: 429, headers: { "retry-after": "1" } }, "RateLimited"],
          [{ status: 500 }, "ServerError"],
          [{ status: 503 }, "ServerError"],
          [{ status: 418, text: "I'm a teapot" }, "UnexpectedResponse"],
          [{ status: 200, text: "{\"data\": [" }, "body" in c.ok ? "UnexpectedResponse" : "ok"],
          [{ fail: "reset" }, "NetworkError"]
        ]
        for (const [reply, tag] of expected) {
          const { hero } = yield* clientWith([reply], { policies: noRetries })
          const exit = yield* Effect.exit(c.call(hero))
          if (tag === "ok") {
            expect(Exit.isSuccess(exit)).toBe(true)
          } else {
            expect(exit).toMatchObject({ _tag: "Failure", cause: { _tag: "Fail", error: { _tag: tag } } })
          }
        }
      }))
  }

  it.effect("400 carries the documented validation issues", () =>
    Effect.gen(function*() {
      const { hero } = yield* clientWith([{
        status: 400,
        body: {
          error: true,
          statusCode: 400,
          message: [{ code: "too_small", expected: "string", path: ["first_name"] }]
        }
      }])
      const error = yield* Effect.flip(cases.registerPatient.call(hero))
      expect(error).toMatchObject({
        _tag: "InvalidRequest",
        status: 400,
        issues: [{ code: "too_small", path: ["first_name"] }]
      })
    }))

  it.effect("409 carries the server's conflict code", () =>
    Effect.gen(function*() {
      const { hero } = yield* clientWith([{
        status: 409,
        body: { error: true, statusCode: 409, code: "merge_token_stale" }
      }])
      const error = yield* Effect.flip(cases.mergePatient.call(hero))
      expect(error).toMatchObject({ _tag: "Conflict", code: "merge_token_stale" })
    }))

  it.effect("codes, issue codes and paths a server fills with NHS numbers or names are never passed on", () =>
    Effect.gen(function*() {
      const { hero } = yield* clientWith([
        { status: 409, body: { code: "nhs_9990010005_zebediah" } },
        { status: 409, body: { code: "patient_zebediah_archived" } },
        {
          status: 400,
          body: {
            error: true,
            statusCode: 400,
            message: [{ code: "nhs_9990010005", expected: "string", path: ["zebediah_smith", "first_name", 0] }]
          }
        }
      ])
      const conflict = yield* Effect.flip(cases.mergePatient.call(hero))
      const named = yield* Effect.flip(cases.mergePatient.call(hero))
      const invalid = yield* Effect.flip(cases.registerPatient.call(hero))
      expect(conflict).toMatchObject({ _tag: "Conflict", code: undefined })
      expect(named).toMatchObject({ _tag: "Conflict", code: undefined })
      expect(invalid).toMatchObject({
        _tag: "InvalidRequest",
        issues: [{ code: "<redacted>", path: ["<key>", "first_name", 0] }]
      })
      for (const e of [conflict, named, invalid]) {
        expect(`${String(e)} ${JSON.stringify(e)}`).not.toMatch(/9990010005|zebediah/i)
      }
    }))

  it.effect("streamPatientsV3 walks every page until count is reached", () =>
    Effect.gen(function*() {
      const page = (n: number) => ({
        status: 200,
        body: { data: Array.from({ length: n }, () => wirePatientV2), count: 5 }
      })
      const { hero, requests } = yield* clientWith([page(2), page(2), page(1)])
      const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 2 }))
      expect(Chunk.size(all)).toBe(5)
      expect((yield* requests).map((r) => r.url.searchParams.get("page_index"))).toStrictEqual(["0", "1", "2"])
    }))

  it.effect("streamPatientsV3 stops on a short page when count is missing", () =>
    Effect.gen(function*() {
      const { hero, count } = yield* clientWith([
        { status: 200, body: { data: [wirePatientV2, wirePatientV2] } },
        { status: 200, body: { data: [wirePatientV2] } }
      ])
      const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 2 }))
      expect(Chunk.size(all)).toBe(3)
      expect(yield* count).toBe(2)
    }))
})
