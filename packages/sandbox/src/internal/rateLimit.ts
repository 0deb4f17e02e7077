import type { RateLimitKind } from "../SandboxConfig.js"

/** A fixed window: when it opened and how many requests it admitted. @internal */
export interface FixedWindow {
  readonly _tag: "Fixed"
  readonly start: number
  readonly count: number
}

// The smallest ring a sliding log allocates, and what it shrinks back to: a large `limit` must not
// cost memory up front, and a key that burst once must not keep a large ring once it is idle.
const minCapacity = 8

/**
 * A sliding log: the times of a key's most recent admitted requests, oldest first, in a ring that
 * grows (doubling) only as admitted requests need it, never past `limit` slots, and shrinks when
 * the window empties. So memory is bounded by both `limit` and the key's traffic in one window.
 *
 * It is mutable (a copy per request would cost O(limit)): it lives in the core's rate-limit `Ref`
 * and is changed only inside `Ref.modify`, whose function runs once and alone, so every update is
 * atomic like the rest of the state.
 *
 * @internal
 */
export class SlidingLog {
  readonly _tag = "Sliding"
  private slots: Array<number> = []
  private head = 0
  private size = 0

  /** Admitted requests still in the log. */
  get length(): number {
    return this.size
  }

  /** Slots allocated (at most `limit`). */
  get capacity(): number {
    return this.slots.length
  }

  /**
   * Admits a request at `now` (recording it) or refuses it, giving the milliseconds until the
   * oldest logged request leaves the window and frees a slot.
   */
  admit(now: number, limit: number, windowMillis: number): number | undefined {
    // Requests `window` or longer ago no longer count.
    while (this.size > 0 && now - this.slots[this.head]! >= windowMillis) {
      this.head = (this.head + 1) % this.slots.length
      this.size--
    }
    if (this.size <= this.slots.length / 4 && this.slots.length > minCapacity) {
      // Halve until half full at most: room to grow again without resizing at once.
      let capacity = this.slots.length
      while (this.size <= capacity / 4 && capacity > minCapacity) {
        capacity = Math.max(minCapacity, Math.floor(capacity / 2))
      }
      this.resize(capacity)
    }
    if (this.size >= limit) {
      // The limit-th most recent admitted request is the oldest kept; with a limit of 0 or less
      // nothing is ever admitted, and a whole window is the honest answer.
      return this.size === 0 ? windowMillis : this.slots[this.head]! + windowMillis - now
    }
    if (this.size === this.slots.length) {
      this.resize(Math.min(Math.ceil(limit), Math.max(minCapacity, this.slots.length * 2)))
    }
    this.slots[(this.head + this.size) % this.slots.length] = now
    this.size++
    return undefined
  }

  private resize(capacity: number): void {
    const next = new Array<number>(capacity)
    for (let i = 0; i < this.size; i++) next[i] = this.slots[(this.head + i) % this.slots.length]!
    this.slots = next
    this.head = 0
  }
}

/** A key's rate-limit state. @internal */
export type KeyWindow = FixedWindow | SlidingLog

/** Rate-limit state per API key. @internal */
export type Windows = ReadonlyMap<string, KeyWindow>

/** `Retry-After` for a wait in milliseconds: whole seconds, rounded up, at least 1. @internal */
export const retryAfterSeconds = (millis: number): number => Math.max(1, Math.ceil(millis / 1000))

/**
 * Checks one request of `key` at `now`: the milliseconds to wait when refused (`undefined` when
 * admitted), and the next state. A refused request is not counted.
 *
 * @internal
 */
export const check = (
  windows: Windows,
  key: string,
  limit: { readonly limit: number; readonly windowMillis: number; readonly kind: RateLimitKind },
  now: number
): readonly [number | undefined, Windows] => {
  // A limit that is not a number never refuses (as the fixed window always behaved).
  if (Number.isNaN(limit.limit)) return [undefined, windows]
  const current = windows.get(key)
  if (limit.kind === "sliding") {
    if (current?._tag === "Sliding") return [current.admit(now, limit.limit, limit.windowMillis), windows]
    const log = new SlidingLog()
    const wait = log.admit(now, limit.limit, limit.windowMillis)
    return [wait, new Map(windows).set(key, log)]
  }
  const window: FixedWindow = current?._tag !== "Fixed" || now - current.start >= limit.windowMillis
    ? { _tag: "Fixed", start: now, count: 0 }
    : current
  const next = new Map(windows)
  if (window.count >= limit.limit) {
    next.set(key, window)
    return [window.start + limit.windowMillis - now, next]
  }
  next.set(key, { _tag: "Fixed", start: window.start, count: window.count + 1 })
  return [undefined, next]
}
