/**
 * Receiving Hero's patient webhooks (`patient.medical-record-updated`): verifying a delivery's
 * signature and freshness, decoding its body, telling a new delivery from one already seen, and
 * an `HttpApp` to mount that does all of it before calling your code.
 *
 * Hero documents the signature as HMAC-SHA256 keyed with the webhook's `signing_key` over
 * `"<timestamp>.<raw body>"`, sent in `X-Herohealth-Signature` with the timestamp in
 * `X-Herohealth-Timestamp`. It does not document the rest; the decisions here:
 *
 * - **Signature encoding**: hex (any case) or base64 (standard or URL-safe, padded or not) are
 *   both accepted by default (`encoding: "either"`), with or without a `sha256=` prefix. The
 *   comparison is constant time: both digests are hashed again and compared with
 *   `crypto.timingSafeEqual`, so neither a length nor a prefix of the expected value leaks.
 * - **Timestamp format**: unix seconds (up to 11 digits), unix milliseconds (13 digits) or ISO
 *   8601 with an explicit zone (`Z` or `±hh:mm`); anything else is `WebhookTimestampInvalid`. The
 *   signature covers the header exactly as sent.
 * - **Replay window**: 5 minutes each way by default (`replayWindow`): a delivery older than the
 *   window, or further in the future than the window, is `WebhookTimestampStale`.
 * - **Body size**: at most 64 KiB by default (`maxBodyBytes`), checked before any hashing or
 *   parsing; the handler stops reading past it.
 * - **Acknowledgement**: the handler answers 200 only once the delivery is recorded in the
 *   {@link DeliveryStore}; see {@link makeHandler} for every status.
 *
 * Nothing here logs or puts in an error message the body, a patient id, a practice group id, the
 * signature or the key: only codes and schema paths.
 *
 * @since 0.3.0
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { PatientWebhookEvent } from "@hero-effect/schema/Webhook"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as internal from "./internal/webhook.js"

export {
  /**
   * The body schema of `patient.medical-record-updated` (re-exported from `@hero-effect/schema`).
   *
   * @since 0.3.0
   * @category schemas
   */
  PatientWebhookEvent
}

/**
 * The header carrying the signature (matched case-insensitively).
 *
 * @since 0.3.0
 * @category constants
 */
export const signatureHeader = "x-herohealth-signature"

/**
 * The header carrying the timestamp (matched case-insensitively).
 *
 * @since 0.3.0
 * @category constants
 */
export const timestampHeader = "x-herohealth-timestamp"

/**
 * The default replay window: 5 minutes, each way.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultReplayWindow: Duration.DurationInput = "5 minutes"

/**
 * The default largest body accepted: 64 KiB.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultMaxBodyBytes = 64 * 1024

/**
 * The default number of delivery keys the memory store keeps.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultMaxKeys = 10_000

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * The signature or timestamp header is absent (or empty). `header` names which.
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookSignatureMissing extends Schema.TaggedError<WebhookSignatureMissing>()("WebhookSignatureMissing", {
  header: Schema.Literal(signatureHeader, timestampHeader)
}) {
  /** @since 0.3.0 */
  override get message(): string {
    return `webhook: missing ${this.header} header`
  }
}

/**
 * The signature does not match the body and timestamp under the signing key: a wrong key, a
 * tampered body or timestamp, or a value in no accepted encoding.
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookSignatureInvalid
  extends Schema.TaggedError<WebhookSignatureInvalid>()("WebhookSignatureInvalid", {})
{
  /** @since 0.3.0 */
  override get message(): string {
    return "webhook: signature does not match"
  }
}

/**
 * The (correctly signed) timestamp is in no accepted format.
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookTimestampInvalid
  extends Schema.TaggedError<WebhookTimestampInvalid>()("WebhookTimestampInvalid", {})
{
  /** @since 0.3.0 */
  override get message(): string {
    return "webhook: timestamp is not unix seconds, unix milliseconds or ISO 8601 with a zone"
  }
}

/**
 * The timestamp is outside the replay window: older than it (`past`: a replay, or a delivery
 * held too long) or further ahead than it (`future`).
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookTimestampStale extends Schema.TaggedError<WebhookTimestampStale>()("WebhookTimestampStale", {
  direction: Schema.Literal("past", "future"),
  windowMillis: Schema.Number
}) {
  /** @since 0.3.0 */
  override get message(): string {
    return `webhook: timestamp outside the replay window (${this.direction}, window ${this.windowMillis} ms)`
  }
}

/**
 * The body is not JSON (`reason: "json"`, including invalid UTF-8) or not the event's schema
 * (`reason: "schema"`, `path` naming the first offending field). Never the body or a value.
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookBodyMalformed extends Schema.TaggedError<WebhookBodyMalformed>()("WebhookBodyMalformed", {
  reason: Schema.Literal("json", "schema"),
  path: Schema.optional(Schema.String)
}) {
  /** @since 0.3.0 */
  override get message(): string {
    return this.reason === "json"
      ? "webhook: body is not JSON"
      : `webhook: body does not match the event schema at ${
        this.path === undefined || this.path === "" ? "(body)" : this.path
      }`
  }
}

/**
 * The body is larger than `maxBodyBytes`.
 *
 * @since 0.3.0
 * @category errors
 */
export class WebhookBodyTooLarge extends Schema.TaggedError<WebhookBodyTooLarge>()("WebhookBodyTooLarge", {
  maxBytes: Schema.Number
}) {
  /** @since 0.3.0 */
  override get message(): string {
    return `webhook: body larger than ${this.maxBytes} bytes`
  }
}

/**
 * Every failure of {@link verify}.
 *
 * @since 0.3.0
 * @category errors
 */
export type WebhookError =
  | WebhookSignatureMissing
  | WebhookSignatureInvalid
  | WebhookTimestampInvalid
  | WebhookTimestampStale
  | WebhookBodyMalformed
  | WebhookBodyTooLarge

/**
 * A {@link DeliveryStore} could not record or release a delivery. The handler answers 500, so
 * the sender retries.
 *
 * @since 0.3.0
 * @category errors
 */
export class DeliveryStoreError extends Schema.TaggedError<DeliveryStoreError>()("DeliveryStoreError", {
  operation: Schema.Literal("record", "release"),
  cause: Schema.optional(Schema.Defect)
}) {
  /** @since 0.3.0 */
  override get message(): string {
    return `webhook delivery store: ${this.operation} failed`
  }
}

// ---------------------------------------------------------------------------------------------
// verify / sign
// ---------------------------------------------------------------------------------------------

/**
 * How the signature header is encoded: hex, base64, or either (the default).
 *
 * @since 0.3.0
 * @category models
 */
export type Encoding = "hex" | "base64" | "either"

/**
 * The checks' settings, shared by {@link verify} and {@link makeHandler}.
 *
 * @since 0.3.0
 * @category models
 */
export interface Settings<A extends PatientWebhookEvent = PatientWebhookEvent> {
  /** The webhook's `signing_key`. */
  readonly signingKey: Redacted.Redacted<string>
  /** Accepted signature encodings (default `"either"`). */
  readonly encoding?: Encoding | undefined
  /** How far a timestamp may be from the `Clock`, each way (default 5 minutes). */
  readonly replayWindow?: Duration.DurationInput | undefined
  /** The largest body accepted, in bytes (default 64 KiB). */
  readonly maxBodyBytes?: number | undefined
  /**
   * The event's schema (default {@link PatientWebhookEvent}); a stricter one (a branded
   * `PatientId`, say) makes a body it refuses `WebhookBodyMalformed`.
   */
  readonly schema?: Schema.Schema<A, any> | undefined
}

/**
 * What {@link verify} reads.
 *
 * @since 0.3.0
 * @category models
 */
export interface VerifyOptions<A extends PatientWebhookEvent = PatientWebhookEvent> extends Settings<A> {
  /** The raw body, exactly as received. */
  readonly body: Uint8Array
  /** The request's headers: a record (any case) or platform `Headers`. */
  readonly headers: Headers.Input | Headers.Headers
}

/**
 * A verified delivery: the decoded event (its `id` is the patient id), the key that names the
 * delivery (SHA-256 hex of `"<timestamp>.<raw body>"`: the same delivery sent again has the same
 * key), and its timestamp.
 *
 * @since 0.3.0
 * @category models
 */
export interface Verified<A extends PatientWebhookEvent = PatientWebhookEvent> {
  readonly event: A
  readonly deliveryKey: string
  /** The timestamp header as sent. */
  readonly timestamp: string
  /** The timestamp in epoch milliseconds. */
  readonly timestampMillis: number
}

/**
 * Verifies one delivery, in this order: body size, both headers present, signature (constant
 * time, over the raw timestamp header and the raw body bytes), timestamp format, replay window
 * (against `Clock`, so `TestClock` drives it), then JSON and the event's schema.
 *
 * @example
 * ```ts
 * import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
 * import { Effect, Redacted } from "effect"
 *
 * const signingKey = Redacted.make("whsec_test")
 * const body = new TextEncoder().encode(
 *   JSON.stringify({ object: "Patient", id: "1", practice_group_id: "pg", event: "patient.medical-record-updated" })
 * )
 * const program = Effect.gen(function*() {
 *   const headers = PatientWebhook.sign({ body, signingKey, timestamp: yield* Effect.clockWith((c) => c.currentTimeMillis) })
 *   const { deliveryKey, event } = yield* PatientWebhook.verify({ body, headers, signingKey })
 *   return { deliveryKey, patientId: event.id }
 * })
 * ```
 *
 * @since 0.3.0
 * @category verification
 */
export const verify: <A extends PatientWebhookEvent = PatientWebhookEvent>(
  options: VerifyOptions<A>
) => Effect.Effect<Verified<A>, WebhookError> = internal.verify

/**
 * How {@link sign} writes the timestamp of a `number` (epoch milliseconds): unix seconds (the
 * default), unix milliseconds, or ISO 8601.
 *
 * @since 0.3.0
 * @category models
 */
export type TimestampFormat = "seconds" | "millis" | "iso"

/**
 * What {@link sign} signs.
 *
 * @since 0.3.0
 * @category models
 */
export interface SignOptions {
  readonly body: Uint8Array | string
  readonly signingKey: Redacted.Redacted<string>
  /** The header value as is (a string), or epoch milliseconds formatted by `timestampFormat`. */
  readonly timestamp: string | number
  readonly timestampFormat?: TimestampFormat | undefined
  /** The signature's encoding (default `"hex"`). */
  readonly encoding?: "hex" | "base64" | undefined
  /** Prefix the signature with `sha256=` (default `false`). */
  readonly prefix?: boolean | undefined
}

/**
 * The two headers of a delivery signed as Hero signs it: for senders (the sandbox) and tests.
 *
 * @example
 * ```ts
 * import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
 * import { Redacted } from "effect"
 *
 * const headers = PatientWebhook.sign({ body: "{}", signingKey: Redacted.make("k"), timestamp: "1700000000" })
 * // { "x-herohealth-timestamp": "1700000000", "x-herohealth-signature": "<64 hex digits>" }
 * ```
 *
 * @since 0.3.0
 * @category signing
 */
export const sign: (options: SignOptions) => {
  readonly "x-herohealth-timestamp": string
  readonly "x-herohealth-signature": string
} = internal.sign

/**
 * The delivery key of a timestamp header and raw body: SHA-256 hex of `"<timestamp>.<raw body>"`.
 *
 * @since 0.3.0
 * @category verification
 */
export const deliveryKey: (timestamp: string, body: Uint8Array) => string = internal.deliveryKey

/**
 * Parses a timestamp header: unix seconds (up to 11 digits), unix milliseconds (13 digits) or ISO
 * 8601 with an explicit zone, to epoch milliseconds; `undefined` otherwise.
 *
 * @since 0.3.0
 * @category verification
 */
export const parseTimestamp: (value: string) => number | undefined = internal.parseTimestamp

// ---------------------------------------------------------------------------------------------
// delivery store
// ---------------------------------------------------------------------------------------------

/**
 * What the handler knows of a delivery when it records it.
 *
 * @since 0.3.0
 * @category models
 */
export interface DeliveryInfo {
  /** The delivery's timestamp, epoch milliseconds. */
  readonly timestampMillis: number
  /** When it was received, epoch milliseconds of the `Clock`. */
  readonly receivedAtMillis: number
}

/**
 * Whether a delivery was seen before.
 *
 * @since 0.3.0
 * @category models
 */
export type RecordResult = "new" | "duplicate"

/**
 * The dedupe store's operations.
 *
 * @since 0.3.0
 * @category models
 */
export interface DeliveryStoreService {
  /**
   * Records a delivery by its key: `"new"` the first time (durably, when the store is durable,
   * before it returns), `"duplicate"` when the key was recorded already.
   */
  readonly record: (
    deliveryKey: string,
    event: PatientWebhookEvent,
    info: DeliveryInfo
  ) => Effect.Effect<RecordResult, DeliveryStoreError>
  /**
   * Forgets a delivery whose handling failed after it was recorded, so the sender's retry is
   * handled again instead of being taken for a duplicate.
   */
  readonly release: (deliveryKey: string) => Effect.Effect<void, DeliveryStoreError>
}

/**
 * The dedupe store seam of {@link makeHandler}: in memory here ({@link layerMemoryStore}), in a
 * SQL table in `@hero-effect/workflows` (`PatientRecheck.layerSql`).
 *
 * @since 0.3.0
 * @category tags
 */
export class DeliveryStore extends Context.Tag("@hero-effect/client/PatientWebhook/DeliveryStore")<
  DeliveryStore,
  DeliveryStoreService
>() {}

/**
 * Options of the memory store.
 *
 * @since 0.3.0
 * @category models
 */
export interface MemoryStoreOptions {
  /** At most this many keys (default 10,000); past it the oldest is dropped. */
  readonly maxKeys?: number | undefined
  /**
   * Keys recorded longer ago than this (default 5 minutes, the default replay window) may be
   * dropped: a delivery that old is refused as stale before it reaches the store. Keep it at
   * least the handler's `replayWindow` (twice it, to cover timestamps ahead of the clock).
   */
  readonly retention?: Duration.DurationInput | undefined
}

/**
 * A store in memory, for one process: bounded by `maxKeys` (oldest first out) and by
 * `retention`. A duplicate that arrives after its key was dropped for the cap is taken as new:
 * size the cap above the deliveries of one window.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeMemoryStore: (options?: MemoryStoreOptions) => Effect.Effect<DeliveryStoreService> =
  internal.makeMemoryStore

/**
 * A layer of {@link makeMemoryStore}.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerMemoryStore = (options: MemoryStoreOptions = {}): Layer.Layer<DeliveryStore> =>
  Layer.effect(DeliveryStore, makeMemoryStore(options))

// ---------------------------------------------------------------------------------------------
// handler
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link makeHandler}: the checks' settings and what to do with a new delivery.
 *
 * @since 0.3.0
 * @category models
 */
export interface HandlerOptions<A extends PatientWebhookEvent, E, R> extends Settings<A> {
  /**
   * Called once per new delivery, after it was recorded. A failure releases the delivery from
   * the store and answers 500, so the sender's retry runs it again.
   */
  readonly onEvent: (event: A, deliveryKey: string, verified: Verified<A>) => Effect.Effect<void, E, R>
}

/**
 * The code in a refusal's JSON body (`{ "error": code }`) and in the handler's logs.
 *
 * @since 0.3.0
 * @category models
 */
export type ErrorCode =
  | "method_not_allowed"
  | "body_too_large"
  | "body_unreadable"
  | "signature_missing"
  | "signature_invalid"
  | "timestamp_invalid"
  | "timestamp_stale"
  | "body_malformed"
  | "store_unavailable"
  | "handler_failed"

/**
 * The status and code the handler answers for each verification failure.
 *
 * - `WebhookSignatureMissing` 401 `signature_missing`, `WebhookSignatureInvalid` 401
 *   `signature_invalid`: the delivery is not authenticated.
 * - `WebhookTimestampInvalid` 400 `timestamp_invalid`, `WebhookBodyMalformed` 400
 *   `body_malformed`.
 * - `WebhookTimestampStale` **400** `timestamp_stale` (not 408: the same delivery sent again
 *   carries the same timestamp and would be as stale; a 4xx tells the sender not to retry it as
 *   is).
 * - `WebhookBodyTooLarge` 413 `body_too_large`.
 *
 * @since 0.3.0
 * @category handler
 */
export const statusOf: (error: WebhookError) => { readonly status: number; readonly code: ErrorCode } =
  internal.statusOf

/**
 * The receiving endpoint as an `HttpApp` to mount (on a `POST` route, or as a whole server):
 *
 * 1. not `POST` → 405 `method_not_allowed` (`Allow: POST`);
 * 2. a `Content-Length` over `maxBodyBytes` → 413 at once, without reading; otherwise the body
 *    is read up to `maxBodyBytes + 1` bytes and no further (whatever `Content-Length` said) →
 *    413 past it (on Node the unread rest of the request is then dropped with its connection,
 *    which a sender may see as a reset instead of the 413);
 * 3. {@link verify} → 400/401/413 as {@link statusOf} says;
 * 4. the {@link DeliveryStore} records it → 500 `store_unavailable` if it cannot (the sender
 *    retries); a duplicate → 200 `{ "status": "duplicate" }`, `onEvent` not called again;
 * 5. `onEvent` → 200 `{ "status": "accepted" }`, or, if it fails or dies, the delivery is
 *    released and the answer is 500 `handler_failed`.
 *
 * Refusals are `{ "error": code }` and never echo the input; 413 also closes the connection. Each
 * outcome is logged (Debug for accepted and duplicate, Warning for refusals, Error for 500s)
 * with its code only — never the body, ids, signature or key.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "@effect/platform"
 * import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
 * import { Effect, Redacted } from "effect"
 *
 * const webhook = PatientWebhook.makeHandler({
 *   signingKey: Redacted.make(process.env.HERO_WEBHOOK_SIGNING_KEY!),
 *   onEvent: (event) => Effect.logInfo("record updated").pipe(Effect.annotateLogs("kind", event.event))
 * })
 * const router = HttpRouter.empty.pipe(HttpRouter.post("/webhooks/hero", webhook))
 * // provide PatientWebhook.layerMemoryStore() (or a durable store) when serving the router
 * ```
 *
 * @since 0.3.0
 * @category handler
 */
export const makeHandler: <A extends PatientWebhookEvent = PatientWebhookEvent, E = never, R = never>(
  options: HandlerOptions<A, E, R>
) => Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | DeliveryStore | R
> = internal.makeHandler
