/**
 * `pnpm sandbox`: starts the Hero Patients API sandbox on a loopback port, prints its URL, a
 * working API key and practice group id and a sample curl, and runs until Ctrl-C. One process,
 * one world: every client connected to it shares the world, the fault plan and each key's rate
 * limit. `--help` lists the options (see `options.ts`):
 *
 *   --port <n>                  port (default 4010; 0 picks a free one)
 *   --host <h>                  host (default 127.0.0.1)
 *   --seed <s>                  seed of the generated world (default 1)
 *   --patients <n>              base people in the generated world (default 40)
 *   --seed-file <path>          serve exactly this seed file instead of a generated world
 *   --write-seed <path>         write the generated world as a seed file and exit
 *   --rate-limit <n>[/<window>] requests per window (default 1 minute) per key (default: no limit)
 *   --rate-window <kind>        fixed (default) or sliding
 */
import { NodeRuntime } from "@effect/platform-node"
import { Sandbox, SandboxServer, SeedFile, SeedGenerator } from "@hero-effect/sandbox"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { describeRateLimit, parse, usage } from "./options.js"

const parsed = parse(process.argv.slice(2))
if (parsed._tag === "Help") {
  process.stdout.write(usage)
  process.exit(0)
}
if (parsed._tag === "Invalid") {
  process.stderr.write(`${parsed.message}\n\n${usage}`)
  process.exit(2)
}
const { host, patients, port, rateLimit, seed, seedFile, writeSeed } = parsed.options

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
    ...(rateLimit !== undefined ? { rateLimit } : {})
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
    // The printed key's own limit (a seed file may give one), else the command line's.
    const limit = sandbox.config.keys.find((k) => k.key === apiKey)?.rateLimit ?? sandbox.config.rateLimit
    console.log(`  rate limit:          ${describeRateLimit(limit)}`)
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
