import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { clientWith, type Recorded, wirePatientV2 } from "./support/scripted.js"

// The v3 stream must not trust `count`: the docs do not say whether it is the total or the items
// on this page. A server of 23 results, pages of 10, answering each reading of `count` (and none);
// every run returns all 23 in a bounded number of requests.
const total = 23
const patient = (i: number) => ({ ...wirePatientV2, hero_id: String(5000 + i) })

type Reading = "total" | "page" | "absent"
const server = (reading: Reading) => (request: Recorded) => {
  const pageIndex = Number(request.url.searchParams.get("page_index"))
  const pageSize = Number(request.url.searchParams.get("page_size"))
  const from = pageIndex * pageSize
  const data = Array.from({ length: Math.max(0, Math.min(pageSize, total - from)) }, (_, i) => patient(from + i))
  const count = reading === "total" ? total : reading === "page" ? data.length : undefined
  return { status: 200, body: count === undefined ? { data } : { data, count } }
}

const heroIds = (all: Chunk.Chunk<{ readonly heroId?: string | undefined }>) => Chunk.toArray(all).map((p) => p.heroId)
const expected = Array.from({ length: total }, (_, i) => String(5000 + i))

describe("streamPatientsV3 pages on whatever count means", () => {
  for (const reading of ["total", "page", "absent"] as const) {
    it.effect(`count = ${reading}: all ${total} results, 3 requests`, () =>
      Effect.gen(function*() {
        const { count, hero } = yield* clientWith([server(reading)])
        const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 10 }))
        expect(heroIds(all)).toStrictEqual(expected)
        expect(yield* count).toBe(3)
      }))
  }

  it.effect("count = items on the page with an exact multiple: ends on the empty page", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([(request) => {
        const pageIndex = Number(request.url.searchParams.get("page_index"))
        const data = pageIndex < 2 ? Array.from({ length: 5 }, (_, i) => patient(pageIndex * 5 + i)) : []
        return { status: 200, body: { data, count: data.length } }
      }])
      const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 5 }))
      expect(Chunk.size(all)).toBe(10)
      expect(yield* count).toBe(3)
    }))

  it.effect("a server that ignores page_index (always the same full page) ends after the repeat", () =>
    Effect.gen(function*() {
      const page = { status: 200, body: { data: Array.from({ length: 10 }, (_, i) => patient(i)), count: 10 } }
      const { count, hero } = yield* clientWith([page])
      const all = yield* Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 10 }))
      expect(Chunk.size(all)).toBe(10)
      expect(yield* count).toBe(2)
    }))

  it.effect("a server that always returns a new full page stops at maxPages with UnexpectedResponse", () =>
    Effect.gen(function*() {
      const { count, hero } = yield* clientWith([(request) => {
        const pageIndex = Number(request.url.searchParams.get("page_index"))
        return { status: 200, body: { data: Array.from({ length: 2 }, (_, i) => patient(pageIndex * 2 + i)) } }
      }])
      const error = yield* Effect.flip(
        Stream.runCollect(hero.streamPatientsV3({ lastName: "Lovelace", pageSize: 2 }, { maxPages: 7 }))
      )
      expect(error).toMatchObject({ _tag: "UnexpectedResponse" })
      expect(error.message).toContain("maxPages")
      expect(yield* count).toBe(7)
    }))
})
