/**
 * The typed failures of the Hero Health client. Every method's error channel names only the
 * failures its operation can produce; no platform error (`RequestError`, `ResponseError`,
 * `ParseError`) leaks out. Messages never contain the API key, a merge token or patient data.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The input was refused before any request was sent (an invalid NHS number, an unsafe id, a body
 * that breaks its schema). `issues` give the path and the reason, never the value.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  operation: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String }))
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: invalid input: ${
      this.issues.map((i) => `${i.path || "(input)"}: ${i.message}`).join("; ")
    }`
  }
}

/**
 * 401: the API key or practice group header is missing or not accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorised extends Schema.TaggedError<Unauthorised>()("Unauthorised", {
  operation: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: 401 unauthorised (check the API key and practice group id)`
  }
}

/**
 * 403: the key is not scoped for this product area, or may not act for this practice group.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  operation: Schema.String,
  code: Schema.optional(Schema.String)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: 403 forbidden${
      this.code ? ` (${this.code})` : ""
    }: key not scoped for this area or practice group`
  }
}

/**
 * 404: the patient in the path was not found (for `registerPatientPds`: no match on the Spine).
 *
 * @since 0.1.0
 * @category errors
 */
export class PatientNotFound extends Schema.TaggedError<PatientNotFound>()("PatientNotFound", {
  operation: Schema.String,
  patientId: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: 404 ${this.patientId ? `patient ${this.patientId} not found` : "no patient found"}`
  }
}

/**
 * One issue of the documented validation body.
 *
 * @since 0.1.0
 * @category models
 */
export const RequestIssue = Schema.Struct({
  code: Schema.String,
  expected: Schema.String,
  path: Schema.Array(Schema.Unknown)
})

/**
 * 400 or 422: the API refused the request; `issues` are the documented validation body's, when
 * it sent one.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  operation: Schema.String,
  status: Schema.Number,
  issues: Schema.Array(RequestIssue)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    const issues = this.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.code}`).join("; ")
    return `${this.operation}: ${this.status} invalid request${issues ? `: ${issues}` : ""}`
  }
}

/**
 * 409: the request conflicts with the state on the server (for example a stale, used, expired or
 * mismatched merge token, or an EHR record linked to another patient). `code` is the server's
 * machine-readable reason when it gave one.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  operation: Schema.String,
  code: Schema.optional(Schema.String)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: 409 conflict${this.code ? ` (${this.code})` : ""}`
  }
}

/**
 * 429: rate limited. `retryAfterMillis` is what the server asked for, when it said. With
 * `heldBack: true` the client did not send the request: an earlier 429 holds the key back, or its
 * own rate limit queues it, for `retryAfterMillis` more, longer than this call may wait (its
 * `maxRetryAfter` or deadline, or `onRateLimitHold: "fail"`). Either way the server did not act
 * on this call.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  operation: Schema.String,
  retryAfterMillis: Schema.optional(Schema.Number),
  heldBack: Schema.optional(Schema.Boolean)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    const after = this.retryAfterMillis === undefined ? "" : ` (retry after ${this.retryAfterMillis} ms)`
    return this.heldBack
      ? `${this.operation}: rate limited: held back by the client (an earlier 429 or its rate limit)${after}; the request was not sent`
      : `${this.operation}: 429 rate limited${after}`
  }
}

/**
 * 5xx from the server.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  operation: Schema.String,
  status: Schema.Number
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: server error ${this.status}`
  }
}

/**
 * The connection failed. `mayHaveReachedServer` is false only when the request certainly was
 * not sent (connection refused, name not resolved): then a write may be retried; otherwise the
 * caller must verify before repeating a write.
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends Schema.TaggedError<NetworkError>()("NetworkError", {
  operation: Schema.String,
  mayHaveReachedServer: Schema.Boolean,
  reason: Schema.String
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: network error (${this.reason}); ${
      this.mayHaveReachedServer ? "the request may have reached the server" : "the request was not sent"
    }`
  }
}

/**
 * No answer in time: one attempt took longer than its timeout, or the whole call passed its
 * deadline. The request may have reached the server.
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Schema.TaggedError<Timeout>()("Timeout", {
  operation: Schema.String,
  scope: Schema.Literal("attempt", "deadline"),
  afterMillis: Schema.Number
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: ${this.scope} timed out after ${this.afterMillis} ms; the request may have reached the server`
  }
}

/**
 * A response the document does not describe: an undocumented status (a 3xx included: redirects
 * are never followed), a body that does not decode, or a body larger than the client reads
 * (`maxResponseBytes` is then the limit it passed; it was not read further). `excerpt` is a short
 * shape of the body with every value removed.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  operation: Schema.String,
  status: Schema.Number,
  reason: Schema.String,
  excerpt: Schema.String,
  maxResponseBytes: Schema.optional(Schema.Number)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation}: unexpected response ${this.status}: ${this.reason}; body: ${this.excerpt}`
  }
}

/**
 * Failures every operation can produce.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError =
  | InvalidInput
  | InvalidRequest
  | Unauthorised
  | Forbidden
  | RateLimited
  | ServerError
  | NetworkError
  | Timeout
  | UnexpectedResponse

/**
 * Failures of an operation on one patient by id.
 *
 * @since 0.1.0
 * @category errors
 */
export type PatientError = CommonError | PatientNotFound

/**
 * Failures of the writes that link or merge patients.
 *
 * @since 0.1.0
 * @category errors
 */
export type PatientWriteError = PatientError | Conflict

/**
 * Every failure of the client.
 *
 * @since 0.1.0
 * @category errors
 */
export type HeroHealthError = PatientWriteError

/**
 * Whether a failure is worth retrying for a read (transient). A body over `maxResponseBytes` never
 * is, whatever its status; the engine also never retries a `RateLimited` with `heldBack`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: HeroHealthError): boolean => {
  switch (error._tag) {
    case "NetworkError":
    case "Timeout":
    case "RateLimited":
      return true
    case "ServerError":
      return [500, 502, 503, 504].includes(error.status)
    case "UnexpectedResponse":
      return error.status === 408 && error.maxResponseBytes === undefined
    default:
      return false
  }
}

/**
 * Whether the server certainly did not act on the request, so even a write may be repeated:
 * a 429, or a connection that failed before the request was sent.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCertainlyUnsent = (error: HeroHealthError): boolean =>
  error._tag === "RateLimited" || (error._tag === "NetworkError" && !error.mayHaveReachedServer)

/**
 * Whether the outcome of a write is unknown (it may or may not have been applied): verify before
 * repeating it.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isOutcomeUnknown = (error: HeroHealthError): boolean =>
  (error._tag === "NetworkError" && error.mayHaveReachedServer) || error._tag === "Timeout" ||
  (error._tag === "ServerError" && error.status !== 501) || error._tag === "UnexpectedResponse"
