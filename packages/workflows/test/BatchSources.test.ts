import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox } from "@hero-effect/sandbox"
import { Batch } from "@hero-effect/workflows"
import { Chunk, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

describe("batch sources", () => {
  it.effect("a list trims and skips blanks", () =>
    Effect.gen(function*() {
      const ids = yield* Stream.runCollect(Batch.idsFromList([" 1001 ", "", "1002"]))
      expect(Chunk.toReadonlyArray(ids)).toStrictEqual(["1001", "1002"])
    }))

  it.effect("a list with an entry that is not a patient id fails whole, naming positions, not values", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runCollect(Batch.idsFromList(["1001", "x/y", " ", "12a", "1002"])))
      expect(error._tag).toBe("InvalidPatientIds")
      expect(error.positions).toStrictEqual([2, 4])
      expect(error.count).toBe(2)
      expect(error.message).toContain("position 2, 4")
      expect(error.message).not.toContain("x/y")
      expect(error.message).not.toContain("12a")
    }))

  it.effect("a file with a line that is not a patient id fails with its line number", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ids-")), "ids.txt")
      fs.writeFileSync(file, "# practice A\n1001\n\nnot-an-id\n1002\n")
      const error = yield* Effect.flip(Stream.runCollect(Batch.idsFromFile(file)))
      expect(error._tag).toBe("InvalidPatientIds")
      expect(error._tag === "InvalidPatientIds" && error.positions).toStrictEqual([4])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a file: one id per line, comments skipped", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ids-")), "ids.txt")
      fs.writeFileSync(file, "# practice A\n1001\n\n1002\r\n")
      const ids = yield* Stream.runCollect(Batch.idsFromFile(file))
      expect(Chunk.toReadonlyArray(ids)).toStrictEqual(["1001", "1002"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a v3 search, every page", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const lastName = sandbox.world.patients[0]!.lastName!
      const expected = sandbox.world.patients.filter((p) => p.lastName === lastName && p.status === "unarchived")
      const ids = yield* Stream.runCollect(Batch.idsFromSearch({ lastName, pageSize: 1 }))
      expect(expected.length).toBeGreaterThan(0)
      expect([...ids].sort()).toStrictEqual(expected.map((p) => p.id).sort())
    }).pipe(Effect.provide(Sandbox.layerClient({ seed: 5, patients: 40 }))))
})
