import {
  AttachmentList,
  BillingInfo,
  ConnectPatientEhrRequest,
  EhrCandidateList,
  GetPatientByIdV2Params,
  ListPatientsParams,
  ListPatientsV2Params,
  ListPatientsV3Params,
  makeMergeToken,
  MergePatientRequest,
  MergePreview,
  mergeTokenValue,
  PatientV1,
  PatientV1List,
  PatientV2,
  PatientV2List,
  PatientV3List,
  PaymentMethodsResponse,
  PreviewPatientMergeRequest,
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest,
  RegisterPatientResult,
  ValidationErrorBody
} from "@hero-effect/schema"
import type { ValidationIssue } from "@hero-effect/schema"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { Fault, FaultLogEntry, FaultPlan, FaultState, OperationId } from "../Faults.js"
import * as Faults from "../Faults.js"
import type { ErrorCode, Exchange, SandboxRequest } from "../Protocol.js"
import { Outcome, TooLarge, Unparseable } from "../Protocol.js"
import type { ApiKey, SandboxConfig } from "../SandboxConfig.js"
import { defaultRateLimitKind } from "../SandboxConfig.js"
import type { WorldState } from "../World.js"
import { schemaBreakingBody } from "./faults.js"
import * as RateLimit from "./rateLimit.js"
import type { Failure, Result } from "./world.js"
import * as W from "./world.js"

/** Everything the core works on. @internal */
export interface Env {
  readonly config: SandboxConfig
  readonly state: Ref.Ref<WorldState>
  readonly faults: Ref.Ref<{ readonly plan: FaultPlan; readonly state: FaultState }>
  readonly faultLog: Ref.Ref<ReadonlyArray<FaultLogEntry>>
  readonly windows: Ref.Ref<Windows>
  readonly exchanges: Ref.Ref<ReadonlyArray<Exchange>>
}

/** Rate-limit state per API key (fixed windows or sliding logs). @internal */
export type Windows = RateLimit.Windows

interface Route {
  readonly method: "GET" | "POST"
  readonly pattern: RegExp
  readonly operation: OperationId
}

const id = "([^/]+)"
const routes: ReadonlyArray<Route> = [
  { method: "GET", pattern: new RegExp(`^/v1/patients/${id}/ehr/candidates$`), operation: "listPatientEhrCandidates" },
  { method: "POST", pattern: new RegExp(`^/v1/patients/${id}/ehr/connect$`), operation: "connectPatientEhr" },
  { method: "POST", pattern: new RegExp(`^/v1/patients/${id}/merge/preview$`), operation: "previewPatientMerge" },
  { method: "POST", pattern: new RegExp(`^/v1/patients/${id}/merge$`), operation: "mergePatient" },
  { method: "GET", pattern: new RegExp(`^/v1/patients/${id}/attachments$`), operation: "listPatientAttachments" },
  { method: "GET", pattern: new RegExp(`^/v1/patients/${id}/billing_info$`), operation: "patientBillingInfo" },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/patients/${id}/payment_methods$`),
    operation: "listPatientPaymentMethods"
  },
  { method: "POST", pattern: /^\/v1\/patients\/register_pds$/, operation: "registerPatientPds" },
  { method: "POST", pattern: /^\/v1\/patients\/register$/, operation: "registerPatient" },
  { method: "GET", pattern: /^\/v1\/patients$/, operation: "listPatients" },
  { method: "GET", pattern: new RegExp(`^/v1/patients/${id}$`), operation: "getPatientById" },
  { method: "GET", pattern: /^\/v2\/patients$/, operation: "listPatientsV2" },
  { method: "GET", pattern: new RegExp(`^/v2/patients/${id}$`), operation: "getPatientByIdV2" },
  { method: "GET", pattern: /^\/v3\/patients$/, operation: "listPatientsV3" }
]

/** The operations that take a JSON body (the writes). @internal */
export const bodyOperations: ReadonlySet<OperationId> = new Set<OperationId>([
  "connectPatientEhr",
  "previewPatientMerge",
  "mergePatient",
  "registerPatient",
  "registerPatientPds"
])

/** Which operation a method and path name, with the path id. @internal */
export const route = (
  method: string,
  path: string
): { readonly operation: OperationId; readonly id: string | undefined } | undefined => {
  const clean = path.length > 1 ? path.replace(/\/+$/, "") : path
  for (const r of routes) {
    if (r.method !== method.toUpperCase()) continue
    const match = r.pattern.exec(clean)
    if (match) {
      let pathId: string | undefined = match[1]
      try {
        pathId = pathId === undefined ? undefined : decodeURIComponent(pathId)
      } catch {
        // keep it as sent
      }
      return { operation: r.operation, id: pathId }
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

const json = { "content-type": "application/json" }

const errorResponse = (status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) =>
  Outcome.Respond({
    status,
    headers: { ...json, ...headers },
    body: { error: true, statusCode: status, code, message }
  })

const fromFailure = (f: Failure) => errorResponse(f.status, f.code as ErrorCode, f.message)

interface Invalid {
  readonly _tag: "Invalid"
  readonly issues: ReadonlyArray<ValidationIssue>
}

const invalid = (issues: ReadonlyArray<ValidationIssue>): Invalid => ({ _tag: "Invalid", issues })

const encodeValidation = Schema.encodeSync(ValidationErrorBody)

const invalidResponse = (i: Invalid) =>
  Outcome.Respond({
    status: 400,
    headers: json,
    body: encodeValidation({ error: true, statusCode: 400, issues: i.issues })
  })

const codeOf = (tag: string): string => tag.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()

// Default messages end in ", actual <value>": the value can be patient data, so it is cut.
const safeMessage = (message: string): string => message.replace(/,?\s*actual[\s\S]*$/, "").trim() || "is invalid"

/** At most this many issues are reported in one 400 body (a body of junk fields is not echoed). @internal */
export const maxIssues = 100

/** Bodies are flat objects: deeper values are refused without being walked. @internal */
const maxDepth = 8

const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown,
  options: { readonly exact?: boolean } = {}
): Either.Either<A, Invalid> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema, {
      errors: "all",
      ...(options.exact === true ? { onExcessProperty: "error" as const } : {})
    })(input),
    (error) =>
      invalid(
        ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, maxIssues).map((issue) => ({
          code: codeOf(issue._tag),
          expected: safeMessage(issue.message),
          path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))
        }))
      )
  )

/**
 * Strings and field names longer than `maxLength`, and values nested deeper than a flat body
 * needs, walked breadth first without recursion (a body can be nested a million levels deep).
 */
const oversized = (body: unknown, maxLength: number): ReadonlyArray<ValidationIssue> => {
  const issues: Array<ValidationIssue> = []
  const queue: Array<readonly [unknown, ReadonlyArray<string | number>]> = [[body, []]]
  for (let i = 0; i < queue.length && issues.length < maxIssues; i++) {
    const [value, path] = queue[i]!
    if (typeof value === "string") {
      if (value.length > maxLength) {
        issues.push({ code: "refinement", expected: `A text must be at most ${maxLength} characters`, path })
      }
    } else if (typeof value === "object" && value !== null) {
      if (path.length >= maxDepth) {
        issues.push({ code: "refinement", expected: `A value must be nested at most ${maxDepth} levels`, path })
        continue
      }
      const entries: ReadonlyArray<readonly [string | number, unknown]> = Array.isArray(value)
        ? value.map((v, index) => [index, v] as const)
        : Object.entries(value)
      for (const [key, v] of entries) {
        if (typeof key === "string" && key.length > maxLength) {
          issues.push({ code: "refinement", expected: `A field name must be at most ${maxLength} characters`, path })
          if (issues.length >= maxIssues) break
        } else {
          queue.push([v, [...path, key]])
        }
      }
    }
  }
  return issues
}

// Every write body is exact: a field that does not belong is a 400 `unexpected`, and no string
// (or field name) is longer than `maxFieldLength`.
const decodeBody = <A, I>(
  schema: Schema.Schema<A, I>,
  body: unknown,
  config: SandboxConfig
): Either.Either<A, Invalid> => {
  if (body === Unparseable) return Either.left(invalid([{ code: "invalid_json", expected: "a JSON body", path: [] }]))
  if (body === undefined) return Either.left(invalid([{ code: "missing", expected: "a JSON object body", path: [] }]))
  const tooLong = oversized(body, config.maxFieldLength)
  return tooLong.length > 0 ? Either.left(invalid(tooLong)) : decode(schema, body, { exact: true })
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/

/** Writes every `dob` as a date-time when configured. @internal */
const withDobFormat = (value: unknown, config: SandboxConfig): unknown => {
  if (config.dobFormat === "date") return value
  const walk = (u: unknown): unknown => {
    if (Array.isArray(u)) return u.map(walk)
    if (typeof u === "object" && u !== null) {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(u)) {
        out[k] = k === "dob" && typeof v === "string" && dateOnly.test(v) ? `${v}T00:00:00.000Z` : walk(v)
      }
      return out
    }
    return u
  }
  return walk(value)
}

interface Success {
  readonly _tag: "Success"
  readonly body: unknown
}

type OpResult = Success | Failure | Invalid

const success = (body: unknown): Success => ({ _tag: "Success", body })

const encoded = <A, I>(schema: Schema.Schema<A, I>, value: NoInfer<A>, config: SandboxConfig): Success =>
  success(withDobFormat(Schema.encodeSync(schema)(value), config))

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

const write = <A>(env: Env, f: (state: WorldState, now: number) => Result<A>): Effect.Effect<A | Failure> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Ref.modify(env.state, (state): [A | Failure, WorldState] => {
      const result = f(state, now)
      return result._tag === "Ok" ? [result.value, result.state] : [result, state]
    }))

const isFailure = (u: unknown): u is Failure =>
  typeof u === "object" && u !== null && "_tag" in u && u._tag === "Failure"

const run = (env: Env, operation: OperationId, request: SandboxRequest, pathId: string): Effect.Effect<OpResult> => {
  const config = env.config
  const read = <R>(f: (state: WorldState) => R) => Effect.map(Ref.get(env.state), f)
  const withBody = <A, I>(schema: Schema.Schema<A, I>, f: (a: A) => Effect.Effect<OpResult>) =>
    Either.match(decodeBody(schema, request.body, config), { onLeft: Effect.succeed, onRight: f })
  const withQuery = <A, I>(schema: Schema.Schema<A, I>, f: (a: A) => Effect.Effect<OpResult>) =>
    Either.match(decode(schema, request.query), { onLeft: Effect.succeed, onRight: f })
  const patient = (f: (p: PatientV1, state: WorldState) => OpResult) =>
    read((state) => {
      const record = W.getPatient(state, pathId)
      return record === undefined ? W.notFound : f(record.patient, state)
    })

  switch (operation) {
    case "getPatientById":
      return patient((p) => encoded(PatientV1, p, config))
    case "getPatientByIdV2":
      return withQuery(GetPatientByIdV2Params, (params) =>
        patient((p, state) => {
          if (params.dataSource !== "ehr") return encoded(PatientV2, W.toV2(p), config)
          const ehr = W.linkedEhr(state, p.id)
          return ehr === undefined
            ? W.failure(404, "ehr_record_not_found", "The patient is not linked to an EHR record")
            : encoded(PatientV2, ehr, config)
        }))
    case "listPatientEhrCandidates":
      return read((state) => {
        const found = W.candidates(state, pathId, config.candidateMatching)
        return isFailure(found) ? found : encoded(EhrCandidateList, { data: found, count: found.length }, config)
      })
    case "listPatientAttachments":
      return patient((p, state) => {
        const data = state.attachments[p.id] ?? []
        return encoded(AttachmentList, { data, count: data.length }, config)
      })
    case "patientBillingInfo":
      return patient((p, state) =>
        encoded(BillingInfo, state.billing[p.id] ?? { id: `bill_${p.id}`, confidential: false }, config)
      )
    case "listPatientPaymentMethods":
      return patient((p, state) =>
        encoded(PaymentMethodsResponse, state.paymentMethods[p.id] ?? { object: "list", data: [] }, config)
      )
    case "listPatients":
      return withQuery(ListPatientsParams, (params) =>
        Either.match(fieldAndSearch(params.field, params.search), {
          onLeft: Effect.succeed,
          onRight: ([field, search]) =>
            read((state) => {
              const data = W.searchV1(state, field, search, config.listArchived)
              return encoded(PatientV1List, { data, count: data.length }, config)
            })
        }))
    case "listPatientsV2":
      return withQuery(ListPatientsV2Params, (params) =>
        Either.match(fieldAndSearch(params.field, params.search), {
          onLeft: Effect.succeed,
          onRight: ([field, search]) =>
            read((state) => {
              const data = W.searchV2(state, field, search, params.dataSource ?? "hero", config.listArchived)
              return encoded(PatientV2List, { data, count: data.length }, config)
            })
        }))
    case "listPatientsV3":
      return withQuery(ListPatientsV3Params, (params) => {
        const pageIndex = params.pageIndex ?? 0
        const pageSize = params.pageSize ?? config.defaultPageSize
        if (pageSize > config.maxPageSize) {
          const expected = `A page size must be at most ${config.maxPageSize}`
          return Effect.succeed(invalid([{ code: "refinement", expected, path: ["page_size"] }]))
        }
        return read((state) => {
          const all = W.searchV3(state, params, config.listArchived)
          const data = all.slice(pageIndex * pageSize, pageIndex * pageSize + pageSize)
          return encoded(PatientV3List, { data, count: all.length }, config)
        })
      })
    case "connectPatientEhr":
      return withBody(ConnectPatientEhrRequest, (body) =>
        Effect.map(
          write(env, (state, now) => W.connect(state, pathId, body.ehrPartnerId, config.relink, now)),
          (r): OpResult => (isFailure(r) ? r : success(undefined))
        ))
    case "previewPatientMerge":
      return withBody(PreviewPatientMergeRequest, (body) =>
        Effect.map(
          write(
            env,
            (state, now) =>
              W.preview(state, pathId, body.incomingPatientId, now, Duration.toMillis(config.mergeTokenTtl))
          ),
          (r): OpResult =>
            isFailure(r) ? r : encoded(MergePreview, {
              mainPatient: r.main,
              incomingPatient: r.incoming,
              resultPatient: r.result,
              mergeToken: makeMergeToken(r.token)
            }, config)
        ))
    case "mergePatient":
      return withBody(MergePatientRequest, (body) =>
        Effect.map(
          write(env, (state, now) =>
            W.merge(state, pathId, body.incomingPatientId, mergeTokenValue(body.mergeToken), now)),
          (r): OpResult => (isFailure(r) ? r : success(undefined))
        ))
    case "registerPatient":
      return withBody(RegisterPatientRequest, (body) =>
        Effect.map(
          write(env, (state, now) => W.register(state, body, now)),
          (r): OpResult =>
            isFailure(r)
              ? r
              : encoded(RegisterPatientResult, { _tag: "PatientRegistered" as const, patientId: r }, config)
        ))
    case "registerPatientPds":
      return withBody(RegisterPatientPdsRequest, (body) =>
        Effect.map(
          write(env, (state, now) => W.registerPds(state, body, now)),
          (r): OpResult =>
            isFailure(r)
              ? r
              : r._tag === "Registered"
              ? encoded(RegisterPatientPdsResult, { _tag: "PatientRegistered", patientId: r.id }, config)
              : encoded(RegisterPatientPdsResult, {
                _tag: "IdentityCheckRequired",
                message: "The patient must verify their identity before they can be registered",
                loginUrl: r.loginUrl
              }, config)
        ))
  }
}

const fieldAndSearch = (
  field: string | undefined,
  search: string | undefined
): Either.Either<readonly [W.SearchField, string], Invalid> => {
  const issues: Array<ValidationIssue> = []
  if (field === undefined) issues.push({ code: "missing", expected: "is missing", path: ["field"] })
  else if (!W.isSearchField(field)) {
    issues.push({ code: "refinement", expected: `one of ${W.searchFields.join(", ")}`, path: ["field"] })
  }
  if (search === undefined) issues.push({ code: "missing", expected: "is missing", path: ["search"] })
  return issues.length > 0 || field === undefined || search === undefined || !W.isSearchField(field)
    ? Either.left(invalid(issues))
    : Either.right([field, search] as const)
}

const toOutcome = (result: OpResult): Outcome => {
  switch (result._tag) {
    case "Success":
      return Outcome.Respond({ status: 200, headers: result.body === undefined ? {} : json, body: result.body })
    case "Failure":
      return fromFailure(result)
    case "Invalid":
      return invalidResponse(result)
  }
}

// ---------------------------------------------------------------------------------------------
// Auth, rate limits, faults
// ---------------------------------------------------------------------------------------------

const authenticate = (
  env: Env,
  request: SandboxRequest
): Effect.Effect<Either.Either<ApiKey, Outcome>> =>
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

/**
 * The key's rate limit at `now` (the time the request arrived, also its exchange's `at`): a 429
 * or `undefined` when admitted. One state per key in the sandbox, whatever face or connection the
 * request came through.
 */
const rateLimit = (env: Env, key: ApiKey, now: number): Effect.Effect<Outcome | undefined> => {
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

const statusCodes: Record<500 | 502 | 503 | 504, ErrorCode> = {
  500: "internal_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout"
}

const statusMessages: Record<500 | 502 | 503 | 504, string> = {
  500: "Unknown error",
  502: "Bad gateway",
  503: "Service unavailable",
  504: "Gateway timeout"
}

const decideFault = (env: Env, operation: OperationId) =>
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

const withFault = (fault: Fault | undefined, operation: OperationId, execute: Effect.Effect<OpResult>) => {
  if (fault === undefined) return Effect.map(execute, toOutcome)
  switch (fault._tag) {
    case "Status":
      return Effect.succeed(errorResponse(fault.status, statusCodes[fault.status], statusMessages[fault.status]))
    case "RateLimited":
      return Effect.succeed(
        errorResponse(429, "rate_limited", "Too many requests", {
          "retry-after": String(Math.max(0, Math.ceil(fault.retryAfter)))
        })
      )
    case "Latency":
      return Effect.zipRight(Effect.sleep(fault.duration), Effect.map(execute, toOutcome))
    case "Reset":
      return Effect.succeed(Outcome.Reset({ applied: false }))
    case "Hang":
      return Effect.succeed(Outcome.Hang())
    case "MalformedJson":
      return Effect.map(execute, (r) =>
        r._tag === "Success"
          ? Outcome.Respond({ status: 200, headers: json, body: undefined, text: "{\"data\": [" })
          : toOutcome(r))
    case "SchemaBreaking":
      return Effect.map(execute, (r) =>
        r._tag === "Success"
          ? Outcome.Respond({ status: 200, headers: json, body: schemaBreakingBody(operation) })
          : toOutcome(r))
    case "AppliedThenLost":
      return Effect.map(execute, (r) => Outcome.Reset({ applied: r._tag === "Success" }))
  }
}

const isJson = (contentType: string): boolean => {
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase()
  return mediaType === "application/json" || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))
}

/**
 * What can be refused before a body is read: the route (404), the credentials (401/403), and for
 * a write, a `content-type` that is not JSON (415; none at all is read as JSON) or a body over
 * `maxBodyBytes` (413).
 */
const precheck = (
  env: Env,
  request: SandboxRequest,
  operation: OperationId | undefined
): Effect.Effect<Either.Either<ApiKey, Outcome>> => {
  if (operation === undefined) return Effect.succeed(Either.left(errorResponse(404, "not_found", "No such route")))
  return Effect.map(authenticate(env, request), (key) => {
    if (Either.isLeft(key) || !bodyOperations.has(operation)) return key
    const contentType = request.headers["content-type"]
    if (contentType !== undefined && contentType !== "" && !isJson(contentType)) {
      return Either.left(errorResponse(415, "unsupported_media_type", "A request body must be application/json"))
    }
    if (request.body === TooLarge) {
      return Either.left(
        errorResponse(413, "payload_too_large", `A request body must be at most ${env.config.maxBodyBytes} bytes`)
      )
    }
    return key
  })
}

const answer = (
  env: Env,
  request: SandboxRequest,
  operation: OperationId | undefined,
  pathId: string,
  now: number
) =>
  Effect.gen(function*() {
    if (operation === undefined) return errorResponse(404, "not_found", "No such route")
    const key = yield* precheck(env, request, operation)
    if (Either.isLeft(key)) return key.left
    const limited = yield* rateLimit(env, key.right, now)
    if (limited !== undefined) return limited
    const fault = yield* decideFault(env, operation)
    return yield* withFault(fault, operation, run(env, operation, request, pathId))
  })

const record = (
  env: Env,
  request: SandboxRequest,
  operation: OperationId | undefined,
  outcome: Outcome,
  at: number
) =>
  env.config.exchangeLogSize > 0
    ? Ref.update(
      env.exchanges,
      (log) =>
        [...log, { operation, method: request.method, path: request.path, outcome, at }].slice(
          -env.config.exchangeLogSize
        )
    )
    : Effect.void

/** The core: one request in, one outcome out, recorded in the exchange log. @internal */
export const handle = (env: Env) => (request: SandboxRequest): Effect.Effect<Outcome> => {
  const matched = route(request.method, request.path)
  // One reading of the Clock serves the rate limit and the exchange's `at`, so the log shows
  // exactly the times the limit judged.
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.tap(
      answer(env, request, matched?.operation, matched?.id ?? "", now),
      (outcome) => record(env, request, matched?.operation, outcome, now)
    ))
}

/**
 * The checks that need no body (route, credentials, content type, a body known to be too large):
 * the refusal, recorded in the exchange log, or `undefined` when the body should be read.
 * @internal
 */
export const admit = (env: Env) => (request: SandboxRequest): Effect.Effect<Outcome | undefined> => {
  const matched = route(request.method, request.path)
  return Effect.flatMap(precheck(env, request, matched?.operation), (key) =>
    Either.isRight(key)
      ? Effect.succeed(undefined)
      : Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => Effect.as(record(env, request, matched?.operation, key.left, now), key.left)
      ))
}
