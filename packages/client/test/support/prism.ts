import { Effect } from "effect"
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))
/** The API document, beside the repository (CI clones the repo with shared/ next to it). */
export const documentPath = Path.resolve(here, "../../../../../shared/api/patients.openapi.yaml")

const prismCli = () => {
  const require = createRequire(import.meta.url)
  return Path.join(Path.dirname(require.resolve("@stoplight/prism-cli/package.json")), "dist/index.js")
}

const freePort = Effect.async<number, Error>((resume) => {
  const server = Net.createServer()
  server.once("error", (error) => resume(Effect.fail(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * Starts Prism mocking the API document on an ephemeral loopback port, in dynamic mode with a
 * fixed seed (reproducible random responses that conform to the document). Stopped when the
 * scope closes.
 */
export const prism = (options: { readonly seed: number; readonly dynamic?: boolean; readonly seeded?: boolean }) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const port = yield* freePort
      const args = [prismCli(), "mock", documentPath, "-h", "127.0.0.1", "-p", String(port), "--errors", "false"]
      if (options.dynamic !== false) {
        args.push("-d")
        if (options.seeded !== false) args.push("--seed", String(options.seed))
      }
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
      yield* Effect.async<void, Error>((resume) => {
        let output = ""
        const timer = setTimeout(
          () => resume(Effect.fail(new Error(`Prism did not start: ${output.slice(-500)}`))),
          120_000
        )
        const onData = (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes("Prism is listening")) {
            clearTimeout(timer)
            resume(Effect.void)
          }
        }
        child.stdout?.on("data", onData)
        child.stderr?.on("data", onData)
        child.once("exit", (code) => {
          clearTimeout(timer)
          resume(Effect.fail(new Error(`Prism exited with ${code}: ${output.slice(-500)}`)))
        })
      })
      return { url: `http://127.0.0.1:${port}`, child }
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  )
