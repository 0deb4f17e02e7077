/**
 * The Hero population searches of one run, remembered: patients that share a date of birth (a
 * duplicate group, twins, a family) or a verified NHS number would otherwise each ask the v3
 * search the same question. Answers holding a record this run writes to are forgotten, so the
 * saving is largest where look-alikes share a date of birth and nothing is written (twins and
 * families that go to review); on the seeded test world it is about 4% of the searches.
 *
 * An answer is forgotten as soon as this run writes to any record in it (a merge archives one, a
 * connect links one), and an answer whose search started before such a write is never stored: a
 * patient sees what it would have seen asking the server at that moment, as far as this run's own
 * writes go. Writes by other processes are not seen until the run ends — the same as a search made
 * a little earlier, and harmless for safety: every merge is previewed and every connect answered
 * by the server itself. Set `Pipeline.Options.populationCache: false` to search every time.
 *
 * @since 0.2.0
 */
import type { PatientV2 } from "@hero-effect/schema/Patient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * One search's answer: every record it returned (up to the limit; the patient who asked among
 * them, so another patient can use the same answer) and whether the search read them all.
 *
 * @since 0.2.0
 * @category models
 */
export interface Answer {
  readonly records: ReadonlyArray<PatientV2>
  readonly complete: boolean
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * The answer to `query` (a canonical string such as `dob:1990-01-01`), from memory or by running
   * `search` — stored only if no write was noted while it ran.
   */
  readonly lookup: <E, R>(query: string, search: Effect.Effect<Answer, E, R>) => Effect.Effect<Answer, E, R>
  /** Forgets every answer holding one of these Hero ids (a write to them is about to happen). */
  readonly invalidate: (heroIds: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class PopulationCache extends Context.Tag("@hero-effect/workflows/PopulationCache")<
  PopulationCache,
  Service
>() {}

/**
 * A cache for one run. At most `maxEntries` answers (default 10,000) are kept; the oldest go first.
 *
 * @example
 * ```ts
 * import type { PatientId } from "@hero-effect/schema/Ids"
 * import { Batch, PopulationCache } from "@hero-effect/workflows"
 * import { Effect, type Stream } from "effect"
 *
 * declare const ids: Stream.Stream<PatientId>
 * declare const options: Batch.Options
 *
 * // Batch.run makes one per run by itself; a caller running processPatient by hand can share one.
 * const program = Effect.flatMap(PopulationCache.make(), (cache) =>
 *   Effect.provideService(Batch.run(ids, options), PopulationCache.PopulationCache, cache))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: { readonly maxEntries?: number | undefined } = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    const maxEntries = options.maxEntries ?? 10_000
    const answers = new Map<string, Answer>()
    // A counter bumped by every invalidation, and the last value at which each Hero id was
    // written: a search that started before a write to one of its records is not stored.
    let generation = 0
    const writtenAt = new Map<string, number>()
    const service: Service = {
      lookup: (query, search) =>
        Effect.suspend(() => {
          const known = answers.get(query)
          if (known !== undefined) return Effect.succeed(known)
          const startedIn = generation
          return Effect.tap(search, (answer) =>
            Effect.sync(() => {
              const stale = answer.records.some((r) =>
                r.heroId !== undefined && (writtenAt.get(r.heroId) ?? -1) >= startedIn
              )
              if (stale) return
              if (answers.size >= maxEntries) {
                const oldest = answers.keys().next()
                if (oldest.done !== true) answers.delete(oldest.value)
              }
              answers.set(query, answer)
            }))
        }),
      invalidate: (heroIds) =>
        Effect.sync(() => {
          const ids = new Set(heroIds)
          for (const id of ids) writtenAt.set(id, generation)
          generation++
          for (const [query, answer] of answers) {
            if (answer.records.some((r) => r.heroId !== undefined && ids.has(r.heroId))) answers.delete(query)
          }
        })
    }
    return service
  })

/**
 * A fresh cache as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<PopulationCache> = Layer.effect(PopulationCache, make())
