/**
 * A call's deadline, as the waits of its own see it: a limiter's wait and a retry's backoff both
 * sleep only when they will end before the deadline, and fail at once otherwise (with the error
 * the caller chooses), instead of sleeping past it. Shared by `limiter.ts` and `retry.ts`.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Sleeps `millis`, or fails with `onDeadline(millis)` at once if that would end after `deadlineAt`. @internal */
export const sleepWithin = <E>(millis: number, deadlineAt: number, onDeadline: (millis: number) => E) =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => now + millis > deadlineAt ? Effect.fail(onDeadline(millis)) : Effect.sleep(Duration.millis(millis))
  )
