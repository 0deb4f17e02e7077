/**
 * One contender of the client-overhead benchmark, in a process of its own (started by
 * `overhead.ts` with `--import tsx --conditions=@hero-effect/source`), so no contender's JIT, GC
 * or connection state carries over into another's. Driven over IPC:
 *
 *   parent → { type: "run", concurrency, millis, warmup }   child → { type: "result", ... }
 *   parent → { type: "close" }                       child disposes and exits
 *
 * The child measures its own CPU time over each window with `process.cpuUsage()` (user + system,
 * every thread of the process: JS, GC helpers, libuv), plus wall throughput, p50/p99 and the time
 * V8 spent in GC. With `profile` set it records a V8 CPU profile (node:inspector) of its measured
 * windows only, warm-up excluded, written on close.
 *
 *   overheadChild.ts <contender id> <server url> [openapi-gen module path] [profile path]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig } from "@hero-effect/client/HeroHealthConfig"
import * as UndiciTransport from "@hero-effect/client/UndiciTransport"
import * as Endpoint from "@hero-effect/schema/Endpoint"
import { PatientId, PracticeGroupId } from "@hero-effect/schema/Ids"
import { PatientV1 } from "@hero-effect/schema/Patient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import { findSourceMap } from "node:module"
import { PerformanceObserver } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import createOpenApiFetch from "openapi-fetch"
import * as Undici from "undici"
import { type ChildResult, type ContenderId, type ParentMessage } from "./overheadProtocol.js"
import { percentile } from "./stats.js"

const patientId = "100001"
const apiKey = "bench-api-key"
const practiceGroupId = "bench-practice-group"
const headers = { "x-api-key": apiKey, "x-practice-group-id": practiceGroupId }

interface LoadResult {
  readonly count: number
  readonly errors: number
  readonly latencies: ReadonlyArray<number>
}

interface Contender {
  readonly load: (concurrency: number, millis: number) => Promise<LoadResult>
  readonly close: () => Promise<void>
  /** Spans created per call, when the contender runs under the counting tracer. */
  readonly spans?: () => number
}

// ---------------------------------------------------------------------------------------------
// Load generators: `concurrency` loops calling until the deadline (closed loop)
// ---------------------------------------------------------------------------------------------

const promiseLoad = (call: () => Promise<unknown>) => async (concurrency: number, millis: number) => {
  const latencies: Array<number> = []
  let errors = 0
  const deadline = performance.now() + millis
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      try {
        await call()
      } catch {
        errors++
      }
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return { count: latencies.length, errors, latencies }
}

// `call` builds the call's Effect each time, as an application does for each request (with
// its own arguments): whatever a client does when the Effect is made is counted too.
const effectLoad = <R, E>(
  runtime: ManagedRuntime.ManagedRuntime<R, E>,
  call: () => Effect.Effect<unknown, unknown, R>
) =>
(concurrency: number, millis: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  let errors = 0
  const deadline = performance.now() + millis
  const loop = Effect.gen(function*() {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      const exit = yield* Effect.exit(call())
      if (Exit.isFailure(exit)) errors++
      latencies.push(performance.now() - t0)
    }
  })
  return runtime.runPromise(
    Effect.all(Array.from({ length: concurrency }, () => loop), { concurrency: "unbounded", discard: true })
  ).then(() => ({ count: latencies.length, errors, latencies }))
}

// ---------------------------------------------------------------------------------------------
// A tracer that creates (and counts) real span objects but exports nothing
// ---------------------------------------------------------------------------------------------

let spansCreated = 0
let idCounter = 0

class BenchSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Tracer.Span["context"],
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind
  ) {
    spansCreated++
    this.spanId = `span${++idCounter}`
    this.traceId = Option.isSome(parent) ? parent.value.traceId : `trace${idCounter}`
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    if (this.status._tag === "Started") this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(): void {}
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    for (const link of links) this.links.push(link)
  }
}

const countingTracer = Layer.setTracer(Tracer.make({
  span: (name, parent, context, links, startTime, kind) => new BenchSpan(name, parent, context, links, startTime, kind),
  context: (f) => f()
}))

// ---------------------------------------------------------------------------------------------
// The contenders
// ---------------------------------------------------------------------------------------------

// The decode the client does on a 200 (packages/client/src/internal/response.ts: `decodeBody`):
// the same decoder, so the floor does the same work.
const decodePatient = Endpoint.responseDecoder(PatientV1)

const heroClient = async (
  url: string,
  // `undefined`: the client's own undici transport (HeroHealthClient.layerUndici).
  httpClient: Layer.Layer<HttpClient.HttpClient> | undefined,
  lean = false
): Promise<Contender> => {
  const config = HeroHealthConfig.layer({
    baseUrl: url,
    apiKey: Redacted.make(apiKey),
    practiceGroupId: PracticeGroupId.make(practiceGroupId),
    rateLimit: lean ? "unlimited" : { limit: 1_000_000, interval: "1 second" }
  })
  const client = httpClient === undefined
    ? HeroHealthClient.layerUndici().pipe(Layer.provide(config))
    : HeroHealthClient.layer.pipe(Layer.provide(config), Layer.provide(httpClient))
  const layer = client.pipe(Layer.provideMerge(lean ? Layer.setTracerEnabled(false) : countingTracer))
  const runtime = ManagedRuntime.make(layer)
  const hero = await runtime.runPromise(HeroHealthClient)
  return {
    load: effectLoad(runtime, () => hero.getPatientById(PatientId.make(patientId))),
    spans: () => spansCreated,
    close: () => runtime.dispose()
  }
}

// The client's own undici transport with the decode on top and nothing in between: what the
// engine adds is the lean client's cost above this.
const heroTransport = async (url: string): Promise<Contender> => {
  const runtime = ManagedRuntime.make(Layer.setTracerEnabled(false))
  const scope = await runtime.runPromise(Scope.make())
  const transport = await runtime.runPromise(Scope.extend(UndiciTransport.make(), scope))
  const request = {
    method: "GET" as const,
    url: `${url}/v1/patients/${patientId}`,
    headers: { ...headers, accept: "application/json", "user-agent": "hero-effect/0.1.0" },
    body: undefined,
    timeoutMillis: 10_000,
    maxResponseBytes: 10 * 1024 * 1024
  }
  const call = Effect.flatMap(transport.send(request), (response) => {
    const decoded = decodePatient(JSON.parse(response.text))
    return Either.isRight(decoded) ? Effect.succeed(decoded.right) : Effect.fail(decoded.left)
  })
  return {
    load: effectLoad(runtime, () => call),
    close: () => runtime.runPromise(Scope.close(scope, Exit.void)).then(() => runtime.dispose())
  }
}

const textDecoder = new TextDecoder()

const platformClient = async (
  url: string,
  variant: "bare" | "timeouts" | "decode" | "stream"
): Promise<Contender> => {
  const runtime = ManagedRuntime.make(Layer.provideMerge(NodeHttpClient.layerUndici, countingTracer))
  const client = (await runtime.runPromise(HttpClient.HttpClient)).pipe(
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.filterStatusOk
  )
  const request = HttpClientRequest.get(`${url}/v1/patients/${patientId}`).pipe(HttpClientRequest.setHeaders(headers))
  const bare = Effect.flatMap(client.execute(request), (response) => response.text)
  // As packages/client/src/internal/transport.ts reads a capped body: chunk by chunk, counting.
  const streamed = Effect.flatMap(client.execute(request), (response) =>
    Effect.suspend(() => {
      const chunks: Array<Uint8Array> = []
      let size = 0
      return Effect.map(
        Stream.runForEachWhile(response.stream, (chunk) =>
          Effect.sync(() => {
            size += chunk.length
            if (size > 10 * 1024 * 1024) return false
            chunks.push(chunk)
            return true
          })),
        () => textDecoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))
      )
    }))
  const call: Effect.Effect<unknown, unknown> = variant === "stream"
    ? Effect.map(streamed, (text) => JSON.parse(text) as unknown)
    : variant === "bare"
    ? Effect.map(bare, (text) => JSON.parse(text) as unknown)
    : variant === "timeouts"
    ? Effect.map(bare, (text) => JSON.parse(text) as unknown).pipe(
      Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "attempt timeout" }),
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => "call timeout" })
    )
    : Effect.flatMap(bare, (text) => decodePatient(JSON.parse(text)))
  return { load: effectLoad(runtime, () => call), close: () => runtime.dispose() }
}

const rawUndici = (url: string, decode: boolean): Contender => {
  const agent = new Undici.Agent()
  const target = `${url}/v1/patients/${patientId}`
  const call = async () => {
    const { body, statusCode } = await Undici.request(target, { method: "GET", headers, dispatcher: agent })
    const text = await body.text()
    if (statusCode !== 200) throw new Error(`status ${statusCode}`)
    const json = JSON.parse(text) as unknown
    if (!decode) return json
    const decoded = decodePatient(json)
    if (Either.isLeft(decoded)) throw decoded.left
    return decoded.right
  }
  return { load: promiseLoad(call), close: () => agent.close() }
}

const openapiFetch = (url: string): Contender => {
  // The paths type generated by openapi-typescript lives in bench/generated/ (not committed), so
  // the call is typed loosely here; the runtime path is the same either way.
  const client = createOpenApiFetch<Record<string, { get: unknown }>>({ baseUrl: url, headers })
  const get = client.GET as unknown as (
    path: string,
    init: { params: { path: { id: string } } }
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>
  const call = async () => {
    const result = await get("/v1/patients/{id}", { params: { path: { id: patientId } } })
    if (result.error !== undefined || result.data === undefined) throw new Error(`status ${result.response.status}`)
    return result.data
  }
  return { load: promiseLoad(call), close: () => Promise.resolve() }
}

interface OpenApiGenModule {
  readonly make: (
    httpClient: HttpClient.HttpClient
  ) => { readonly getPatientById: (id: string) => Effect.Effect<unknown, unknown> }
}

const openapiGen = async (url: string, modulePath: string): Promise<Contender> => {
  const generated = (await import(pathToFileURL(modulePath).href)) as OpenApiGenModule
  const runtime = ManagedRuntime.make(Layer.provideMerge(NodeHttpClient.layerUndici, countingTracer))
  const http = (await runtime.runPromise(HttpClient.HttpClient)).pipe(
    HttpClient.mapRequest(HttpClientRequest.prependUrl(url)),
    HttpClient.mapRequest(HttpClientRequest.setHeaders(headers))
  )
  const api = generated.make(http)
  return { load: effectLoad(runtime, () => api.getPatientById(patientId)), close: () => runtime.dispose() }
}

const make = (id: ContenderId, url: string, openapiGenPath: string | undefined): Promise<Contender> | Contender => {
  switch (id) {
    case "undici":
      return rawUndici(url, false)
    case "undici-decode":
      return rawUndici(url, true)
    case "hero-undici":
      return heroClient(url, undefined)
    case "hero-undici-lean":
      return heroClient(url, undefined, true)
    case "hero-transport":
      return heroTransport(url)
    case "hero-platform":
      return heroClient(url, NodeHttpClient.layerUndici)
    case "hero-fetch":
      return heroClient(url, FetchHttpClient.layer)
    case "openapi-gen":
      if (openapiGenPath === undefined) throw new Error("no generated openapi-gen client")
      return openapiGen(url, openapiGenPath)
    case "openapi-fetch":
      return openapiFetch(url)
    case "platform-bare":
      return platformClient(url, "bare")
    case "platform-timeouts":
      return platformClient(url, "timeouts")
    case "platform-decode":
      return platformClient(url, "decode")
    case "platform-stream":
      return platformClient(url, "stream")
  }
}

// ---------------------------------------------------------------------------------------------
// The protocol
// ---------------------------------------------------------------------------------------------

let gcMillis = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMillis += entry.duration
}).observe({ entryTypes: ["gc"] })

const send = (message: ChildResult) => process.send!(message)

const [id, url, genArg, profileArg] = process.argv.slice(2) as [ContenderId, string, string?, string?]
const openapiGenPath = genArg === undefined || genArg === "" ? undefined : genArg
const profilePath = profileArg === undefined || profileArg === "" ? undefined : profileArg

const session = profilePath === undefined ? undefined : new inspector.Session()
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) =>
    session!.post(method, params ?? {}, (error, result) => (error === null ? resolve(result) : reject(error)))
  )
let profiling = false

interface Profile {
  readonly nodes: ReadonlyArray<
    { callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }
  >
}

/** Call frames mapped to the TypeScript sources through tsx's source maps, where there is one. */
const toSources = (profile: Profile): Profile => {
  for (const node of profile.nodes) {
    const frame = node.callFrame
    if (!frame.url.startsWith("file:")) continue
    const entry = findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber)
    if (entry === undefined || !("originalSource" in entry)) continue
    frame.url = entry.originalSource
    frame.lineNumber = entry.originalLine
    frame.columnNumber = entry.originalColumn
  }
  return profile
}

const main = async () => {
  const contender = await make(id, url, openapiGenPath)
  if (session !== undefined) {
    session.connect()
    await post("Profiler.enable")
    await post("Profiler.setSamplingInterval", { interval: 100 })
  }
  process.on("message", (message: ParentMessage) => {
    void (async () => {
      if (message.type === "close") {
        if (session !== undefined && profiling) {
          const { profile } = (await post("Profiler.stop")) as { profile: Profile }
          fs.writeFileSync(profilePath!, JSON.stringify(toSources(profile)))
        }
        await contender.close().catch(() => undefined)
        process.disconnect()
        process.exit(0)
      }
      if (session !== undefined && !message.warmup && !profiling) {
        await post("Profiler.start")
        profiling = true
      }
      const spans0 = contender.spans?.() ?? 0
      const gc0 = gcMillis
      const t0 = performance.now()
      const cpu0 = process.cpuUsage()
      const result = await contender.load(message.concurrency, message.millis)
      const cpu = process.cpuUsage(cpu0)
      const seconds = (performance.now() - t0) / 1000
      // GC entries are delivered asynchronously; let the observer catch up.
      await new Promise((resolve) => setImmediate(resolve))
      send({
        type: "result",
        count: result.count,
        errors: result.errors,
        seconds,
        userMicros: cpu.user,
        systemMicros: cpu.system,
        gcMillis: gcMillis - gc0,
        p50Millis: percentile(result.latencies, 50),
        p99Millis: percentile(result.latencies, 99),
        spans: contender.spans === undefined ? undefined : contender.spans() - spans0,
        heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e5) / 10
      })
    })().catch((e: unknown) => {
      console.error(e)
      process.exit(1)
    })
  })
  send({ type: "ready" })
}

main().catch((e: unknown) => {
  send({ type: "failed", reason: e instanceof Error ? `${e.message}` : String(e) })
  process.exit(1)
})
