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
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import type { OperationId, OperationPolicy, RateLimit } from "@hero-effect/client/Operation"
import * as RateLimitStore from "@hero-effect/client/RateLimitStore"
import * as RedisRateLimitStore from "@hero-effect/client/RedisRateLimitStore"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as readline from "node:readline"

/** How the worker's client is set up. */
export interface PacingWorkerConfig {
  readonly url: string
  readonly apiKey: string
  readonly practiceGroupId: string
  /** The patients this worker reads, one call each. */
  readonly ids: ReadonlyArray<string>
  /** `memory` (the default store, per process) or `redis` (RedisRateLimitStore, shared). */
  readonly store: "memory" | "redis"
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

// Records each reservation's slot under the path of the call that made it: the reply time plus
// the wait it returned (token bucket, reservation-counted window), or the time a place was taken
// (response-counted window, the default).
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
      Effect.flatMap(inner.reserveSliding(key, limit, intervalMillis, nowMillis), record),
    acquireSliding: (request) =>
      Effect.tap(inner.acquireSliding(request), (answer) => answer._tag === "Taken" ? record(0) : Effect.void)
  }
}

const storeLayer = (
  config: PacingWorkerConfig,
  prefix: string,
  recording: Recording
): Layer.Layer<RateLimitStore.RateLimitStore> => {
  const base: Layer.Layer<RateLimitStore.RateLimitStore> = config.store === "redis"
    ? RedisRateLimitStore.layer({ url: config.redisUrl, prefix })
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
      rateLimited: 0
    }
    // Built in the round's scope: the dispatcher and the Redis connection live until it ends.
    const context = yield* Layer.build(Layer.mergeAll(
      HeroHealthConfig.layer({
        baseUrl: config.url,
        apiKey: Redacted.make(config.apiKey),
        practiceGroupId: PracticeGroupId.make(config.practiceGroupId),
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
          Effect.exit(client.getPatientById(PatientId.make(id))),
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
