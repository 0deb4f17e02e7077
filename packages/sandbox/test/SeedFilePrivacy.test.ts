import { describe, expect, it } from "@effect/vitest"
import { SeedFile } from "@hero-effect/sandbox"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

// A seed file holds patient data: its errors say where and what was expected, never the values.
const example = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "examples", "seed.example.json"), "utf8")
) as { patients: Array<Record<string, unknown>> }

const secrets = ["9434765919", "Zebedee", "Quartermaine", "1977-13-45", "ZZ9 9ZZ", "07700 900999"]

const broken = () => {
  const file = structuredClone(example)
  const patient = file.patients[0]!
  // Every value below is wrong for its field, and each is patient data a message could quote.
  patient["nhs_number"] = 9434765919 // a number, not a string
  patient["first_name"] = ["Zebedee"]
  patient["last_name"] = { name: "Quartermaine" }
  patient["dob"] = "1977-13-45"
  patient["postcode"] = 12
  patient["mobile"] = ["07700 900999"]
  patient["sex"] = "ZZ9 9ZZ"
  return file
}

describe("seed file errors", () => {
  it.effect("name the fields and what was expected, and no value of the record", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(SeedFile.decode(broken()))
      expect(error._tag).toBe("SeedFileError")
      for (const secret of secrets) expect(error.message).not.toContain(secret)
      expect(error.message).toContain("patients.0.nhs_number")
      expect(error.message).toContain("patients.0.first_name")
      expect(error.message).toContain("values are not shown")
    }))

  it.effect("a file with thousands of bad records lists 20 and counts the rest", () =>
    Effect.gen(function*() {
      const file = structuredClone(example)
      const template = file.patients[0]!
      file.patients = Array.from({ length: 2000 }, (_, i) => ({ ...template, id: String(200000 + i), sex: 7 }))
      const error = yield* Effect.flip(SeedFile.decode(file))
      const lines = error.message.split("\n")
      expect(lines.length).toBeLessThanOrEqual(22)
      expect(error.message).toMatch(/… and \d+ more/)
    }))

  it.effect("the error a real load gives keeps to the same rule", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-privacy-"))
      const file = path.join(dir, "seed.json")
      fs.writeFileSync(file, JSON.stringify(broken()))
      const error = yield* Effect.flip(SeedFile.load(file))
      for (const secret of secrets) expect(String(error)).not.toContain(secret)
      fs.rmSync(dir, { recursive: true, force: true })
    }))
})
