/**
 * The no-socket face: an `HttpClient` that answers every request from the sandbox core, with no
 * sockets and no real timers, so it is deterministic under `TestClock`. A dropped connection fails
 * with a `RequestError` (reason `Transport`); a hanging request never completes (it is
 * interruptible, so a client-side timeout ends it).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/httpClient.js"
import type { SandboxService } from "./Sandbox.js"
import { Sandbox } from "./Sandbox.js"

/**
 * The base URL relative requests are resolved against (any base works: only the path and query
 * are used).
 *
 * @since 0.1.0
 * @category constants
 */
export const baseUrl: string = internal.baseUrl

/**
 * An `HttpClient` over a sandbox.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (sandbox: SandboxService) => HttpClient.HttpClient = internal.make

/**
 * The `HttpClient` over the `Sandbox` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, Sandbox> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(Sandbox, make)
)
