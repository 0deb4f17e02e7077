/** @internal */
import * as Headers from "@effect/platform/Headers"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { PatientWebhookEvent } from "@hero-effect/schema/Webhook"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import type * as PW from "../PatientWebhook.js"
import {
  DeliveryStore,
  WebhookBodyMalformed,
  WebhookBodyTooLarge,
  WebhookSignatureInvalid,
  WebhookSignatureMissing,
  WebhookTimestampInvalid,
  WebhookTimestampStale
} from "../PatientWebhook.js"

const signatureHeader = "x-herohealth-signature"
const timestampHeader = "x-herohealth-timestamp"
const defaultMaxBodyBytes = 64 * 1024
const defaultReplayWindowMillis = 5 * 60 * 1000

const encoder = new TextEncoder()
const utf8 = new TextDecoder("utf-8", { fatal: true })

const sha256 = (data: Uint8Array): Buffer => Crypto.createHash("sha256").update(data).digest()

const signed = (timestamp: string, body: Uint8Array): Array<Uint8Array> => [encoder.encode(`${timestamp}.`), body]

/** @internal */
export const deliveryKey = (timestamp: string, body: Uint8Array): string => {
  const hash = Crypto.createHash("sha256")
  for (const part of signed(timestamp, body)) hash.update(part)
  return hash.digest("hex")
}

const hmac = (key: Redacted.Redacted<string>, timestamp: string, body: Uint8Array): Buffer => {
  const mac = Crypto.createHmac("sha256", Redacted.value(key))
  for (const part of signed(timestamp, body)) mac.update(part)
  return mac.digest()
}

/** @internal */
export const parseTimestamp = (value: string): number | undefined => {
  const text = value.trim()
  if (/^\d{13}$/.test(text)) return Number(text)
  if (/^\d{1,11}$/.test(text)) return Number(text) * 1000
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const millis = Date.parse(text)
    return Number.isFinite(millis) ? millis : undefined
  }
  return undefined
}

const hexPattern = /^(?:[0-9a-fA-F]{2})+$/
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/

/** The byte strings the header may stand for, in the accepted encodings. */
const candidates = (header: string, encoding: PW.Encoding): Array<Uint8Array> => {
  const value = header.trim().replace(/^sha256=/i, "")
  const out: Array<Uint8Array> = []
  if (encoding !== "base64" && hexPattern.test(value)) out.push(Buffer.from(value, "hex"))
  if (encoding !== "hex" && base64Pattern.test(value)) out.push(Buffer.from(value, "base64"))
  // Nothing decodes: compare the raw text anyway, so every path does the same work.
  if (out.length === 0) out.push(encoder.encode(value))
  return out
}

/** Constant time: both sides hashed to 32 bytes first, every candidate compared. */
const matches = (expected: Buffer, header: string, encoding: PW.Encoding): boolean => {
  const want = sha256(expected)
  let ok = false
  for (const candidate of candidates(header, encoding)) {
    ok = Crypto.timingSafeEqual(want, sha256(candidate)) || ok
  }
  return ok
}

const headerOf = (headers: Headers.Input | Headers.Headers, name: string): string | undefined => {
  const normal = Headers.isHeaders(headers) ? headers : Headers.fromInput(headers)
  const value = normal[name]
  return value === undefined || value.trim() === "" ? undefined : value
}

const pathOf = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issues[0]?.path.map(String).join(".") ?? ""
}

/** @internal */
export const verify = <A extends PatientWebhookEvent = PatientWebhookEvent>(
  options: PW.VerifyOptions<A>
): Effect.Effect<PW.Verified<A>, PW.WebhookError> =>
  Effect.gen(function*() {
    const maxBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
    if (options.body.length > maxBytes) return yield* new WebhookBodyTooLarge({ maxBytes })
    const signature = headerOf(options.headers, signatureHeader)
    if (signature === undefined) return yield* new WebhookSignatureMissing({ header: signatureHeader })
    const timestamp = headerOf(options.headers, timestampHeader)
    if (timestamp === undefined) return yield* new WebhookSignatureMissing({ header: timestampHeader })
    const expected = hmac(options.signingKey, timestamp, options.body)
    if (!matches(expected, signature, options.encoding ?? "either")) return yield* new WebhookSignatureInvalid()
    const timestampMillis = parseTimestamp(timestamp)
    if (timestampMillis === undefined) return yield* new WebhookTimestampInvalid()
    const windowMillis = options.replayWindow === undefined
      ? defaultReplayWindowMillis
      : Duration.toMillis(options.replayWindow)
    const now = yield* Clock.currentTimeMillis
    if (timestampMillis < now - windowMillis) {
      return yield* new WebhookTimestampStale({ direction: "past", windowMillis })
    }
    if (timestampMillis > now + windowMillis) {
      return yield* new WebhookTimestampStale({ direction: "future", windowMillis })
    }
    let json: unknown
    try {
      json = JSON.parse(utf8.decode(options.body))
    } catch {
      return yield* new WebhookBodyMalformed({ reason: "json" })
    }
    const schema = (options.schema ?? PatientWebhookEvent) as Schema.Schema<A, any>
    const decoded = Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore" })(json)
    if (Either.isLeft(decoded)) return yield* new WebhookBodyMalformed({ reason: "schema", path: pathOf(decoded.left) })
    return {
      event: decoded.right,
      deliveryKey: deliveryKey(timestamp, options.body),
      timestamp,
      timestampMillis
    }
  })

const formatTimestamp = (millis: number, format: PW.TimestampFormat): string =>
  format === "millis"
    ? String(Math.trunc(millis))
    : format === "iso"
    ? new Date(millis).toISOString()
    : String(Math.floor(millis / 1000))

/** @internal */
export const sign = (options: PW.SignOptions) => {
  const body = typeof options.body === "string" ? encoder.encode(options.body) : options.body
  const timestamp = typeof options.timestamp === "string"
    ? options.timestamp
    : formatTimestamp(options.timestamp, options.timestampFormat ?? "seconds")
  const digest = hmac(options.signingKey, timestamp, body).toString(options.encoding ?? "hex")
  return {
    [timestampHeader]: timestamp,
    [signatureHeader]: options.prefix === true ? `sha256=${digest}` : digest
  } as const
}

/** @internal */
export const makeMemoryStore = (options: PW.MemoryStoreOptions = {}): Effect.Effect<PW.DeliveryStoreService> =>
  Effect.sync(() => {
    const maxKeys = Math.max(1, options.maxKeys ?? 10_000)
    const retentionMillis = Duration.toMillis(options.retention ?? defaultReplayWindowMillis)
    // Insertion order is age order: the oldest key is the first.
    const keys = new Map<string, number>()
    const prune = (now: number) => {
      for (const [key, at] of keys) {
        if (at >= now - retentionMillis && keys.size <= maxKeys) break
        keys.delete(key)
      }
    }
    return {
      record: (key, _event, info) =>
        Effect.sync(() => {
          prune(info.receivedAtMillis)
          if (keys.has(key)) return "duplicate" as const
          keys.set(key, info.receivedAtMillis)
          if (keys.size > maxKeys) keys.delete(keys.keys().next().value!)
          return "new" as const
        }),
      release: (key) => Effect.sync(() => void keys.delete(key))
    }
  })

/** @internal */
export const statusOf = (error: PW.WebhookError): { readonly status: number; readonly code: PW.ErrorCode } => {
  switch (error._tag) {
    case "WebhookSignatureMissing":
      return { status: 401, code: "signature_missing" }
    case "WebhookSignatureInvalid":
      return { status: 401, code: "signature_invalid" }
    case "WebhookTimestampInvalid":
      return { status: 400, code: "timestamp_invalid" }
    case "WebhookTimestampStale":
      return { status: 400, code: "timestamp_stale" }
    case "WebhookBodyMalformed":
      return { status: 400, code: "body_malformed" }
    case "WebhookBodyTooLarge":
      return { status: 413, code: "body_too_large" }
  }
}

const refuse = (status: number, code: PW.ErrorCode, headers: Record<string, string> = {}) =>
  Effect.as(
    (status >= 500 ? Effect.logError : Effect.logWarning)("webhook delivery refused").pipe(
      Effect.annotateLogs({ "webhook.status": status, "webhook.code": code })
    ),
    HttpServerResponse.unsafeJson({ error: code }, { status, headers })
  )

class TooLarge {
  readonly _tag = "TooLarge"
}

/** Reads at most `maxBytes + 1` bytes of the body, whatever `Content-Length` says. */
const readBounded = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  request.stream.pipe(
    Stream.runFoldEffect({ chunks: [] as Array<Uint8Array>, size: 0 }, (acc, chunk) => {
      acc.size += chunk.length
      if (acc.size > maxBytes) return Effect.fail(new TooLarge())
      acc.chunks.push(chunk)
      return Effect.succeed(acc)
    }),
    Effect.map(({ chunks, size }) => {
      const out = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        out.set(chunk, offset)
        offset += chunk.length
      }
      return out
    })
  )

/** @internal */
export const makeHandler = <A extends PatientWebhookEvent = PatientWebhookEvent, E = never, R = never>(
  options: PW.HandlerOptions<A, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | DeliveryStore | R
> => {
  const maxBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
  const close = { connection: "close" }
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.method !== "POST") return yield* refuse(405, "method_not_allowed", { allow: "POST" })
    const declared = request.headers["content-length"]
    if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
      return yield* refuse(413, "body_too_large", close)
    }
    const body = yield* Effect.either(readBounded(request, maxBytes))
    if (Either.isLeft(body)) {
      return yield* (body.left instanceof TooLarge
        ? refuse(413, "body_too_large", close)
        : refuse(400, "body_unreadable", close))
    }
    const verified = yield* Effect.either(verify<A>({ ...options, body: body.right, headers: request.headers }))
    if (Either.isLeft(verified)) {
      const { code, status } = statusOf(verified.left)
      return yield* refuse(status, code, status === 413 ? close : {})
    }
    const { deliveryKey: key, event, timestampMillis } = verified.right
    const store = yield* DeliveryStore
    const receivedAtMillis = yield* Clock.currentTimeMillis
    const recorded = yield* Effect.either(store.record(key, event, { timestampMillis, receivedAtMillis }))
    if (Either.isLeft(recorded)) return yield* refuse(500, "store_unavailable")
    if (recorded.right === "duplicate") {
      yield* Effect.logDebug("webhook delivery duplicate").pipe(Effect.annotateLogs("webhook.status", 200))
      return HttpServerResponse.unsafeJson({ status: "duplicate" }, { status: 200 })
    }
    const handled = yield* Effect.exit(Effect.suspend(() => options.onEvent(event, key, verified.right)))
    if (handled._tag === "Failure") {
      // Released, so the sender's retry is handled again rather than taken for a duplicate.
      yield* Effect.ignore(store.release(key))
      return yield* refuse(500, "handler_failed")
    }
    yield* Effect.logDebug("webhook delivery accepted").pipe(Effect.annotateLogs("webhook.status", 200))
    return HttpServerResponse.unsafeJson({ status: "accepted" }, { status: 200 })
  })
}
