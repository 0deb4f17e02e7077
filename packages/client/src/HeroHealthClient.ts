/**
 * The Hero Health Patients API as an Effect service: one method per operationId, domain types in
 * and out, every failure typed, retries, rate limits and timeouts built in.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Attachment } from "@hero-effect/schema/Attachment"
import type { BillingInfo } from "@hero-effect/schema/Billing"
import type { ConnectPatientEhrRequest } from "@hero-effect/schema/EhrConnection"
import type { PatientId } from "@hero-effect/schema/Ids"
import type { List, Page } from "@hero-effect/schema/ListEnvelope"
import type { MergePatientRequest, MergePreview, PreviewPatientMergeRequest } from "@hero-effect/schema/Merge"
import type { EhrCandidate, PatientV1, PatientV2, PatientV3 } from "@hero-effect/schema/Patient"
import type { PaymentMethodsResponse } from "@hero-effect/schema/PaymentMethod"
import type {
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest,
  RegisterPatientResult
} from "@hero-effect/schema/Registration"
import type {
  GetPatientByIdV2Params,
  ListPatientsParams,
  ListPatientsV2Params,
  ListPatientsV3Params
} from "@hero-effect/schema/Search"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import * as HeroHealthConfig from "./HeroHealthConfig.js"
import type { CommonError, PatientError, PatientWriteError } from "./HeroHealthError.js"
import type * as HeroHealthTransport from "./HeroHealthTransport.js"
import * as internal from "./internal/client.js"
import * as UndiciTransport from "./UndiciTransport.js"

/**
 * The client's methods. Ids are checked and path-encoded, inputs validated against their schemas,
 * before anything is sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET /v1/patients/{id}/ehr/candidates`: EHR records that might be this Hero patient. */
  readonly listPatientEhrCandidates: (patientId: PatientId) => Effect.Effect<List<EhrCandidate>, PatientError>
  /** `POST /v1/patients/{id}/ehr/connect`: link the patient to one EHR record. A write. */
  readonly connectPatientEhr: (
    patientId: PatientId,
    request: ConnectPatientEhrRequest
  ) => Effect.Effect<void, PatientWriteError>
  /** `POST /v1/patients/{id}/merge/preview`: what merging the incoming patient into this one gives, and a token. */
  readonly previewPatientMerge: (
    mainPatientId: PatientId,
    request: PreviewPatientMergeRequest
  ) => Effect.Effect<MergePreview, PatientWriteError>
  /** `POST /v1/patients/{id}/merge`: carry the previewed merge out. A write, never retried blindly. */
  readonly mergePatient: (
    mainPatientId: PatientId,
    request: MergePatientRequest
  ) => Effect.Effect<void, PatientWriteError>
  /** `GET /v1/patients/{id}`. */
  readonly getPatientById: (patientId: PatientId) => Effect.Effect<PatientV1, PatientError>
  /** `GET /v1/patients/{id}/attachments`. */
  readonly listPatientAttachments: (patientId: PatientId) => Effect.Effect<List<Attachment>, PatientError>
  /** `GET /v1/patients?field&search`. The search value is never logged or traced. */
  readonly listPatients: (params: ListPatientsParams) => Effect.Effect<List<PatientV1>, CommonError>
  /** `POST /v1/patients/register_pds`: trace on the Spine; the existing or new Hero id, or an identity check. A write. */
  readonly registerPatientPds: (
    request: RegisterPatientPdsRequest
  ) => Effect.Effect<RegisterPatientPdsResult, PatientError>
  /** `POST /v1/patients/register`: create, or update on the same NHS number and date of birth. A write. */
  readonly registerPatient: (request: RegisterPatientRequest) => Effect.Effect<RegisterPatientResult, PatientError>
  /** `GET /v1/patients/{id}/billing_info`. */
  readonly patientBillingInfo: (patientId: PatientId) => Effect.Effect<BillingInfo, PatientError>
  /** `GET /v1/patients/{id}/payment_methods`. */
  readonly listPatientPaymentMethods: (patientId: PatientId) => Effect.Effect<PaymentMethodsResponse, PatientError>
  /** `GET /v2/patients/{id}?data_source`. */
  readonly getPatientByIdV2: (
    patientId: PatientId,
    params?: GetPatientByIdV2Params
  ) => Effect.Effect<PatientV2, PatientError>
  /** `GET /v2/patients?field&search&dataSource`. */
  readonly listPatientsV2: (params: ListPatientsV2Params) => Effect.Effect<List<PatientV2>, CommonError>
  /** `GET /v3/patients`: one page of a multi-filter search. */
  readonly listPatientsV3: (params: ListPatientsV3Params) => Effect.Effect<Page<PatientV3>, CommonError>
  /**
   * Every result of a v3 search, page after page (from `pageIndex`, default 0, `pageSize`
   * default 50). `count` is never trusted alone (the docs do not say whether it is the total or
   * the items on the page): paging goes on while pages are full, and stops at a short or empty
   * page, at `count` once it has proved to be a total (larger than its page), or at a page that
   * repeats the previous one. After `maxPages` full pages (default {@link defaultMaxPages}) it
   * fails with `UnexpectedResponse` instead of looping forever.
   */
  readonly streamPatientsV3: (
    params: ListPatientsV3Params,
    options?: { readonly maxPages?: number | undefined }
  ) => Stream.Stream<PatientV3, CommonError>
}

/**
 * How many pages `streamPatientsV3` reads at most (1000: 50 000 results at the default page size).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxPages: number = internal.defaultMaxPages

/**
 * Builds the client from its configuration and an `HttpClient`. Uses a `RateLimitStore` from the
 * context when there is one (to share limits across processes), else an in-memory one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HeroHealthConfig.HeroHealthConfig | HttpClient.HttpClient> =
  internal.make

/**
 * Builds the client on the `HeroHealthTransport` in context instead of an `HttpClient` (for
 * example `UndiciTransport.layer()`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithTransport: Effect.Effect<
  Service,
  never,
  HeroHealthConfig.HeroHealthConfig | HeroHealthTransport.HeroHealthTransport
> = internal.makeFromContext

/**
 * The client on the `HeroHealthTransport` in context, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTransport: Layer.Layer<
  HeroHealthClient,
  never,
  HeroHealthConfig.HeroHealthConfig | HeroHealthTransport.HeroHealthTransport
> = Layer.suspend(() => Layer.effect(HeroHealthClient, makeWithTransport))

/**
 * The client sending straight through undici (`UndiciTransport`): no `HttpClient` needed, the
 * lowest overhead per call. Its timeouts use real timers; under `TestClock` use {@link layer}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUndici = (
  options?: UndiciTransport.Options
): Layer.Layer<HeroHealthClient, never, HeroHealthConfig.HeroHealthConfig> =>
  layerTransport.pipe(Layer.provide(UndiciTransport.layer(options)))

/**
 * The client as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HeroHealthClient, never, HeroHealthConfig.HeroHealthConfig | HttpClient.HttpClient> =
  Layer.suspend(() => Layer.effect(HeroHealthClient, make))

/**
 * The client with its configuration from `Config`s (`HeroHealthConfig.layerConfig`, the same
 * options): by default `HERO_API_KEY`, `HERO_PRACTICE_GROUP_ID`, and `HERO_BASE_URL` or
 * `HERO_ENVIRONMENT`. Needs an `HttpClient`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
 * import { Config, Layer } from "effect"
 *
 * const HeroLive = HeroHealthClient.layerConfig({
 *   apiKey: Config.redacted("MY_KEY"),
 *   practiceGroupId: Config.string("MY_GROUP")
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: HeroHealthConfig.ConfigOptions
): Layer.Layer<HeroHealthClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layer.pipe(Layer.provide(HeroHealthConfig.layerConfig(options)))

/**
 * {@link layerConfig} with the connection from the `HERO_*` variables and the rest in code.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
 * import { Layer } from "effect"
 *
 * const HeroLive = HeroHealthClient.layerConfigWith({ maxResponseBytes: 1024 * 1024 }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @deprecated Use {@link layerConfig}, which takes the same options (and more).
 * @since 0.1.0
 * @category layers
 */
export const layerConfigWith = (
  options?: Omit<HeroHealthConfig.Options, "baseUrl" | "apiKey" | "practiceGroupId">
): Layer.Layer<HeroHealthClient, ConfigError.ConfigError, HttpClient.HttpClient> => layerConfig(options)

/**
 * The client as a service, with its constructors as statics: `HeroHealthClient.make`,
 * `.layer` (needs `HeroHealthConfig` and an `HttpClient`), `.layerConfig(options?)` (configuration
 * from `Config`s, the environment by default) and the deprecated `.layerConfigWith(options)`.
 *
 * @since 0.1.0
 * @category tags
 */
export class HeroHealthClient extends Context.Tag("@hero-effect/client/HeroHealthClient")<HeroHealthClient, Service>() {
  /** @since 0.1.0 */
  static readonly make = make
  /** @since 0.1.0 */
  static get layer(): Layer.Layer<HeroHealthClient, never, HeroHealthConfig.HeroHealthConfig | HttpClient.HttpClient> {
    return layer
  }
  /**
   * @deprecated Use `HeroHealthClient.layerConfig`, which takes the same options (and more).
   * @since 0.1.0
   */
  static readonly layerConfigWith = layerConfigWith
  /** @since 0.1.0 */
  static readonly makeWithTransport = makeWithTransport
  /** @since 0.1.0 */
  static get layerTransport(): Layer.Layer<
    HeroHealthClient,
    never,
    HeroHealthConfig.HeroHealthConfig | HeroHealthTransport.HeroHealthTransport
  > {
    return layerTransport
  }
  /** @since 0.1.0 */
  static readonly layerUndici = layerUndici
  /** @since 0.1.0 */
  static readonly layerConfig = layerConfig
}
