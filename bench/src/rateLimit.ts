/**
 * Rate-limit utilisation: the sandbox HTTP server (in process, loopback) limits its key to R
 * requests per fixed (or sliding) 1 s window; N `getPatientById` calls go out at once through
 * HeroHealthClient, whose own limiter is set to R per second (matched) and then 2R (too high).
 * Reported: wall time ÷ (N / R), the 429s the server sent (from its exchange log) and calls that
 * failed. Then the pacing scenarios (`pacing.ts`): the matched limit run several times in a row
 * against a sliding server window, with the client in 1 or 3 processes of its own.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import { Sandbox, SandboxServer } from "@hero-effect/sandbox"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Pacing from "./pacing.js"
import { round } from "./stats.js"

export interface RateLimitOptions {
  /** The server's limit per 1 s window. */
  readonly serverLimit: number
  readonly calls: number
}

export type ServerWindow = Pacing.ServerWindow

export interface RateLimitRow {
  readonly scenario: string
  /** How the server counted its window (absent in results from before sliding windows: fixed). */
  readonly serverWindow?: ServerWindow | undefined
  readonly serverLimitPerSecond: number
  readonly clientLimit: string
  readonly clientLimitPerSecond: number
  readonly calls: number
  readonly succeeded: number
  readonly failed: number
  readonly failures: Record<string, number>
  readonly responses429: number
  /** Retries the client made, and refusals to retry for want of retry budget (its debug logs). */
  readonly retries: number
  readonly budgetExhausted: number
  readonly requestsSent: number
  readonly wallSeconds: number
  /** wall time ÷ (N / R) */
  readonly utilisationRatio: number
}

interface ClientLimit {
  readonly limit: number
  readonly intervalMillis: number
  readonly algorithm?: "token-bucket" | "sliding-window"
  readonly countFrom?: "response" | "reservation"
  readonly marginMillis?: number
}

const scenario = (
  name: string,
  options: RateLimitOptions,
  clientLimit: ClientLimit,
  serverWindow: ServerWindow = "fixed"
) => {
  // The client logs "retrying" and "retry budget exhausted; not retrying" at debug level.
  let retries = 0
  let budgetExhausted = 0
  const counting = Logger.make(({ message }) => {
    const text = String(Array.isArray(message) ? message[0] : message)
    if (text === "retrying") retries++
    else if (text.startsWith("retry budget exhausted")) budgetExhausted++
  })
  return Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    const client = yield* HeroHealthClient.make.pipe(
      Effect.provide(HeroHealthConfig.layer({
        baseUrl: server.url,
        apiKey: Redacted.make(sandbox.credentials.apiKey),
        practiceGroupId: PracticeGroupId.make(sandbox.credentials.practiceGroupId),
        rateLimit: {
          limit: clientLimit.limit,
          interval: `${clientLimit.intervalMillis} millis`,
          algorithm: clientLimit.algorithm,
          countFrom: clientLimit.countFrom,
          margin: clientLimit.marginMillis === undefined ? undefined : `${clientLimit.marginMillis} millis`
        }
      }))
    )
    const id = PatientId.make(sandbox.world.patients[0]!.id)
    const start = performance.now()
    const exits = yield* Effect.forEach(
      Array.from({ length: options.calls }),
      () => Effect.exit(client.getPatientById(id)),
      { concurrency: "unbounded" }
    )
    const wallSeconds = (performance.now() - start) / 1000
    const exchanges = yield* sandbox.exchanges
    const failures: Record<string, number> = {}
    for (const exit of exits) {
      if (Exit.isFailure(exit)) {
        const tag = exit.cause._tag === "Fail" ? (exit.cause.error as { _tag: string })._tag : exit.cause._tag
        failures[tag] = (failures[tag] ?? 0) + 1
      }
    }
    const failed = exits.filter(Exit.isFailure).length
    const row: RateLimitRow = {
      scenario: name,
      serverWindow,
      serverLimitPerSecond: options.serverLimit,
      clientLimit: `${clientLimit.limit} per ${clientLimit.intervalMillis} ms, ${
        clientLimit.algorithm === "token-bucket"
          ? "token bucket"
          : clientLimit.countFrom === "reservation"
          ? `sliding window counted from reservations, margin ${clientLimit.marginMillis ?? "5%"}${
            clientLimit.marginMillis === undefined ? "" : " ms"
          }`
          : `sliding window counted from responses, margin ${clientLimit.marginMillis ?? 0} ms`
      }`,
      clientLimitPerSecond: (clientLimit.limit * 1000) / clientLimit.intervalMillis,
      calls: options.calls,
      succeeded: options.calls - failed,
      failed,
      failures,
      responses429: exchanges.filter((x) => x.outcome._tag === "Respond" && x.outcome.status === 429).length,
      retries,
      budgetExhausted,
      requestsSent: exchanges.length,
      wallSeconds: round(wallSeconds, 3),
      utilisationRatio: round(wallSeconds / (options.calls / options.serverLimit), 3)
    }
    return row
  }).pipe(
    Effect.provide(NodeHttpClient.layerUndici),
    Effect.provide(
      SandboxServer.layer({ port: 0 }).pipe(
        Layer.provideMerge(Sandbox.layer({
          seed: 7,
          patients: 40,
          rateLimit: { limit: options.serverLimit, window: "1 second", kind: serverWindow },
          exchangeLogSize: 100_000
        }))
      )
    ),
    Effect.scoped,
    Effect.provide(Logger.replace(Logger.defaultLogger, counting)),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
}

export interface RateLimitSettings extends RateLimitOptions {
  /** Runs in a row of each pacing scenario. */
  readonly runs: number
}

export interface RateLimitResult {
  /** One run each, client and server in this process (fixed window unless a row says sliding). */
  readonly rows: ReadonlyArray<RateLimitRow>
  /** Pacing that holds: runs in a row, client in worker processes, server in this one. */
  readonly pacing: Pacing.PacingResult
}

const inProcess = (options: RateLimitOptions): Promise<ReadonlyArray<RateLimitRow>> =>
  Effect.runPromise(Effect.gen(function*() {
    const R = options.serverLimit
    // The client's defaults: a sliding window counted from responses, no margin.
    const matched = yield* scenario("R per second (matched, defaults)", options, { limit: R, intervalMillis: 1000 })
    const tooHigh = yield* scenario("2R per second (too high, defaults)", options, {
      limit: 2 * R,
      intervalMillis: 1000
    })
    // Not goals, diagnoses: the token bucket (bursts refill within the window) and the window
    // counted from reservations without a margin (arrival jitter).
    const spaced = yield* scenario("R per second, token bucket", options, {
      limit: R,
      intervalMillis: 1000,
      algorithm: "token-bucket"
    })
    const sliding = yield* scenario("R per second, counted from reservations, without margin", options, {
      limit: R,
      intervalMillis: 1000,
      algorithm: "sliding-window",
      countFrom: "reservation",
      marginMillis: 0
    })
    // The matched row again, against a server that counts a sliding window.
    const matchedSliding = yield* scenario(
      "R per second (matched, defaults), sliding server window",
      options,
      { limit: R, intervalMillis: 1000 },
      "sliding"
    )
    return [matched, tooHigh, spaced, sliding, matchedSliding]
  }))

/**
 * The pacing scenarios. Goals: the client's defaults (a sliding window counted from responses)
 * in 1 process, and in 3 processes sharing one Redis (`RedisRateLimitStore`), against a sliding
 * server window. Controls and diagnoses: a fixed server window, 3 processes with a limiter each,
 * the earlier algorithm (counted from reservations, 5% margin) in 1 and 3 processes, and the cost
 * of counting from responses when the server answers 100 ms after admitting.
 */
export const pacingScenarios = (R: number): ReadonlyArray<Pacing.PacingScenario> => {
  const defaults = { limit: R, interval: "1 second" } as const
  const reservation = { ...defaults, countFrom: "reservation" } as const
  return [
    {
      name: "1 process, defaults",
      workers: 1,
      store: "memory",
      serverWindow: "sliding",
      rateLimit: defaults,
      goal: true
    },
    {
      name: "3 processes, one Redis, defaults",
      workers: 3,
      store: "redis",
      serverWindow: "sliding",
      rateLimit: defaults,
      goal: true
    },
    {
      name: "1 process, defaults, fixed server window",
      workers: 1,
      store: "memory",
      serverWindow: "fixed",
      rateLimit: defaults,
      goal: false,
      runs: 2
    },
    {
      name: "control: 3 processes, a memory store each",
      workers: 3,
      store: "memory",
      serverWindow: "sliding",
      rateLimit: defaults,
      goal: false,
      runs: 1
    },
    {
      name: "diagnosis: 1 process, counted from reservations (the earlier default)",
      workers: 1,
      store: "memory",
      serverWindow: "sliding",
      rateLimit: reservation,
      goal: false,
      runs: 2
    },
    {
      name: "diagnosis: 3 processes, one Redis, counted from reservations, adaptive (the earlier default)",
      workers: 3,
      store: "redis",
      serverWindow: "sliding",
      rateLimit: { ...reservation, adaptive: true },
      goal: false,
      runs: 2
    },
    // The cost of counting from responses: a server that answers 100 ms after admitting.
    {
      name: "diagnosis: 1 process, defaults, server answers 100 ms after admission",
      workers: 1,
      store: "memory",
      serverWindow: "sliding",
      rateLimit: defaults,
      goal: false,
      runs: 2,
      serverLatencyMillis: 100
    },
    {
      name: "diagnosis: 1 process, counted from reservations, server answers 100 ms after admission",
      workers: 1,
      store: "memory",
      serverWindow: "sliding",
      rateLimit: reservation,
      goal: false,
      runs: 2,
      serverLatencyMillis: 100
    }
  ]
}

export const run = async (settings: RateLimitSettings): Promise<RateLimitResult> => {
  const rows = await inProcess(settings)
  const pacing = await Pacing.run(
    { serverLimit: settings.serverLimit, calls: settings.calls, runs: settings.runs },
    pacingScenarios(settings.serverLimit)
  )
  return { rows, pacing }
}
