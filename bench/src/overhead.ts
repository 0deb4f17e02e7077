/**
 * Client overhead: `getPatientById` over loopback against one fixed-response server (a child
 * process), for this client and its baselines, at concurrency 1 and 32. Every (client,
 * concurrency) pair is measured once per round; rounds are interleaved (ABCD… ABCD…, the order
 * rotated each round) and the medians over rounds are reported, with each client's throughput as
 * a ratio to raw undici's in the same round.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { HeroHealthClient, HeroHealthConfig } from "@hero-effect/client"
import type { PatientId, PracticeGroupId } from "@hero-effect/schema"
import { PatientV1 } from "@hero-effect/schema"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Tracer from "effect/Tracer"
import { fork } from "node:child_process"
import { pathToFileURL } from "node:url"
import createOpenApiFetch from "openapi-fetch"
import * as Undici from "undici"
import type { Generated } from "./generate.js"
import { median, percentile, rotate, round, sleep } from "./stats.js"

export interface OverheadOptions {
  readonly rounds: number
  readonly roundMillis: number
  readonly warmupMillis: number
  readonly concurrencies: ReadonlyArray<number>
  readonly generated: Generated
}

interface LoadResult {
  readonly count: number
  readonly errors: number
  readonly seconds: number
  readonly latencies: ReadonlyArray<number>
}

interface Contender {
  readonly name: string
  readonly description: string
  readonly load: (concurrency: number, millis: number) => Promise<LoadResult>
  readonly close: () => Promise<void>
  /** Spans created per call, when the contender runs under the counting tracer. */
  readonly spansPerCall?: () => number
}

const patientId = "100001"
const apiKey = "bench-api-key"
const practiceGroupId = "bench-practice-group"
const headers = { "x-api-key": apiKey, "x-practice-group-id": practiceGroupId }

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const startServer = async (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const child = fork(new URL("./fixedServer.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the fixed server exited early (${code})`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve())
        child.disconnect()
      })
  }
}

// ---------------------------------------------------------------------------------------------
// Load generators: `concurrency` loops calling until the deadline
// ---------------------------------------------------------------------------------------------

const promiseLoad = (call: () => Promise<unknown>) => async (concurrency: number, millis: number) => {
  const latencies: Array<number> = []
  let errors = 0
  const start = performance.now()
  const deadline = start + millis
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
  return { count: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies }
}

const effectLoad = <R, E>(
  runtime: ManagedRuntime.ManagedRuntime<R, E>,
  call: Effect.Effect<unknown, unknown, R>
) =>
(concurrency: number, millis: number): Promise<LoadResult> => {
  const latencies: Array<number> = []
  let errors = 0
  const start = performance.now()
  const deadline = start + millis
  const loop = Effect.gen(function*() {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      const exit = yield* Effect.exit(call)
      if (Exit.isFailure(exit)) errors++
      latencies.push(performance.now() - t0)
    }
  })
  return runtime.runPromise(
    Effect.all(Array.from({ length: concurrency }, () => loop), { concurrency: "unbounded", discard: true })
  ).then(() => ({ count: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies }))
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

const heroClient = async (
  name: string,
  description: string,
  url: string,
  // `undefined`: the client's own undici transport (HeroHealthClient.layerUndici).
  httpClient: Layer.Layer<HttpClient.HttpClient> | undefined,
  lean = false
): Promise<Contender> => {
  const config = HeroHealthConfig.layer({
    baseUrl: url,
    apiKey: Redacted.make(apiKey),
    practiceGroupId: practiceGroupId as PracticeGroupId,
    rateLimit: lean ? "unlimited" : { limit: 1_000_000, interval: "1 second" }
  })
  const client = httpClient === undefined
    ? HeroHealthClient.layerUndici().pipe(Layer.provide(config))
    : HeroHealthClient.layer.pipe(Layer.provide(config), Layer.provide(httpClient))
  const layer = client.pipe(Layer.provideMerge(lean ? Layer.setTracerEnabled(false) : countingTracer))
  const runtime = ManagedRuntime.make(layer)
  const hero = await runtime.runPromise(HeroHealthClient)
  const call = hero.getPatientById(patientId as PatientId)
  const load = effectLoad(runtime, call)
  let spans = 0
  let calls = 0
  return {
    name,
    description,
    load: async (concurrency, millis) => {
      const before = spansCreated
      const result = await load(concurrency, millis)
      spans += spansCreated - before
      calls += result.count
      return result
    },
    spansPerCall: () => (calls === 0 ? 0 : spans / calls),
    close: () => runtime.dispose()
  }
}

type PlatformVariant = "bare" | "timeouts" | "decode"

const platformVariants: Record<PlatformVariant, { readonly name: string; readonly description: string }> = {
  bare: {
    name: "platform HttpClient (undici)",
    description:
      "ablation: the bare @effect/platform HttpClient on the same undici layer (its span off, as the client does), `text` + `JSON.parse`, no schema, no policies"
  },
  timeouts: {
    name: "platform + 2 timeouts",
    description: "ablation: the same plus the client's two `Effect.timeoutFail` (per attempt, per call)"
  },
  decode: {
    name: "platform + PatientV1 decode",
    description: "ablation: the bare platform client plus `Schema.decodeUnknownEither(PatientV1)` of the parsed body"
  }
}

const platformClient = async (url: string, variant: PlatformVariant): Promise<Contender> => {
  const runtime = ManagedRuntime.make(Layer.provideMerge(NodeHttpClient.layerUndici, countingTracer))
  const client = (await runtime.runPromise(HttpClient.HttpClient)).pipe(
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.filterStatusOk
  )
  const request = HttpClientRequest.get(`${url}/v1/patients/${patientId}`).pipe(HttpClientRequest.setHeaders(headers))
  const decode = Schema.decodeUnknownEither(PatientV1, { onExcessProperty: "ignore" })
  const bare = Effect.flatMap(client.execute(request), (response) => response.text)
  const call: Effect.Effect<unknown, unknown> = variant === "bare"
    ? Effect.map(bare, (text) => JSON.parse(text) as unknown)
    : variant === "timeouts"
    ? Effect.map(bare, (text) => JSON.parse(text) as unknown).pipe(
      Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "attempt timeout" }),
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => "call timeout" })
    )
    : Effect.flatMap(bare, (text) => decode(JSON.parse(text)))
  return { ...platformVariants[variant], load: effectLoad(runtime, call), close: () => runtime.dispose() }
}

const rawUndici = (url: string): Contender => {
  const agent = new Undici.Agent()
  const target = `${url}/v1/patients/${patientId}`
  const call = async () => {
    const { body, statusCode } = await Undici.request(target, { method: "GET", headers, dispatcher: agent })
    const text = await body.text()
    if (statusCode !== 200) throw new Error(`status ${statusCode}`)
    return JSON.parse(text) as unknown
  }
  return {
    name: "raw undici",
    description: "undici `request()` on its own Agent, `body.text()` + `JSON.parse` (the baseline)",
    load: promiseLoad(call),
    close: () => agent.close()
  }
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
  return {
    name: "openapi-fetch",
    description: "openapi-fetch (global fetch) with paths from openapi-typescript; parses JSON, no validation",
    load: promiseLoad(call),
    close: () => Promise.resolve()
  }
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
  return {
    name: "@tim-smart/openapi-gen (undici)",
    description:
      "Effect client generated by @tim-smart/openapi-gen 0.4.13 (Schema decode of the body), on NodeHttpClient.layerUndici",
    load: effectLoad(runtime, api.getPatientById(patientId)),
    close: () => runtime.dispose()
  }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

export interface OverheadRow {
  readonly client: string
  readonly description: string
  readonly concurrency: number
  readonly requestsPerSecond: number
  readonly p50Millis: number
  readonly p99Millis: number
  readonly ratioToUndici: number
  readonly ratioMin: number
  readonly ratioMax: number
  readonly errors: number
  readonly calls: number
  readonly perRound: ReadonlyArray<
    { readonly requestsPerSecond: number; readonly p50Millis: number; readonly p99Millis: number }
  >
}

export interface OverheadResult {
  readonly rows: ReadonlyArray<OverheadRow>
  readonly spansPerCall: Record<string, number>
  readonly skipped: ReadonlyArray<{ readonly client: string; readonly reason: string }>
}

export const run = async (options: OverheadOptions): Promise<OverheadResult> => {
  const server = await startServer()
  const skipped: Array<{ client: string; reason: string }> = []
  const contenders: Array<Contender> = [rawUndici(server.url)]
  const tryAdd = async (name: string, make: () => Promise<Contender> | Contender) => {
    try {
      contenders.push(await make())
    } catch (e) {
      skipped.push({ client: name, reason: String(e) })
    }
  }
  await tryAdd("HeroHealthClient (undici transport)", () =>
    heroClient(
      "HeroHealthClient (undici transport)",
      "this client, full stack: decode, retry policy, rate limiter (1e6/s), spans, on its own undici transport (HeroHealthClient.layerUndici)",
      server.url,
      undefined
    ))
  await tryAdd("HeroHealthClient (platform undici)", () =>
    heroClient(
      "HeroHealthClient (platform undici)",
      "the same on the default HttpClient transport, with NodeHttpClient.layerUndici",
      server.url,
      NodeHttpClient.layerUndici
    ))
  await tryAdd("HeroHealthClient (fetch)", () =>
    heroClient(
      "HeroHealthClient (fetch)",
      "the same, on FetchHttpClient.layer (Node's global fetch)",
      server.url,
      FetchHttpClient.layer
    ))
  await tryAdd("openapi-fetch", () => openapiFetch(server.url))
  if (options.generated.openapiGen.ok) {
    const path = options.generated.openapiGen.path
    await tryAdd("@tim-smart/openapi-gen (undici)", () => openapiGen(server.url, path))
  } else {
    skipped.push({ client: "@tim-smart/openapi-gen", reason: options.generated.openapiGen.reason })
  }
  for (const variant of ["bare", "timeouts", "decode"] as const) {
    await tryAdd(platformVariants[variant].name, () => platformClient(server.url, variant))
  }
  await tryAdd("HeroHealthClient (undici transport, lean)", () =>
    heroClient(
      "HeroHealthClient (undici transport, lean)",
      "ablation: this client on its undici transport with `rateLimit: \"unlimited\"` and tracing disabled (Layer.setTracerEnabled(false))",
      server.url,
      undefined,
      true
    ))
  if (!options.generated.openapiTypescript.ok) {
    skipped.push({ client: "openapi-typescript types", reason: options.generated.openapiTypescript.reason })
  }

  try {
    // Warm-up: every contender at every concurrency, results discarded. A sanity check as well.
    for (const c of options.concurrencies) {
      for (const contender of contenders) {
        const warm = await contender.load(c, options.warmupMillis)
        if (warm.count === 0 || warm.errors === warm.count) {
          throw new Error(`${contender.name} failed every warm-up call at concurrency ${c}`)
        }
      }
    }
    type Sample = { rps: number; p50: number; p99: number; errors: number; count: number }
    const samples = new Map<string, Array<Sample>>()
    const key = (name: string, c: number) => `${name}@${c}`
    for (let r = 0; r < options.rounds; r++) {
      for (const c of options.concurrencies) {
        for (const contender of rotate(contenders, r)) {
          const result = await contender.load(c, options.roundMillis)
          const list = samples.get(key(contender.name, c)) ?? []
          list.push({
            rps: result.count / result.seconds,
            p50: percentile(result.latencies, 50),
            p99: percentile(result.latencies, 99),
            errors: result.errors,
            count: result.count
          })
          samples.set(key(contender.name, c), list)
          await sleep(50)
        }
      }
    }
    const rows: Array<OverheadRow> = []
    for (const c of options.concurrencies) {
      const baseline = samples.get(key(contenders[0]!.name, c))!
      for (const contender of contenders) {
        const list = samples.get(key(contender.name, c))!
        const ratios = list.map((s, i) => s.rps / baseline[i]!.rps)
        rows.push({
          client: contender.name,
          description: contender.description,
          concurrency: c,
          requestsPerSecond: Math.round(median(list.map((s) => s.rps))),
          p50Millis: round(median(list.map((s) => s.p50)), 3),
          p99Millis: round(median(list.map((s) => s.p99)), 3),
          ratioToUndici: round(median(ratios), 3),
          ratioMin: round(Math.min(...ratios), 3),
          ratioMax: round(Math.max(...ratios), 3),
          errors: list.reduce((n, s) => n + s.errors, 0),
          calls: list.reduce((n, s) => n + s.count, 0),
          perRound: list.map((s) => ({
            requestsPerSecond: Math.round(s.rps),
            p50Millis: round(s.p50, 3),
            p99Millis: round(s.p99, 3)
          }))
        })
      }
    }
    const spansPerCall: Record<string, number> = {}
    for (const contender of contenders) {
      if (contender.spansPerCall !== undefined) spansPerCall[contender.name] = round(contender.spansPerCall(), 2)
    }
    return { rows, spansPerCall, skipped }
  } finally {
    for (const contender of contenders) await contender.close().catch(() => undefined)
    await server.stop()
  }
}
