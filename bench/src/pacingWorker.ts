/**
 * One client process of the pacing benchmark (`rateLimit.ts`): sends its share of the N calls
 * through HeroHealthClient, in rounds, on the bench's signal. Started with
 * `tsx --conditions=@hero-effect/source pacingWorker.ts <config JSON>`; talks in JSON lines:
 *
 *   stdin  {"type":"prepare","round":k,"prefix":"..."}  build a fresh client (new connections,
 *                                                       new limiter state) and answer "ready"
 *   stdin  {"type":"go"}                                send the calls; answer "result"
 *   stdin  {"type":"exit"}
 *   stdout {"type":"ready"} | {"type":"result", ...} | {"type":"error","message":...}
 *
 * The store is the in-memory one (per process) or `RedisRateLimitStore` (shared). Both are
 * wrapped to record, per call, when the limiter let it go (its slot); the HttpClient is wrapped
 * to record when the request entered the transport and when its response (headers) arrived. Calls are told
 * apart by their path (one patient per call), which is also how the bench matches them with the
 * server's exchange log. Times are `Date.now()` milliseconds, comparable across processes.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { HeroHealthClient, HeroHealthConfig, RateLimitStore } from "@hero-effect/client"
import type { OperationId, OperationPolicy, RateLimit } from "@hero-effect/client"
import * as RedisRateLimitStore from "@hero-effect/client/RedisRateLimitStore"
import type { PatientId, PracticeGroupId } from "@hero-effect/schema"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as readline from "node:readline"
import * as Committed from "./pacingCommitted.js"

/** How the worker's client is set up. */
export interface PacingWorkerConfig {
  readonly url: string
  readonly apiKey: string
  readonly practiceGroupId: string
  /** The patients this worker reads, one call each. */
  readonly ids: ReadonlyArray<string>
  /**
   * `memory`, `redis` (RedisRateLimitStore), or a bench-only prototype of the proposed engine
   * change: `response-committed` (one process) or `redis-committed` (shared, `pacingCommitted.ts`).
   */
  readonly store: "memory" | "redis" | "response-committed" | "redis-committed"
  readonly redisUrl?: string | undefined
  readonly rateLimit: RateLimit
  readonly policies?: Partial<Record<OperationId, Partial<OperationPolicy>>> | undefined
}

/** What the worker measured of one call. */
export interface CallRecord {
  readonly path: string
  /** Each attempt's limiter slot (when its reservation let it go), oldest first. */
  readonly slots: ReadonlyArray<number>
  /** When each attempt entered the HttpClient. */
  readonly sends: ReadonlyArray<number>
  /** When the call ended (its last response, or its failure). */
  readonly end: number
  readonly outcome: string
}

export interface WorkerResult {
  readonly type: "result"
  readonly round: number
  /** When the worker read "go". */
  readonly goAt: number
  readonly calls: ReadonlyArray<CallRecord>
  /** RateLimited responses (429s) the worker's calls met, retries included. */
  readonly rateLimited: number
  /** The first failed call's cause, abridged. */
  readonly firstFailure?: string | undefined
}

const now = () => Date.now()

// The path of the call this fiber is making: set around each call, read by the store wrapper.
const currentPath = FiberRef.unsafeMake<string | undefined>(undefined)

interface Recording {
  readonly slots: Map<string, Array<number>>
  readonly sends: Map<string, Array<number>>
  readonly responses: Map<string, number>
  rateLimited: number
  /** Told of every response (path, time): the response-committed store listens. */
  onResponse: ((path: string, at: number) => void) | undefined
}

const push = (map: Map<string, Array<number>>, key: string, value: number) => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/**
 * A bench-only store for one process, to test an engine change: a sliding log whose entries
 * count from the moment their response arrived (an upper bound of when the server counted the
 * request), and count as "in the window" while their request is in flight. A reservation takes a
 * slot only when fewer than `limit` entries are in flight or answered less than one interval ago;
 * otherwise it waits (inside the store, so the engine then sends at once) for the next response or
 * the next entry to leave the window, and tries again. Whatever happens between the limiter and
 * the server (a stalled event loop, a slow connection), request i is sent at least one interval
 * after the response of the request whose slot it reuses, so after the server counted it: no
 * sliding window of the server's can hold more than `limit`.
 */
const responseCommitted = (recording: Recording): RateLimitStore.Service => {
  const inner = Effect.runSync(RateLimitStore.makeMemory)
  interface Entry {
    at: number
    done: boolean
  }
  const logs = new Map<string, Array<Entry>>()
  const entryOfPath = new Map<string, Entry>()
  const waiters = new Set<() => void>()
  const wakeAll = () => {
    for (const wake of [...waiters]) wake()
  }
  recording.onResponse = (path, at) => {
    const entry = entryOfPath.get(path)
    if (entry !== undefined && !entry.done) {
      entry.at = Math.max(entry.at, at)
      entry.done = true
      wakeAll()
    }
  }
  // Resumes at the next response, or after `millis`.
  const waitForChange = (millis: number) =>
    Effect.async<void>((resume) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const wake = () => {
        waiters.delete(wake)
        if (timer !== undefined) clearTimeout(timer)
        resume(Effect.void)
      }
      waiters.add(wake)
      if (Number.isFinite(millis)) timer = setTimeout(wake, Math.max(0, Math.ceil(millis)))
      return Effect.sync(() => {
        waiters.delete(wake)
        if (timer !== undefined) clearTimeout(timer)
      })
    })
  const take = (key: string, limit: number, intervalMillis: number, path: string | undefined): Effect.Effect<number> =>
    Effect.suspend(() => {
      const now = Date.now()
      let log = logs.get(key)
      if (log === undefined) {
        log = []
        logs.set(key, log)
      }
      // In flight for longer than a minute: lost (no response will come); stop counting it.
      const kept = log.filter((e) => (e.done ? e.at > now - intervalMillis : e.at > now - 60_000))
      log.splice(0, log.length, ...kept)
      if (log.length < limit) {
        const entry: Entry = { at: now, done: false }
        log.push(entry)
        if (path !== undefined) entryOfPath.set(path, entry)
        return Effect.succeed(0)
      }
      const leaves = Math.min(...log.filter((e) => e.done).map((e) => e.at + intervalMillis))
      return Effect.zipRight(waitForChange(leaves - now), take(key, limit, intervalMillis, path))
    })
  return {
    ...inner,
    reserveSliding: (key, limit, intervalMillis) =>
      Effect.flatMap(FiberRef.get(currentPath), (path) => take(key, limit, intervalMillis, path))
  }
}

// RedisRateLimitStore for holds and token buckets; the sliding window from `pacingCommitted.ts`.
const redisCommitted = (
  config: PacingWorkerConfig,
  prefix: string,
  recording: Recording
): Layer.Layer<RateLimitStore.RateLimitStore> =>
  Layer.scoped(
    RateLimitStore.RateLimitStore,
    Effect.gen(function*() {
      const inner = yield* RateLimitStore.RateLimitStore
      const committed = yield* Effect.acquireRelease(
        Committed.make(config.redisUrl!, prefix),
        (c) => Effect.sync(c.close)
      )
      const ticketOfPath = new Map<string, string>()
      recording.onResponse = (path) => {
        const ticket = ticketOfPath.get(path)
        if (ticket !== undefined) {
          ticketOfPath.delete(path)
          committed.commit(ticket)
        }
      }
      const service: RateLimitStore.Service = {
        ...inner,
        reserveSliding: (key, limit, intervalMillis) =>
          Effect.flatMap(FiberRef.get(currentPath), (path) =>
            Effect.map(committed.take(key, limit, intervalMillis), (ticket) => {
              if (path !== undefined) {
                ticketOfPath.set(path, ticket)
              }
              return 0
            }))
      }
      return service
    })
  ).pipe(Layer.provide(RedisRateLimitStore.layer({ url: config.redisUrl, prefix })))

// Records each reservation's slot (the reply time plus the wait it returned) under the path of
// the call that made it.
const recordingStore = (inner: RateLimitStore.Service, recording: Recording): RateLimitStore.Service => {
  const record = (wait: number) =>
    Effect.flatMap(FiberRef.get(currentPath), (path) =>
      Effect.sync(() => {
        if (path !== undefined) push(recording.slots, path, now() + wait)
        return wait
      }))
  return {
    ...inner,
    reserve: (key, limit, intervalMillis, nowMillis) =>
      Effect.flatMap(inner.reserve(key, limit, intervalMillis, nowMillis), record),
    reserveSliding: (key, limit, intervalMillis, nowMillis) =>
      Effect.flatMap(inner.reserveSliding(key, limit, intervalMillis, nowMillis), record)
  }
}

const storeLayer = (
  config: PacingWorkerConfig,
  prefix: string,
  recording: Recording
): Layer.Layer<RateLimitStore.RateLimitStore> => {
  const base: Layer.Layer<RateLimitStore.RateLimitStore> = config.store === "redis"
    ? RedisRateLimitStore.layer({ url: config.redisUrl, prefix })
    : config.store === "redis-committed"
    ? redisCommitted(config, prefix, recording)
    : config.store === "response-committed"
    ? Layer.sync(RateLimitStore.RateLimitStore, () => responseCommitted(recording))
    : RateLimitStore.layerMemory
  return Layer.effect(
    RateLimitStore.RateLimitStore,
    Effect.map(RateLimitStore.RateLimitStore, (inner) => recordingStore(inner, recording))
  ).pipe(Layer.provide(base))
}

// A fresh undici dispatcher per round (cold connections, as a new process has), with every
// request's send time and every response's end time recorded.
const httpLayer = (recording: Recording): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      client.pipe(
        HttpClient.tapRequest((request) => Effect.sync(() => push(recording.sends, pathOf(request.url), now()))),
        HttpClient.transformResponse(Effect.tap((response) =>
          Effect.sync(() => {
            const path = pathOf(response.request.url)
            const at = now()
            recording.responses.set(path, at)
            if (response.status === 429) recording.rateLimited++
            recording.onResponse?.(path, at)
          })
        ))
      ))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

const lines = readline.createInterface({ input: process.stdin })
const queue: Array<string> = []
const waiting: Array<(line: string) => void> = []
lines.on("line", (line) => {
  const next = waiting.shift()
  if (next !== undefined) next(line)
  else queue.push(line)
})
lines.on("close", () => process.exit(0))
const nextLine = () =>
  Effect.async<string>((resume) => {
    const line = queue.shift()
    if (line !== undefined) return resume(Effect.succeed(line))
    waiting.push((l) => resume(Effect.succeed(l)))
  })
const nextMessage = Effect.map(
  nextLine(),
  (line) => JSON.parse(line) as { type: string; round?: number; prefix?: string }
)

const say = (message: unknown) => Effect.sync(() => void process.stdout.write(`${JSON.stringify(message)}\n`))

const round = (config: PacingWorkerConfig, index: number, prefix: string) =>
  Effect.gen(function*() {
    const recording: Recording = {
      slots: new Map(),
      sends: new Map(),
      responses: new Map(),
      rateLimited: 0,
      onResponse: undefined
    }
    // Built in the round's scope: the dispatcher and the Redis connection live until it ends.
    const context = yield* Layer.build(Layer.mergeAll(
      HeroHealthConfig.layer({
        baseUrl: config.url,
        apiKey: Redacted.make(config.apiKey),
        practiceGroupId: config.practiceGroupId as PracticeGroupId,
        rateLimit: config.rateLimit,
        policies: config.policies
      }),
      httpLayer(recording),
      storeLayer(config, prefix, recording)
    ))
    const client = yield* Effect.provide(HeroHealthClient.make, context)
    yield* say({ type: "ready" })
    const go = yield* nextMessage
    if (go.type !== "go") return yield* Effect.dieMessage(`expected go, got ${go.type}`)
    const goAt = now()
    const ends = new Map<string, { end: number; outcome: string }>()
    let firstFailure: string | undefined
    yield* Effect.forEach(
      config.ids,
      (id) => {
        const path = `/v1/patients/${id}`
        return Effect.locally(
          Effect.exit(client.getPatientById(id as PatientId)),
          currentPath,
          path
        ).pipe(Effect.map((exit) => {
          const outcome = Exit.isSuccess(exit)
            ? "ok"
            : exit.cause._tag === "Fail"
            ? (exit.cause.error as { _tag: string })._tag
            : exit.cause._tag
          if (Exit.isFailure(exit) && firstFailure === undefined) firstFailure = Cause.pretty(exit.cause)
          ends.set(path, { end: now(), outcome })
        }))
      },
      { concurrency: "unbounded", discard: true }
    )
    // With an operation limit as well as the client-wide one, each attempt makes two
    // reservations and waits for the later: its slot.
    const perAttempt = config.policies?.getPatientById?.rateLimit === undefined ? 1 : 2
    const slotsOf = (path: string) => {
      const all = recording.slots.get(path) ?? []
      const slots: Array<number> = []
      for (let i = 0; i < all.length; i += perAttempt) slots.push(Math.max(...all.slice(i, i + perAttempt)))
      return slots
    }
    const calls: Array<CallRecord> = []
    for (const [path, { end, outcome }] of ends) {
      calls.push({
        path,
        slots: slotsOf(path),
        sends: recording.sends.get(path) ?? [],
        end: recording.responses.get(path) ?? end,
        outcome
      })
    }
    const result: WorkerResult = {
      type: "result",
      round: index,
      goAt,
      calls,
      rateLimited: recording.rateLimited,
      firstFailure: firstFailure?.slice(0, 500)
    }
    yield* say(result)
  }).pipe(Effect.scoped)

const config = JSON.parse(process.argv[2]!) as PacingWorkerConfig

const main = Effect.gen(function*() {
  yield* say({ type: "started" })
  for (;;) {
    const message = yield* nextMessage
    if (message.type === "exit") return
    if (message.type !== "prepare") return yield* Effect.dieMessage(`expected prepare, got ${message.type}`)
    yield* round(config, message.round ?? 0, message.prefix ?? RedisRateLimitStore.defaultPrefix)
  }
})

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    process.stdout.write(`${JSON.stringify({ type: "error", message: String(error) })}\n`)
    process.exit(1)
  }
)
