import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig, type Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { PracticeGroupId } from "@hero-effect/schema/Ids"
import { Effect, Layer, Redacted } from "effect"
import * as http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

export const loopbackKey = "sk_test_loopback_never_leaves_123"

export interface Loopback {
  readonly url: string
  readonly port: number
  /** Every request received: path and whether it carried `x-api-key`. */
  readonly hits: Array<{ readonly path: string; readonly apiKey: string | undefined }>
}

/** An HTTP server on 127.0.0.1, an ephemeral port, closed (connections too) with the scope. */
export const loopback = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly loop: Loopback }>((resume) => {
      const hits: Array<{ path: string; apiKey: string | undefined }> = []
      const server = http.createServer((req, res) => {
        const key = req.headers["x-api-key"]
        hits.push({ path: req.url ?? "", apiKey: typeof key === "string" ? key : undefined })
        handler(req, res)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, loop: { url: `http://127.0.0.1:${port}`, port, hits } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ loop }) => loop))

// @effect/platform-node is a dependency of the sandbox, not of this package: loaded from there
// (its ESM build, so it shares this test's `effect` and `@effect/platform` instances).
const here = Path.dirname(fileURLToPath(import.meta.url))
const sandboxRequire = createRequire(Path.resolve(here, "../../../sandbox/package.json"))

export interface NodeHttpClientModule {
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly layerUndici: Layer.Layer<HttpClient.HttpClient>
}

export const NodeHttpClient = Effect.promise(() => {
  const root = Path.dirname(sandboxRequire.resolve("@effect/platform-node/package.json"))
  return import(pathToFileURL(Path.join(root, "dist/esm/NodeHttpClient.js")).href) as Promise<NodeHttpClientModule>
})

export type TransportName = "FetchHttpClient" | "NodeHttpClient" | "NodeHttpClient.layerUndici" | "undici transport"
export const transportNames: ReadonlyArray<TransportName> = [
  "FetchHttpClient",
  "NodeHttpClient",
  "NodeHttpClient.layerUndici",
  "undici transport"
]

/** The real client on one transport, against `baseUrl`. */
export const clientOn = (
  transport: TransportName,
  baseUrl: string,
  options: Partial<HeroHealthConfigOptions> = {}
) =>
  Effect.gen(function*() {
    const config = HeroHealthConfig.layer({
      baseUrl,
      apiKey: Redacted.make(loopbackKey),
      practiceGroupId: PracticeGroupId.make("pg-1"),
      rateLimit: "unlimited",
      ...options
    })
    if (transport === "undici transport") return HeroHealthClient.layerUndici().pipe(Layer.provide(config))
    const httpClient = transport === "FetchHttpClient"
      ? FetchHttpClient.layer
      : transport === "NodeHttpClient"
      ? (yield* NodeHttpClient).layer
      : (yield* NodeHttpClient).layerUndici
    return HeroHealthClient.layer.pipe(Layer.provide(config), Layer.provide(httpClient))
  })

/** Runs `body` with a client on `transport`, built and closed in this scope. */
export const withClientOn = <A, E>(
  transport: TransportName,
  baseUrl: string,
  body: (hero: HeroHealthClient["Type"]) => Effect.Effect<A, E>,
  options: Partial<HeroHealthConfigOptions> = {}
) =>
  Effect.flatMap(
    clientOn(transport, baseUrl, options),
    (layer) => Effect.flatMap(HeroHealthClient, body).pipe(Effect.provide(layer))
  )
