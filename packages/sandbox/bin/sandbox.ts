/**
 * `pnpm sandbox`: starts the Hero Patients API sandbox on a loopback port, prints its URL, a
 * working API key and practice group id and a sample curl, and runs until Ctrl-C.
 *
 *   --port <n>          port (default 4010; 0 picks a free one)
 *   --host <h>          host (default 127.0.0.1)
 *   --seed <s>          seed of the generated world (default 1)
 *   --patients <n>      base people in the generated world (default 40)
 *   --seed-file <path>  serve exactly this seed file instead of a generated world
 *   --write-seed <path> write the generated world as a seed file and exit
 *   --rate-limit <n>    requests per minute per key (default: no limit)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Sandbox, SandboxServer, SeedFile, SeedGenerator } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const number = (name: string, fallback: number): number => {
  const value = option(name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`)
  return n
}

const port = number("port", 4010)
const host = option("host") ?? "127.0.0.1"
const seed = option("seed") ?? "1"
const patients = number("patients", 40)
const seedFile = option("seed-file")
const writeSeed = option("write-seed")
const rateLimit = option("rate-limit")

const main = Effect.gen(function*() {
  if (writeSeed !== undefined) {
    fs.writeFileSync(writeSeed, JSON.stringify(SeedGenerator.generateSeedFile({ seed, patients }), null, 2) + "\n")
    console.log(`Wrote the world of seed ${seed} (${patients} people) to ${writeSeed}`)
    return
  }
  const world = seedFile !== undefined ? yield* SeedFile.load(seedFile) : SeedGenerator.generate({ seed, patients })
  const options: Sandbox.SandboxOptions = {
    world,
    seed,
    ...(rateLimit !== undefined ? { rateLimit: { limit: Number(rateLimit), window: "1 minute" } } : {})
  }
  yield* Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const server = yield* SandboxServer.SandboxServer
    const { apiKey, practiceGroupId } = sandbox.credentials
    const patient = sandbox.world.patients[0]?.id ?? "100001"
    console.log(`Hero Patients API sandbox listening on ${server.url}`)
    console.log(
      `  world: ${
        seedFile ?? `seed ${seed}, ${patients} people`
      }; ${sandbox.world.patients.length} Hero patients, ${sandbox.world.ehrRecords.length} EHR records`
    )
    console.log(`  x-api-key:           ${apiKey}`)
    console.log(`  x-practice-group-id: ${practiceGroupId}`)
    console.log("")
    console.log("Try:")
    console.log(
      `  curl -s -H 'x-api-key: ${apiKey}' -H 'x-practice-group-id: ${practiceGroupId}' ${server.url}/v1/patients/${patient}`
    )
    console.log("")
    console.log("Ctrl-C to stop.")
    return yield* Effect.never
  }).pipe(Effect.provide(SandboxServer.layer({ port, host }).pipe(Layer.provideMerge(Sandbox.layer(options)))))
})

NodeRuntime.runMain(main)
