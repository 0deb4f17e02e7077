import { describe, expect, it } from "@effect/vitest"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { Sandbox, SeedFile, World } from "@hero-effect/sandbox"
import { Cause, Effect, Exit, Redacted, TestClock } from "effect"
import { example, headers, json } from "./support/helpers.js"

const as = (key: string, group = "pg-example") => ({ "x-api-key": key, "x-practice-group-id": group })

describe("authentication", () => {
  it.effect("401 without x-api-key or x-practice-group-id, or with an unknown key", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      for (const h of [{}, { "x-api-key": "example-key" }, { "x-practice-group-id": "pg-example" }, as("nope")]) {
        const r = yield* json(sb, "GET", "/v1/patients/100001", undefined, h)
        expect(r).toMatchObject({
          status: 401,
          body: { error: true, statusCode: 401, code: "unauthorised", message: expect.any(String) }
        })
      }
    }))

  it.effect("403 for a key without the patients scope, or for a practice group the key may not act for", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const scope = yield* json(sb, "GET", "/v1/patients/100001", undefined, as("messaging-only-key"))
      expect(scope).toMatchObject({ status: 403, body: { code: "forbidden" } })
      const otherGroup = yield* json(sb, "GET", "/v1/patients/100001", undefined, as("other-group-key", "pg-other"))
      expect(otherGroup.body.code).toBe("forbidden")
      const wrongHeader = yield* json(sb, "GET", "/v1/patients/100001", undefined, as("example-key", "pg-other"))
      expect(wrongHeader.body.code).toBe("forbidden")
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, headers)).status).toBe(200)
    }))

  it.effect("a key may act for the practice groups of its network", () =>
    Effect.gen(function*() {
      const sb = yield* example({
        keys: [{ key: "network-key", practiceGroupId: "pg-hub", practiceGroups: ["pg-example"], scopes: ["patients"] }]
      })
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, as("network-key"))).status).toBe(200)
    }))

  it.effect("the default world accepts the printed credentials", () =>
    Effect.gen(function*() {
      const sb = yield* Sandbox.make({ seed: 3, patients: 5 })
      expect(sb.credentials).toEqual({ apiKey: "sandbox-api-key", practiceGroupId: "sandbox-practice-group" })
      const id = sb.world.patients[0]!.id
      expect((yield* json(sb, "GET", `/v1/patients/${id}`, undefined, sb.headers)).status).toBe(200)
    }))

  it.effect("the credentials carry the client's types: passed to its configuration without a cast", () =>
    Effect.gen(function*() {
      const sb = yield* Sandbox.make({ seed: 3, patients: 5 })
      const config = yield* HeroHealthConfig.make({
        baseUrl: "http://127.0.0.1:1",
        apiKey: Redacted.make(sb.credentials.apiKey),
        practiceGroupId: sb.credentials.practiceGroupId
      })
      expect(config.practiceGroupId).toBe("sandbox-practice-group")
    }))

  it.effect("a seed file's practice group that is not a valid practice group id is a SeedFileError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(SeedFile.decode({ practice_group_id: "pg with spaces" }))
      expect(error._tag).toBe("SeedFileError")
      expect(error.message).toContain("practice_group_id")
      expect(error.message).not.toContain("pg with spaces")
    }))

  it.effect("a hand-built world whose practice group is not a valid practice group id dies, unquoted", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Sandbox.make({ world: World.empty("pg with spaces") }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
      expect(String(exit)).not.toContain("pg with spaces")
    }))
})

describe("rate limits", () => {
  it.effect("429 with Retry-After in whole seconds, per key, fixed window on the Clock", () =>
    Effect.gen(function*() {
      const sb = yield* example()
      const slow = as("slow-key")
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, slow)).status).toBe(200)
      yield* TestClock.adjust("1 second")
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, slow)).status).toBe(200)
      const limited = yield* json(sb, "GET", "/v1/patients/100001", undefined, slow)
      expect(limited).toMatchObject({
        status: 429,
        headers: { "retry-after": "9" },
        body: { error: true, statusCode: 429, code: "rate_limited" }
      })
      // another key is not affected
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, headers)).status).toBe(200)
      yield* TestClock.adjust("4500 millis")
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, slow)).headers["retry-after"]).toBe("5")
      yield* TestClock.adjust("4500 millis")
      expect((yield* json(sb, "GET", "/v1/patients/100001", undefined, slow)).status).toBe(200)
    }))

  it.effect("a default limit applies to every key without its own", () =>
    Effect.gen(function*() {
      const sb = yield* example({ rateLimit: { limit: 3, window: "1 minute" } })
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) statuses.push((yield* json(sb, "GET", "/v1/patients/100001")).status)
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      yield* TestClock.adjust("1 minute")
      expect((yield* json(sb, "GET", "/v1/patients/100001")).status).toBe(200)
    }))
})
