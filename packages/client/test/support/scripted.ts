import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { HeroHealthConfig, type Options as HeroHealthConfigOptions } from "@hero-effect/client/HeroHealthConfig"
import { PracticeGroupId } from "@hero-effect/schema/Ids"
import { Effect, Layer, Redacted, Ref } from "effect"

/** What the scripted server does with one request. */
export type Reply =
  | {
    readonly status: number
    readonly body?: unknown
    readonly text?: string
    readonly headers?: Record<string, string>
  }
  | { readonly fail: "refused" | "reset" }
  | { readonly hang: true }

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

export const apiKey = "sk_test_SECRET_never_logged_123"
export const practiceGroupId = PracticeGroupId.make("pg-42")

const bodyOf = (request: { readonly body: unknown }): unknown => {
  const body = request.body as { _tag: string; body?: Uint8Array }
  if (body._tag === "Uint8Array" && body.body) return JSON.parse(new TextDecoder().decode(body.body))
  return undefined
}

/**
 * An HttpClient that answers from a script (one reply per request, the last one repeating) and
 * records every request. No sockets: deterministic under TestClock.
 */
export const scripted = (script: ReadonlyArray<Reply | ((request: Recorded) => Reply)>) =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<ReadonlyArray<Recorded>>([])
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const recorded: Recorded = { method: request.method, url, headers: request.headers, body: bodyOf(request) }
        const index = (yield* Ref.getAndUpdate(requests, (all) => [...all, recorded])).length
        const step = script[Math.min(index, script.length - 1)]!
        const reply = typeof step === "function" ? step(recorded) : step
        if ("hang" in reply) return yield* Effect.never
        if ("fail" in reply) {
          const cause = reply.fail === "refused"
            ? Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
            : Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause })
        }
        const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body))
        return HttpClientResponse.fromWeb(
          request,
          new Response(reply.status === 204 || text === "" ? null : text, {
            status: reply.status,
            headers: { "content-type": "application/json", ...reply.headers }
          })
        )
      })
    )
    return { client, requests } as const
  })

/** A HeroHealthClient over a scripted HttpClient. */
export const clientWith = (
  script: ReadonlyArray<Reply | ((request: Recorded) => Reply)>,
  options: Partial<HeroHealthConfigOptions> = {}
) =>
  Effect.gen(function*() {
    const { client, requests } = yield* scripted(script)
    const hero = yield* HeroHealthClient.make.pipe(
      Effect.provide(
        Layer.merge(
          HeroHealthConfig.layer({
            baseUrl: "https://api.test.invalid",
            apiKey: Redacted.make(apiKey),
            practiceGroupId,
            rateLimit: { limit: 1000, interval: "1 second" },
            ...options
          }),
          Layer.succeed(HttpClient.HttpClient, client)
        )
      )
    )
    return { hero, requests, count: Effect.map(Ref.get(requests), (r) => r.length) } as const
  })

export const wirePatientV1 = {
  id: "1001",
  dob: "1989-04-11",
  data_source: "emis",
  status: "unarchived",
  first_name: "Ada",
  last_name: "Lovelace",
  nhs_number: "9434765919",
  postcode: "SW1A 1AA"
}

export const wirePatientV2 = {
  dob: "1989-04-11",
  first_name: "Ada",
  last_name: "Lovelace",
  nhs_number: "9434765919",
  ehr_partner_id: "EHR-1",
  hero_id: "1002",
  identifiers: [],
  ehr_registered: true
}
