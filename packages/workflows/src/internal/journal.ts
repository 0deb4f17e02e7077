import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createHash, randomUUID } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as nodePath from "node:path"

/**
 * Where journal lines live. `initial` are the complete lines found at open; `append` adds one
 * line (without its newline) durably.
 * @internal
 */
export interface LineStore<E> {
  readonly initial: ReadonlyArray<string>
  readonly append: (line: string) => Effect.Effect<void, E>
  /**
   * The store takes concurrent appends itself (whole lines, each durable when its append
   * returns), so the journal need not call `append` one at a time. Without it, appends are
   * serialised.
   */
  readonly concurrentAppends?: boolean | undefined
}

/** @internal */
export type Reason = "open" | "read" | "write" | "corrupt" | "encode" | "unusable" | "locked" | "target" | "legacy"

/** @internal */
export type MakeError<E> = (reason: Reason, detail: string, line?: number) => E

const errorCode = (u: unknown): string =>
  typeof u === "object" && u !== null && "code" in u && typeof u.code === "string" ? u.code : "unknown"

/** Journal files open in this process (real paths). @internal */
const openFiles = new Set<string>()

/** A store in memory. @internal */
// The journal keeps its decoded entries itself; the lines have nowhere to go.
export const memoryStore = (): LineStore<never> => ({
  initial: [],
  append: () => Effect.void
})

/**
 * The complete lines of a journal file's content, and the byte length they take (a last line
 * without its newline is a torn write and is not included).
 * @internal
 */
export const completeLines = (
  content: Uint8Array
): { readonly lines: ReadonlyArray<string>; readonly length: number } => {
  const lastNewline = content.lastIndexOf(0x0a)
  const length = lastNewline + 1
  const lines = new TextDecoder("utf-8").decode(content.subarray(0, length)).split("\n")
  lines.pop()
  return { lines, length }
}

// ---------------------------------------------------------------------------------------------
// Line integrity. Every line of a journal file is a JSON object whose last member is
// `"_check":"<16 hex>"`: the first 64 bits of SHA-256 over the previous line's check, a newline,
// and the line's exact text without that member (a chain: a changed, removed, inserted or moved
// line fails, each at its own line number). The first line is a header.

const checkPrefix = ",\"_check\":\""
const checkSuffixLength = checkPrefix.length + 16 + 2
const hex16 = /^[0-9a-f]{16}$/

/** The check of a line's body after the line whose check is `previous` ("" for the first). @internal */
export const checkOf = (previous: string, body: string): string =>
  createHash("sha256").update(previous).update("\n").update(body).digest("hex").slice(0, 16)

/** A JSON object's text with its check as last member, and that check. @internal */
export const seal = (previous: string, body: string): { readonly line: string; readonly check: string } => {
  const check = checkOf(previous, body)
  return { line: `${body.slice(0, -1)}${checkPrefix}${check}"}`, check }
}

/** A line's body and check, or `undefined` for a line without a check. @internal */
export const unseal = (line: string): { readonly body: string; readonly check: string } | undefined => {
  if (line.length <= checkSuffixLength || !line.endsWith("\"}")) return undefined
  const at = line.length - checkSuffixLength
  if (!line.startsWith(checkPrefix, at)) return undefined
  const check = line.slice(at + checkPrefix.length, line.length - 2)
  return hex16.test(check) ? { body: `${line.slice(0, at)}}`, check } : undefined
}

/** The fingerprint of a target, as a header records it. @internal */
export const fingerprint = (target: string): string =>
  `sha256:${createHash("sha256").update(target, "utf8").digest("hex").slice(0, 32)}`

const headerTag = "JournalHeader"
const format = 1

const headerBody = (target: string | null): string => JSON.stringify({ _tag: headerTag, format, target })

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isHeaderLike = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && (u as Record<string, unknown>)._tag === headerTag

type Parsed<E> =
  | { readonly _tag: "New" }
  | { readonly _tag: "Legacy"; readonly lines: ReadonlyArray<string> }
  | {
    readonly _tag: "Sealed"
    readonly target: string | null
    /** The lines after the header without their checks (blank lines kept, as ""). */
    readonly bodies: ReadonlyArray<string>
    /** The file's line number of `bodies[0]`. */
    readonly firstLine: number
    readonly last: string
  }
  | { readonly _tag: "Failed"; readonly error: E }

const parseFile = <E>(lines: ReadonlyArray<string>, makeError: MakeError<E>): Parsed<E> => {
  const blank = (l: string) => l.trim().length === 0
  const first = lines.findIndex((l) => !blank(l))
  if (first < 0) return { _tag: "New" }
  const corrupt = (i: number, what: string): Parsed<E> => ({
    _tag: "Failed",
    error: makeError("corrupt", `line ${i + 1} ${what}`, i + 1)
  })
  const head = unseal(lines[first]!)
  if (head === undefined) {
    // A journal from before checks: no line may carry one, and its first line is no header
    // (otherwise it is a checked journal whose header lost its check).
    if (isHeaderLike(parseJson(lines[first]!)) || lines.some((l) => !blank(l) && unseal(l) !== undefined)) {
      return corrupt(first, "has no integrity check")
    }
    return { _tag: "Legacy", lines }
  }
  if (head.check !== checkOf("", head.body)) return corrupt(first, "fails its integrity check")
  const header = parseJson(head.body)
  if (!isHeaderLike(header)) return corrupt(first, "is not a journal header")
  if (header.format !== format) {
    return { _tag: "Failed", error: makeError("open", "the journal's format is not one this version reads") }
  }
  const target = header.target
  if (target !== null && typeof target !== "string") return corrupt(first, "is not a journal header")
  let previous = head.check
  const bodies: Array<string> = []
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i]!
    if (blank(line)) {
      bodies.push("")
      continue
    }
    const sealed = unseal(line)
    if (sealed === undefined) return corrupt(i, "has no integrity check")
    if (sealed.check !== checkOf(previous, sealed.body)) return corrupt(i, "fails its integrity check")
    previous = sealed.check
    bodies.push(sealed.body)
  }
  return { _tag: "Sealed", target, bodies, firstLine: first + 2, last: previous }
}

const syncDirectory = async (dir: string) => {
  const handle = await fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes the journal anew — a header, then each non-blank body with its check — to a temporary
 * file beside it, synced, then renamed over it (atomic: a crash leaves the old or the new file).
 * Returns the last check.
 */
const rewrite = async (file: string, target: string | null, bodies: ReadonlyArray<string>): Promise<string> => {
  const mode = await fs.stat(file).then((s) => s.mode & 0o7777, () => undefined)
  // A file this process may not write is not replaced behind its back.
  if (mode !== undefined) await fs.access(file, fs.constants.W_OK)
  const temporary = `${file}.rewrite-${process.pid}`
  const handle = await fs.open(temporary, "w", mode)
  let previous = ""
  try {
    const header = seal(previous, headerBody(target))
    previous = header.check
    let chunk = `${header.line}\n`
    for (const body of bodies) {
      if (body.trim().length === 0) continue
      const sealed = seal(previous, body)
      previous = sealed.check
      chunk += `${sealed.line}\n`
      if (chunk.length > 1 << 20) {
        await handle.writeFile(chunk, "utf8")
        chunk = ""
      }
    }
    await handle.writeFile(chunk, "utf8")
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await fs.rename(temporary, file)
  // So the renamed file itself survives a crash (best effort).
  await syncDirectory(nodePath.dirname(file)).catch(() => undefined)
  return previous
}

// ---------------------------------------------------------------------------------------------
// The lock: `<journal>.lock` beside the journal, created exclusively, naming its holder.

interface Holder {
  readonly pid: number
  readonly hostname: string
  readonly startedAt: string
}

const parseHolder = (text: string): Holder | undefined => {
  const u = parseJson(text)
  if (typeof u !== "object" || u === null) return undefined
  const { hostname, pid, startedAt } = u as Record<string, unknown>
  // The file is not trusted: a pid of 0 or below would signal process groups, and its strings
  // go into error messages.
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined
  if (typeof hostname !== "string" || !/^[A-Za-z0-9._-]{1,253}$/.test(hostname)) return undefined
  return {
    pid,
    hostname,
    startedAt: typeof startedAt === "string" && /^[0-9TZ:.+-]{1,40}$/.test(startedAt) ? startedAt : "an unknown time"
  }
}

/** Whether a process of this host is running: `kill(pid, 0)` without ESRCH, and not a zombie. */
const isRunning = async (pid: number): Promise<boolean> => {
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: it runs, as another user.
    return errorCode(e) !== "ESRCH"
  }
  // Killed but not yet reaped by its parent: gone for our purpose (Linux; elsewhere: running).
  const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined)
  if (stat === undefined) return true
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
  return state !== "Z" && state !== "X"
}

type LockResult = { readonly _tag: "Held"; readonly content: string } | {
  readonly _tag: "Refused"
  readonly detail: string
}

const startedAt = (): string => new Date(Date.now() - process.uptime() * 1000).toISOString()

/**
 * Takes the lock, or says who holds it. A lock whose holder is gone — its pid not running on
 * this host, or this process's own pid (a lock this process holds is refused earlier, by
 * `openFiles`: this one is an earlier process's, e.g. a restarted container's) — is stale and
 * taken over: moved aside, and only if what was moved is the lock judged stale.
 */
const lock = async (lockPath: string): Promise<LockResult> => {
  const name = nodePath.basename(lockPath)
  const content = JSON.stringify({
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: startedAt(),
    nonce: randomUUID()
  })
  const refused = (detail: string): LockResult => ({ _tag: "Refused", detail })
  for (let attempt = 0; attempt < 5; attempt++) {
    const created = await fs.open(lockPath, "wx").catch((e) => {
      if (errorCode(e) === "EEXIST") return undefined
      throw e
    })
    if (created !== undefined) {
      try {
        await created.writeFile(content, "utf8")
      } catch (e) {
        // A lock without its holder would keep every later open out: remove it.
        await created.close().catch(() => undefined)
        await fs.unlink(lockPath).catch(() => undefined)
        throw e
      }
      await created.close()
      return { _tag: "Held", content }
    }
    const existing = await fs.readFile(lockPath, "utf8").catch((e) => {
      if (errorCode(e) === "ENOENT") return undefined
      throw e
    })
    // Released meanwhile: try again.
    if (existing === undefined) continue
    const holder = parseHolder(existing)
    if (holder === undefined) {
      return refused(
        `its lock file ${name} names no holder (being written this instant, cut short, or not written by this library); if no job is running on this journal, remove it`
      )
    }
    if (holder.hostname !== os.hostname()) {
      return refused(
        `it is locked by pid ${holder.pid} on host ${holder.hostname} (since ${holder.startedAt}), which cannot be checked from this host; if that job is not running, remove ${name}`
      )
    }
    if (holder.pid !== process.pid && await isRunning(holder.pid)) {
      return refused(`it is held by a running process (pid ${holder.pid} on this host, since ${holder.startedAt})`)
    }
    const aside = `${lockPath}.stale-${process.pid}-${randomUUID()}`
    try {
      await fs.rename(lockPath, aside)
    } catch (e) {
      if (errorCode(e) === "ENOENT") continue
      throw e
    }
    const moved = await fs.readFile(aside, "utf8")
    if (moved !== existing) {
      // Another process took the stale lock over meanwhile, and this moved its new lock: put it
      // back and give way.
      await fs.link(aside, lockPath).catch(() => undefined)
      await fs.unlink(aside).catch(() => undefined)
      return refused("another process took over its stale lock at the same moment")
    }
    await fs.unlink(aside)
  }
  return refused("its lock changed hands repeatedly while opening; try again")
}

/** Removes the lock, if it is still this one. */
const unlock = async (lockPath: string, content: string) => {
  const current = await fs.readFile(lockPath, "utf8").catch(() => undefined)
  if (current === content) await fs.unlink(lockPath)
}

/** The journal's real path: symlinks resolved, in the file or else in its directory. */
const realPath = async (path: string): Promise<string> => {
  const resolved = nodePath.resolve(path)
  const real = await fs.realpath(resolved).catch(() => undefined)
  if (real !== undefined) return real
  const dir = await fs.realpath(nodePath.dirname(resolved)).catch(() => undefined)
  return dir === undefined ? resolved : nodePath.join(dir, nodePath.basename(resolved))
}

/**
 * Fails unless `path` can be appended to (created if absent: then removed again). Nothing is
 * written.
 * @internal
 */
export const checkWritable = <E>(path: string, makeError: MakeError<E>): Effect.Effect<void, E> =>
  Effect.tryPromise({
    try: async () => {
      try {
        await (await fs.open(path, "wx")).close()
        await fs.unlink(path)
        return
      } catch (e) {
        if (errorCode(e) !== "EEXIST") throw e
      }
      await (await fs.open(path, "a")).close()
    },
    catch: (e) => makeError("open", `the path is not writable (${errorCode(e)})`)
  })

/** @internal */
export interface FileOptions<A, E> {
  /** The caller's target; the header records its fingerprint. */
  readonly target?: string | undefined
  /** What to do with a journal written before lines carried checks. */
  readonly legacy: "refuse" | "migrate"
  /** Decodes the entries' lines (`firstLine`: the file's line number of `lines[0]`), before any rewrite. */
  readonly decode: (lines: ReadonlyArray<string>, firstLine: number) => Effect.Effect<A, E>
}

/**
 * An append-only JSON Lines file, locked against a second writer, each line checked. Locks the
 * file (in this process and by `<journal>.lock`), reads it, verifies every complete line's
 * check and the header's target, decodes the entries, then: writes a header into a new file,
 * rewrites a legacy file (with `legacy: "migrate"`) or an unbound one opened with a target,
 * truncates a torn last line, and opens it for appending. Every append is sealed (its check in
 * the chain), written and `datasync`ed before it returns (uninterruptibly, so a write is never
 * left half-done by an interruption). Appends that arrive while a write is in flight are
 * committed together: one write and one `datasync` for the group (group commit), so 32
 * patients in flight do not queue behind 32 separate syncs. The store's `initial` is empty: the
 * entries are `decoded`.
 * @internal
 */
export const fileStore = <A, E>(
  path: string,
  makeError: MakeError<E>,
  options: FileOptions<A, E>
): Effect.Effect<{ readonly store: LineStore<E>; readonly decoded: A }, E, Scope.Scope> =>
  Effect.gen(function*() {
    const file = yield* Effect.promise(() => realPath(path))
    yield* Effect.acquireRelease(
      Effect.suspend(() => {
        if (openFiles.has(file)) {
          return Effect.fail(makeError("locked", "the journal file is already open in this process"))
        }
        openFiles.add(file)
        return Effect.void
      }),
      () => Effect.sync(() => void openFiles.delete(file))
    )
    const lockPath = `${file}.lock`
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => lock(lockPath),
        catch: (e) => makeError("open", `creating the journal's lock file failed (${errorCode(e)})`)
      }).pipe(Effect.flatMap((result) =>
        result._tag === "Held"
          ? Effect.succeed(result.content)
          : Effect.fail(makeError("locked", `the journal is in use: ${result.detail}`))
      )),
      (content) => Effect.ignore(Effect.tryPromise(() => unlock(lockPath, content)))
    )
    const content = yield* Effect.tryPromise({
      try: () => fs.readFile(file),
      catch: (e) => e
    }).pipe(
      Effect.catchAll((e) =>
        errorCode(e) === "ENOENT"
          ? Effect.succeed(undefined)
          : Effect.fail(makeError("read", `reading the journal failed (${errorCode(e)})`))
      )
    )
    const { length, lines } = completeLines(content ?? new Uint8Array(0))
    const parsed = parseFile(lines, makeError)
    if (parsed._tag === "Failed") return yield* Effect.fail(parsed.error)
    const wanted = options.target === undefined ? undefined : fingerprint(options.target)
    const writeAnew = (target: string | null, bodies: ReadonlyArray<string>) =>
      Effect.tryPromise({
        try: () => rewrite(file, target, bodies),
        catch: (e) => makeError("write", `writing the journal's header failed (${errorCode(e)})`)
      })
    let decoded: A
    let last: string
    let rewritten = false
    switch (parsed._tag) {
      case "New": {
        decoded = yield* options.decode([], 2)
        last = yield* writeAnew(wanted ?? null, [])
        rewritten = true
        break
      }
      case "Legacy": {
        if (options.legacy !== "migrate") {
          return yield* Effect.fail(makeError(
            "legacy",
            "the journal's lines carry no integrity check (written by an earlier version); open it with legacy: \"migrate\" to accept them once and add checks, or start a new journal"
          ))
        }
        decoded = yield* options.decode(parsed.lines, 1)
        last = yield* writeAnew(wanted ?? null, parsed.lines)
        rewritten = true
        break
      }
      case "Sealed": {
        if (wanted !== undefined && parsed.target !== null && parsed.target !== wanted) {
          return yield* Effect.fail(makeError(
            "target",
            `the journal belongs to another target (${parsed.target.slice(0, 19)}…, this one is ${
              wanted.slice(0, 19)
            }…); use a new journal file for this target`
          ))
        }
        decoded = yield* options.decode(parsed.bodies, parsed.firstLine)
        // An unbound journal opened with a target is bound to it.
        rewritten = wanted !== undefined && parsed.target === null
        last = rewritten ? yield* writeAnew(wanted!, parsed.bodies) : parsed.last
        break
      }
    }
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.open(file, "a"),
        catch: (e) => makeError("open", `opening the journal failed (${errorCode(e)})`)
      }),
      (h) => Effect.ignore(Effect.tryPromise(() => h.close()))
    )
    // A torn last line (never acknowledged) is dropped; a rewrite has dropped it already.
    if (!rewritten && content !== undefined && length < content.length) {
      yield* Effect.tryPromise({
        try: async () => {
          await handle.truncate(length)
          await handle.datasync()
        },
        catch: (e) => makeError("write", `truncating a torn last line failed (${errorCode(e)})`)
      })
    }
    let unusable = false
    let previous = last
    interface Waiting {
      readonly line: string
      readonly done: (error: unknown) => void
    }
    let queue: Array<Waiting> = []
    let writing = false
    // One writer at a time; whatever queued meanwhile goes out as the next group, in order.
    const drain = async () => {
      writing = true
      while (queue.length > 0) {
        const group = queue
        queue = []
        try {
          await handle.appendFile(group.map((w) => `${w.line}\n`).join(""), "utf8")
          await handle.datasync()
          for (const w of group) w.done(undefined)
        } catch (e) {
          unusable = true
          for (const w of [...group, ...queue]) w.done(e)
          queue = []
        }
      }
      writing = false
    }
    const store: LineStore<E> = {
      initial: [],
      concurrentAppends: true,
      append: (line: string) =>
        Effect.suspend(() =>
          unusable
            ? Effect.fail(makeError("unusable", "an earlier write failed; reopen the journal"))
            : Effect.tryPromise({
              try: () =>
                new Promise<void>((resolve, reject) => {
                  // Sealed in the order the lines are queued, which is the order they are written.
                  const sealed = seal(previous, line)
                  previous = sealed.check
                  queue.push({ line: sealed.line, done: (error) => (error === undefined ? resolve() : reject(error)) })
                  if (!writing) void drain()
                }),
              catch: (e) => {
                unusable = true
                return makeError("write", `appending to the journal failed (${errorCode(e)})`)
              }
            })
        ).pipe(Effect.uninterruptible)
    }
    return { store, decoded }
  })
