/**
 * A `RateLimitStore` in Redis, so that several processes (workers, replicas, machines) using one
 * API key share one limit instead of each spending the whole quota. Needs `ioredis` (an optional
 * peer dependency of this package), which is why this module is not exported from the package's
 * index: import it as `@hero-effect/client/RedisRateLimitStore`.
 *
 * **Atomic, on one clock.** Every operation is one Lua script (EVALSHA, loaded with EVAL when
 * Redis does not have it), so concurrent callers never interleave, and every script reads the
 * time with Redis's `TIME`: processes whose clocks disagree still agree on who reserved what.
 * The `nowMillis` the engine passes to `reserve`, `reserveSliding`, `acquireSliding` and
 * `settleSliding` is therefore ignored; the waits returned (milliseconds, as from the memory
 * store) are counted from Redis's now, which is the moment the caller asked give or take one
 * round trip. The arithmetic is the memory store's:
 *
 * - the response-counted window (the default algorithm; `acquireSliding`, `settleSliding`): one
 *   sorted set per key, a member per place (its ticket), scored by the Redis time of its response
 *   once settled, or (negated) by when it is presumed lost while in flight. A place is taken only
 *   while fewer than `limit` members remain after dropping answered ones older than the window
 *   and lost ones; a response settles on Redis's clock, so a response is counted no earlier than
 *   it arrived, whichever process sent the request;
 * - GCRA for `reserve` (one key with the theoretical arrival time);
 * - a log of the last `limit` reservations for `reserveSliding` (`countFrom: "reservation"`; a
 *   list, never longer than `limit`, entries older than one interval dropped).
 *
 * Every key has a TTL that ends when it stops mattering. The client queues its own waiting
 * requests per key, so Redis sees one question per process per free place or wait, not one per
 * queued request.
 *
 * **Holds across clocks.** The engine computes a hold's end on its own clock and compares
 * `heldUntil` with its own clock. So the store converts at the edge: `holdUntil` sends how long
 * the hold still lasts (`untilMillis` minus the caller's `Clock`), stored as Redis's now plus that
 * (only if later than the hold already stored: holds only move later); `heldUntil` reads how long
 * Redis still holds the key and returns the caller's now plus that, or 0. A hold is also kept in
 * process, and `heldUntil` returns the later of the two.
 *
 * **When Redis does not answer.** The store's operations cannot fail. A call Redis does not answer
 * within `commandTimeout` (default 1 second), or any call while the connection is down, is decided
 * in process instead, by an in-memory store (`RateLimitStore.makeMemory`): requests stay paced at
 * the configured limit per process (not shared, so N processes may together send up to N times
 * the limit; a 429 then sets a hold and lowers the client's limit, as with no store at all).
 * One warning is logged per outage (Warning level, with a reason; never the URL or password),
 * and one info line when Redis answers again; then operations return to Redis. Nothing throws
 * or dies. The store's own connection never queues commands while disconnected nor resends them
 * after, so a call given up on never reserves in Redis later.
 *
 * @since 0.2.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import * as internal from "./internal/redisRateLimit.js"
import * as RateLimitStore from "./RateLimitStore.js"

/**
 * Where the store connects, and how.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * A `redis://` or `rediss://` URL (credentials allowed: pass it `Redacted`, and it is never
   * logged either way). Takes precedence over `host` and `port`.
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** Without `url` (default `localhost`, ioredis's). */
  readonly host?: string | undefined
  /** Without `url` (default 6379, ioredis's). */
  readonly port?: number | undefined
  /** Prefix of every key the store writes (default {@link defaultPrefix}). */
  readonly prefix?: string | undefined
  /**
   * An existing connection to use instead of opening one: it is not closed with the store. For
   * bounded calls during an outage, create it with `enableOfflineQueue: false` and
   * `autoResendUnfulfilledCommands: false` (what the store's own connection uses); the store
   * sends nothing while it is not `ready`, and starts a lazy (`lazyConnect`) one.
   */
  readonly client?: Redis | undefined
  /**
   * How long one call may wait for Redis before it is decided in process (default 1 second).
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /**
   * How long building the store waits for its connection to be ready (default 2 seconds); it
   * stops waiting at the first connection error. Operations before that are decided in process.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * The default key prefix: `hero-effect:rl:`. Keys are `<prefix>win:<key>` (sliding window counted
 * from responses, the default), `<prefix>tat:<key>` (token bucket), `<prefix>log:<key>` (sliding
 * window counted from reservations) and `<prefix>hold:<key>` (Retry-After holds).
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultPrefix: string = internal.defaultPrefix

/**
 * A store on Redis. It opens its own connection (closed with the scope) unless `client` is given.
 * Never fails: an unreachable Redis means operations are decided in process until it answers.
 * Its `shared` is `true`: clients on it do not lower their limit after a 429 unless `adaptive`
 * is set.
 *
 * @example
 * ```ts
 * import * as RedisRateLimitStore from "@hero-effect/client/RedisRateLimitStore"
 * import { Effect } from "effect"
 *
 * // Two stores on one Redis, as two processes would have: a place one takes, the other sees.
 * const program = Effect.gen(function*() {
 *   const one = yield* RedisRateLimitStore.make({ url: "redis://127.0.0.1:6379" })
 *   const two = yield* RedisRateLimitStore.make({ url: "redis://127.0.0.1:6379" })
 *   const place = { key: "k", limit: 1, intervalMillis: 1_000, nowMillis: Date.now(), lostAfterMillis: 60_000 }
 *   yield* one.acquireSliding({ ...place, ticket: "a" }) // { _tag: "Taken" }
 *   yield* two.acquireSliding({ ...place, ticket: "b" }) // { _tag: "Wait", millis: 1000 }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<RateLimitStore.Service, never, Scope.Scope> = internal.make

/**
 * The store as a layer: provide it where the client is built, and every client (in every process)
 * with the same API key and practice group shares one limit. The connection is closed when the
 * layer's scope closes.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
 * import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
 * import * as RedisRateLimitStore from "@hero-effect/client/RedisRateLimitStore"
 * import { Layer, Redacted } from "effect"
 *
 * // Every process with this layer and the same key and practice group shares one window of
 * // 10 per second (counted from responses: no margin needed, `adaptive` off by default).
 * const HeroLive = HeroHealthClient.layer.pipe(
 *   Layer.provide(HeroHealthConfig.layerConfig({ rateLimit: { limit: 10, interval: "1 second" } })),
 *   Layer.provide(FetchHttpClient.layer),
 *   Layer.provide(RedisRateLimitStore.layer({ url: Redacted.make(process.env.REDIS_URL!) }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<RateLimitStore.RateLimitStore> =>
  Layer.scoped(RateLimitStore.RateLimitStore, make(options))

/**
 * Options of {@link layerConfig}: the URL as a `Config` (default `REDIS_URL`), the rest in code.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "url" | "host" | "port" | "client"> {
  readonly url?: Config.Config<Redacted.Redacted<string>> | undefined
}

const isRedisUrl = (url: string): boolean => {
  try {
    const protocol = new URL(url).protocol
    return protocol === "redis:" || protocol === "rediss:"
  } catch {
    return false
  }
}

const redisUrlCheck = { message: "must be a redis:// or rediss:// URL", validation: isRedisUrl }

// Checked inside the name, so the error says which variable is wrong (and never its value).
const defaultUrlConfig: Config.Config<Redacted.Redacted<string>> = Config.redacted(
  Config.nested(Config.validate(Config.string(), redisUrlCheck), "REDIS_URL")
)

/**
 * The store on the Redis at the URL read from configuration (`REDIS_URL` by default), read as
 * `Redacted`. A missing URL, or one that is not `redis://` or `rediss://`, is a `ConfigError`
 * (which never echoes the value).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<RateLimitStore.RateLimitStore, ConfigError.ConfigError> => {
  const { url: urlConfig, ...rest } = options
  const url = urlConfig === undefined ? defaultUrlConfig : Config.validate(urlConfig, {
    message: redisUrlCheck.message,
    validation: (url: Redacted.Redacted<string>) => isRedisUrl(Redacted.value(url))
  })
  return Layer.scoped(RateLimitStore.RateLimitStore, Effect.flatMap(url, (url) => make({ ...rest, url })))
}
