/**
 * Where and as whom the client calls the Hero Health API.
 *
 * @since 0.1.0
 */
import type { PracticeGroupId } from "@hero-effect/schema"
import { PracticeGroupId as PracticeGroupIdSchema } from "@hero-effect/schema"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
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

/**
 * Validates options into a configuration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const baseUrl = validateBaseUrl(options.baseUrl)
    if (Either.isLeft(baseUrl)) return yield* Effect.fail(ConfigError.InvalidData(["baseUrl"], baseUrl.left))
    if (!Schema.is(PracticeGroupIdSchema)(options.practiceGroupId)) {
      return yield* Effect.fail(ConfigError.InvalidData(["practiceGroupId"], "not a valid practice group id"))
    }
    const key = Redacted.value(options.apiKey)
    // eslint-disable-next-line no-control-regex -- a header value must not carry control characters
    if (key.length === 0 || /[\s\x00-\x1f]/.test(key)) {
      return yield* Effect.fail(ConfigError.InvalidData(["apiKey"], "the API key is empty or has whitespace"))
    }
    const max = options.maxResponseBytes
    if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) {
      return yield* Effect.fail(
        ConfigError.InvalidData(["maxResponseBytes"], "must be a positive whole number of bytes")
      )
    }
    if (
      options.onRateLimitHold !== undefined && options.onRateLimitHold !== "wait" && options.onRateLimitHold !== "fail"
    ) {
      return yield* Effect.fail(ConfigError.InvalidData(["onRateLimitHold"], "must be \"wait\" or \"fail\""))
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
 * Reads the configuration from the environment: `HERO_API_KEY`, `HERO_PRACTICE_GROUP_ID`, and
 * `HERO_BASE_URL` or `HERO_ENVIRONMENT=staging|production` (staging when neither is set).
 * Policies, rate limit and retry budget can be given in code.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfigWith = (
  options: Omit<Options, "baseUrl" | "apiKey" | "practiceGroupId"> = {}
): Layer.Layer<HeroHealthConfig, ConfigError.ConfigError> =>
  Layer.effect(
    HeroHealthConfig,
    Effect.gen(function*() {
      const apiKey = yield* Config.redacted("HERO_API_KEY")
      const practiceGroupId = yield* Config.string("HERO_PRACTICE_GROUP_ID")
      const environment = yield* Config.literal("staging", "production")("HERO_ENVIRONMENT").pipe(
        Config.withDefault("staging" as const)
      )
      const baseUrl = yield* Config.string("HERO_BASE_URL").pipe(
        Config.withDefault(environment === "production" ? production : staging)
      )
      return yield* make({ ...options, apiKey, practiceGroupId: practiceGroupId as PracticeGroupId, baseUrl })
    })
  )

/**
 * The configuration as a service, with its constructors as statics: `HeroHealthConfig.staging`,
 * `.production`, `.layer(options)`, `.layerConfig` (from the environment) and
 * `.layerConfigWith(options)`.
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
  static readonly layerConfigWith = layerConfigWith
  /** @since 0.1.0 */
  static get layerConfig(): Layer.Layer<HeroHealthConfig, ConfigError.ConfigError> {
    return layerConfigWith()
  }
}
