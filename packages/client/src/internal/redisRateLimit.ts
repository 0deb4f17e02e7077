import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { RedisOptions } from "ioredis"
import { Redis } from "ioredis"
import { createHash } from "node:crypto"
import * as RateLimitStore from "../RateLimitStore.js"
import type { Options } from "../RedisRateLimitStore.js"

/** @internal */
export const defaultPrefix = "hero-effect:rl:"
/** @internal */
export const defaultCommandTimeoutMillis = 1_000
/** @internal */
export const defaultConnectTimeoutMillis = 2_000

// ---------------------------------------------------------------------------------------------
// The scripts. Each operation is one script, so it is atomic on Redis, and each reads the clock
// with `TIME` (Redis's, in microseconds), so processes on different machines share one clock.
// Times are stored and returned as decimal strings with three decimals: a Lua number returned as
// is would be truncated to an integer reply. Every key gets a TTL that ends when it no longer
// matters, so idle keys disappear.
// ---------------------------------------------------------------------------------------------

const clock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function fmt(x) return string.format('%.3f', x) end
local function int(x) return string.format('%d', x) end
local function ttl(x) return int(math.max(1, math.ceil(x))) end
`

/**
 * GCRA, the arithmetic of `RateLimitStore.makeMemory`: KEYS[1] holds the theoretical arrival time
 * (TAT) of the next request. ARGV: limit, interval (ms). Returns the wait (ms).
 * Once `now` passes the stored TAT the key means nothing (a missing key is the same), so it
 * expires then.
 * @internal
 */
export const gcraSource = `${clock}
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local emission = interval / limit
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then
  local s = tonumber(stored)
  if s and s > now then tat = s end
end
local nextTat = tat + emission
redis.call('SET', KEYS[1], fmt(nextTat), 'PX', ttl(nextTat - now))
local wait = nextTat - interval - now
if wait < 0 then wait = 0 end
return fmt(wait)
`

/**
 * Sliding log, the arithmetic of `RateLimitStore.makeMemory`: KEYS[1] is a list of the last
 * reservation times, oldest first (in order: every new time is at least the last one when all
 * callers use the same limit and interval). ARGV: limit, interval (ms). Returns the wait (ms).
 * Never more than `limit` entries are kept, and entries older than one interval are dropped
 * (found by binary search, removed with one LTRIM): a limit of a million keeps only the
 * reservations that can still hold a request back. Reservations in the future are queued slots.
 * @internal
 */
export const slidingSource = `${clock}
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local len = redis.call('LLEN', key)
local stale = now - interval
if len > 0 and tonumber(redis.call('LINDEX', key, 0)) <= stale then
  -- the first entry still inside the window (or len when none is): entries are in order
  local lo, hi = 1, len
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if tonumber(redis.call('LINDEX', key, int(mid))) <= stale then lo = mid + 1 else hi = mid end
  end
  redis.call('LTRIM', key, int(lo), -1)
  len = len - lo
end
if len > limit then
  redis.call('LTRIM', key, int(len - limit), -1)
  len = limit
end
local at = now
if len >= limit then
  local bound = tonumber(redis.call('LINDEX', key, int(len - limit))) + interval
  if bound > at then at = bound end
end
redis.call('RPUSH', key, fmt(at))
if len + 1 > limit then redis.call('LTRIM', key, int(-limit), -1) end
redis.call('PEXPIRE', key, ttl(at + interval - now))
return fmt(at - now)
`

// The response-counted window: one sorted set per key, member = ticket. A place in flight has
// score -(the time it is presumed lost), an answered one +(its response time), so both kinds
// prune with one ZREMRANGEBYSCORE each, and the key's expiry only ever moves later.
const window = `
local key = KEYS[1]
local function extend(ms)
  local left = redis.call('PTTL', key)
  if left < ms then redis.call('PEXPIRE', key, ttl(ms)) end
end
`

/**
 * Takes a place in the response-counted sliding window of KEYS[1], the arithmetic of
 * \`RateLimitStore.makeMemory\`'s \`acquireSliding\`. ARGV: limit, window (ms), ticket, lost after
 * (ms). Returns '0' when taken, else the wait (ms, at least 0.001) until a place can free.
 * Answered places older than the window and places in flight past their loss time are dropped
 * first, so the set never holds more than the places that count.
 * @internal
 */
export const acquireSource = `${clock}${window}
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local lostAfter = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '(0', fmt(now - interval))
redis.call('ZREMRANGEBYSCORE', key, fmt(-now), '(0')
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, fmt(-(now + lostAfter)), ARGV[3])
  extend(lostAfter + interval)
  return '0'
end
local excess = count - limit + 1
local answered = redis.call('ZCOUNT', key, '(0', '+inf')
local wait = interval
if excess <= answered then
  local nth = redis.call('ZRANGEBYSCORE', key, '(0', '+inf', 'WITHSCORES', 'LIMIT', int(excess - 1), 1)
  wait = tonumber(nth[2]) + interval - now
else
  local first = redis.call('ZREVRANGEBYSCORE', key, '(0', '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if first[2] then
    local lost = -tonumber(first[2]) - now
    if lost < wait then wait = lost end
  end
end
if wait < 0.001 then wait = 0.001 end
return fmt(wait)
`

/**
 * Settles a place of KEYS[1]. ARGV: ticket, window (ms), '1' when the request may have reached
 * the server (it counts from now, Redis's, for one window: re-added if it was presumed lost or
 * taken elsewhere) or '0' (freed). Returns '1'.
 * @internal
 */
export const settleSource = `${clock}${window}
if ARGV[3] == '1' then
  redis.call('ZADD', key, fmt(now), ARGV[1])
  extend(tonumber(ARGV[2]))
else
  redis.call('ZREM', key, ARGV[1])
end
return '1'
`

/**
 * A hold: KEYS[1] holds the Redis time until which the key is held. ARGV: how long from now
 * (ms, from the caller's clock). Only ever moves later (an atomic max). Returns 1 when moved.
 * @internal
 */
export const holdSource = `${clock}
local remaining = tonumber(ARGV[1])
if not remaining or remaining <= 0 then return '0' end
local untilAt = now + remaining
local stored = redis.call('GET', KEYS[1])
if stored then
  local s = tonumber(stored)
  if s and s >= untilAt then return '0' end
end
redis.call('SET', KEYS[1], fmt(untilAt), 'PX', ttl(remaining))
return '1'
`

/**
 * How long KEYS[1] is still held (ms, on Redis's clock), or 0.
 * @internal
 */
export const heldSource = `
local stored = redis.call('GET', KEYS[1])
if not stored then return '0' end
local s = tonumber(stored)
if not s then return '0' end
${clock}
local remaining = s - now
if remaining <= 0 then return '0' end
return fmt(remaining)
`

interface Script {
  readonly source: string
  readonly sha: string
}

const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") })

const gcra = script(gcraSource)
const sliding = script(slidingSource)
const acquire = script(acquireSource)
const settleWindow = script(settleSource)
const hold = script(holdSource)
const held = script(heldSource)

/** Runs a script by its SHA1, loading it (EVAL) when Redis does not have it cached (NOSCRIPT). */
const evalScript = (client: Redis, s: Script, key: string, args: ReadonlyArray<string>): Promise<unknown> =>
  client.evalsha(s.sha, 1, key, ...args).catch((error: unknown) =>
    error instanceof Error && error.message.startsWith("NOSCRIPT")
      ? client.eval(s.source, 1, key, ...args)
      : Promise.reject(error)
  )

// ---------------------------------------------------------------------------------------------
// Redaction: nothing logged may carry the Redis password (or a URL with credentials).
// ---------------------------------------------------------------------------------------------

const secretsOf = (options: Options): ReadonlyArray<string> => {
  const secrets = new Set<string>()
  const add = (value: unknown) => {
    if (typeof value === "string" && value.length > 0) {
      secrets.add(value)
      try {
        secrets.add(decodeURIComponent(value))
      } catch {
        // not percent-encoded
      }
    }
  }
  if (options.url !== undefined) {
    const url = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
    try {
      const parsed = new URL(url)
      add(parsed.password)
      add(parsed.username === "default" ? "" : parsed.username)
    } catch {
      // not a URL ioredis understands either; the URL itself is never logged
    }
  }
  add(options.client?.options.password)
  // Longest first, so a secret containing another is removed whole.
  return [...secrets].sort((a, b) => b.length - a.length)
}

const credentialsInUrl = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi
// eslint-disable-next-line no-control-regex -- control characters do not belong in a log line
const controlCharacters = /[\u0000-\u001f\u007f]+/g

/** @internal */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text.replace(credentialsInUrl, "$1REDACTED@")
  for (const secret of secrets) out = out.split(secret).join("REDACTED")
  out = out.replace(controlCharacters, " ")
  return out.length > 200 ? `${out.slice(0, 200)}…` : out
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : typeof error === "string" ? error : "unknown error"

const describeCause = (cause: Cause.Cause<string>): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") return failure.value
  const defect = Cause.dieOption(cause)
  if (defect._tag === "Some") return describeError(defect.value)
  return "interrupted"
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

const millisOf = (input: Duration.DurationInput | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  const millis = Duration.toMillis(Duration.decode(input))
  return Number.isFinite(millis) && millis > 0 ? millis : fallback
}

const noop = () => {}

type Created = { readonly client: Redis; readonly own: boolean } | {
  readonly client: undefined
  readonly reason: string
}

/** Our own connection: it never queues a command while disconnected, nor resends one after. */
const create = (options: Options, commandMillis: number, connectMillis: number): Created => {
  if (options.client !== undefined) return { client: options.client, own: false }
  const settings: RedisOptions = {
    // A command sent while disconnected fails at once (the store decides in process), instead
    // of waiting in a queue and reserving in Redis long after its caller gave up on it.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandMillis,
    connectTimeout: connectMillis
  }
  try {
    const client = options.url !== undefined
      ? new Redis(Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url, settings)
      : new Redis({
        ...settings,
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {})
      })
    // Failures surface per command, and the store logs once per outage: without a listener
    // ioredis would print every reconnection error to the console.
    client.on("error", noop)
    return { client, own: true }
  } catch (error) {
    return { client: undefined, reason: `the connection could not be created (${describeError(error)})` }
  }
}

const release = (created: Created, commandMillis: number): Effect.Effect<void> => {
  if (created.client === undefined || !created.own) return Effect.void
  const client = created.client
  return Effect.tryPromise(() => client.quit()).pipe(
    Effect.timeout(Duration.millis(commandMillis)),
    Effect.ignore,
    Effect.ensuring(Effect.sync(() => client.disconnect()))
  )
}

/** Waits (bounded) for the connection to be ready, or to fail a first time. Never fails. */
const settle = (client: Redis, millis: number): Effect.Effect<void> => {
  if (client.status === "ready") return Effect.void
  // A lazy connection (`lazyConnect`) would otherwise wait for a command that is never sent:
  // the store only sends to a ready connection.
  if (client.status === "wait") client.connect().catch(noop)
  return Effect.async<void>((resume) => {
    const done = () => {
      cleanup()
      resume(Effect.void)
    }
    const cleanup = () => {
      client.off("ready", done)
      client.off("error", done)
      client.off("end", done)
    }
    client.once("ready", done)
    client.once("error", done)
    client.once("end", done)
    return Effect.sync(cleanup)
  }).pipe(Effect.timeout(Duration.millis(millis)), Effect.ignore)
}

const parseReply = (reply: unknown): Effect.Effect<number, string> => {
  const value = typeof reply === "string" ? Number(reply) : typeof reply === "number" ? reply : Number.NaN
  return Number.isFinite(value) ? Effect.succeed(value) : Effect.fail("an unexpected reply from the script")
}

// Limits the scripts can serve; anything else (never produced by the engine's validated limits)
// gets the memory store's answer.
const usable = (limit: number, intervalMillis: number) =>
  Number.isFinite(limit) && limit > 0 && Number.isFinite(intervalMillis) && intervalMillis >= 0
const usableSliding = (limit: number, intervalMillis: number) =>
  Number.isSafeInteger(limit) && usable(limit, intervalMillis)

const taken: RateLimitStore.SlidingAnswer = { _tag: "Taken" }

/** @internal */
export const make = (options: Options = {}): Effect.Effect<RateLimitStore.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options.prefix ?? defaultPrefix
    const commandMillis = millisOf(options.commandTimeout, defaultCommandTimeoutMillis)
    const connectMillis = millisOf(options.connectTimeout, defaultConnectTimeoutMillis)
    const secrets = secretsOf(options)
    // The local decision while Redis does not answer, and the hold every process also keeps.
    const memory = yield* RateLimitStore.makeMemory
    const created = yield* Effect.acquireRelease(
      Effect.sync(() => create(options, commandMillis, connectMillis)),
      (created) => release(created, commandMillis)
    )
    const client = created.client
    const notCreated = created.client === undefined ? created.reason : "no connection"
    if (client !== undefined) yield* settle(client, connectMillis)

    // The state of the connection as the store sees it, changed only in synchronous blocks.
    // `down`: in an outage (operations decide in process). `probing`: one operation is trying
    // Redis again; the others do not wait for it.
    let down = false
    let probing = false

    const goDown = (reason: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (down) return Effect.void
        down = true
        return Effect.logWarning(
          "RedisRateLimitStore: Redis does not answer; rate limits are kept in this process until it does"
        ).pipe(Effect.annotateLogs({ reason: scrub(reason, secrets), prefix }))
      })

    const goUp: Effect.Effect<void> = Effect.suspend(() => {
      if (!down) return Effect.void
      down = false
      return Effect.logInfo("RedisRateLimitStore: Redis answers again; rate limits are shared again").pipe(
        Effect.annotateLogs({ prefix })
      )
    })

    const call = (s: Script, key: string, args: ReadonlyArray<string>): Effect.Effect<number, string> =>
      Effect.tryPromise({
        try: () => evalScript(client!, s, key, args),
        catch: (error) => scrub(describeError(error), secrets)
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(commandMillis),
          onTimeout: () => `no answer within ${commandMillis} ms`
        }),
        Effect.flatMap(parseReply)
      )

    /**
     * Redis when it answers, else `fallback`. In an outage only a write (`mayProbe`) tries Redis
     * again, one at a time, so one failing call waits at most `commandTimeout` and the others
     * decide in process at once; a write that succeeds ends the outage. Never fails, never dies.
     */
    const attempt = <A>(onRedis: Effect.Effect<A, string>, fallback: Effect.Effect<A>, mayProbe: boolean) =>
      Effect.suspend((): Effect.Effect<A> => {
        if (client === undefined) {
          return Effect.zipRight(goDown(notCreated), fallback)
        }
        if (client.status !== "ready") return Effect.zipRight(goDown(`the connection is ${client.status}`), fallback)
        if (down && (!mayProbe || probing)) return fallback
        const probe = down
        if (probe) probing = true
        const answered = Effect.matchCauseEffect(onRedis, {
          onFailure: (cause) => Effect.zipRight(goDown(describeCause(cause)), fallback),
          onSuccess: (a) => probe ? Effect.as(goUp, a) : Effect.succeed(a)
        })
        return probe ? Effect.ensuring(answered, Effect.sync(() => (probing = false))) : answered
      })

    const tatKey = (key: string) => `${prefix}tat:${key}`
    const logKey = (key: string) => `${prefix}log:${key}`
    const holdKey = (key: string) => `${prefix}hold:${key}`
    const windowKey = (key: string) => `${prefix}win:${key}`

    const service: RateLimitStore.Service = {
      shared: true,
      // `nowMillis` is the caller's clock: unused here, Redis's own clock decides (see the module).
      reserve: (key, limit, intervalMillis, nowMillis) => {
        const fallback = memory.reserve(key, limit, intervalMillis, nowMillis)
        return usable(limit, intervalMillis)
          ? attempt(call(gcra, tatKey(key), [String(limit), String(intervalMillis)]), fallback, true)
          : fallback
      },
      reserveSliding: (key, limit, intervalMillis, nowMillis) => {
        const fallback = memory.reserveSliding(key, limit, intervalMillis, nowMillis)
        return usableSliding(limit, intervalMillis)
          ? attempt(call(sliding, logKey(key), [String(limit), String(intervalMillis)]), fallback, true)
          : fallback
      },
      // Places are taken and settled on Redis's clock: `nowMillis` is unused there. While Redis
      // does not answer they are taken in process; every settlement is also recorded in process,
      // so an outage starts from this process's recent responses rather than from nothing.
      acquireSliding: (request) => {
        const fallback = memory.acquireSliding(request)
        return usableSliding(request.limit, request.intervalMillis) && Number.isFinite(request.lostAfterMillis) &&
            request.lostAfterMillis >= 0
          ? attempt(
            Effect.map(
              call(acquire, windowKey(request.key), [
                String(request.limit),
                String(request.intervalMillis),
                request.ticket,
                String(request.lostAfterMillis)
              ]),
              (wait): RateLimitStore.SlidingAnswer => wait <= 0 ? taken : { _tag: "Wait", millis: wait }
            ),
            fallback,
            true
          )
          : fallback
      },
      settleSliding: (settlement) =>
        Effect.zipRight(
          memory.settleSliding(settlement),
          Number.isFinite(settlement.intervalMillis) && settlement.intervalMillis >= 0
            ? attempt(
              Effect.asVoid(call(settleWindow, windowKey(settlement.key), [
                settlement.ticket,
                String(settlement.intervalMillis),
                settlement.mayHaveReachedServer ? "1" : "0"
              ])),
              Effect.void,
              true
            )
            : Effect.void
        ),
      // The caller's `untilMillis` is on its clock: what crosses to Redis is how long from now.
      holdUntil: (key, untilMillis) =>
        Effect.zipRight(
          memory.holdUntil(key, untilMillis),
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const remaining = untilMillis - now
            return Number.isFinite(remaining) && remaining > 0
              ? attempt(Effect.asVoid(call(hold, holdKey(key), [String(remaining)])), Effect.void, true)
              : Effect.void
          })
        ),
      // How long Redis still holds the key, back on the caller's clock (read after the answer, so
      // the round trip only makes the hold end later); the later of that and this process's own.
      heldUntil: (key) =>
        Effect.zipWith(
          attempt(
            Effect.flatMap(call(held, holdKey(key), []), (remaining) =>
              remaining > 0
                ? Effect.map(Clock.currentTimeMillis, (now) => now + remaining)
                : Effect.succeed(0)),
            Effect.succeed(0),
            false
          ),
          memory.heldUntil(key),
          Math.max
        )
    }
    return service
  })
