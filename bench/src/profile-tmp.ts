import { NodeHttpClient } from "@effect/platform-node"
import { HeroHealthClient, HeroHealthConfig } from "@hero-effect/client"
import type { PatientId, PracticeGroupId } from "@hero-effect/schema"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { fork } from "node:child_process"

const child = fork(new URL("./fixedServer.ts", import.meta.url).pathname, [], { execArgv: ["--import", "tsx"] })
const port: number = await new Promise((r) => child.once("message", (m: any) => r(m.port)))
const mode = process.argv[2] ?? "full"
const layer = HeroHealthClient.layer.pipe(
  Layer.provide(HeroHealthConfig.layer({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: Redacted.make("k"),
    practiceGroupId: "pg1" as PracticeGroupId,
    rateLimit: { limit: 1_000_000, interval: "1 second" }
  })),
  Layer.provide(NodeHttpClient.layerUndici)
)
const runtime = ManagedRuntime.make(layer)
const hero = await runtime.runPromise(HeroHealthClient)
const call = hero.getPatientById("100001" as PatientId)
const go = async (ms: number) => {
  let n = 0
  const deadline = performance.now() + ms
  const loop = Effect.gen(function*() {
    while (performance.now() < deadline) {
      yield* Effect.exit(call)
      n++
    }
  })
  const t = performance.now()
  await runtime.runPromise(
    Effect.all(Array.from({ length: 32 }, () => loop), { concurrency: "unbounded", discard: true })
  )
  return n / ((performance.now() - t) / 1000)
}
await go(1000)
console.log(mode, "req/s", Math.round(await go(3000)), Math.round(await go(3000)))
await runtime.dispose()
child.disconnect()
