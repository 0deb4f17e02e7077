import { describe, expect, it } from "@effect/vitest"
import { PatientLease } from "@hero-effect/workflows"
import { Deferred, Effect, Exit, Fiber, Ref, Scope } from "effect"

const provide = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, PatientLease.layerMemory)

// Waits until a forked fiber is parked (for example queued for a lease).
const suspended = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      const status = yield* Fiber.status(fiber)
      if (status._tag === "Suspended") return
      yield* Effect.yieldNow()
    }
    throw new Error("fiber never suspended")
  })

const isFree = (keys: ReadonlyArray<string>) =>
  Effect.scoped(PatientLease.tryAcquire(keys)).pipe(
    Effect.as(true),
    Effect.catchTag("LeaseUnavailable", () => Effect.succeed(false))
  )

describe("PatientLease (memory)", () => {
  it.effect("fibers on the same key run one at a time", () =>
    provide(Effect.gen(function*() {
      const active = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const order = yield* Ref.make<Array<number>>([])
      const work = (i: number) =>
        Effect.gen(function*() {
          const now = yield* Ref.updateAndGet(active, (n) => n + 1)
          yield* Ref.update(peak, (p) => Math.max(p, now))
          for (let k = 0; k < 5; k++) yield* Effect.yieldNow()
          yield* Ref.update(order, (o) => [...o, i])
          yield* Ref.update(active, (n) => n - 1)
        }).pipe(PatientLease.withLease([PatientLease.patientKey("1001")]))
      yield* Effect.forEach([1, 2, 3, 4, 5, 6, 7, 8], work, { concurrency: "unbounded", discard: true })
      expect(yield* Ref.get(peak)).toBe(1)
      expect((yield* Ref.get(order)).length).toBe(8)
      expect(yield* isFree(["patient:1001"])).toBe(true)
    })))

  it.effect("different keys do not block each other", () =>
    provide(Effect.gen(function*() {
      const aIn = yield* Deferred.make<void>()
      const bIn = yield* Deferred.make<void>()
      const a = Effect.zipRight(Deferred.succeed(aIn, undefined), Deferred.await(bIn)).pipe(
        PatientLease.withLease(["a"])
      )
      const b = Effect.zipRight(Deferred.succeed(bIn, undefined), Deferred.await(aIn)).pipe(
        PatientLease.withLease(["b"])
      )
      yield* Effect.all([a, b], { concurrency: 2 })
    })))

  it.effect("waiters are served first come, first served", () =>
    provide(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const order = yield* Ref.make<Array<string>>([])
      const holder = yield* Effect.fork(Deferred.await(gate).pipe(PatientLease.withLease(["k"])))
      yield* suspended(holder)
      const waiters: Array<Fiber.RuntimeFiber<void>> = []
      for (const name of ["w1", "w2", "w3"]) {
        const f = yield* Effect.fork(Ref.update(order, (o) => [...o, name]).pipe(PatientLease.withLease(["k"])))
        yield* suspended(f)
        waiters.push(f)
      }
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      for (const f of waiters) yield* Fiber.join(f)
      expect(yield* Ref.get(order)).toStrictEqual(["w1", "w2", "w3"])
    })))

  it.effect("a failure releases the lease", () =>
    provide(Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.fail("boom").pipe(PatientLease.withLease(["k"])))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* isFree(["k"])).toBe(true)
    })))

  it.effect("interrupting the holder releases the lease to the next waiter", () =>
    provide(Effect.gen(function*() {
      const holder = yield* Effect.fork(Effect.never.pipe(PatientLease.withLease(["k"])))
      yield* suspended(holder)
      expect(yield* isFree(["k"])).toBe(false)
      const waiter = yield* Effect.fork(Effect.succeed("got it").pipe(PatientLease.withLease(["k"])))
      yield* suspended(waiter)
      yield* Fiber.interrupt(holder)
      expect(yield* Fiber.join(waiter)).toBe("got it")
      expect(yield* isFree(["k"])).toBe(true)
    })))

  it.effect("interrupting a waiter leaves no trace: the lease goes to the next one or becomes free", () =>
    provide(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(Deferred.await(gate).pipe(PatientLease.withLease(["k"])))
      yield* suspended(holder)
      const ran = yield* Ref.make(false)
      const waiter = yield* Effect.fork(Ref.set(ran, true).pipe(PatientLease.withLease(["k"])))
      yield* suspended(waiter)
      yield* Fiber.interrupt(waiter)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      expect(yield* Ref.get(ran)).toBe(false)
      expect(yield* isFree(["k"])).toBe(true)
    })))

  it.effect("a waiter interrupted half-way releases the keys it took at once, not when its scope closes", () =>
    provide(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(Deferred.await(gate).pipe(PatientLease.withLease(["b"])))
      yield* suspended(holder)
      const longLived = yield* Scope.make()
      const waiter = yield* Effect.fork(PatientLease.acquire(["b", "a"]).pipe(Scope.extend(longLived)))
      yield* suspended(waiter)
      expect(yield* isFree(["a"])).toBe(false)
      yield* Fiber.interrupt(waiter)
      expect(yield* isFree(["a"])).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      expect(yield* isFree(["a", "b"])).toBe(true)
      yield* Scope.close(longLived, Exit.void)
    })))

  it.effect("keys named in any order never deadlock", () =>
    provide(Effect.gen(function*() {
      const counter = yield* Ref.make(0)
      const work = (keys: ReadonlyArray<string>) =>
        Effect.gen(function*() {
          yield* Effect.yieldNow()
          yield* Ref.update(counter, (n) => n + 1)
        }).pipe(PatientLease.withLease(keys))
      const jobs = Array.from({ length: 60 }, (_, i) =>
        work(i % 3 === 0 ? ["a", "b", "c"] : i % 3 === 1 ? ["c", "b", "a"] : ["b", "a", "a"]))
      yield* Effect.all(jobs, { concurrency: "unbounded", discard: true })
      expect(yield* Ref.get(counter)).toBe(60)
      expect(yield* isFree(["a", "b", "c"])).toBe(true)
    })))

  it.effect("tryAcquire takes all keys or none", () =>
    provide(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(Deferred.await(gate).pipe(PatientLease.withLease(["b"])))
      yield* suspended(holder)
      const result = yield* Effect.either(Effect.scoped(PatientLease.tryAcquire(["a", "b", "c"])))
      expect(result._tag).toBe("Left")
      if (result._tag === "Left") {
        expect(result.left).toStrictEqual(new PatientLease.LeaseUnavailable({ keys: ["b"] }))
        expect(result.left.message).toBe("lease unavailable: 1 key(s) held elsewhere")
      }
      expect(yield* isFree(["a"])).toBe(true)
      expect(yield* isFree(["c"])).toBe(true)
      const busy = yield* Effect.either(Effect.succeed(1).pipe(PatientLease.withLeaseIfAvailable(["b"])))
      expect(busy._tag).toBe("Left")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      expect(yield* Effect.succeed(1).pipe(PatientLease.withLeaseIfAvailable(["b"]))).toBe(1)
    })))

  it.effect("a merge pair leases both patients", () =>
    provide(Effect.gen(function*() {
      expect(PatientLease.pairKeys("1001", "1002")).toStrictEqual(["patient:1001", "patient:1002"])
      const gate = yield* Deferred.make<void>()
      const merge = yield* Effect.fork(
        Deferred.await(gate).pipe(PatientLease.withLease(PatientLease.pairKeys("1001", "1002")))
      )
      yield* suspended(merge)
      expect(yield* isFree([PatientLease.patientKey("1002")])).toBe(false)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(merge)
      expect(yield* isFree([PatientLease.patientKey("1002")])).toBe(true)
    })))

  it.effect("each layer build has its own table", () =>
    Effect.gen(function*() {
      const a = yield* PatientLease.makeMemory
      const b = yield* PatientLease.makeMemory
      yield* Effect.scoped(Effect.gen(function*() {
        yield* a.acquire(["k"])
        yield* b.tryAcquire(["k"])
      }))
    }))
})
