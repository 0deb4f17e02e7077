// A real PostgreSQL for the tests that need one: its own cluster (initdb into a temporary
// directory), on an ephemeral loopback port, trust authentication on loopback only, killed with its
// whole process group when the test's scope closes. HERO_TEST_POSTGRES_URL, when set, is used
// instead (a server you run yourself). Without either — no binaries — the tests skip, except with
// CI set, where they fail: CI installs PostgreSQL 15 from Debian (.ci/run).
//
// PostgreSQL refuses to run as root; as root, the server runs as the `postgres` user the Debian
// package creates (spawned with its uid and gid).
import { Duration, Effect, Schedule } from "effect"
import type { Scope } from "effect"
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as Path from "node:path"

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

// POSTGRES_BIN_DIR, when set, is the only candidate; else Debian's versioned directories (newest
// first), then PATH.
const binDirCandidates = (): ReadonlyArray<string> => {
  const fromEnv = process.env.POSTGRES_BIN_DIR
  if (fromEnv !== undefined && fromEnv !== "") return [fromEnv]
  const debian = (() => {
    try {
      return fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)).map((v) =>
        Path.join("/usr/lib/postgresql", v, "bin")
      )
    } catch {
      return []
    }
  })()
  const onPath = (process.env.PATH ?? "").split(Path.delimiter).filter((dir) => dir.length > 0)
  return [...debian, ...onPath]
}

/** The directory holding `initdb` and `postgres`, if any. */
export const postgresBinDir: string | undefined = binDirCandidates().find((dir) =>
  executable(Path.join(dir, "initdb")) && executable(Path.join(dir, "postgres"))
)

/** The URL of a server to use instead of starting one (HERO_TEST_POSTGRES_URL). */
export const externalUrl: string | undefined = process.env.HERO_TEST_POSTGRES_URL || undefined

/** Whether the Postgres tests can run here: a URL, or binaries to start a server with. */
export const postgresAvailable: boolean = externalUrl !== undefined || postgresBinDir !== undefined

/** Skip (not fail) only outside CI: in CI a missing server is a failure. */
export const skipPostgres: boolean = !postgresAvailable && process.env.CI === undefined

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (or HERO_TEST_POSTGRES_URL). */
  readonly url: string
}

const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.once("error", (error) => resume(Effect.die(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

// Servers still running when the test process exits (a crashed run) are killed with it.
const running = new Set<ChildProcess>()
const killGroup = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, "SIGKILL")
  } catch {
    // gone already
  }
}
process.once("exit", () => {
  for (const child of running) killGroup(child)
})

/** The uid and gid to run as: ours, or the `postgres` user's when we are root. */
const identity = (): { readonly uid?: number; readonly gid?: number } => {
  if (process.getuid?.() !== 0) return {}
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    return { uid, gid }
  } catch {
    throw new Error("running as root, and there is no `postgres` user to run PostgreSQL as")
  }
}

// pg_isready: 0 once the server accepts sessions (an open port alone can still be "starting up").
const isReady = (bin: string, port: number): Effect.Effect<void, string> =>
  Effect.async<void, string>((resume) => {
    const child = execFile(
      Path.join(bin, "pg_isready"),
      ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-t", "2"],
      (error) => resume(error === null ? Effect.void : Effect.fail(error.message))
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/**
 * A server for one test (or HERO_TEST_POSTGRES_URL's): started on a free port, gone when the
 * scope closes.
 */
export const postgresServer: Effect.Effect<PostgresServer, never, Scope.Scope> = Effect.gen(function*() {
  if (externalUrl !== undefined) return { url: externalUrl }
  const bin = postgresBinDir
  if (bin === undefined) return yield* Effect.dieMessage("PostgreSQL is not installed (no initdb and postgres)")
  const user = yield* Effect.try(identity).pipe(Effect.orDie)
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "hero-postgres-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const data = Path.join(dir, "data")
  fs.mkdirSync(data, { mode: 0o700 })
  if (user.uid !== undefined) {
    fs.chownSync(dir, user.uid, user.gid!)
    fs.chownSync(data, user.uid, user.gid!)
  }
  yield* Effect.try(() =>
    execFileSync(
      Path.join(bin, "initdb"),
      ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions", "-E", "UTF8"],
      { ...user, stdio: "pipe", cwd: dir }
    )
  ).pipe(Effect.orDie)
  const port = yield* freePort
  const child = yield* Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(
        Path.join(bin, "postgres"),
        [
          "-D",
          data,
          "-p",
          String(port),
          "-k",
          dir,
          "-c",
          "listen_addresses=127.0.0.1",
          // Throwaway data: no need to wait for disks.
          "-c",
          "fsync=off",
          "-c",
          "synchronous_commit=off",
          "-c",
          "full_page_writes=off",
          "-c",
          "max_connections=200"
        ],
        { ...user, cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] }
      )
      running.add(child)
      child.once("exit", () => running.delete(child))
      return child
    }),
    (child) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        killGroup(child)
      })
  )
  let output = ""
  const collect = (chunk: Buffer) => {
    if (output.length < 4_000) output += chunk.toString("utf8")
  }
  child.stdout?.on("data", collect)
  child.stderr?.on("data", collect)
  // Poll until it accepts connections (bounded generously: a loaded machine is slow).
  const ready = yield* isReady(bin, port).pipe(
    Effect.filterOrFail(() => child.exitCode === null && child.signalCode === null, () => "exited"),
    Effect.retry(Schedule.spaced(Duration.millis(50)).pipe(Schedule.upTo(Duration.seconds(120)))),
    Effect.either
  )
  if (ready._tag === "Left") {
    return yield* Effect.dieMessage(`postgres on port ${port} did not start (${ready.left}): ${output.trim()}`)
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres` }
})
