/**
 * How the sandbox behaves where the API documentation is silent, its API keys, rate limits and
 * faults.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import type { FaultPlan } from "./Faults.js"

/**
 * A product area an API key may be limited to. The Patients API needs `patients`.
 *
 * @since 0.1.0
 * @category models
 */
export type KeyScope = "patients" | "messaging" | "booking" | "booking_links"

/**
 * How a rate limit counts a key's requests (see {@link RateLimit}).
 *
 * - `fixed` (the default): a window opens at the key's first request and admits `limit` requests
 *   until it ends, `window` later; then the next request opens a new window. Up to `2 × limit`
 *   requests can pass in a rolling `window` that straddles two windows.
 * - `sliding`: no rolling interval of length `window` ever admits more than `limit` of the key's
 *   requests. A request is refused while the key's `limit`-th most recent admitted request is
 *   less than `window` ago.
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimitKind = "fixed" | "sliding"

/**
 * The default {@link RateLimitKind}: `fixed`, what the sandbox has always enforced, so a suite
 * that relies on its `Retry-After` values keeps its behaviour. Choose `sliding` to test a client
 * against the stricter reading of an undocumented limit.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimitKind: RateLimitKind = "fixed"

/**
 * A rate limit: at most `limit` requests per `window`, counted per API key, on the Effect `Clock`,
 * in a fixed (default) or sliding window (`kind`, see {@link RateLimitKind}). A refused request
 * (429 `rate_limited`, `Retry-After` in whole seconds, at least 1) does not count.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly window: Duration.DurationInput
  /** `fixed` (default) or `sliding`. */
  readonly kind?: RateLimitKind | undefined
}

/**
 * An API key the sandbox accepts: the practice group it was issued for, the product areas it may
 * call, further practice groups it may act for (a "network"), and its own rate limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiKey {
  readonly key: string
  readonly practiceGroupId: string
  readonly scopes: ReadonlyArray<KeyScope>
  readonly practiceGroups?: ReadonlyArray<string> | undefined
  readonly rateLimit?: RateLimit | undefined
}

/**
 * How EHR candidates are found: by the same valid NHS number only, or also by demographic
 * similarity (same date of birth and a similar surname, or same date of birth, same postcode and
 * a similar forename).
 *
 * @since 0.1.0
 * @category models
 */
export type CandidateMatching = "nhs-number" | "nhs-number-or-demographics"

/**
 * What connect does with an EHR record already linked to another Hero patient: refuse (409) or
 * move the link.
 *
 * @since 0.1.0
 * @category models
 */
export type Relink = "refuse" | "replace"

/**
 * How `dob` is written in responses: `date-time` (`1989-04-11T00:00:00.000Z`, what the OpenAPI
 * document declares) or `date` (`1989-04-11`, what the docs' examples show).
 *
 * @since 0.1.0
 * @category models
 */
export type DobFormat = "date-time" | "date"

/**
 * The behaviour settings, all optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxConfigInput {
  /** Extra keys, beside the world's (default: the world's keys, or one default key). */
  readonly keys?: ReadonlyArray<ApiKey> | undefined
  /** The rate limit of every key without its own (default: none). */
  readonly rateLimit?: RateLimit | undefined
  readonly candidateMatching?: CandidateMatching | undefined
  readonly relink?: Relink | undefined
  /** How long a merge token lives (default 15 minutes). */
  readonly mergeTokenTtl?: Duration.DurationInput | undefined
  /** Whether list operations return archived patients (default `false`). */
  readonly listArchived?: boolean | undefined
  readonly dobFormat?: DobFormat | undefined
  /** Default page size of the v3 search (default 20). */
  readonly defaultPageSize?: number | undefined
  /** Largest page size of the v3 search (default 100). */
  readonly maxPageSize?: number | undefined
  readonly faults?: FaultPlan | undefined
  /** How many recent exchanges the sandbox keeps (default 1000; 0 keeps none). */
  readonly exchangeLogSize?: number | undefined
  /**
   * How many recent writes the write log keeps (default: every write; 0 keeps none). The counters
   * count every write either way; bound it for very large runs, where an ever-growing log costs
   * memory and copying.
   */
  readonly writeLogSize?: number | undefined
  /**
   * The largest request body the sandbox accepts, in bytes (default 1 MiB, 1048576): a larger one
   * is answered 413 `payload_too_large` on both faces; over HTTP it is never read past the limit.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * The longest string (and field name) a write body may hold, in UTF-16 code units (default 1024):
   * a longer one is a 400 with code `refinement`.
   */
  readonly maxFieldLength?: number | undefined
}

/**
 * The default of {@link SandboxConfigInput.maxBodyBytes}: 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodyBytes = 1024 * 1024

/**
 * The default of {@link SandboxConfigInput.maxFieldLength}: 1024.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxFieldLength = 1024

/**
 * The resolved settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface SandboxConfig {
  readonly keys: ReadonlyArray<ApiKey>
  readonly rateLimit: RateLimit | undefined
  readonly candidateMatching: CandidateMatching
  readonly relink: Relink
  readonly mergeTokenTtl: Duration.Duration
  readonly listArchived: boolean
  readonly dobFormat: DobFormat
  readonly defaultPageSize: number
  readonly maxPageSize: number
  readonly faults: FaultPlan
  readonly exchangeLogSize: number
  readonly writeLogSize: number | undefined
  readonly maxBodyBytes: number
  readonly maxFieldLength: number
}

/**
 * The key the sandbox accepts when neither the world nor the options name one.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApiKey: ApiKey = {
  key: "sandbox-api-key",
  practiceGroupId: "sandbox-practice-group",
  scopes: ["patients", "messaging", "booking", "booking_links"]
}

/**
 * Resolves the settings with their defaults. `worldKeys` are the keys a seed file or generated
 * world brings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: SandboxConfigInput = {}, worldKeys: ReadonlyArray<ApiKey> = []): SandboxConfig => {
  const keys = [...worldKeys, ...(input.keys ?? [])]
  return {
    keys: keys.length > 0 ? keys : [defaultApiKey],
    rateLimit: input.rateLimit,
    candidateMatching: input.candidateMatching ?? "nhs-number-or-demographics",
    relink: input.relink ?? "refuse",
    mergeTokenTtl: Duration.decode(input.mergeTokenTtl ?? "15 minutes"),
    listArchived: input.listArchived ?? false,
    dobFormat: input.dobFormat ?? "date-time",
    defaultPageSize: input.defaultPageSize ?? 20,
    maxPageSize: input.maxPageSize ?? 100,
    faults: input.faults ?? [],
    exchangeLogSize: input.exchangeLogSize ?? 1000,
    writeLogSize: input.writeLogSize,
    maxBodyBytes: input.maxBodyBytes ?? defaultMaxBodyBytes,
    maxFieldLength: input.maxFieldLength ?? defaultMaxFieldLength
  }
}
