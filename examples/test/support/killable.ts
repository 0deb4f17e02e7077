// Runs an example as a child process that a crash test can SIGKILL at a chosen moment: shared by
// the journal (crash-resume) and durable-engine (durable-crash) tests.
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bundled } from "./bundled.js"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

/** The parent's environment without any Hero settings of its own. */
export const childEnv: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith("HERO_"))
)

/** mulberry32: the kill points come from the seed, never from Math.random. */
export const prng = (s: number) => () => {
  s = (s + 0x6d2b79f5) | 0
  let t = Math.imul(s ^ (s >>> 15), 1 | s)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export interface KillableRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** The progress seen when the child was killed (`undefined`: it ran to its end). */
  readonly killedAt: number | undefined
  readonly timedOut: boolean
  /** stdout and stderr, interleaved. */
  readonly output: string
}

/** A child started by {@link startKillable}: kill it (its whole process group) at any moment. */
export interface Killable {
  /** SIGKILL to its whole process group. */
  readonly kill: () => void
  /** Resolves when it has exited, however. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** stdout and stderr so far, interleaved. */
  readonly output: () => string
}

/**
 * Starts `script` in its own process group: compiled once per test file (support/bundled.ts: the
 * same code, without tsx's per-module loader), then run with `node`. `kill` at any moment, even
 * before the process has started (it then never starts).
 */
export const startKillable = (options: {
  readonly script: string
  readonly args: ReadonlyArray<string>
  readonly env: Record<string, string>
}): Killable => {
  let output = ""
  let killed = false
  let child: ChildProcess | undefined
  const killGroup = () => {
    killed = true
    if (child === undefined) return
    try {
      process.kill(-child.pid!, "SIGKILL")
    } catch {
      // the group is gone already
    }
  }
  const exited = bundled(options.script).then((file) =>
    new Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>((resolve) => {
      if (killed) return resolve({ code: null, signal: "SIGKILL" })
      const started = spawn(process.execPath, [file, ...options.args], {
        cwd: examples,
        env: { ...childEnv, ...options.env },
        detached: true,
        stdio: "pipe"
      })
      child = started
      started.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()))
      started.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()))
      started.on("exit", (code, signal) => {
        // Whatever it started goes with it.
        killGroup()
        resolve({ code, signal })
      })
    })
  )
  return { kill: killGroup, exited, output: () => output }
}

/**
 * Runs `script` (see {@link startKillable}) once. With `killAt`, kills it — its whole process
 * group — as soon as `progress()` (polled every `pollMillis`) reaches
 * `killAt`, or at the deadline (a hang detector, generous for a loaded machine).
 */
export const runKillable = (options: {
  readonly script: string
  readonly args: ReadonlyArray<string>
  readonly env: Record<string, string>
  readonly progress: () => number
  readonly killAt: number | undefined
  readonly pollMillis: number
  readonly deadlineMillis: number
}): Promise<KillableRun> => {
  const child = startKillable(options)
  let killedAt: number | undefined
  let timedOut = false
  const deadline = Date.now() + options.deadlineMillis
  const poll = setInterval(() => {
    const n = options.killAt === undefined ? 0 : options.progress()
    if ((options.killAt !== undefined && n >= options.killAt) || Date.now() > deadline) {
      killedAt = n
      timedOut = Date.now() > deadline
      clearInterval(poll)
      child.kill()
    }
  }, options.pollMillis)
  return child.exited.then(({ code, signal }) => {
    clearInterval(poll)
    return { code, signal, killedAt, timedOut, output: child.output() }
  })
}
