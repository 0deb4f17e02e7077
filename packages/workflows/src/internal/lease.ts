import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

/**
 * A fiber waiting for a key. `granted` is set when the releasing holder hands the key over, so a
 * waiter interrupted at that very moment knows it must pass the key on.
 * @internal
 */
interface Waiter {
  readonly deferred: Deferred.Deferred<void>
  granted: boolean
}

/**
 * The lease table: a key is held while it is in the map; its value is the queue of waiters
 * (FIFO). All changes happen in synchronous blocks, so they are atomic on the JS thread.
 * @internal
 */
export interface Table {
  readonly held: Map<string, Array<Waiter>>
}

/** @internal */
export const makeTable = (): Table => ({ held: new Map() })

/** Releases a key: hands it to the next waiter, or frees it. @internal */
const release = (table: Table, key: string): void => {
  const waiters = table.held.get(key)
  if (waiters === undefined) return
  const next = waiters.shift()
  if (next === undefined) {
    table.held.delete(key)
    return
  }
  next.granted = true
  Deferred.unsafeDone(next.deferred, Exit.void)
}

const normalise = (keys: Iterable<string>): ReadonlyArray<string> => Array.from(new Set(keys)).sort()

const acquireOne = (table: Table, key: string): Effect.Effect<void, never, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.scope, (scope) =>
      Effect.flatMap(Deferred.make<void>(), (deferred) =>
        Effect.suspend(() => {
          const waiters = table.held.get(key)
          if (waiters === undefined) {
            table.held.set(key, [])
            return Effect.void
          }
          const waiter: Waiter = { deferred, granted: false }
          waiters.push(waiter)
          return restore(Deferred.await(deferred)).pipe(
            Effect.onInterrupt(() =>
              Effect.sync(() => {
                if (waiter.granted) {
                  release(table, key)
                } else {
                  const queue = table.held.get(key)
                  const at = queue?.indexOf(waiter) ?? -1
                  if (queue !== undefined && at >= 0) queue.splice(at, 1)
                }
              })
            )
          )
        }).pipe(Effect.zipRight(Scope.addFinalizer(scope, Effect.sync(() => release(table, key)))))))
  )

/**
 * Waits for every key in sorted order. If interrupted half-way, the keys already taken are
 * released at once (not when the caller's scope closes).
 * @internal
 */
export const acquire = (table: Table, keys: Iterable<string>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const sorted = normalise(keys)
      const scope = yield* Effect.scope
      const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
      const exit = yield* Effect.exit(
        restore(Effect.forEach(sorted, (key) => acquireOne(table, key), { discard: true })).pipe(
          Scope.extend(child)
        )
      )
      if (Exit.isFailure(exit)) {
        yield* Scope.close(child, exit)
        return yield* exit
      }
    })
  )

/**
 * Takes every key if all are free, atomically; otherwise fails with the held keys.
 * @internal
 */
export const tryAcquire = <E>(
  table: Table,
  keys: Iterable<string>,
  onHeld: (held: ReadonlyArray<string>) => E
): Effect.Effect<void, E, Scope.Scope> =>
  Effect.uninterruptible(
    Effect.flatMap(Effect.scope, (scope) =>
      Effect.suspend(() => {
        const sorted = normalise(keys)
        const held = sorted.filter((key) => table.held.has(key))
        if (held.length > 0) return Effect.fail(onHeld(held))
        for (const key of sorted) table.held.set(key, [])
        return Effect.forEach(
          sorted,
          (key) => Scope.addFinalizer(scope, Effect.sync(() => release(table, key))),
          { discard: true }
        )
      }))
  )

/** Whether a key is held (for tests and diagnostics). @internal */
export const isHeld = (table: Table, key: string): boolean => table.held.has(key)
