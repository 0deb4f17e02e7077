/**
 * The type of the client's calls as the endpoint table describes them: the arguments (the patient
 * id where the path has one, then the body or the query), the success (the success schema's type,
 * `void` where the table reads no body) and the failures (`PatientNotFound` where a 404 means a
 * missing patient, `Conflict` where a 409 can happen). The client's `Service` is checked against
 * it, so the hand-written interface cannot drift from the table.
 *
 * @internal
 */
import type * as Endpoint from "@hero-effect/schema/Endpoint"
import type { PatientId } from "@hero-effect/schema/Ids"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Errors from "../HeroHealthError.js"

type TypeOf<S> = S extends Schema.Schema.AnyNoContext ? Schema.Schema.Type<S> : never

/** The arguments of an endpoint's call. @internal */
export type ArgsOf<E extends Endpoint.Endpoint> = [
  ...(E["pathId"] extends true ? [patientId: PatientId] : []),
  ...(E["body"] extends Schema.Schema.AnyNoContext ? [body: TypeOf<E["body"]>]
    : E["query"] extends Schema.Schema.AnyNoContext ? E["pathId"] extends true ? [query?: TypeOf<E["query"]>]
      : [query: TypeOf<E["query"]>]
    : [])
]

/** The failures of an endpoint's call. @internal */
export type ErrorOf<E extends Endpoint.Endpoint> =
  | Errors.CommonError
  | (E["notFound"] extends true ? Errors.PatientNotFound : never)
  | (E["conflicts"] extends true ? Errors.Conflict : never)

/** One endpoint's call. @internal */
export type CallOf<E extends Endpoint.Endpoint> = (
  ...args: ArgsOf<E>
) => Effect.Effect<E["success"] extends Schema.Schema.AnyNoContext ? TypeOf<E["success"]> : void, ErrorOf<E>>

/** Every endpoint's call. @internal */
export type Calls = { readonly [K in Endpoint.OperationId]: CallOf<Endpoint.Endpoints[K]> }
