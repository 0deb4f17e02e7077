/**
 * A transport that sends straight through undici (Node's HTTP client), without the
 * `@effect/platform` `HttpClient` layer in between: the lowest overhead per call (see
 * BENCHMARKS.md). Keep-alive connections come from one undici `Agent` per layer, closed when the
 * layer's scope closes. Its time limit is a real timer, so under `TestClock` use the `HttpClient`
 * transport instead.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { HeroHealthTransport } from "./HeroHealthTransport.js"
import type { Service } from "./HeroHealthTransport.js"
import * as internal from "./internal/undici.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Most connections per origin (default: undici's, unlimited). */
  readonly connections?: number | undefined
  /** How long an idle keep-alive connection stays open (default 4 seconds, undici's). */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
}

/**
 * A transport on a fresh undici `Agent`, closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, never, Scope.Scope> = internal.make

/**
 * The transport as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<HeroHealthTransport> =>
  Layer.scoped(HeroHealthTransport, make(options))
