/**
 * A redis-server for the pacing benchmark: started on a free loopback port, nothing persisted,
 * killed (by its own pid) when the benchmark ends. Like the client's test support
 * (`packages/client/test/support/redisServer.ts`), without Effect.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

export interface RedisProcess {
  readonly url: string
  readonly version: string
  readonly stop: () => Promise<void>
}

const binaries = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]

export const redisServerBinary = (): string | undefined =>
  process.env.REDIS_SERVER_BIN ?? binaries.find((file) => fs.existsSync(file))

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

// Sends one inline command and returns the first reply line (or fails).
const ask = (port: number, command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    let received = ""
    socket.setTimeout(1000, () => {
      socket.destroy()
      reject(new Error("no answer"))
    })
    socket.once("error", (e) => {
      socket.destroy()
      reject(e)
    })
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8")
      // a bulk string: "$<len>\r\n<body>\r\n"
      const bulk = /^\$(\d+)\r\n/.exec(received)
      if (bulk !== null) {
        const length = Number(bulk[1])
        if (received.length >= bulk[0].length + length) {
          socket.destroy()
          resolve(received.slice(bulk[0].length, bulk[0].length + length))
        }
      } else if (received.includes("\r\n")) {
        socket.destroy()
        resolve(received.split("\r\n")[0]!)
      }
    })
    socket.once("connect", () => socket.write(`${command}\r\n`))
  })

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

export const startRedis = async (): Promise<RedisProcess> => {
  const binary = redisServerBinary()
  if (binary === undefined) throw new Error("redis-server is not installed (set REDIS_SERVER_BIN)")
  for (let tries = 0;; tries++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-bench-redis-"))
    const port = await freePort()
    const child: ChildProcess = spawn(binary, [
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
      "warning"
    ], { stdio: ["ignore", "ignore", "inherit"] })
    const killOnExit = () => child.kill("SIGKILL")
    process.once("exit", killOnExit)
    const stop = () =>
      new Promise<void>((resolve) => {
        process.off("exit", killOnExit)
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGKILL")
      }).then(() => fs.rmSync(dir, { recursive: true, force: true }))
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline && child.exitCode === null) {
      const pong = await ask(port, "PING").catch(() => undefined)
      if (pong === "+PONG") {
        const info = await ask(port, "INFO server").catch(() => "")
        const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown"
        return { url: `redis://127.0.0.1:${port}`, version, stop }
      }
      await sleep(25)
    }
    await stop()
    if (tries >= 2) throw new Error(`redis-server did not answer on port ${port}`)
  }
}
