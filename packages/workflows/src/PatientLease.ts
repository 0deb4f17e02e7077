/**
 * Leases on patients and pairs, so two fibers (or, with a shared store, two runs) never work on
 * the same patient at once. A lease is scoped: it is released when its scope closes, whether the
 * work succeeded, failed or was interrupted.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/lease.js"

/**
 * The lease on some keys is held by someone else (from `tryAcquire`). The keys are lease keys
 * (`patient:<id>`), never patient data.
 *
 * @since 0.1.0
 * @category errors
 */
export class LeaseUnavailable extends Schema.TaggedError<LeaseUnavailable>()("LeaseUnavailable", {
  keys: Schema.Array(Schema.String)
}) {
  /** @since 0.1.0 */
  override get message(): string {
    return `lease unavailable: ${this.keys.length} key(s) held elsewhere`
  }
}

/**
 * The lease interface. Implementations must release on scope close (success, failure or
 * interruption) and must let a waiting `acquire` be interrupted without leaking a lease.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Waits until every key is free and holds them until the scope closes. Keys are deduplicated
   * and taken in sorted order, so callers naming the same keys in any order cannot deadlock. Not
   * re-entrant: a fiber that already holds a key and asks for it again waits forever.
   */
  readonly acquire: (keys: Iterable<string>) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Takes every key at once if all are free, else fails with {@link LeaseUnavailable} holding
   * none.
   */
  readonly tryAcquire: (keys: Iterable<string>) => Effect.Effect<void, LeaseUnavailable, Scope.Scope>
}

/**
 * The lease service.
 *
 * @since 0.1.0
 * @category tags
 */
export class PatientLease extends Context.Tag("@hero-effect/workflows/PatientLease")<PatientLease, Service>() {}

/**
 * An in-memory lease table for one process.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const table = internal.makeTable()
  return {
    acquire: (keys) => internal.acquire(table, keys),
    tryAcquire: (keys) => internal.tryAcquire(table, keys, (held) => new LeaseUnavailable({ keys: held }))
  }
})

/**
 * The in-memory lease table as a layer (one table per layer build).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<PatientLease> = Layer.effect(PatientLease, makeMemory)

/**
 * The lease key of a patient.
 *
 * @since 0.1.0
 * @category keys
 */
export const patientKey = (patientId: string): string => `patient:${patientId}`

/**
 * The key held for the whole of one patient's processing (read state, decide, write), apart from
 * the write keys: two runs over the same patient take turns, and the second sees the first's
 * outcome in the journal instead of deciding again.
 *
 * @since 0.1.0
 * @category keys
 */
export const processingKey = (patientId: string): string => `processing:${patientId}`

/**
 * The lease keys of a merge pair: both patients (so neither is linked or merged elsewhere
 * meanwhile).
 *
 * @since 0.1.0
 * @category keys
 */
export const pairKeys = (mainPatientId: string, incomingPatientId: string): ReadonlyArray<string> => [
  patientKey(mainPatientId),
  patientKey(incomingPatientId)
]

/**
 * Acquires keys with the service in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const acquire = (keys: Iterable<string>): Effect.Effect<void, never, PatientLease | Scope.Scope> =>
  Effect.flatMap(PatientLease, (lease) => lease.acquire(keys))

/**
 * Tries to acquire keys with the service in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const tryAcquire = (
  keys: Iterable<string>
): Effect.Effect<void, LeaseUnavailable, PatientLease | Scope.Scope> =>
  Effect.flatMap(PatientLease, (lease) => lease.tryAcquire(keys))

/**
 * Runs an effect while holding the keys (waiting for them first).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLease =
  (keys: Iterable<string>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, Scope.Scope> | PatientLease> =>
    Effect.scoped(Effect.zipRight(acquire(keys), self))

/**
 * Runs an effect while holding the keys, or fails with {@link LeaseUnavailable} at once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLeaseIfAvailable = (keys: Iterable<string>) =>
<A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E | LeaseUnavailable, Exclude<R, Scope.Scope> | PatientLease> =>
  Effect.scoped(Effect.zipRight(tryAcquire(keys), self))
