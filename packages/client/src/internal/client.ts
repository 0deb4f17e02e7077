import * as HttpClient from "@effect/platform/HttpClient"
import type { ListPatientsV3Params } from "@hero-effect/schema"
import * as S from "@hero-effect/schema"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Service } from "../HeroHealthClient.js"
import * as Config from "../HeroHealthConfig.js"
import type { UnexpectedResponse } from "../HeroHealthError.js"
import * as Transport from "../HeroHealthTransport.js"
import type { OperationId } from "../Operation.js"
import * as RateLimitStore from "../RateLimitStore.js"
import type { RawResponse } from "./engine.js"
import { decodeBody, makeEngine } from "./engine.js"

// A path segment must be an id, never something that changes the path.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const unsafeId = /^\.{1,2}$|[/\\?#%\s\x00-\x1f\x7f]/

/** @internal */
export const make = Effect.flatMap(
  HttpClient.HttpClient,
  (httpClient) => makeWithTransport(Transport.fromHttpClient(httpClient))
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

    const pathId = (operation: OperationId, id: unknown, field = "patientId") =>
      typeof id === "string" && id.length > 0 && id.length <= 128 && !unsafeId.test(id)
        ? Effect.succeed(encodeURIComponent(id))
        : Effect.fail(
          engine.invalidInput(operation, {
            toString: () => `${field} must be a non-empty id without '/', '..', '?', '#', '%' or whitespace`
          })
        )

    // Unknown keys are refused too: a misspelt parameter must not be silently dropped.
    const encode = <A, I>(operation: OperationId, schema: Schema.Schema<A, I>, value: A) =>
      Schema.encode(schema, { onExcessProperty: "error" })(value).pipe(
        Effect.mapError((error) => engine.invalidInput(operation, error))
      )

    const noBody = () => Effect.void

    const byId = <A, I>(
      operation: OperationId,
      path: (id: string) => string,
      schema: Schema.Schema<A, I>,
      query?: Readonly<Record<string, string | undefined>>
    ) =>
    (patientId: S.PatientId) =>
      Effect.flatMap(pathId(operation, patientId), (id) =>
        engine.run(operation, {
          method: "GET",
          path: path(id),
          query,
          notFound: { patientId }
        }, decodeBody(operation, schema)))

    const write = <A, I, B>(
      operation: OperationId,
      patientId: S.PatientId,
      path: (id: string) => string,
      schema: Schema.Schema<A, I>,
      value: A,
      onSuccess: (response: RawResponse) => Effect.Effect<B, UnexpectedResponse>
    ) =>
      Effect.gen(function*() {
        const id = yield* pathId(operation, patientId)
        const body = yield* encode(operation, schema, value)
        return yield* engine.run(operation, {
          method: "POST",
          path: path(id),
          body,
          notFound: { patientId },
          conflicts: true
        }, onSuccess)
      })

    const listPatientsV3: Service["listPatientsV3"] = (params) =>
      Effect.flatMap(
        encode("listPatientsV3", S.ListPatientsV3Params, params),
        (query) =>
          engine.run(
            "listPatientsV3",
            { method: "GET", path: "/v3/patients", query },
            decodeBody("listPatientsV3", S.PatientV3List)
          )
      )

    const streamPatientsV3: Service["streamPatientsV3"] = (params: ListPatientsV3Params) => {
      const pageSize = params.pageSize ?? 50
      return Stream.paginateChunkEffect(
        params.pageIndex ?? 0,
        (pageIndex) =>
          Effect.map(listPatientsV3({ ...params, pageIndex, pageSize }), (page) => {
            const seen = (pageIndex + 1) * pageSize
            const more = page.data.length > 0 &&
              (page.count === undefined ? page.data.length >= pageSize : seen < page.count)
            return [Chunk.fromIterable(page.data), more ? Option.some(pageIndex + 1) : Option.none()] as const
          })
      )
    }

    const service: Service = {
      listPatientEhrCandidates: byId(
        "listPatientEhrCandidates",
        (id) => `/v1/patients/${id}/ehr/candidates`,
        S.EhrCandidateList
      ),
      connectPatientEhr: (patientId, request) =>
        write(
          "connectPatientEhr",
          patientId,
          (id) => `/v1/patients/${id}/ehr/connect`,
          S.ConnectPatientEhrRequest,
          request,
          noBody
        ),
      previewPatientMerge: (mainPatientId, request) =>
        write(
          "previewPatientMerge",
          mainPatientId,
          (id) => `/v1/patients/${id}/merge/preview`,
          S.PreviewPatientMergeRequest,
          request,
          decodeBody("previewPatientMerge", S.MergePreview)
        ),
      mergePatient: (mainPatientId, request) =>
        write(
          "mergePatient",
          mainPatientId,
          (id) => `/v1/patients/${id}/merge`,
          S.MergePatientRequest,
          request,
          noBody
        ),
      getPatientById: byId("getPatientById", (id) => `/v1/patients/${id}`, S.PatientV1),
      listPatientAttachments: byId(
        "listPatientAttachments",
        (id) => `/v1/patients/${id}/attachments`,
        S.AttachmentList
      ),
      listPatients: (params) =>
        Effect.flatMap(encode("listPatients", S.ListPatientsParams, params), (query) =>
          engine.run(
            "listPatients",
            { method: "GET", path: "/v1/patients", query },
            decodeBody("listPatients", S.PatientV1List)
          )),
      registerPatientPds: (request) =>
        Effect.flatMap(encode("registerPatientPds", S.RegisterPatientPdsRequest, request), (body) =>
          engine.run(
            "registerPatientPds",
            { method: "POST", path: "/v1/patients/register_pds", body, notFound: {} },
            decodeBody("registerPatientPds", S.RegisterPatientPdsResult)
          )),
      registerPatient: (request) =>
        Effect.flatMap(encode("registerPatient", S.RegisterPatientRequest, request), (body) =>
          engine.run(
            "registerPatient",
            { method: "POST", path: "/v1/patients/register", body, notFound: {} },
            decodeBody("registerPatient", S.RegisterPatientResult)
          )),
      patientBillingInfo: byId("patientBillingInfo", (id) => `/v1/patients/${id}/billing_info`, S.BillingInfo),
      listPatientPaymentMethods: byId(
        "listPatientPaymentMethods",
        (id) => `/v1/patients/${id}/payment_methods`,
        S.PaymentMethodsResponse
      ),
      getPatientByIdV2: (patientId, params = {}) =>
        Effect.flatMap(
          encode("getPatientByIdV2", S.GetPatientByIdV2Params, params),
          (query) => byId("getPatientByIdV2", (id) => `/v2/patients/${id}`, S.PatientV2, query)(patientId)
        ),
      listPatientsV2: (params) =>
        Effect.flatMap(encode("listPatientsV2", S.ListPatientsV2Params, params), (query) =>
          engine.run(
            "listPatientsV2",
            { method: "GET", path: "/v2/patients", query },
            decodeBody("listPatientsV2", S.PatientV2List)
          )),
      listPatientsV3,
      streamPatientsV3
    }
    return service
  })
