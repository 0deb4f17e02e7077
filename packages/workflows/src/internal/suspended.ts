/** @internal */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schedule from "effect/Schedule"

/**
 * What the fiber calling `ProcessPatient.execute` does each time the engine answers that the
 * execution is suspended (it waits for a person): `ProcessPatient.runDurable` sets it to give the
 * execution's batch slot back. Nothing by default.
 * @internal
 */
export const onSuspended: FiberRef.FiberRef<Effect.Effect<void>> = FiberRef.unsafeMake<Effect.Effect<void>>(
  Effect.void
)

/**
 * How often a caller of `execute` asks again while its execution is suspended: the engine's
 * default curve (200 ms, ×1.5) capped at 10 s instead of 30 s — a decided review is seen soon —
 * and, before each wait, {@link onSuspended}. `WorkflowEngine.execute` runs the schedule in the
 * caller's fiber (@effect/workflow 0.19.1 `WorkflowEngine.ts`, the `suspendedRetrySchedule`
 * loop of `makeUnsafe.execute`), so the caller's value of the reference is the one read.
 * @internal
 */
export const suspendedRetrySchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential(200, 1.5).pipe(
  Schedule.either(Schedule.spaced("10 seconds")),
  Schedule.tapOutput(() => Effect.flatten(FiberRef.get(onSuspended)))
)

/**
 * Runs `effect` (one `execute`) with the permit of `slots` its caller took, and gives the permit
 * back once: as soon as the execution is suspended, or when `effect` ends.
 * @internal
 */
export const releasingWhenSuspended = <A, E, R>(
  slots: Effect.Semaphore,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let held = true
    const release = Effect.suspend(() => {
      if (!held) return Effect.void
      held = false
      return Effect.asVoid(slots.release(1))
    })
    return effect.pipe(Effect.locally(onSuspended, release), Effect.ensuring(release))
  })
