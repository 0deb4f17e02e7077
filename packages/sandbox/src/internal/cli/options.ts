/**
 * The command line of `hero-sandbox` (`pnpm sandbox` in this repository), parsed without side
 * effects (so the tests can check every flag without starting a process).
 */
import * as Duration from "effect/Duration"
import * as path from "node:path"
import * as SandboxConfig from "../../SandboxConfig.js"

type RateLimit = SandboxConfig.RateLimit

export const usage = `Usage: hero-sandbox [options]
       pnpm sandbox [options]        (from a clone of the hero-effect repository)

Starts the Hero Patients API sandbox on a loopback port and runs until Ctrl-C.

Options:
  --port <n>                  port (default 4010; 0 picks a free one)
  --host <h>                  host (default 127.0.0.1)
  --seed <s>                  seed of the generated world (default 1)
  --patients <n>              base people in the generated world (default 40)
  --seed-file <path>          serve exactly this seed file instead of a generated world
  --write-seed <path>         write the generated world as a seed file and exit
  --rate-limit <n>[/<window>] at most n requests per window per key (window default 1m;
                              e.g. 20/1s, 100/10s, 600/1m, 5000/1h, 250/500ms; default: no limit)
  --rate-window <kind>        fixed (default): a window opens at a key's first request;
                              sliding: no rolling window ever admits more than n requests
  --help                      print this and exit

Relative paths (--seed-file, --write-seed) are taken from the directory the command was typed in:
INIT_CWD when it is set (pnpm and npm set it there for a package script, so from the repository
root pnpm sandbox --seed-file packages/sandbox/examples/seed.example.json works), else the
current directory.
`

export interface CliOptions {
  readonly port: number
  readonly host: string
  readonly seed: string
  readonly patients: number
  readonly seedFile: string | undefined
  readonly writeSeed: string | undefined
  readonly rateLimit: RateLimit | undefined
}

export type Parsed =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly message: string }
  | { readonly _tag: "Run"; readonly options: CliOptions }

class Invalid extends Error {}

const units: Record<string, (amount: number) => Duration.Duration> = {
  ms: Duration.millis,
  s: Duration.seconds,
  m: Duration.minutes,
  h: Duration.hours
}

/** `<n>` (per minute, as the flag always meant) or `<n>/<window>`, e.g. `20/1s` or `20/s`. */
const parseRateLimit = (text: string): Pick<RateLimit, "limit" | "window"> => {
  const match = /^(\d+)(?:\/(\d+(?:\.\d+)?)?(ms|s|m|h))?$/.exec(text.trim())
  if (match === null) {
    throw new Invalid(`--rate-limit must be <n> or <n>/<window> (e.g. 20/1s, 600/1m), not "${text}"`)
  }
  const limit = Number(match[1])
  if (match[3] === undefined) return { limit, window: "1 minute" }
  const amount = match[2] === undefined ? 1 : Number(match[2])
  if (!(amount > 0)) throw new Invalid(`--rate-limit: the window must be longer than 0, not "${text}"`)
  return { limit, window: units[match[3]]!(amount) }
}

export const parse = (args: ReadonlyArray<string>): Parsed => {
  if (args.includes("--help") || args.includes("-h")) return { _tag: "Help" }
  const option = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`)
    if (i < 0) return undefined
    const value = args[i + 1]
    if (value === undefined || value.startsWith("--")) throw new Invalid(`--${name} needs a value`)
    return value
  }
  const number = (name: string, fallback: number): number => {
    const value = option(name)
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new Invalid(`--${name} must be a whole number`)
    return n
  }
  try {
    const rate = option("rate-limit")
    const kind = option("rate-window")
    if (kind !== undefined && kind !== "fixed" && kind !== "sliding") {
      throw new Invalid(`--rate-window must be fixed or sliding, not "${kind}"`)
    }
    if (kind !== undefined && rate === undefined) throw new Invalid("--rate-window needs --rate-limit")
    return {
      _tag: "Run",
      options: {
        port: number("port", 4010),
        host: option("host") ?? "127.0.0.1",
        seed: option("seed") ?? "1",
        patients: number("patients", 40),
        seedFile: option("seed-file"),
        writeSeed: option("write-seed"),
        rateLimit: rate === undefined ? undefined : { ...parseRateLimit(rate), ...(kind !== undefined ? { kind } : {}) }
      }
    }
  } catch (e) {
    if (e instanceof Invalid) return { _tag: "Invalid", message: e.message }
    throw e
  }
}

/**
 * Where a path the user typed points: relative to the directory the command was typed in, which
 * pnpm and npm keep in `INIT_CWD` when they run a package script in the package's own directory,
 * else to the current directory.
 */
export const resolvePath = (
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd()
): string => {
  const base = env["INIT_CWD"]
  return path.resolve(base !== undefined && base !== "" ? base : cwd, file)
}

/** How the banner describes a rate limit, e.g. `20 requests per 1s per key, sliding window`. */
export const describeRateLimit = (limit: RateLimit | undefined): string =>
  limit === undefined
    ? "none"
    : `${limit.limit} requests per ${Duration.format(Duration.decode(limit.window))} per key, ${
      limit.kind ?? SandboxConfig.defaultRateLimitKind
    } window`
