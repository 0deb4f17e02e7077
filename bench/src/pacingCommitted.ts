/**
 * Bench-only prototype of the engine change the pacing benchmark argues for, shared through
 * Redis: a sliding window in which each request counts from its *response* (an upper bound of
 * when the server admitted it), and a request in flight keeps its place in the window until its
 * response. One Redis sorted set per key: member = ticket, score = response time (Redis `TIME`),
 * or `FLIGHT + start` while in flight (lost after `stale` ms). A reservation takes a place only
 * while fewer than `limit` members remain; otherwise it learns when the oldest answered one
 * leaves the window (or that all are in flight) and asks again. One fiber per process asks at a
 * time (the others queue behind it in order), so waiting costs one Redis call per process per
 * poll, not one per request.
 *
 * It talks RESP over a plain socket (a few commands, replies are strings): the bench has no
 * Redis client of its own, and this is a measurement, not the implementation.
 */
import * as Effect from "effect/Effect"
import * as net from "node:net"

const FLIGHT = 1e15

const clock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function fmt(x) return string.format('%.3f', x) end
`

// KEYS[1] the set; ARGV limit, interval, ticket, stale. Returns "0" (taken), the wait in ms, or
// "-1" (every place is in flight).
const takeScript = `${clock}
local limit = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local stale = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. fmt(now - interval))
redis.call('ZREMRANGEBYSCORE', KEYS[1], fmt(${FLIGHT}), '(' .. fmt(${FLIGHT} + now - stale))
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], fmt(${FLIGHT} + now), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(stale + interval))
  return '0'
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local s = tonumber(first[2])
if s < ${FLIGHT} then return fmt(math.max(0, s + interval - now)) end
return '-1'
`

// KEYS[1] the set; ARGV ticket. Moves an in-flight member to now (its response).
const commitScript = `${clock}
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return '0' end
if tonumber(s) >= ${FLIGHT} then redis.call('ZADD', KEYS[1], fmt(now), ARGV[1]) end
return '1'
`

/** A minimal RESP connection: commands in, string replies out, in order. */
const connect = (url: string): Promise<{
  readonly command: (args: ReadonlyArray<string>) => Promise<string>
  readonly close: () => void
}> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = net.connect({ host: hostname, port: Number(port) })
    socket.setNoDelay(true)
    const pending: Array<{ resolve: (s: string) => void; reject: (e: Error) => void }> = []
    let buffer = ""
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8")
      for (;;) {
        const eol = buffer.indexOf("\r\n")
        if (eol < 0) return
        const head = buffer.slice(0, eol)
        let reply: string | Error
        let consumed: number
        if (head.startsWith("$")) {
          const length = Number(head.slice(1))
          if (length < 0) {
            reply = ""
            consumed = eol + 2
          } else {
            if (buffer.length < eol + 2 + length + 2) return
            reply = buffer.slice(eol + 2, eol + 2 + length)
            consumed = eol + 2 + length + 2
          }
        } else if (head.startsWith("-")) {
          reply = new Error(head.slice(1))
          consumed = eol + 2
        } else {
          reply = head.slice(1)
          consumed = eol + 2
        }
        buffer = buffer.slice(consumed)
        const next = pending.shift()
        if (next !== undefined) {
          if (reply instanceof Error) next.reject(reply)
          else next.resolve(reply)
        }
      }
    })
    socket.once("error", reject)
    socket.once("connect", () =>
      resolve({
        command: (args) =>
          new Promise<string>((res, rej) => {
            pending.push({ resolve: res, reject: rej })
            socket.write(
              `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`
            )
          }),
        close: () => socket.end()
      }))
    socket.unref()
  })

export interface Committed {
  /** Waits for a place in the window of `key`; returns its ticket. */
  readonly take: (key: string, limit: number, intervalMillis: number) => Effect.Effect<string>
  /** The response of the request holding `ticket` arrived. */
  readonly commit: (ticket: string) => void
  /** Closes the connection. */
  readonly close: () => void
}

export const make = (url: string, prefix: string, options: { readonly pollMillis?: number } = {}) =>
  Effect.promise(async (): Promise<Committed> => {
    const redis = await connect(url)
    const poll = options.pollMillis ?? 5
    const keyOfTicket = new Map<string, string>()
    let counter = 0
    // One asker per process: a chain of promises, in order.
    let queue: Promise<unknown> = Promise.resolve()
    const sleep = (millis: number) => new Promise((r) => setTimeout(r, millis))
    const ask = async (key: string, limit: number, intervalMillis: number): Promise<string> => {
      const ticket = `${process.pid}:${counter++}`
      for (;;) {
        const reply = await redis.command([
          "EVAL",
          takeScript,
          "1",
          `${prefix}committed:${key}`,
          String(limit),
          String(intervalMillis),
          ticket,
          "60000"
        ])
        const wait = Number(reply)
        if (wait === 0) {
          keyOfTicket.set(ticket, `${prefix}committed:${key}`)
          return ticket
        }
        await sleep(wait < 0 ? poll : Math.max(1, Math.ceil(wait)))
      }
    }
    return {
      take: (key, limit, intervalMillis) =>
        Effect.promise(() => {
          const mine = queue.then(() => ask(key, limit, intervalMillis))
          queue = mine.catch(() => undefined)
          return mine
        }),
      commit: (ticket) => {
        const key = keyOfTicket.get(ticket)
        if (key === undefined) return
        keyOfTicket.delete(ticket)
        void redis.command(["EVAL", commitScript, "1", key, ticket]).catch(() => undefined)
      },
      close: redis.close
    }
  })
