/**
 * A raw HTTP/1.1 client over `node:net`, for what ordinary clients do not do: stream a body of
 * hundreds of megabytes from one reused chunk (nothing of that size is ever allocated) while
 * reading the answer as it comes, send a head a byte at a time, or hold a connection idle. Every
 * loop is bounded in bytes; every socket is destroyed when its promise settles.
 */
import * as net from "node:net"

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Informational (1xx) statuses received before the answer. */
  readonly informational: ReadonlyArray<number>
}

export interface PostResult {
  /** `undefined` when the connection closed without an answer. */
  readonly response: RawResponse | undefined
  /** Body bytes written before the answer arrived (or the client gave up). */
  readonly sent: number
  /** Why the client stopped sending: the answer came, the connection closed, `stop()` said so, or all was sent. */
  readonly stopped: "answered" | "closed" | "gave-up" | "finished"
}

const chunkSize = 64 * 1024
const data = Buffer.alloc(chunkSize, "a")
// One chunk of a chunked body, framed once and written again and again.
const frame = Buffer.concat([Buffer.from(`${chunkSize.toString(16)}\r\n`), data, Buffer.from("\r\n")])

/** Parses the answers received so far: the first final response once it is complete. */
const parse = (raw: Buffer): { readonly informational: Array<number>; readonly response?: RawResponse } => {
  const informational: Array<number> = []
  let at = 0
  for (let guard = 0; guard < 16; guard++) {
    const end = raw.indexOf("\r\n\r\n", at, "latin1")
    if (end < 0) return { informational }
    const lines = raw.subarray(at, end).toString("latin1").split("\r\n")
    const status = Number(lines[0]!.split(" ")[1])
    const headers: Record<string, string> = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":")
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    if (status >= 100 && status < 200) {
      informational.push(status)
      at = end + 4
      continue
    }
    const length = Number(headers["content-length"] ?? "0")
    if (raw.length < end + 4 + length) return { informational }
    const body = raw.subarray(end + 4, end + 4 + length).toString("utf8")
    return { informational, response: { status, headers, body, informational } }
  }
  return { informational }
}

/**
 * Sends `head` (request line and headers, ending in a blank line) and then, unless it is `0`,
 * a chunked body of `total` bytes (rounded up to 64 KiB chunks), stopping as soon as an answer
 * arrives or `giveUp()` says so (checked between chunks). With `waitForContinue`, the body is sent
 * only after a `100 Continue`.
 */
export const post = (options: {
  readonly port: number
  readonly head: string
  readonly total: number
  readonly giveUp?: (() => boolean) | undefined
  readonly onChunk?: (() => void) | undefined
  readonly waitForContinue?: boolean | undefined
}): Promise<PostResult> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: options.port })
    let received = Buffer.alloc(0)
    let sent = 0
    let settled = false
    let continued = false
    let response: RawResponse | undefined
    const settle = (stopped: PostResult["stopped"]) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve({ response, sent, stopped })
    }
    const pump = () => {
      while (!settled && sent < options.total) {
        if (options.giveUp?.() === true) return settle("gave-up")
        options.onChunk?.()
        sent += chunkSize
        if (!socket.write(frame)) {
          socket.once("drain", pump)
          return
        }
      }
      if (!settled && options.total > 0) socket.write("0\r\n\r\n")
    }
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const parsed = parse(received)
      if (parsed.response !== undefined) {
        response = parsed.response
        return settle(sent >= options.total ? "finished" : "answered")
      }
      if (options.waitForContinue === true && !continued && parsed.informational.includes(100)) {
        continued = true
        pump()
      }
    })
    // EPIPE / ECONNRESET once the server closes a connection whose body it will not read.
    socket.on("error", () => {})
    socket.on("close", () => settle("closed"))
    socket.on("connect", () => {
      socket.write(options.head)
      if (options.waitForContinue !== true) pump()
    })
  })

export interface SlowClient {
  /** Resolves once the first byte was written. */
  readonly started: Promise<void>
  /** Resolves when the connection closed: whether the server closed it, and how many bytes were sent. */
  readonly closed: Promise<{ readonly byServer: boolean; readonly sent: number; readonly received: string }>
}

/**
 * A slowloris: connects and sends `text` one byte every `everyMillis`, never more than its length,
 * and is destroyed after the last byte if the server has not closed the connection by then.
 */
export const slow = (port: number, text: string, everyMillis: number): SlowClient => {
  const socket = net.connect({ host: "127.0.0.1", port })
  let sent = 0
  let received = ""
  let byServer = true
  let timer: ReturnType<typeof setInterval> | undefined
  let onStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => (onStarted = resolve))
  const closed = new Promise<{ readonly byServer: boolean; readonly sent: number; readonly received: string }>(
    (resolve) => {
      socket.on("close", () => {
        if (timer !== undefined) clearInterval(timer)
        onStarted()
        resolve({ byServer, sent, received })
      })
    }
  )
  socket.on("error", () => {})
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")))
  socket.on("connect", () => {
    const step = () => {
      if (sent >= text.length) {
        byServer = false
        socket.destroy()
        return
      }
      socket.write(text[sent]!, () => onStarted())
      sent++
    }
    step()
    timer = setInterval(step, everyMillis)
  })
  return { started, closed }
}

/** An idle connection: resolves `connected` on connect, `closed` when it closes (with what it received). */
export const idle = (port: number) => {
  const socket = net.connect({ host: "127.0.0.1", port })
  let received = ""
  socket.on("error", () => {})
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")))
  return {
    connected: new Promise<void>((resolve) => socket.once("connect", () => resolve())),
    closed: new Promise<string>((resolve) => socket.once("close", () => resolve(received))),
    destroy: () => socket.destroy()
  }
}
