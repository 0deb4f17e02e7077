import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs/promises"
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
export type MakeError<E> = (
  reason: "open" | "read" | "write" | "corrupt" | "encode" | "unusable",
  detail: string
) => E

const errorCode = (u: unknown): string =>
  typeof u === "object" && u !== null && "code" in u && typeof u.code === "string" ? u.code : "unknown"

/** Journal files open in this process (resolved paths). @internal */
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

/**
 * An append-only JSON Lines file. Reads the file, truncates a torn last line, opens it for
 * appending; every append is written and `datasync`ed before it returns (uninterruptibly, so a
 * write is never left half-done by an interruption). Appends that arrive while a write is in
 * flight are committed together: one write and one `datasync` for the group (group commit), so
 * 32 patients in flight do not queue behind 32 separate syncs.
 * @internal
 */
export const fileStore = <E>(path: string, makeError: MakeError<E>): Effect.Effect<LineStore<E>, E, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = nodePath.resolve(path)
    yield* Effect.acquireRelease(
      Effect.suspend(() => {
        if (openFiles.has(resolved)) {
          return Effect.fail(makeError("open", "the journal file is already open in this process"))
        }
        openFiles.add(resolved)
        return Effect.void
      }),
      () => Effect.sync(() => void openFiles.delete(resolved))
    )
    const content = yield* Effect.tryPromise({
      try: () => fs.readFile(path),
      catch: (e) => e
    }).pipe(
      Effect.catchAll((e) =>
        errorCode(e) === "ENOENT"
          ? Effect.succeed(undefined)
          : Effect.fail(makeError("read", `reading the journal failed (${errorCode(e)})`))
      )
    )
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => fs.open(path, "a"),
        catch: (e) => makeError("open", `opening the journal failed (${errorCode(e)})`)
      }),
      (h) => Effect.ignore(Effect.tryPromise(() => h.close()))
    )
    const { length, lines } = completeLines(content ?? new Uint8Array(0))
    if (content !== undefined && length < content.length) {
      yield* Effect.tryPromise({
        try: async () => {
          await handle.truncate(length)
          await handle.datasync()
        },
        catch: (e) => makeError("write", `truncating a torn last line failed (${errorCode(e)})`)
      })
    }
    if (content === undefined) {
      // A new file: sync its directory so the file itself survives a crash (best effort).
      yield* Effect.ignore(Effect.tryPromise(async () => {
        const dir = await fs.open(nodePath.dirname(path), "r")
        try {
          await dir.sync()
        } finally {
          await dir.close()
        }
      }))
    }
    let unusable = false
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
    return {
      initial: lines,
      concurrentAppends: true,
      append: (line: string) =>
        Effect.suspend(() =>
          unusable
            ? Effect.fail(makeError("unusable", "an earlier write failed; reopen the journal"))
            : Effect.tryPromise({
              try: () =>
                new Promise<void>((resolve, reject) => {
                  queue.push({ line, done: (error) => (error === undefined ? resolve() : reject(error)) })
                  if (!writing) void drain()
                }),
              catch: (e) => {
                unusable = true
                return makeError("write", `appending to the journal failed (${errorCode(e)})`)
              }
            })
        ).pipe(Effect.uninterruptible)
    }
  })
