/**
 * The request guards, each a step of the pipeline before an operation runs: authentication (the
 * API key, its `patients` scope and the practice group: 401/403), what a write's body may be
 * (JSON, at most `maxBodyBytes`: 415/413), the key's rate limit (429), and fault injection (the
 * fault plan's decision, logged, and the answer it turns the operation's result into).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import type { Fault, OperationId } from "../Faults.js"
import * as Faults from "../Faults.js"
import type { ErrorCode, SandboxRequest } from "../Protocol.js"
import { Answer, TooLarge } from "../Protocol.js"
import type { ApiKey, SandboxConfig } from "../SandboxConfig.js"
import { defaultRateLimitKind } from "../SandboxConfig.js"
import type { Env } from "./env.js"
import { schemaBreakingBody } from "./faults.js"
import type { OpResult } from "./outcomes.js"
import { errorResponse, json, toOutcome } from "./outcomes.js"
import * as RateLimit from "./rateLimit.js"

// ---------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------

/** The request's API key, or its 401/403. @internal */
export const authenticate = (
  env: Env,
  request: SandboxRequest
): Effect.Effect<Either.Either<ApiKey, Answer>> =>
  Effect.map(Ref.get(env.state), (state) => {
    const keyHeader = request.headers["x-api-key"]
    const group = request.headers["x-practice-group-id"]
    if (keyHeader === undefined || keyHeader === "" || group === undefined || group === "") {
      return Either.left(errorResponse(401, "unauthorised", "Missing x-api-key or x-practice-group-id header"))
    }
    const key = env.config.keys.find((k) => k.key === keyHeader)
    if (key === undefined) return Either.left(errorResponse(401, "unauthorised", "Unknown API key"))
    if (!key.scopes.includes("patients")) {
      return Either.left(errorResponse(403, "forbidden", "The API key may not call the Patients API"))
    }
    const allowed = [key.practiceGroupId, ...(key.practiceGroups ?? [])]
    if (!allowed.includes(group) || group !== state.practiceGroupId) {
      return Either.left(errorResponse(403, "forbidden", "The API key may not act for this practice group"))
    }
    return Either.right(key)
  })

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

const isJson = (contentType: string): boolean => {
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase()
  return mediaType === "application/json" || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))
}

/**
 * A write's body, before it is read: a `content-type` that is not JSON (415; none at all is read
 * as JSON) or a body over `maxBodyBytes` (413), or `undefined` when it may be read.
 * @internal
 */
export const acceptBody = (config: SandboxConfig, request: SandboxRequest): Answer | undefined => {
  const contentType = request.headers["content-type"]
  if (contentType !== undefined && contentType !== "" && !isJson(contentType)) {
    return errorResponse(415, "unsupported_media_type", "A request body must be application/json")
  }
  if (request.body === TooLarge) {
    return errorResponse(413, "payload_too_large", `A request body must be at most ${config.maxBodyBytes} bytes`)
  }
  return undefined
}

/**
 * The key's rate limit at `now` (the time the request arrived, also its exchange's `at`): a 429
 * or `undefined` when admitted. One state per key in the sandbox, whatever face or connection the
 * request came through.
 * @internal
 */
export const rateLimit = (env: Env, key: ApiKey, now: number): Effect.Effect<Answer | undefined> => {
  const limit = key.rateLimit ?? env.config.rateLimit
  if (limit === undefined) return Effect.succeed(undefined)
  const settings = {
    limit: limit.limit,
    windowMillis: Duration.toMillis(Duration.decode(limit.window)),
    kind: limit.kind ?? defaultRateLimitKind
  }
  return Effect.map(
    Ref.modify(env.windows, (windows) => RateLimit.check(windows, key.key, settings, now)),
    (wait) =>
      wait === undefined ? undefined : errorResponse(429, "rate_limited", "Too many requests", {
        "retry-after": String(RateLimit.retryAfterSeconds(wait))
      })
  )
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

const statuses: Record<500 | 502 | 503 | 504, { readonly code: ErrorCode; readonly message: string }> = {
  500: { code: "internal_error", message: "Unknown error" },
  502: { code: "bad_gateway", message: "Bad gateway" },
  503: { code: "service_unavailable", message: "Service unavailable" },
  504: { code: "gateway_timeout", message: "Gateway timeout" }
}

/** The fault plan's decision for this call of `operation`, logged when it injects one. @internal */
export const decideFault = (env: Env, operation: OperationId): Effect.Effect<Fault | undefined> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.flatMap(
      Ref.modify(env.faults, (current) => {
        const [decision, state] = Faults.decide(current.plan, current.state, operation)
        return [decision, { plan: current.plan, state }] as const
      }),
      (decision) =>
        decision.fault === undefined
          ? Effect.succeed(undefined)
          : Effect.as(
            Ref.update(
              env.faultLog,
              (log) => [...log, { operation, call: decision.call, fault: decision.fault!, at: now }]
            ),
            decision.fault
          )
    ))

/** The answer under `fault`: the operation's outcome, or what the fault makes of it (or instead of it). @internal */
export const withFault = (
  fault: Fault | undefined,
  operation: OperationId,
  execute: Effect.Effect<OpResult>
): Effect.Effect<Answer> => {
  if (fault === undefined) return Effect.map(execute, toOutcome)
  switch (fault._tag) {
    case "Status": {
      const { code, message } = statuses[fault.status]
      return Effect.succeed(errorResponse(fault.status, code, message))
    }
    case "RateLimited":
      return Effect.succeed(
        errorResponse(429, "rate_limited", "Too many requests", {
          "retry-after": String(Math.max(0, Math.ceil(fault.retryAfter)))
        })
      )
    case "Latency":
      return Effect.zipRight(Effect.sleep(fault.duration), Effect.map(execute, toOutcome))
    case "Reset":
      return Effect.succeed(Answer.Reset({ applied: false }))
    case "Hang":
      return Effect.succeed(Answer.Hang())
    case "MalformedJson":
      return Effect.map(execute, (r) =>
        r._tag === "Success"
          ? Answer.Respond({ status: 200, headers: json, body: undefined, text: "{\"data\": [" })
          : toOutcome(r))
    case "SchemaBreaking":
      return Effect.map(execute, (r) =>
        r._tag === "Success"
          ? Answer.Respond({ status: 200, headers: json, body: schemaBreakingBody(operation) })
          : toOutcome(r))
    case "AppliedThenLost":
      return Effect.map(execute, (r) => Answer.Reset({ applied: r._tag === "Success" }))
  }
}
