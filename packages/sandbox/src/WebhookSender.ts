/**
 * A stand-in for Hero's webhook sender: posts signed `patient.medical-record-updated` deliveries
 * to a receiver's URL, as Hero signs them (HMAC-SHA256 over `"<timestamp>.<raw body>"`, see
 * `PatientWebhook`), with faults to test the receiver: a bad or wrong-key signature, a tampered
 * body, a stale timestamp, a replay beyond the window, a duplicate, two events out of order,
 * malformed JSON and an oversize body. Deterministic: the same seed sends the same bytes (the
 * timestamps come from the `Clock`, so `TestClock` fixes them too).
 *
 * @since 0.3.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Prng from "./internal/prng.js"

/**
 * The faults a delivery can carry.
 *
 * - `none`: a valid delivery.
 * - `bad-signature`: random bytes of the right length as the signature.
 * - `wrong-key`: signed correctly, with another key.
 * - `tampered-body`: signed, then one character of the patient id changed.
 * - `stale-timestamp`: signed correctly, with a timestamp older than the replay window.
 * - `replay`: a valid delivery, then the very same bytes again after `replayAfter` (beyond the
 *   window).
 * - `duplicate`: the same valid delivery twice, one after the other.
 * - `out-of-order`: two valid events for the patient, the newer (timestamp now) sent before the
 *   older (`outOfOrderGap` earlier).
 * - `malformed-json`: correctly signed bytes that are not JSON.
 * - `oversize`: a correctly signed JSON body one byte over `maxBodyBytes` (default 64 KiB).
 *
 * @since 0.3.0
 * @category models
 */
export type Fault =
  | "none"
  | "bad-signature"
  | "wrong-key"
  | "tampered-body"
  | "stale-timestamp"
  | "replay"
  | "duplicate"
  | "out-of-order"
  | "malformed-json"
  | "oversize"

/**
 * Every fault, `none` first.
 *
 * @since 0.3.0
 * @category constants
 */
export const faults: ReadonlyArray<Fault> = [
  "none",
  "bad-signature",
  "wrong-key",
  "tampered-body",
  "stale-timestamp",
  "replay",
  "duplicate",
  "out-of-order",
  "malformed-json",
  "oversize"
]

/**
 * What to send.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /** The receiver's URL. */
  readonly url: string
  /** The webhook's signing key. */
  readonly signingKey: Redacted.Redacted<string>
  readonly patientId: string
  readonly practiceGroupId: string
  readonly fault?: Fault | undefined
  /** Seeds the fault's random choices (default 1). */
  readonly seed?: number | string | undefined
  /** The signature's encoding (default `"hex"`). */
  readonly encoding?: "hex" | "base64" | undefined
  /** How timestamps are written (default unix seconds). */
  readonly timestampFormat?: PatientWebhook.TimestampFormat | undefined
  /** The receiver's replay window, which `stale-timestamp` and `replay` go beyond (default 5 minutes). */
  readonly replayWindow?: Duration.DurationInput | undefined
  /** How long `replay` waits before resending (default the replay window plus one minute). */
  readonly replayAfter?: Duration.DurationInput | undefined
  /** How much older the second event of `out-of-order` is (default 30 seconds). */
  readonly outOfOrderGap?: Duration.DurationInput | undefined
  /** The receiver's body limit, which `oversize` exceeds by one byte (default 64 KiB). */
  readonly maxBodyBytes?: number | undefined
}

/**
 * One request sent, and what came back: the status, or `undefined` when no response arrived
 * (`error` then says why).
 *
 * @since 0.3.0
 * @category models
 */
export interface Delivery {
  readonly fault: Fault
  /** Which request of the fault: `"first"`, `"again"` (duplicate, replay), `"newer"`, `"older"` (out of order), or `"only"`. */
  readonly label: "only" | "first" | "again" | "newer" | "older"
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** When it was sent, epoch milliseconds of the `Clock`. */
  readonly sentAt: number
  readonly status: number | undefined
  readonly error?: string | undefined
}

const encoder = new TextEncoder()

/** The body Hero posts, with the documented wire names. */
const eventBody = (patientId: string, practiceGroupId: string, pad?: number): Uint8Array => {
  const base = {
    object: "Patient",
    id: patientId,
    practice_group_id: practiceGroupId,
    event: "patient.medical-record-updated"
  }
  const text = JSON.stringify(base)
  if (pad === undefined || pad <= text.length) return encoder.encode(text)
  // A `padding` field (ignored by a tolerant schema) brings the JSON to exactly `pad` bytes.
  const filler = pad - text.length - `,"padding":""`.length
  return encoder.encode(`${text.slice(0, -1)},"padding":"${"x".repeat(Math.max(0, filler))}"}`)
}

const randomHex = (prng: Prng.Prng, bytes: number) =>
  Array.from({ length: bytes }, () => prng.int(0, 255).toString(16).padStart(2, "0")).join("")

/**
 * Sends one fault's deliveries (one request, or two for `replay`, `duplicate` and
 * `out-of-order`) and returns each with the status received. `replay` sleeps `replayAfter`
 * between its two requests (`Effect.sleep`: under `TestClock`, adjust the clock).
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { WebhookSender } from "@hero-effect/sandbox"
 * import { Effect, Redacted } from "effect"
 *
 * const deliveries = WebhookSender.send({
 *   url: "http://127.0.0.1:8080/webhooks/hero",
 *   signingKey: Redacted.make("whsec_local"),
 *   patientId: "1001",
 *   practiceGroupId: "pg-1",
 *   fault: "tampered-body"
 * }).pipe(Effect.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.3.0
 * @category sending
 */
export const send = (options: Options): Effect.Effect<ReadonlyArray<Delivery>, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const fault = options.fault ?? "none"
    const prng = Prng.make(`webhook:${options.seed ?? 1}:${fault}`)
    const windowMillis = Duration.toMillis(options.replayWindow ?? PatientWebhook.defaultReplayWindow)
    const maxBodyBytes = options.maxBodyBytes ?? PatientWebhook.defaultMaxBodyBytes
    const { signingKey } = options
    const format = options.timestampFormat
    const signedHeaders = (body: Uint8Array, timestamp: number, key = signingKey) => ({
      "content-type": "application/json",
      ...PatientWebhook.sign({ body, signingKey: key, timestamp, timestampFormat: format, encoding: options.encoding })
    })
    const post = (label: Delivery["label"], headers: Record<string, string>, body: Uint8Array) =>
      Effect.gen(function*() {
        const sentAt = yield* Clock.currentTimeMillis
        const request = HttpClientRequest.post(options.url).pipe(
          HttpClientRequest.setHeaders(headers),
          HttpClientRequest.bodyUint8Array(body, "application/json")
        )
        const base = { fault, label, headers, body, sentAt }
        return yield* client.execute(request).pipe(
          Effect.map((response): Delivery => ({ ...base, status: response.status })),
          Effect.catchAll((error) => Effect.succeed<Delivery>({ ...base, status: undefined, error: error._tag }))
        )
      }).pipe(Effect.scoped)

    const now = yield* Clock.currentTimeMillis
    const body = eventBody(options.patientId, options.practiceGroupId)
    switch (fault) {
      case "none":
        return [yield* post("only", signedHeaders(body, now), body)]
      case "bad-signature": {
        const headers = { ...signedHeaders(body, now), [PatientWebhook.signatureHeader]: randomHex(prng, 32) }
        return [yield* post("only", headers, body)]
      }
      case "wrong-key": {
        const key = Redacted.make(`wrong-${randomHex(prng, 16)}`)
        return [yield* post("only", signedHeaders(body, now, key), body)]
      }
      case "tampered-body": {
        const headers = signedHeaders(body, now)
        const text = new TextDecoder().decode(body)
        const at = text.indexOf(`"id":"`) + 6
        const position = at + prng.int(0, Math.max(0, options.patientId.length - 1))
        const original = text[position] ?? "0"
        const replacement = original === "9" ? "0" : /\d/.test(original) ? String(Number(original) + 1) : "9"
        const tampered = encoder.encode(text.slice(0, position) + replacement + text.slice(position + 1))
        return [yield* post("only", headers, tampered)]
      }
      case "stale-timestamp": {
        const stale = now - windowMillis - prng.int(60, 3600) * 1000
        return [yield* post("only", signedHeaders(body, stale), body)]
      }
      case "replay": {
        const headers = signedHeaders(body, now)
        const first = yield* post("first", headers, body)
        yield* Effect.sleep(options.replayAfter ?? Duration.millis(windowMillis + 60_000))
        return [first, yield* post("again", headers, body)]
      }
      case "duplicate": {
        const headers = signedHeaders(body, now)
        const first = yield* post("first", headers, body)
        return [first, yield* post("again", headers, body)]
      }
      case "out-of-order": {
        const gap = Duration.toMillis(options.outOfOrderGap ?? "30 seconds")
        const newer = yield* post("newer", signedHeaders(body, now), body)
        return [newer, yield* post("older", signedHeaders(body, now - gap), body)]
      }
      case "malformed-json": {
        const text = new TextDecoder().decode(body)
        const broken = encoder.encode(text.slice(0, prng.int(1, text.length - 1)))
        return [yield* post("only", signedHeaders(broken, now), broken)]
      }
      case "oversize": {
        const big = eventBody(options.patientId, options.practiceGroupId, maxBodyBytes + 1)
        return [yield* post("only", signedHeaders(big, now), big)]
      }
    }
  })

/**
 * Sends each fault in turn ({@link send}), with a seed per fault, and returns every delivery.
 *
 * @since 0.3.0
 * @category sending
 */
export const sendAll = (
  options: Omit<Options, "fault">,
  which: ReadonlyArray<Fault> = faults
): Effect.Effect<ReadonlyArray<Delivery>, never, HttpClient.HttpClient> =>
  Effect.map(Effect.forEach(which, (fault) => send({ ...options, fault })), (all) => all.flat())
