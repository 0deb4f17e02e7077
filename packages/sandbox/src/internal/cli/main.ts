/**
 * The sandbox's command line: `hero-sandbox` once installed (`bin/hero-sandbox.js`, on the compiled
 * `dist/internal/cli/main.js`), `pnpm sandbox` in this repository (`bin/sandbox.ts` through tsx).
 * Starts the Hero Patients API sandbox on a loopback port, prints its URL, a working API key and
 * practice group id and a sample curl, and runs until Ctrl-C. One process, one world: every client
 * connected to it shares the world, the fault plan and each key's rate limit. `--help` lists the
 * options (see `options.ts`):
 *
 *   --port <n>                  port (default 4010; 0 picks a free one)
 *   --host <h>                  host (default 127.0.0.1)
 *   --seed <s>                  seed of the generated world (default 1)
 *   --patients <n>              base people in the generated world (default 40)
 *   --seed-file <path>          serve exactly this seed file instead of a generated world
 *   --write-seed <path>         write the generated world as a seed file and exit
 *   --rate-limit <n>[/<window>] requests per window (default 1 minute) per key (default: no limit)
 *   --rate-window <kind>        fixed (default) or sliding
 *
 * Relative paths are taken from `INIT_CWD` when set (the directory pnpm or npm was typed in), else
 * from the current directory. An error the user can fix (a missing or malformed seed file, a path
 * that cannot be written, a port in use) is one line on stderr, never a value of the seed file,
 * and exit status 1; a bad flag is the usage and status 2.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as Sandbox from "../../Sandbox.js"
import * as SandboxServer from "../../SandboxServer.js"
import * as SeedFile from "../../SeedFile.js"
import * as SeedGenerator from "../../SeedGenerator.js"
import { describeRateLimit, parse, resolvePath, usage } from "./options.js"

/** An error the user can act on, reported as one line without a stack. */
class CliError extends Error {}

const errorCode = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? ` (${cause.code})`
    : ""

/**
 * A seed file's error as one line. `SeedFile` already names fields and expectations, never values;
 * its issues (one a line) are joined with "; " and the file is named.
 */
const seedFileLine = (file: string, error: SeedFile.SeedFileError): string => {
  const lines = error.message.split("\n").filter((line) => line.trim() !== "")
  if (lines.some((line) => line.includes(file))) return lines.join("; ")
  const invalid = "The seed file is not valid"
  const [head, ...issues] = lines
  if (head !== undefined && head.startsWith(invalid) && head.endsWith(":")) {
    return `The seed file ${file} is not valid${head.slice(invalid.length)} ${issues.join("; ")}`
  }
  return `The seed file ${file} is not valid: ${lines.join("; ")}`
}

/** Runs the command line `args` (without `node` and the script) to its end. */
export const run = (args: ReadonlyArray<string>): void => {
  const parsed = parse(args)
  if (parsed._tag === "Help") {
    process.stdout.write(usage)
    process.exit(0)
  }
  if (parsed._tag === "Invalid") {
    process.stderr.write(`${parsed.message}\n\n${usage}`)
    process.exit(2)
  }
  const { host, patients, port, rateLimit, seed } = parsed.options
  const seedFile = parsed.options.seedFile === undefined ? undefined : resolvePath(parsed.options.seedFile)
  const writeSeed = parsed.options.writeSeed === undefined ? undefined : resolvePath(parsed.options.writeSeed)

  const main = Effect.gen(function*() {
    if (writeSeed !== undefined) {
      const text = JSON.stringify(SeedGenerator.generateSeedFile({ seed, patients }), null, 2) + "\n"
      yield* Effect.try({
        try: () => fs.writeFileSync(writeSeed, text),
        catch: (cause) => new CliError(`Cannot write the seed file ${writeSeed}${errorCode(cause)}`)
      })
      yield* Console.log(`Wrote the world of seed ${seed} (${patients} people) to ${writeSeed}`)
      return
    }
    const world = seedFile !== undefined
      ? yield* SeedFile.load(seedFile).pipe(Effect.mapError((e) => new CliError(seedFileLine(seedFile, e))))
      : SeedGenerator.generate({ seed, patients })
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
      yield* Console.log(`Hero Patients API sandbox listening on ${server.url}`)
      yield* Console.log(
        `  world: ${
          seedFile ?? `seed ${seed}, ${patients} people`
        }; ${sandbox.world.patients.length} Hero patients, ${sandbox.world.ehrRecords.length} EHR records`
      )
      yield* Console.log(`  x-api-key:           ${apiKey}`)
      yield* Console.log(`  x-practice-group-id: ${practiceGroupId}`)
      // The printed key's own limit (a seed file may give one), else the command line's.
      const limit = sandbox.config.keys.find((k) => k.key === apiKey)?.rateLimit ?? sandbox.config.rateLimit
      yield* Console.log(`  rate limit:          ${describeRateLimit(limit)}`)
      yield* Console.log("")
      yield* Console.log("Try:")
      yield* Console.log(
        `  curl -s -H 'x-api-key: ${apiKey}' -H 'x-practice-group-id: ${practiceGroupId}' ${server.url}/v1/patients/${patient}`
      )
      yield* Console.log("")
      yield* Console.log("Ctrl-C to stop.")
      return yield* Effect.never
    }).pipe(
      Effect.provide(SandboxServer.layer({ port, host }).pipe(Layer.provideMerge(Sandbox.layer(options)))),
      Effect.catchTag(
        "ServeError",
        (e) => Effect.fail(new CliError(`Cannot listen on ${host}:${port}${errorCode(e.cause)}`))
      )
    )
  })

  NodeRuntime.runMain(
    main.pipe(
      Effect.catchAll((error) =>
        Effect.sync(() => {
          process.stderr.write(`hero-sandbox: ${error.message}\n`)
          process.exitCode = 1
        })
      )
    )
  )
}
