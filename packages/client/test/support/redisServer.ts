import { Duration, Effect, Schedule } from "effect"
import type { Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as Path from "node:path"

// A real redis-server for the Redis store's tests: one process per test, on an ephemeral loopback
// port, nothing persisted, killed when the test's scope closes.

// REDIS_SERVER_BIN, when set, is the only candidate (so a run can also pretend it is missing).
const candidates = (): ReadonlyArray<string> => {
  const fromEnv = process.env.REDIS_SERVER_BIN
  if (fromEnv !== undefined && fromEnv !== "") return [fromEnv]
  const onPath = (process.env.PATH ?? "").split(Path.delimiter).filter((dir) => dir.length > 0).map((dir) =>
    Path.join(dir, "redis-server")
  )
  return ["/usr/bin/redis-server", "/usr/local/bin/redis-server", ...onPath]
}

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** The redis-server binary (`REDIS_SERVER_BIN`, else /usr/bin, /usr/local/bin, then PATH), if any. */
export const redisServerBinary: string | undefined = candidates().find(executable)

export interface RedisServer {
  readonly host: "127.0.0.1"
  readonly port: number
  readonly password: string | undefined
  /** `redis://127.0.0.1:<port>`, with the password when there is one. */
  readonly url: string
  /** Stops the server (SIGKILL: an outage, not a shutdown) and waits until it has exited. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port and waits until it answers. */
  readonly restart: Effect.Effect<void>
}

/** A port that was free a moment ago: bound on 127.0.0.1 port 0, then closed. */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.once("error", (error) => resume(Effect.die(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Answers an inline PING with +PONG (or -NOAUTH when a password is set: it answers all the same). */
const ping = (port: number): Effect.Effect<void, string> =>
  Effect.async<void, string>((resume) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    let received = ""
    const finish = (result: Effect.Effect<void, string>) => {
      socket.destroy()
      resume(result)
    }
    socket.setTimeout(1_000, () => finish(Effect.fail("no answer")))
    socket.once("error", (error) => finish(Effect.fail(error.message)))
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8")
      if (received.includes("\r\n")) {
        finish(received.startsWith("+PONG") || received.startsWith("-NOAUTH") ? Effect.void : Effect.fail(received))
      }
    })
    socket.once("connect", () => socket.write("PING\r\n"))
    return Effect.sync(() => socket.destroy())
  })

const exited = (child: ChildProcess): Effect.Effect<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Effect.void
    : Effect.async<void>((resume) => {
      const done = () => resume(Effect.void)
      child.once("exit", done)
      return Effect.sync(() => child.off("exit", done))
    })

// Servers still running when the test process exits (a crashed run) are killed with it.
const running = new Set<ChildProcess>()
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL")
})

const launch = (binary: string, port: number, password: string | undefined, dir: string) =>
  Effect.gen(function*() {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--dir",
      dir,
      "--loglevel",
      "warning",
      ...(password === undefined ? [] : ["--requirepass", password])
    ]
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] })
    running.add(child)
    child.once("exit", () => running.delete(child))
    let output = ""
    const collect = (chunk: Buffer) => {
      if (output.length < 4_000) output += chunk.toString("utf8")
    }
    child.stdout?.on("data", collect)
    child.stderr?.on("data", collect)
    // Poll until it answers (bounded: a loaded machine is slow to start processes).
    const ready = yield* ping(port).pipe(
      Effect.filterOrFail(() => child.exitCode === null && child.signalCode === null, () => "exited"),
      Effect.retry(Schedule.spaced(Duration.millis(25)).pipe(Schedule.upTo(Duration.seconds(20)))),
      Effect.either
    )
    if (ready._tag === "Left") {
      child.kill("SIGKILL")
      return yield* Effect.fail(`redis-server on port ${port} did not answer (${ready.left}): ${output.trim()}`)
    }
    return child
  })

/**
 * Starts redis-server on a free loopback port (retrying with another port if it was taken in the
 * meantime), and kills it when the scope closes.
 */
export const redisServer = (options: { readonly password?: string } = {}): Effect.Effect<
  RedisServer,
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const binary = redisServerBinary
    if (binary === undefined) return yield* Effect.dieMessage("redis-server is not installed")
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(Path.join(os.tmpdir(), "hero-redis-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    let child: ChildProcess | undefined
    let port = 0
    for (let tries = 0; child === undefined; tries++) {
      port = yield* freePort
      const started = yield* Effect.either(launch(binary, port, options.password, dir))
      if (started._tag === "Right") child = started.right
      else if (tries >= 2) return yield* Effect.dieMessage(started.left)
    }
    const stop = Effect.suspend(() => {
      const current = child
      if (current === undefined) return Effect.void
      child = undefined
      current.kill("SIGKILL")
      return exited(current)
    })
    yield* Effect.addFinalizer(() => stop)
    const restart = Effect.suspend(() =>
      child !== undefined ? Effect.void : Effect.orDie(Effect.map(launch(binary, port, options.password, dir), (c) => {
        child = c
      }))
    )
    const password = options.password
    const server: RedisServer = {
      host: "127.0.0.1",
      port,
      password,
      url: password === undefined
        ? `redis://127.0.0.1:${port}`
        : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
      stop,
      restart
    }
    return server
  })
