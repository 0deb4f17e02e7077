/**
 * The receiver of Hero's patient webhooks that re-checks the patient: each new, verified
 * `patient.medical-record-updated` delivery starts the patient's durable `ProcessPatient`
 * workflow under the run id `recheck/<deliveryKey>`, after the delivery was recorded in a durable
 * event store (the `DeliveryStore` of `PatientWebhook`).
 *
 * - **Once per delivery.** A duplicate (same key) answers 200 and starts nothing; the run id is
 *   the delivery key, so even a workflow submitted twice runs once.
 * - **Malformed ids.** The body's `id` is decoded as a `PatientId` (digits): any other id is
 *   `WebhookBodyMalformed` (400), before anything is recorded.
 * - **Out of order.** An event is recorded, but starts no re-check, when a re-check of the same
 *   patient started after the event's timestamp (plus `skew`, default 1 second, the resolution of
 *   a unix-seconds timestamp): that re-check read the record as it was after this event. So an
 *   older event arriving after a newer one (whose re-check started) starts nothing. Two
 *   deliveries of one patient handled at the same instant may both start one: a re-check too
 *   many, never one too few.
 * - **Failures.** When the workflow cannot be submitted the delivery is released and the answer
 *   is 500, so Hero's retry starts it again.
 *
 * The event table (`hero_webhook_events`) holds patient and practice group ids: protect and purge
 * it as the patient data it is. Rows older than the replay window are no longer needed for
 * dedupe (their deliveries are refused as stale).
 *
 * @since 0.3.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as PatientWebhook from "@hero-effect/client/PatientWebhook"
import type { PatientId } from "@hero-effect/schema/Ids"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/recheck.js"

/**
 * The table of received events: `delivery_key` (primary key), `patient_id`, `practice_group_id`,
 * `received_at` and `started_at` (epoch milliseconds; `started_at` is null while no re-check was
 * started for the delivery).
 *
 * @since 0.3.0
 * @category constants
 */
export const table: string = internal.table

/**
 * The event schema the receiver decodes: `PatientWebhookEvent` with a `PatientId` (digits) id.
 *
 * @since 0.3.0
 * @category schemas
 */
export const RecheckEvent: Schema.Schema<
  Omit<PatientWebhook.PatientWebhookEvent, "id"> & { readonly id: PatientId },
  any
> = internal.RecheckEvent

/**
 * The event store: the `DeliveryStore` seam, plus what the out-of-order rule reads and writes.
 *
 * @since 0.3.0
 * @category models
 */
export interface EventStoreService extends PatientWebhook.DeliveryStoreService {
  /** Whether a re-check of the patient started later than `millis` (epoch milliseconds). */
  readonly startedAfter: (
    patientId: string,
    millis: number
  ) => Effect.Effect<boolean, PatientWebhook.DeliveryStoreError>
  /** Records that the delivery's re-check started at `atMillis`. */
  readonly markStarted: (
    deliveryKey: string,
    atMillis: number
  ) => Effect.Effect<void, PatientWebhook.DeliveryStoreError>
}

/**
 * @since 0.3.0
 * @category tags
 */
export class EventStore extends Context.Tag("@hero-effect/workflows/PatientRecheck/EventStore")<
  EventStore,
  EventStoreService
>() {}

const both = <E, R>(
  make: Effect.Effect<EventStoreService, E, R>
): Layer.Layer<EventStore | PatientWebhook.DeliveryStore, E, R> =>
  Layer.effectContext(
    Effect.map(make, (service) =>
      Context.make(EventStore, service).pipe(Context.add(PatientWebhook.DeliveryStore, service)))
  )

/**
 * Events in memory (for tests and one process): provides `EventStore` and `DeliveryStore`.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerMemory: Layer.Layer<EventStore | PatientWebhook.DeliveryStore> = both(internal.makeMemory)

/**
 * Events in `hero_webhook_events` over the `SqlClient` in context (SQLite or PostgreSQL), created
 * if missing (`CREATE TABLE IF NOT EXISTS`, tried again on failure: two processes creating it at
 * once on PostgreSQL can fail one of them). Provides `EventStore` and `DeliveryStore`.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerSql: Layer.Layer<EventStore | PatientWebhook.DeliveryStore, SqlError, SqlClient.SqlClient> = both(
  internal.makeSql
)

/**
 * Options of {@link handler}: the webhook checks' settings (signing key, encoding, replay window,
 * body limit) and the out-of-order margin.
 *
 * @since 0.3.0
 * @category models
 */
export interface HandlerOptions extends Omit<PatientWebhook.Settings, "schema"> {
  /**
   * A re-check counts as after an event only if it started more than this after the event's
   * timestamp (default 1 second).
   */
  readonly skew?: Duration.DurationInput | undefined
}

/**
 * The receiving endpoint (`PatientWebhook.makeHandler` with {@link RecheckEvent}), whose
 * `onEvent` starts `ProcessPatient.execute({ runId: "recheck/<deliveryKey>", patientId }, {
 * discard: true })` unless the out-of-order rule says a later re-check covers it. Statuses as
 * `PatientWebhook.makeHandler`. Needs the engine (with `ProcessPatient.layer` registered) and an
 * event store layer.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "@effect/platform"
 * import { PatientRecheck } from "@hero-effect/workflows"
 * import { Redacted } from "effect"
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.post("/webhooks/hero", PatientRecheck.handler({ signingKey: Redacted.make("whsec_…") }))
 * )
 * // serve it with DurableEngine.layerSqlite(…), ProcessPatient.layer(), the client, approver,
 * // lease layers and PatientRecheck.layerSql over the same SqlClient
 * ```
 *
 * @since 0.3.0
 * @category handler
 */
export const handler: (
  options: HandlerOptions
) => Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | PatientWebhook.DeliveryStore | EventStore | WorkflowEngine
> = internal.handler
