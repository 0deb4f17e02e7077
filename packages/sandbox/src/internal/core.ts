/**
 * The core: the pipeline every request goes through, on every face (the in-memory client layer
 * and the HTTP server). `answer` composes the steps — the route (`router.ts`), the guards
 * (`guards.ts`: credentials, a write's body, the rate limit, the fault), the operation's handler
 * (`handlers.ts`) and its outcome (`outcomes.ts`) — and every answer is recorded in the exchange
 * log.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import type { OperationId } from "../Faults.js"
import type { Answer, SandboxRequest } from "../Protocol.js"
import type { ApiKey } from "../SandboxConfig.js"
import type { Env } from "./env.js"
import * as Guards from "./guards.js"
import * as Handlers from "./handlers.js"
import { noRoute } from "./outcomes.js"
import type { Route } from "./router.js"
import { bodyOperations, route } from "./router.js"

export type { Env, Windows } from "./env.js"
export { bodyOperations, route } from "./router.js"

/**
 * What can be refused before a body is read: the route (404), the credentials (401/403), and for
 * a write, its content type and declared size (415/413).
 */
const precheck = (
  env: Env,
  request: SandboxRequest,
  operation: OperationId | undefined
): Effect.Effect<Either.Either<ApiKey, Answer>> => {
  if (operation === undefined) return Effect.succeed(Either.left(noRoute()))
  return Effect.map(Guards.authenticate(env, request), (key) => {
    if (Either.isLeft(key) || !bodyOperations.has(operation)) return key
    const refused = Guards.acceptBody(env.config, request)
    return refused === undefined ? key : Either.left(refused)
  })
}

/** The pipeline: route, precheck, rate limit, fault, then the operation's handler. */
const answer = (env: Env, request: SandboxRequest, matched: Route | undefined, now: number) =>
  Effect.gen(function*() {
    if (matched === undefined) return noRoute()
    const operation = matched.operation
    const key = yield* precheck(env, request, operation)
    if (Either.isLeft(key)) return key.left
    const limited = yield* Guards.rateLimit(env, key.right, now)
    if (limited !== undefined) return limited
    const fault = yield* Guards.decideFault(env, operation)
    return yield* Guards.withFault(fault, operation, Handlers.run(env, operation, request, matched.id ?? ""))
  })

const record = (
  env: Env,
  request: SandboxRequest,
  operation: OperationId | undefined,
  outcome: Answer,
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
export const handle = (env: Env) => (request: SandboxRequest): Effect.Effect<Answer> => {
  const matched = route(request.method, request.path)
  // One reading of the Clock serves the rate limit and the exchange's `at`, so the log shows
  // exactly the times the limit judged.
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.tap(
      answer(env, request, matched, now),
      (outcome) => record(env, request, matched?.operation, outcome, now)
    ))
}

/**
 * The checks that need no body (route, credentials, content type, a body known to be too large):
 * the refusal, recorded in the exchange log, or `undefined` when the body should be read.
 * @internal
 */
export const admit = (env: Env) => (request: SandboxRequest): Effect.Effect<Answer | undefined> => {
  const matched = route(request.method, request.path)
  return Effect.flatMap(precheck(env, request, matched?.operation), (key) =>
    Either.isRight(key)
      ? Effect.succeed(undefined)
      : Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => Effect.as(record(env, request, matched?.operation, key.left, now), key.left)
      ))
}
