/**
 * The span of a call, made and ended by the engine itself: what `Effect.useSpan` does (the same
 * tracer, parent, links, annotations, attributes and timing), less two costs it pays on every
 * call. It reads the fiber's refs one by one instead of through `getFiberRefs()`, which writes
 * the fiber's runtime flags back into its refs first (a copy of every fiber ref, per span). And
 * the span is ended in the same step as the engine sets its closing attributes. With tracing
 * disabled it is one shared no-op span: nothing is recorded, nothing propagates.
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

/** A started span and how to end it. @internal */
export interface CallSpan {
  readonly span: Tracer.Span
  /** Ends the span with `exit` (once; a span already ended is left as it is). */
  readonly end: (exit: Exit.Exit<unknown, unknown>) => void
}

const noopSpan: Tracer.Span = {
  _tag: "Span",
  name: "HeroHealthClient",
  spanId: "noop",
  traceId: "noop",
  parent: Option.none(),
  // Like Effect's own no-op spans: a child of it does not propagate either.
  context: Context.make(Tracer.DisablePropagation, true),
  status: { _tag: "Started", startTime: BigInt(0) },
  attributes: new Map(),
  links: [],
  sampled: false,
  kind: "client",
  end: () => {},
  attribute: () => {},
  event: () => {},
  addLinks: () => {}
}

const noop: CallSpan = { span: noopSpan, end: () => {} }

// The nearest ancestor that propagates (as Effect's spans choose their parent).
const propagating = (span: Option.Option<Tracer.AnySpan>): Option.Option<Tracer.AnySpan> => {
  let current = span
  while (Option.isSome(current)) {
    if (!Context.get(current.value.context, Tracer.DisablePropagation)) return current
    current = current.value._tag === "Span" ? current.value.parent : Option.none()
  }
  return current
}

/**
 * Starts a client span on `fiber` (call it from `Effect.withFiberRuntime`), as `useSpan` would
 * with these options and no stack trace.
 * @internal
 */
export const startCallSpan = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  name: string,
  attributes: Readonly<Record<string, unknown>>
): CallSpan => {
  if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return noop
  const services = fiber.currentDefaultServices
  const tracer = fiber.currentTracer
  const clock = Context.get(services, Clock.Clock)
  const timingEnabled = fiber.getFiberRef(FiberRef.currentTracerTimingEnabled)
  const parent = propagating(fiber.currentSpan === undefined ? Option.none() : Option.some(fiber.currentSpan))
  const linked = fiber.getFiberRef(FiberRef.currentTracerSpanLinks)
  // A new array each time: a tracer may keep it as its span's own and add to it.
  const links = Chunk.isEmpty(linked) ? [] : Chunk.toReadonlyArray(linked)
  const span = tracer.span(
    name,
    parent,
    Context.empty(),
    links,
    timingEnabled ? clock.unsafeCurrentTimeNanos() : BigInt(0),
    "client",
    { kind: "client", attributes }
  )
  const annotations = fiber.getFiberRef(FiberRef.currentTracerSpanAnnotations)
  if (HashMap.size(annotations) > 0) HashMap.forEach(annotations, (value, key) => span.attribute(key, value))
  for (const key in attributes) span.attribute(key, attributes[key])
  return {
    span,
    end: (exit) => {
      if (span.status._tag === "Ended") return
      span.end(timingEnabled ? clock.unsafeCurrentTimeNanos() : BigInt(0), exit)
    }
  }
}
