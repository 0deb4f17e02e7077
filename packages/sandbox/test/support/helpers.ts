import type { Sandbox as S } from "@hero-effect/sandbox"
import { Protocol, Sandbox, SeedFile } from "@hero-effect/sandbox"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const examplePath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../examples/seed.example.json"
)

export const exampleJson: unknown = JSON.parse(fs.readFileSync(examplePath, "utf8"))

export const exampleWorld = SeedFile.decodeSync(exampleJson)

export const headers = { "x-api-key": "example-key", "x-practice-group-id": "pg-example" }

/** A sandbox over the example seed file. */
export const example = (options: Omit<S.SandboxOptions, "world"> = {}) =>
  Sandbox.make({ world: exampleWorld, ...options })

type Respond = Extract<Protocol.Answer, { readonly _tag: "Respond" }>

export const call = (
  sandbox: S.SandboxService,
  method: string,
  url: string,
  body?: unknown,
  requestHeaders: Record<string, string> = headers
): Effect.Effect<Protocol.Answer> =>
  sandbox.handle(
    Protocol.makeRequest({
      method,
      url,
      headers: requestHeaders,
      bodyText: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
    })
  )

/** The response of an outcome (fails the test for a reset or a hang). */
export const respond = (outcome: Protocol.Answer): Respond => {
  if (outcome._tag !== "Respond") throw new Error(`Expected a response, got ${outcome._tag}`)
  return outcome
}

export const json = (
  sandbox: S.SandboxService,
  method: string,
  url: string,
  body?: unknown,
  requestHeaders?: Record<string, string>
): Effect.Effect<{ readonly status: number; readonly body: any; readonly headers: Readonly<Record<string, string>> }> =>
  Effect.map(call(sandbox, method, url, body, requestHeaders), (o) => {
    const r = respond(o)
    return { status: r.status, body: r.body, headers: r.headers }
  })
