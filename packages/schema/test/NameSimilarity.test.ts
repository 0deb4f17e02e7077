import { describe, expect, it } from "@effect/vitest"
import { jaro, jaroWinkler } from "@hero-effect/schema/NameSimilarity"

describe("Jaro-Winkler", () => {
  it("matches the published values (Winkler 1990)", () => {
    expect(jaroWinkler("MARTHA", "MARHTA")).toBeCloseTo(0.961, 3)
    expect(jaroWinkler("DWAYNE", "DUANE")).toBeCloseTo(0.84, 3)
    expect(jaroWinkler("DIXON", "DICKSONX")).toBeCloseTo(0.813, 3)
    expect(jaro("MARTHA", "MARHTA")).toBeCloseTo(0.944, 3)
    expect(jaro("DWAYNE", "DUANE")).toBeCloseTo(0.822, 3)
    expect(jaro("DIXON", "DICKSONX")).toBeCloseTo(0.767, 3)
  })

  it("is 1 for equal strings, 0 with nothing in common or an empty side, and symmetric", () => {
    expect(jaroWinkler("SMITH", "SMITH")).toBe(1)
    expect(jaroWinkler("", "")).toBe(1)
    expect(jaroWinkler("ABC", "")).toBe(0)
    expect(jaroWinkler("ABC", "XYZ")).toBe(0)
    for (const [a, b] of [["MARTHA", "MARHTA"], ["DIXON", "DICKSONX"], ["JONES", "JOHNSON"], ["A", "AB"]] as const) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12)
      expect(jaroWinkler(a, b)).toBeGreaterThanOrEqual(0)
      expect(jaroWinkler(a, b)).toBeLessThanOrEqual(1)
    }
  })
})
