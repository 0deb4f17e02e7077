/**
 * The sandbox: one in-memory world of a practice group and the core that answers Patients API
 * requests over it. Both faces, {@link SandboxServer} (HTTP on a loopback port) and
 * {@link SandboxHttpClient} (an `HttpClient` without sockets), serve the same `Sandbox`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import type { Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import type { PracticeGroupId } from "@hero-effect/schema/Ids"
import type { PatientV2 } from "@hero-effect/schema/Patient"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { FaultLogEntry, FaultPlan } from "./Faults.js"
import * as httpClient from "./internal/httpClient.js"
import * as internal from "./internal/sandbox.js"
import type { Answer, Exchange, SandboxRequest } from "./Protocol.js"
import type { SandboxConfig, SandboxConfigInput } from "./SandboxConfig.js"
import type { GenerateOptions } from "./SeedGenerator.js"
import type { Counters, HeroRecord, TruthEntry, World, WorldState, WriteLogEntry } from "./World.js"

/**
 * Options: the world (a decoded seed file), or generator options to make one (`seed`, `patients`,
 * `duplicates` …), and the behaviour settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxOptions extends SandboxConfigInput, GenerateOptions {
  /**
   * The starting world; generated from the other options when absent. Its `practiceGroupId` must
   * be a valid `PracticeGroupId` (a seed file's is decoded as one): building a sandbox over any
   * other dies.
   */
  readonly world?: World | undefined
}

/**
 * A working API key and practice group id. `practiceGroupId` is the branded `PracticeGroupId` the
 * client's configuration takes, so it is passed on as it is:
 * `{ apiKey: Redacted.make(credentials.apiKey), practiceGroupId: credentials.practiceGroupId }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly apiKey: string
  readonly practiceGroupId: PracticeGroupId
}

/**
 * The sandbox service.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxService {
  readonly config: SandboxConfig
  /** The world the sandbox started with (and returns to on {@link SandboxService.reset}). */
  readonly world: World
  /** A key with the `patients` scope and its practice group. */
  readonly credentials: Credentials
  /** The `x-api-key` and `x-practice-group-id` headers of {@link SandboxService.credentials}. */
  readonly headers: Readonly<Record<string, string>>
  /** The ground truth of a generated world. */
  readonly truth: ReadonlyArray<TruthEntry>
  /** The core: one request in, one outcome out. */
  readonly handle: (request: SandboxRequest) => Effect.Effect<Answer>
  /**
   * The checks that need no body: the route (404), the credentials (401/403) and, for a write, a
   * non-JSON `content-type` (415) or a body already known to be over `maxBodyBytes` (413, a
   * `Protocol.TooLarge` body). The refusal (recorded in the exchange log), or `undefined`
   * when the body may be read. The HTTP face calls it before reading a body; `handle` runs the
   * same checks.
   */
  readonly admit: (request: SandboxRequest) => Effect.Effect<Answer | undefined>
  /** A snapshot of the live state. */
  readonly state: Effect.Effect<WorldState>
  readonly patient: (id: string) => Effect.Effect<Option.Option<HeroRecord>>
  readonly ehrRecord: (ehrPartnerId: string) => Effect.Effect<Option.Option<PatientV2>>
  /** How many times each write was applied. */
  readonly counters: Effect.Effect<Counters>
  readonly writeLog: Effect.Effect<ReadonlyArray<WriteLogEntry>>
  readonly faultLog: Effect.Effect<ReadonlyArray<FaultLogEntry>>
  /** The most recent requests and their outcomes (`exchangeLogSize`, default 1000). */
  readonly exchanges: Effect.Effect<ReadonlyArray<Exchange>>
  /** Replaces the fault plan (call counters start again). */
  readonly setFaults: (plan: FaultPlan) => Effect.Effect<void>
  /** Back to the starting world, with the configured faults, empty logs and rate-limit windows. */
  readonly reset: Effect.Effect<void>
}

/**
 * The sandbox service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Sandbox extends Context.Tag("@hero-effect/sandbox/Sandbox")<Sandbox, SandboxService>() {}

/**
 * Builds a sandbox.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: SandboxOptions) => Effect.Effect<SandboxService> = internal.make

/**
 * A layer of a fresh sandbox.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SandboxOptions = {}): Layer.Layer<Sandbox> => Layer.effect(Sandbox, make(options))

/**
 * Options of {@link layerClient}: the sandbox's, plus overrides of the client's configuration
 * (policies, rate limit, retry budget). The client-wide rate limit is off unless given, so tests
 * under `TestClock` are not paced.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions extends SandboxOptions {
  readonly client?: Partial<Omit<HeroHealthConfigOptions, "baseUrl">> | undefined
}

/**
 * The real `HeroHealthClient` (retries, rate limits, timeouts, decoding) talking to a fresh
 * sandbox with no sockets: deterministic under `TestClock`, for unit tests. The `Sandbox` is
 * provided too, to inspect the world, counters and logs, or to script faults.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: ClientOptions = {}
): Layer.Layer<HeroHealthClient | Sandbox, ConfigError.ConfigError> =>
  HeroHealthClient.layer.pipe(
    Layer.provide(
      Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
        Layer.merge(
          HeroHealthConfig.layer({
            baseUrl: httpClient.baseUrl,
            apiKey: Redacted.make(sandbox.credentials.apiKey),
            practiceGroupId: sandbox.credentials.practiceGroupId,
            rateLimit: "unlimited",
            ...options.client
          }),
          Layer.succeed(HttpClient.HttpClient, httpClient.make(sandbox))
        )))
    ),
    Layer.provideMerge(layer(options))
  )
