/**
 * What an operation's handler is given: the configuration, the path id, and the steps every
 * handler is made of — read the world, change it in one step, decode the query or the body, find
 * the path's patient (404 when there is none).
 *
 * @internal
 */
import type { PatientV1 } from "@hero-effect/schema/Patient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import type * as Schema from "effect/Schema"
import type { SandboxRequest } from "../../Protocol.js"
import type { SandboxConfig } from "../../SandboxConfig.js"
import type { WorldState } from "../../World.js"
import { decode, decodeBody } from "../decode.js"
import type { Env } from "../env.js"
import type { OpResult } from "../outcomes.js"
import type { Failure, Result } from "../world.js"
import * as W from "../world.js"

/** @internal */
export interface Context {
  readonly config: SandboxConfig
  /** The path's id (`""` when the path has none). */
  readonly pathId: string
  /** Reads the world. */
  readonly read: <R>(f: (state: WorldState) => R) => Effect.Effect<R>
  /** Changes the world in one step at the Clock's time; a failure leaves it as it was. */
  readonly write: <A>(f: (state: WorldState, now: number) => Result<A>) => Effect.Effect<A | Failure>
  /** Runs `f` on the decoded query, or answers its issues. */
  readonly withQuery: <A, I>(
    schema: Schema.Schema<A, I>,
    f: (a: A) => Effect.Effect<OpResult>
  ) => Effect.Effect<OpResult>
  /** Runs `f` on the decoded (exact, bounded) body, or answers its issues. */
  readonly withBody: <A, I>(
    schema: Schema.Schema<A, I>,
    f: (a: A) => Effect.Effect<OpResult>
  ) => Effect.Effect<OpResult>
  /** Runs `f` on the path's patient, or answers 404. */
  readonly patient: (f: (p: PatientV1, state: WorldState) => OpResult) => Effect.Effect<OpResult>
}

/** One operation's handler. @internal */
export type Handler = (context: Context) => Effect.Effect<OpResult>

/** @internal */
export const isFailure = (u: unknown): u is Failure =>
  typeof u === "object" && u !== null && "_tag" in u && u._tag === "Failure"

/** The context of one request. @internal */
export const make = (env: Env, request: SandboxRequest, pathId: string): Context => {
  const config = env.config
  const read = <R>(f: (state: WorldState) => R) => Effect.map(Ref.get(env.state), f)
  return {
    config,
    pathId,
    read,
    write: <A>(f: (state: WorldState, now: number) => Result<A>): Effect.Effect<A | Failure> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(env.state, (state): [A | Failure, WorldState] => {
          const result = f(state, now)
          return result._tag === "Ok" ? [result.value, result.state] : [result, state]
        })),
    withQuery: (schema, f) => Either.match(decode(schema, request.query), { onLeft: Effect.succeed, onRight: f }),
    withBody: (schema, f) =>
      Either.match(decodeBody(schema, request.body, config), { onLeft: Effect.succeed, onRight: f }),
    patient: (f) =>
      read((state) => {
        const record = W.getPatient(state, pathId)
        return record === undefined ? W.notFound : f(record.patient, state)
      })
  }
}
