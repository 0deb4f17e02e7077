import { describe, expect, it } from "@effect/vitest"
import { Sandbox, SeedFile, SeedGenerator, Truth } from "@hero-effect/sandbox"
import { Effect } from "effect"

// Every generated world, hard cases included, is a valid seed file and a working sandbox (in its
// own file: the 2,000-patient worlds take a while to decode, and files run in parallel).
describe("generated worlds load", () => {
  // Every seed at the test size; the large size on fewer seeds (its cost is decoding, not variety).
  for (const [patients, seeds] of [[120, 20], [2000, 4]] as const) {
    it.effect(
      `through SeedFile.decodeSync and Sandbox.layer for seeds 1..${seeds} at ${patients} patients`,
      () =>
        Effect.gen(function*() {
          for (let seed = 1; seed <= seeds; seed++) {
            const file = JSON.parse(JSON.stringify(SeedGenerator.generateSeedFile({ seed, patients })))
            const world = SeedFile.decodeSync(file)
            expect(world.truth.length).toBeGreaterThanOrEqual(patients)
            // Every record belongs to one person of the truth.
            const index = Truth.personIndex(world.truth)
            expect([index.heroPerson.size, index.ehrPerson.size]).toStrictEqual([
              world.patients.length,
              world.ehrRecords.length
            ])
            const counts = yield* Effect.provide(
              Effect.map(Sandbox.Sandbox, (sb) => [sb.world.patients.length, sb.truth.length]),
              Sandbox.layer({ world })
            )
            expect(counts).toStrictEqual([world.patients.length, world.truth.length])
          }
        }),
      900_000
    )
  }
})
