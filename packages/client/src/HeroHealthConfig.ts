/**
 * Where and as whom the client calls the Hero Health API.
 *
 * @since 0.1.0
 */
import { PracticeGroupId } from "@hero-effect/schema/Ids"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { OperationId, OperationPolicy, RateLimit } from "./Operation.js"

/**
 * Staging: test data only.
 *
 * @since 0.1.0
 * @category constants
 */
export const staging = "https://api.staging.htech.app"

/**
 * Production.
 *
 * @since 0.1.0
 * @category constants
 */
export const production = "https://api.herohealth.net"

/**
 * The retry budget: a token bucket shared by all calls of a client. A retry spends
 * `retryCost`; a call that succeeds refunds `successRefund`. With no tokens left nothing is
 * retried, so an outage does not become a retry storm.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryBudget {
  readonly capacity: number
  readonly retryCost: number
  /** The cost of retrying a 429 that carried `Retry-After` (the server's pacing, not an outage). */
  readonly throttledRetryCost: number
  readonly successRefund: number
}

/**
 * The client's configuration, validated.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `staging`, `production` or any https URL (plain http only for loopback hosts). */
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
  readonly practiceGroupId: PracticeGroupId
  /** Per-operation overrides of retries, timeouts and rate limits. */
  readonly policies?: Partial<Record<OperationId, Partial<OperationPolicy>>> | undefined
  /**
   * The client-wide rate limit over all operations (default {@link defaultRateLimit}, 10 per
   * second; Hero sets the real figure per partner agreement), or `"unlimited"`. By default a
   * sliding window counted from responses: at most `limit` requests in flight or answered within
   * any `interval` (see `RateLimit`). Shared between processes through a shared
   * `RateLimitStore` (`RedisRateLimitStore`), which also turns `adaptive` off unless set.
   */
  readonly rateLimit?: RateLimit | "unlimited" | undefined
  readonly retryBudget?: RetryBudget | undefined
  /**
   * The largest response body the client reads, in bytes (default {@link defaultMaxResponseBytes},
   * 4 MiB). Enforced while reading, on every transport: a larger body (declared or streamed) is
   * not read further and the call fails with `UnexpectedResponse` (`maxResponseBytes` set), never
   * retried.
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * What a call does when an earlier 429's `Retry-After` holds its key back (default `"wait"`):
   * `"wait"` waits the hold out when it ends within the operation's `maxRetryAfter` and the call's
   * deadline, and otherwise fails at once with `RateLimited` (`heldBack: true`, nothing sent);
   * `"fail"` fails every held-back call at once with that `RateLimited`. Either way a hold never
   * lasts longer than the `maxRetryAfter` of the operation whose 429 set it.
   */
  readonly onRateLimitHold?: "wait" | "fail" | undefined
}

/**
 * The default client-wide rate limit: 10 per second, a sliding window counted from responses
 * (no margin; `adaptive` unless the store is shared).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimit: RateLimit = { limit: 10, interval: "1 second" }

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryBudget: RetryBudget = { capacity: 500, retryCost: 5, throttledRetryCost: 1, successRefund: 1 }

/**
 * The default largest response body: 4 MiB. The largest documented body is a merge preview
 * (three patients, a few kB); a page of 100 v3 patients is about 100 kB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseBytes = 4 * 1024 * 1024

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/**
 * Checks a base URL: absolute, https (http only for loopback), no credentials, query or
 * fragment. Returns it without a trailing slash.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateBaseUrl = (baseUrl: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return Either.left("the base URL is not an absolute URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return Either.left("the base URL must be http(s)")
  if (url.protocol === "http:" && !loopbackHosts.has(url.hostname) && !url.hostname.startsWith("127.")) {
    return Either.left("plain http:// is refused except for loopback hosts; use https://")
  }
  if (url.username || url.password) return Either.left("the base URL must not carry credentials")
  if (url.search || url.hash) return Either.left("the base URL must not have a query or fragment")
  return Either.right(url.toString().replace(/\/+$/, ""))
}

// The checks `make` and `layerConfig` share. Each returns the value or a message that never
// quotes it: the value may be an API key, or a URL carrying credentials.
// The practice group id decoded by its schema, with a message that does not quote the value.
const ConfiguredPracticeGroupId = PracticeGroupId.annotations({ message: () => "not a valid practice group id" })

const checkPracticeGroupId = (id: string): Either.Either<PracticeGroupId, string> =>
  Either.mapLeft(Schema.decodeEither(ConfiguredPracticeGroupId)(id), (error) => error.message)

const checkApiKey = (apiKey: Redacted.Redacted<string>): Either.Either<Redacted.Redacted<string>, string> => {
  const key = Redacted.value(apiKey)
  // eslint-disable-next-line no-control-regex -- a header value must not carry control characters
  return key.length === 0 || /[\s\x00-\x1f]/.test(key)
    ? Either.left("the API key is empty or has whitespace")
    : Either.right(apiKey)
}

const checkMaxResponseBytes = (max: number): Either.Either<number, string> =>
  Number.isSafeInteger(max) && max > 0 ? Either.right(max) : Either.left("must be a positive whole number of bytes")

const checkOnRateLimitHold = (hold: string): Either.Either<"wait" | "fail", string> =>
  hold === "wait" || hold === "fail" ? Either.right(hold) : Either.left("must be \"wait\" or \"fail\"")

/**
 * Validates options into a configuration. A failure is a `ConfigError` at the option's name
 * (`["baseUrl"]`, `["apiKey"]`, ...), whose message never quotes the value.
 *
 * @example
 * ```ts
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 * import { PracticeGroupId } from "@hero-effect/schema/Ids"
 * import { Effect, Redacted } from "effect"
 *
 * // Fails with ConfigError.InvalidData(["baseUrl"], "plain http:// is refused ...").
 * const refused = HeroHealthConfig.make({
 *   baseUrl: "http://api.example.com",
 *   apiKey: Redacted.make("key"),
 *   practiceGroupId: PracticeGroupId.make("pg-1")
 * }).pipe(Effect.flip)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const invalid = (option: keyof Options, message: string) => Effect.fail(ConfigError.InvalidData([option], message))
    const baseUrl = validateBaseUrl(options.baseUrl)
    if (Either.isLeft(baseUrl)) return yield* invalid("baseUrl", baseUrl.left)
    const practiceGroupId = checkPracticeGroupId(options.practiceGroupId)
    if (Either.isLeft(practiceGroupId)) return yield* invalid("practiceGroupId", practiceGroupId.left)
    const apiKey = checkApiKey(options.apiKey)
    if (Either.isLeft(apiKey)) return yield* invalid("apiKey", apiKey.left)
    if (options.maxResponseBytes !== undefined) {
      const max = checkMaxResponseBytes(options.maxResponseBytes)
      if (Either.isLeft(max)) return yield* invalid("maxResponseBytes", max.left)
    }
    if (options.onRateLimitHold !== undefined) {
      const hold = checkOnRateLimitHold(options.onRateLimitHold)
      if (Either.isLeft(hold)) return yield* invalid("onRateLimitHold", hold.left)
    }
    return { ...options, baseUrl: baseUrl.right }
  })

/**
 * A layer from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<HeroHealthConfig, ConfigError.ConfigError> =>
  Layer.effect(HeroHealthConfig, make(options))

/**
 * The options of {@link layerConfig}: each one a `Config` (read, then checked, at the
 * variable's own name) or a plain value (checked as by {@link make}, at the option's name).
 * `apiKey`, `practiceGroupId` and `baseUrl` default to the `HERO_*` variables; the others to
 * the defaults of {@link Options}.
 *
 * @example
 * ```ts
 * import type { ConfigOptions } from "@hero-effect/client/HeroHealthConfig"
 * import { Config } from "effect"
 *
 * const options: ConfigOptions = {
 *   apiKey: Config.redacted("MY_KEY"),
 *   practiceGroupId: Config.string("MY_GROUP"),
 *   onRateLimitHold: Config.string("MY_ON_HOLD").pipe(Config.withDefault("wait")),
 *   retryBudget: { capacity: 100, retryCost: 5, throttledRetryCost: 1, successRefund: 1 }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  /** Default `Config.redacted("HERO_API_KEY")`. */
  readonly apiKey?: Redacted.Redacted<string> | Config.Config<Redacted.Redacted<string>> | undefined
  /**
   * Default `Schema.Config("HERO_PRACTICE_GROUP_ID", PracticeGroupId)`. A `Config` of any string,
   * decoded as a `PracticeGroupId`.
   */
  readonly practiceGroupId?: PracticeGroupId | Config.Config<string> | undefined
  /**
   * Default `HERO_BASE_URL`, else `HERO_ENVIRONMENT=staging|production`, else {@link staging}
   * (an unknown `HERO_ENVIRONMENT` fails, even with `HERO_BASE_URL` set).
   */
  readonly baseUrl?: string | Config.Config<string> | undefined
  readonly policies?: Options["policies"] | Config.Config<Options["policies"]>
  readonly rateLimit?: Options["rateLimit"] | Config.Config<Options["rateLimit"]>
  readonly retryBudget?: Options["retryBudget"] | Config.Config<Options["retryBudget"]>
  /** For example `Config.integer("MY_MAX_BODY")`. */
  readonly maxResponseBytes?: number | Config.Config<number> | undefined
  /** For example `Config.string("MY_HOLD")`: checked to be `"wait"` or `"fail"`. */
  readonly onRateLimitHold?: "wait" | "fail" | Config.Config<string> | undefined
}

// The run-time shape of a `Config` (effect/internal/config.ts), as far as `checked` walks it.
interface ConfigNode {
  readonly _tag?: unknown
  readonly name?: string
  readonly description?: string
  readonly config?: unknown
  readonly original?: unknown
  readonly first?: unknown
  readonly second?: unknown
  readonly condition?: unknown
}

// The names of the variable a config reads, below where Effect prefixes a `mapOrFail` error
// itself (which is through the `Config.nested` around it, not through `redacted` or `map`).
const namesIn = (config: unknown): Array<string> => {
  const names: Array<string> = []
  let node = config as ConfigNode
  for (;;) {
    switch (node._tag) {
      case "Nested":
        names.push(node.name!)
        node = node.config as ConfigNode
        break
      case "Described":
        node = node.config as ConfigNode
        break
      case "Redacted":
      case "MapOrFail":
        node = node.original as ConfigNode
        break
      default:
        return names
    }
  }
}

/**
 * `Config.mapOrFail(config, check)` failing at the variable's own name. Effect gives a `mapOrFail`
 * error the path of the `Config.nested` names around the config it maps, so mapping
 * `Config.string("X")` fails at `["X"]`, but mapping `Config.redacted("X")`,
 * `Config.withDefault(...)` or a described config fails at `[]`: the variable the user set goes
 * unnamed. So the check is pushed down through names, descriptions and defaults to where the value
 * is read, and the names below that point (inside a `redacted`, which must stay outside the check
 * because it turns every message inside it into `<redacted>`) are added to the error's path.
 */
const checked = <A, B>(config: Config.Config<A>, check: (a: A) => Either.Either<B, string>): Config.Config<B> => {
  const node = config as unknown as ConfigNode
  switch (node._tag) {
    case "Nested":
      return Config.nested(checked(node.config as Config.Config<A>, check), node.name!)
    case "Described":
      return Config.withDescription(checked(node.config as Config.Config<A>, check), node.description!)
    case "Lazy":
      return Config.suspend(() => checked((node.config as () => Config.Config<A>)(), check))
    case "Fallback":
      // `withDefault` (and `option`): falls back on missing data only, so an invalid value fails
      // as it would checked afterwards. Any other fallback is checked afterwards, at its prefix.
      if (node.condition === ConfigError.isMissingDataOnly) {
        return Config.orElseIf(checked(node.first as Config.Config<A>, check), {
          if: ConfigError.isMissingDataOnly,
          orElse: () => checked(node.second as Config.Config<A>, check)
        })
      }
  }
  const names = namesIn(config)
  return Config.mapOrFail(config, (a) => Either.mapLeft(check(a), (message) => ConfigError.InvalidData(names, message)))
}

// An option given as a `Config` is checked at its variable's name; a plain one is left to `make`,
// which checks it at the option's name.
const readOption = <P, C, B, D>(
  value: P | Config.Config<C> | undefined,
  check: (c: C) => Either.Either<B, string>,
  orElse: Config.Config<D>
): Config.Config<P | B | D> =>
  value === undefined
    ? orElse
    : Config.isConfig(value)
    ? checked(value as Config.Config<C>, check)
    : Config.succeed(value as P)

const unchecked = <A>(value: A | Config.Config<A>): Config.Config<A> =>
  Config.isConfig(value) ? value as Config.Config<A> : Config.succeed(value)

const defaultApiKey = checked(Config.redacted("HERO_API_KEY"), checkApiKey)

const defaultPracticeGroupId = Schema.Config("HERO_PRACTICE_GROUP_ID", ConfiguredPracticeGroupId)

// `HERO_ENVIRONMENT` is read even when `HERO_BASE_URL` is set, so a mistyped environment is never
// silently ignored.
const defaultBaseUrl: Config.Config<string> = Config.all([
  Config.literal("staging", "production")("HERO_ENVIRONMENT").pipe(Config.withDefault("staging")),
  Config.option(checked(Config.string("HERO_BASE_URL"), validateBaseUrl))
]).pipe(
  Config.map(([environment, baseUrl]) =>
    Option.getOrElse(baseUrl, () => environment === "production" ? production : staging)
  )
)

/**
 * Reads the configuration from `Config`s, one per option (the environment by default):
 * `HERO_API_KEY`, `HERO_PRACTICE_GROUP_ID`, and `HERO_BASE_URL` or
 * `HERO_ENVIRONMENT=staging|production` (staging when neither is set), unless given.
 *
 * A value read from a `Config` that fails a check is a `ConfigError` at that `Config`'s own path
 * (`["MY_BASE_URL"]`, or `["APP", "BASE_URL"]` under `Config.nested`); a missing one is a
 * `MissingData` at its path. The client's checks never quote the value (Effect's own parsers,
 * such as `Config.integer`, quote what they received; `Config.redacted` hides it). Options given
 * as plain values are checked as by {@link make}. A prefix the `ConfigProvider` adds
 * (`ConfigProvider.nested`) is not in a failed check's path, as with `Config.validate`: use
 * `Config.nested`.
 *
 * @example
 * ```ts
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 * import { Config, ConfigProvider, Effect } from "effect"
 *
 * // Your own variable names. `http://` in MY_BASE_URL fails with
 * // ConfigError.InvalidData(["MY_BASE_URL"], "plain http:// is refused ...").
 * const ConfigLive = HeroHealthConfig.layerConfig({
 *   apiKey: Config.redacted("MY_KEY"),
 *   practiceGroupId: Config.string("MY_GROUP"),
 *   baseUrl: Config.string("MY_BASE_URL").pipe(Config.withDefault(HeroHealthConfig.staging)),
 *   maxResponseBytes: Config.integer("MY_MAX_BODY").pipe(Config.withDefault(1024 * 1024)),
 *   rateLimit: { limit: 20, interval: "1 second" }
 * })
 *
 * // Under a prefix: reads APP_API_KEY from the environment, fails at ["APP", "API_KEY"].
 * const Prefixed = HeroHealthConfig.layerConfig({ apiKey: Config.nested(Config.redacted("API_KEY"), "APP") })
 *
 * // In tests, from a map instead of the environment.
 * const baseUrl = Effect.map(HeroHealthConfig, (config) => config.baseUrl).pipe(
 *   Effect.provide(ConfigLive),
 *   Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MY_KEY", "key"], ["MY_GROUP", "pg-1"]])))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (options: ConfigOptions = {}): Layer.Layer<HeroHealthConfig, ConfigError.ConfigError> =>
  Layer.effect(
    HeroHealthConfig,
    Effect.flatMap(
      Config.all({
        apiKey: readOption(options.apiKey, checkApiKey, defaultApiKey),
        practiceGroupId: readOption(options.practiceGroupId, checkPracticeGroupId, defaultPracticeGroupId),
        baseUrl: readOption(options.baseUrl, validateBaseUrl, defaultBaseUrl),
        policies: unchecked(options.policies),
        rateLimit: unchecked(options.rateLimit),
        retryBudget: unchecked(options.retryBudget),
        maxResponseBytes: readOption(options.maxResponseBytes, checkMaxResponseBytes, Config.succeed(undefined)),
        onRateLimitHold: readOption(options.onRateLimitHold, checkOnRateLimitHold, Config.succeed(undefined))
      }),
      make
    )
  )

/**
 * {@link layerConfig} with the connection (API key, practice group, base URL) from the `HERO_*`
 * variables and the rest in code.
 *
 * @example
 * ```ts
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 *
 * const ConfigLive = HeroHealthConfig.layerConfigWith({ rateLimit: { limit: 20, interval: "1 second" } })
 * ```
 *
 * @deprecated Use {@link layerConfig}, which takes the same options (and more).
 * @since 0.1.0
 * @category layers
 */
export const layerConfigWith = (
  options: Omit<Options, "baseUrl" | "apiKey" | "practiceGroupId"> = {}
): Layer.Layer<HeroHealthConfig, ConfigError.ConfigError> => layerConfig(options)

/**
 * The configuration as a service, with its constructors as statics: `HeroHealthConfig.staging`,
 * `.production`, `.make(options)`, `.layer(options)`, `.layerConfig(options?)` (from `Config`s,
 * the environment by default) and the deprecated `.layerConfigWith(options)`.
 *
 * @example
 * ```ts
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 * import { Config, Effect } from "effect"
 *
 * const ConfigLive = HeroHealthConfig.layerConfig({
 *   apiKey: Config.redacted("MY_KEY"),
 *   practiceGroupId: Config.string("MY_GROUP")
 * })
 *
 * const program = Effect.gen(function*() {
 *   const config = yield* HeroHealthConfig
 *   return config.baseUrl
 * }).pipe(Effect.provide(ConfigLive))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroHealthConfig extends Context.Tag("@hero-effect/client/HeroHealthConfig")<
  HeroHealthConfig,
  Options
>() {
  /** @since 0.1.0 */
  static readonly staging = staging
  /** @since 0.1.0 */
  static readonly production = production
  /** @since 0.1.0 */
  static readonly make = make
  /** @since 0.1.0 */
  static readonly layer = layer
  /** @since 0.1.0 */
  static readonly layerConfig = layerConfig
  /**
   * @deprecated Use `HeroHealthConfig.layerConfig`, which takes the same options (and more).
   * @since 0.1.0
   */
  static readonly layerConfigWith = layerConfigWith
}
