import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Endpoint from "@hero-effect/schema/Endpoint"
import type { PatientId } from "@hero-effect/schema/Ids"
import type { PatientV3 } from "@hero-effect/schema/Patient"
import type { ListPatientsV3Params } from "@hero-effect/schema/Search"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Service } from "../HeroHealthClient.js"
import * as Config from "../HeroHealthConfig.js"
import * as Errors from "../HeroHealthError.js"
import * as Transport from "../HeroHealthTransport.js"
import type { OperationId } from "../Operation.js"
import * as RateLimitStore from "../RateLimitStore.js"
import type { Calls } from "./calls.js"
import { decodeBody, makeEngine } from "./engine.js"

// A Hero patient id is ASCII digits (`^\d+$`; `\d` without the `u` flag is [0-9] only), checked
// before any encoding: no `..`, `/`, `%`, no fullwidth or Arabic-Indic digits, no zero-width or
// bidi marks, no lone surrogates (on which encodeURIComponent throws).
const patientIdPattern = /^[0-9]{1,128}$/

// An EHR partner id has no documented pattern (EMIS and SystmOne ids seen are alphanumeric,
// some with `-`, `_`, `.`, `{}`): printable ASCII without spaces, at most 128 characters. It
// travels in a JSON body, but a zero-width or bidi mark in it would link a record a human
// cannot tell apart from another.
const ehrPartnerIdPattern = /^[\x21-\x7e]{1,128}$/

// A lone surrogate: URLSearchParams would silently send U+FFFD instead (a different search).
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** @internal */
export const defaultMaxPages = 1000

const wellFormed = (value: unknown, depth = 0): boolean => {
  if (typeof value === "string") return !loneSurrogate.test(value)
  if (typeof value !== "object" || value === null || depth > 16) return true
  for (const key in value) {
    if (!wellFormed(key) || !wellFormed((value as Record<string, unknown>)[key], depth + 1)) return false
  }
  return true
}

/** @internal */
export const make = Effect.flatMap(
  Effect.zip(HttpClient.HttpClient, Effect.serviceOption(FetchHttpClient.Fetch)),
  ([httpClient, fetch]) => makeWithTransport(Transport.fromHttpClient(httpClient, Option.getOrUndefined(fetch)))
)

/** @internal */
export const makeFromContext = Effect.flatMap(
  Transport.HeroHealthTransport,
  (transport) => makeWithTransport(transport)
)

/** @internal */
export const makeWithTransport = (transport: Transport.Service) =>
  Effect.gen(function*() {
    const config = yield* Config.HeroHealthConfig
    const store = yield* Effect.serviceOption(RateLimitStore.RateLimitStore).pipe(
      Effect.flatMap(Option.match({ onNone: () => RateLimitStore.makeMemory, onSome: Effect.succeed }))
    )
    const engine = yield* makeEngine(transport, config, store)

    const refuse = (operation: OperationId, path: string, message: string) =>
      Effect.fail(new Errors.InvalidInput({ operation, issues: [{ path, message }] }))

    // Digits only, so the id needs no encoding at all (and nothing here can throw).
    const isPathId = (id: unknown): id is string => typeof id === "string" && patientIdPattern.test(id)

    // Unknown keys are refused too: a misspelt parameter must not be silently dropped. Strings
    // with lone surrogates are refused after encoding (they cannot be sent as they are).
    const encode = <A, I>(operation: OperationId, schema: Schema.Schema<A, I>, value: A) =>
      Schema.encode(schema, { onExcessProperty: "error" })(value).pipe(
        Effect.mapError((error) => engine.invalidInput(operation, error)),
        Effect.flatMap((encoded) =>
          wellFormed(encoded)
            ? Effect.succeed(encoded)
            : refuse(operation, "", "a text value is not well-formed Unicode (a lone surrogate)")
        )
      )

    const noBody = () => Effect.void

    // One call per endpoint of the table: the path id checked (digits only, so it needs no
    // encoding), the query or body encoded, then the engine. The compiler checks the result
    // against the hand-written `Service` (see `Calls`).
    const call = (operation: OperationId) => {
      const endpoint: Endpoint.Endpoint = Endpoint.endpoints[operation]
      const { body: bodySchema, method, query: querySchema, success } = endpoint
      const onSuccess = success === undefined ? noBody : decodeBody(operation, success)
      const conflicts = endpoint.conflicts
      const send = (path: string, input: unknown, notFound: { readonly patientId?: string } | undefined) => {
        if (bodySchema !== undefined) {
          return Effect.flatMap(
            encode(operation, bodySchema, input),
            (body) => engine.run(operation, { method, path, body, notFound, conflicts }, onSuccess)
          )
        }
        if (querySchema !== undefined) {
          return Effect.flatMap(
            // An optional query after a path id (v2's `data_source`) is `{}` when left out;
            // `null`, or a missing required query, is refused by the schema.
            encode(operation, querySchema, input === undefined && endpoint.pathId ? {} : input),
            (query) => engine.run(operation, { method, path, query, notFound, conflicts }, onSuccess)
          )
        }
        return engine.run(operation, { method, path, notFound, conflicts }, onSuccess)
      }
      if (!endpoint.pathId) {
        const notFound = endpoint.notFound ? {} : undefined
        return (input?: unknown) => send(endpoint.path, input, notFound)
      }
      // Checked in place, not as an Effect of its own: it runs on every call.
      return (patientId: PatientId, input?: unknown) =>
        isPathId(patientId)
          ? send(Endpoint.renderPath(endpoint, patientId), input, endpoint.notFound ? { patientId } : undefined)
          : refuse(operation, "patientId", "a Hero patient id must be 1 to 128 ASCII digits")
    }
    const calls = Object.fromEntries(Endpoint.operationIds.map((operation) => [operation, call(operation)]))
    // The runtime calls are built from data, so their types come from the table (`Calls`);
    // `satisfies` below checks those against the Service.
    const derived = calls as unknown as Calls

    const listPatientsV3: Service["listPatientsV3"] = derived.listPatientsV3

    // Paging never trusts `count` alone: the docs do not say whether it is the total or the
    // items on this page. It goes on while pages are full; it stops at a short or empty page, at
    // the total once `count` has proved to be one (larger than the page it came with), at a page
    // that repeats the previous one (a server ignoring or clamping `page_index`), and fails after
    // `maxPages` full pages rather than loop forever.
    const streamPatientsV3: Service["streamPatientsV3"] = (params: ListPatientsV3Params, options) => {
      const pageSize = params.pageSize ?? 50
      const maxPages = options?.maxPages ?? defaultMaxPages
      const first = params.pageIndex ?? 0
      interface State {
        readonly pageIndex: number
        readonly total: number | undefined
        readonly previous: string | undefined
      }
      const keyOf = (page: ReadonlyArray<PatientV3>) =>
        page.map((p) => p.heroId ?? p.ehrPartnerId ?? `${p.nhsNumber}|${p.firstName}|${p.lastName}`).join(",")
      return Stream.paginateChunkEffect<State, PatientV3, Errors.CommonError, never>({
        pageIndex: first,
        total: undefined,
        previous: undefined
      }, (state) => {
        const { pageIndex } = state
        if (pageIndex - first >= maxPages) {
          return Effect.fail(
            new Errors.UnexpectedResponse({
              operation: "listPatientsV3",
              status: 200,
              reason: `the search was still returning full pages after maxPages (${maxPages}) pages`,
              excerpt: ""
            })
          )
        }
        return Effect.flatMap(listPatientsV3({ ...params, pageIndex, pageSize }), (page) => {
          const data = page.data
          const key = data.length > 0 ? keyOf(data) : ""
          // Only while the total is unknown: with a total, paging is bounded by it anyway.
          if (state.total === undefined && state.previous !== undefined && key === state.previous) {
            return Effect.as(
              Effect.logWarning("listPatientsV3 returned the previous page again; stopping").pipe(
                Effect.annotateLogs({ pageIndex })
              ),
              [Chunk.empty<PatientV3>(), Option.none<State>()] as const
            )
          }
          const end = pageIndex * pageSize + data.length
          const total = state.total ??
            (page.count !== undefined && page.count > data.length ? page.count : undefined)
          const more = data.length > 0 && data.length >= pageSize && (total === undefined || end < total)
          return Effect.succeed(
            [
              Chunk.fromIterable(data),
              more ? Option.some<State>({ pageIndex: pageIndex + 1, total, previous: key }) : Option.none()
            ] as const
          )
        })
      })
    }

    const service = {
      ...derived,
      // The partner id travels in the body; refused before encoding when a person could not tell
      // it from another (see `ehrPartnerIdPattern`).
      connectPatientEhr: (patientId, request) =>
        typeof request !== "object" || request === null || typeof request.ehrPartnerId !== "string" ||
          !ehrPartnerIdPattern.test(request.ehrPartnerId)
          ? refuse(
            "connectPatientEhr",
            "ehrPartnerId",
            "an EHR partner id must be 1 to 128 printable ASCII characters without spaces"
          )
          : derived.connectPatientEhr(patientId, request),
      streamPatientsV3
    } satisfies Service
    return service
  })
