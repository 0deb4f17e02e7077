import { describe, expect, it } from "@effect/vitest"
import { Scoring } from "@hero-effect/workflows"

describe("Scoring.nameSimilarity", () => {
  it("nameSimilarity normalises case, accents, punctuation and spaces", () => {
    expect(Scoring.nameSimilarity("O'Brien", "OBRIEN")).toBe(1)
    expect(Scoring.nameSimilarity("Zoë", "zoe")).toBe(1)
    expect(Scoring.nameSimilarity("Smith-Jones", "smith jones")).toBe(1)
    expect(Scoring.nameSimilarity("martha", "MARHTA")).toBeCloseTo(0.961, 3)
    expect(Scoring.nameSimilarity(undefined, "x")).toBeUndefined()
    expect(Scoring.nameSimilarity("--", "x")).toBeUndefined()
  })
})
