/**
 * A gate: one key's queue in a client's limiter. It owns the order in which this client's fibers
 * ask the rate limit store about a key (one at a time, first come first served) and the wait of
 * the fiber at the front (until its wait ends or a place is freed). Kept apart from the limiter
 * because it knows nothing of rate limits: it is a lock with a wake-up.
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * One key's queue in a client: one fiber at a time asks the store (FIFO, unlike a semaphore's
 * release, which wakes every waiter), and it sleeps until its wait ends or a place is freed.
 * @internal
 */
export interface Gate {
  readonly withLock: <A, E>(self: Effect.Effect<A, E>) => Effect.Effect<A, E>
  readonly waitAtMost: (millis: number) => Effect.Effect<void>
  readonly wake: () => void
  /** No fiber holds the lock or waits for it: one that asks now would go at once. */
  readonly idle: () => boolean
}

/** @internal */
export const makeGate = (): Gate => {
  let busy = false
  const queue: Array<{ readonly resume: () => void; granted: boolean }> = []
  const wakers = new Set<() => void>()
  // Hands the lock to the next in line, or frees it.
  const pass = () => {
    const next = queue.shift()
    if (next === undefined) {
      busy = false
    } else {
      next.granted = true
      next.resume()
    }
  }
  const enter = Effect.async<void>((resume) => {
    if (!busy) {
      busy = true
      return resume(Effect.void)
    }
    const entry = { resume: () => resume(Effect.void), granted: false }
    queue.push(entry)
    return Effect.sync(() => {
      const at = queue.indexOf(entry)
      if (at >= 0) queue.splice(at, 1)
      // Interrupted as the lock was handed over (that resumption is then ignored): pass it on.
      else if (entry.granted) pass()
    })
  })
  const leave = Effect.sync(pass)
  const woken = Effect.async<void>((resume) => {
    const waker = () => {
      wakers.delete(waker)
      resume(Effect.void)
    }
    wakers.add(waker)
    return Effect.sync(() => wakers.delete(waker))
  })
  return {
    withLock: (self) =>
      Effect.uninterruptibleMask((restore) => Effect.zipRight(restore(enter), Effect.ensuring(restore(self), leave))),
    waitAtMost: (millis) => Effect.raceFirst(Effect.sleep(Duration.millis(millis)), woken),
    wake: () => {
      for (const waker of [...wakers]) waker()
    },
    idle: () => !busy
  }
}
