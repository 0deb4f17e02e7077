import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { defaultRetryBudget, HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import type { ConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { PatientId } from "@hero-effect/schema/Ids"
import { Config, ConfigError, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"
import { wirePatientV1 } from "./support/scripted.js"

// `_` joins nested names, as in the environment (`ConfigProvider.fromEnv`).
const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))

const read = (layer: Layer.Layer<HeroHealthConfig, ConfigError.ConfigError>, env: Record<string, string>) =>
  HeroHealthConfig.pipe(Effect.provide(layer), withEnv(env))

const readError = (layer: Layer.Layer<HeroHealthConfig, ConfigError.ConfigError>, env: Record<string, string>) =>
  Effect.flip(read(layer, env))

// The single errors inside `And` / `Or`, as `kind path: message`.
const leaves = (error: ConfigError.ConfigError): Array<string> =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left, right) => [...left, ...right],
    orCase: (_, left, right) => [...left, ...right],
    invalidDataCase: (_, path, message) => [`InvalidData ${path.join(".")}: ${message}`],
    missingDataCase: (_, path) => [`MissingData ${path.join(".")}`],
    sourceUnavailableCase: (_, path, message) => [`SourceUnavailable ${path.join(".")}: ${message}`],
    unsupportedCase: (_, path, message) => [`Unsupported ${path.join(".")}: ${message}`]
  })

// Everything an error could show: its leaves, its string form and its JSON.
const shown = (error: ConfigError.ConfigError): string =>
  [...leaves(error), String(error), JSON.stringify(error)].join("\n")

const custom = HeroHealthConfig.layerConfig({
  apiKey: Config.redacted("MY_KEY"),
  practiceGroupId: Config.string("MY_GROUP"),
  baseUrl: Config.string("MY_BASE_URL")
})

const customEnv = { MY_KEY: "key-1", MY_GROUP: "pg-1", MY_BASE_URL: "https://hero.example.com/" }

describe("HeroHealthConfig.layerConfig", () => {
  it.effect("reads each option from the Config given for it", () =>
    Effect.gen(function*() {
      // No HERO_* variable at all: only the custom names are read.
      const config = yield* read(custom, customEnv)
      expect(Redacted.value(config.apiKey)).toBe("key-1")
      expect(config.practiceGroupId).toBe("pg-1")
      expect(config.baseUrl).toBe("https://hero.example.com")
    }))

  it.effect("an invalid custom base URL fails at its variable, without its value", () =>
    Effect.gen(function*() {
      const plainHttp = yield* readError(custom, { ...customEnv, MY_BASE_URL: "http://me:hunter2@api.example.com" })
      expect(leaves(plainHttp)).toStrictEqual([
        "InvalidData MY_BASE_URL: plain http:// is refused except for loopback hosts; use https://"
      ])
      const credentials = yield* readError(custom, { ...customEnv, MY_BASE_URL: "https://me:hunter2@api.example.com" })
      expect(leaves(credentials)).toStrictEqual(["InvalidData MY_BASE_URL: the base URL must not carry credentials"])
      for (const error of [plainHttp, credentials]) {
        expect(shown(error)).not.toContain("hunter2")
        expect(shown(error)).not.toContain("api.example.com")
      }
    }))

  it.effect("a missing custom variable is named", () =>
    Effect.gen(function*() {
      const { MY_KEY: _, ...withoutKey } = customEnv
      expect(leaves(yield* readError(custom, withoutKey))).toStrictEqual(["MissingData MY_KEY"])
      // Every missing one at once.
      expect(leaves(yield* readError(custom, {}))).toStrictEqual([
        "MissingData MY_KEY",
        "MissingData MY_GROUP",
        "MissingData MY_BASE_URL"
      ])
    }))

  it.effect("an invalid API key fails at its variable, through redacted, nested and described configs", () =>
    Effect.gen(function*() {
      const key = "sk live with spaces"
      const plain = yield* readError(custom, { ...customEnv, MY_KEY: key })
      expect(leaves(plain)).toStrictEqual(["InvalidData MY_KEY: the API key is empty or has whitespace"])
      expect(shown(plain)).not.toContain("sk live")
      const layered = HeroHealthConfig.layerConfig({
        apiKey: Config.redacted(Config.nested(Config.string("KEY"), "SECRET")).pipe(
          Config.withDescription("the Hero API key"),
          Config.nested("APP")
        ),
        practiceGroupId: Config.string("MY_GROUP")
      })
      const nested = yield* readError(layered, { APP_SECRET_KEY: key, MY_GROUP: "pg-1" })
      expect(leaves(nested)).toStrictEqual(["InvalidData APP.SECRET.KEY: the API key is empty or has whitespace"])
      expect(shown(nested)).not.toContain("sk live")
    }))

  it.effect("under Config.nested, reads and names the prefixed variables", () =>
    Effect.gen(function*() {
      const prefixed = HeroHealthConfig.layerConfig({
        apiKey: Config.nested(Config.redacted("API_KEY"), "HERO2"),
        practiceGroupId: Config.nested(Config.string("GROUP"), "HERO2"),
        baseUrl: Config.string("BASE_URL").pipe(Config.withDefault(HeroHealthConfig.production), Config.nested("HERO2"))
      })
      const env = { HERO2_API_KEY: "k", HERO2_GROUP: "pg-2" }
      const config = yield* read(prefixed, env)
      expect(config.practiceGroupId).toBe("pg-2")
      expect(config.baseUrl).toBe(HeroHealthConfig.production)
      expect(leaves(yield* readError(prefixed, { ...env, HERO2_BASE_URL: "ftp://hero.example.com" }))).toStrictEqual([
        "InvalidData HERO2.BASE_URL: the base URL must be http(s)"
      ])
      expect(leaves(yield* readError(prefixed, { ...env, HERO2_API_KEY: "" }))).toStrictEqual([
        "InvalidData HERO2.API_KEY: the API key is empty or has whitespace"
      ])
      expect(leaves(yield* readError(prefixed, { HERO2_API_KEY: "k" }))).toStrictEqual(["MissingData HERO2.GROUP"])
    }))

  it.effect("a value that is not a valid practice group id fails at its variable", () =>
    Effect.gen(function*() {
      const error = yield* readError(custom, { ...customEnv, MY_GROUP: "pg 1" })
      expect(leaves(error)).toStrictEqual(["InvalidData MY_GROUP: not a valid practice group id"])
      const defaults = yield* readError(HeroHealthConfig.layerConfig(), {
        HERO_API_KEY: "k",
        HERO_PRACTICE_GROUP_ID: "pg\t1"
      })
      expect(leaves(defaults)).toStrictEqual(["InvalidData HERO_PRACTICE_GROUP_ID: not a valid practice group id"])
    }))

  it.effect("by default reads HERO_API_KEY, HERO_PRACTICE_GROUP_ID and HERO_BASE_URL, naming them", () =>
    Effect.gen(function*() {
      const layer = HeroHealthConfig.layerConfig()
      const env = { HERO_API_KEY: "k1", HERO_PRACTICE_GROUP_ID: "pg-1" }
      const config = yield* read(layer, { ...env, HERO_BASE_URL: "http://127.0.0.1:4010/" })
      expect(Redacted.value(config.apiKey)).toBe("k1")
      expect(config.practiceGroupId).toBe("pg-1")
      expect(config.baseUrl).toBe("http://127.0.0.1:4010")
      expect(leaves(yield* readError(layer, { HERO_PRACTICE_GROUP_ID: "pg-1" }))).toStrictEqual([
        "MissingData HERO_API_KEY"
      ])
      const badUrl = yield* readError(layer, { ...env, HERO_BASE_URL: "https://u:hunter2@hero.example.com" })
      expect(leaves(badUrl)).toStrictEqual(["InvalidData HERO_BASE_URL: the base URL must not carry credentials"])
      expect(shown(badUrl)).not.toContain("hunter2")
      const badKey = yield* readError(layer, { ...env, HERO_API_KEY: "k 1" })
      expect(leaves(badKey)).toStrictEqual(["InvalidData HERO_API_KEY: the API key is empty or has whitespace"])
    }))

  it.effect("by default HERO_BASE_URL wins, else HERO_ENVIRONMENT=staging|production, else staging", () =>
    Effect.gen(function*() {
      const layer = HeroHealthConfig.layerConfig()
      const env = { HERO_API_KEY: "k1", HERO_PRACTICE_GROUP_ID: "pg-1" }
      expect((yield* read(layer, env)).baseUrl).toBe(HeroHealthConfig.staging)
      expect((yield* read(layer, { ...env, HERO_ENVIRONMENT: "staging" })).baseUrl).toBe(HeroHealthConfig.staging)
      expect((yield* read(layer, { ...env, HERO_ENVIRONMENT: "production" })).baseUrl).toBe(HeroHealthConfig.production)
      const both = yield* read(layer, { ...env, HERO_ENVIRONMENT: "production", HERO_BASE_URL: "https://h.example" })
      expect(both.baseUrl).toBe("https://h.example")
      // A mistyped environment fails, even beside HERO_BASE_URL, rather than being ignored.
      const unknown = yield* readError(layer, { ...env, HERO_ENVIRONMENT: "prod", HERO_BASE_URL: "https://h.example" })
      expect(leaves(unknown).map((leaf) => leaf.split(":")[0])).toStrictEqual(["InvalidData HERO_ENVIRONMENT"])
    }))

  it.effect("the other options, as Configs, are checked at their variables", () =>
    Effect.gen(function*() {
      const layer = HeroHealthConfig.layerConfig({
        maxResponseBytes: Config.integer("MY_MAX_BODY").pipe(Config.withDefault(1024)),
        onRateLimitHold: Config.string("MY_HOLD").pipe(Config.withDefault("wait")),
        rateLimit: Config.all({ limit: Config.integer("MY_RATE"), interval: Config.succeed("1 second" as const) }),
        retryBudget: defaultRetryBudget
      })
      const env = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg", MY_RATE: "20" }
      const config = yield* read(layer, { ...env, MY_MAX_BODY: "2048", MY_HOLD: "fail" })
      expect(config.maxResponseBytes).toBe(2048)
      expect(config.onRateLimitHold).toBe("fail")
      expect(config.rateLimit).toStrictEqual({ limit: 20, interval: "1 second" })
      expect(config.retryBudget).toStrictEqual(defaultRetryBudget)
      expect((yield* read(layer, env)).maxResponseBytes).toBe(1024)
      expect(leaves(yield* readError(layer, { ...env, MY_MAX_BODY: "0" }))).toStrictEqual([
        "InvalidData MY_MAX_BODY: must be a positive whole number of bytes"
      ])
      expect(leaves(yield* readError(layer, { ...env, MY_HOLD: "sometimes" }))).toStrictEqual([
        "InvalidData MY_HOLD: must be \"wait\" or \"fail\""
      ])
      expect(leaves(yield* readError(layer, { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" }))).toStrictEqual([
        "MissingData MY_RATE"
      ])
    }))

  it.effect("options given as plain values are checked at the option's name, as by make", () =>
    Effect.gen(function*() {
      const env = { HERO_API_KEY: "k", HERO_PRACTICE_GROUP_ID: "pg" }
      const plain = (options: ConfigOptions) => readError(HeroHealthConfig.layerConfig(options), env)
      expect(leaves(yield* plain({ baseUrl: "http://hero.example.com" }))).toStrictEqual([
        "InvalidData baseUrl: plain http:// is refused except for loopback hosts; use https://"
      ])
      expect(leaves(yield* plain({ apiKey: Redacted.make(" ") }))).toStrictEqual([
        "InvalidData apiKey: the API key is empty or has whitespace"
      ])
      expect(leaves(yield* plain({ maxResponseBytes: 1.5 }))).toStrictEqual([
        "InvalidData maxResponseBytes: must be a positive whole number of bytes"
      ])
      // The deprecated alias still works, reading HERO_* for the connection.
      const config = yield* read(HeroHealthConfig.layerConfigWith({ maxResponseBytes: 10 }), env)
      expect(config.maxResponseBytes).toBe(10)
      const made = yield* Effect.either(HeroHealthConfig.make({
        baseUrl: "https://hero.example.com",
        apiKey: Redacted.make("k"),
        practiceGroupId: "pg 1" as never
      }))
      expect(Either.isLeft(made) && leaves(made.left)).toStrictEqual([
        "InvalidData practiceGroupId: not a valid practice group id"
      ])
    }))

  it.effect("HeroHealthClient.layerConfig takes the same options", () =>
    Effect.gen(function*() {
      const client = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(wirePatientV1))))
      )
      const layer = HeroHealthClient.layerConfig({
        apiKey: Config.redacted("MY_KEY"),
        practiceGroupId: Config.string("MY_GROUP")
      }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
      const patient = yield* HeroHealthClient.pipe(
        Effect.flatMap((hero) => hero.getPatientById(PatientId.make("1001"))),
        Effect.provide(layer),
        withEnv({ MY_KEY: "k", MY_GROUP: "pg" })
      )
      expect(patient).toBeDefined()
      const missing = yield* HeroHealthClient.pipe(Effect.provide(layer), withEnv({ MY_KEY: "k" }), Effect.flip)
      expect(leaves(missing)).toStrictEqual(["MissingData MY_GROUP"])
    }))
})
