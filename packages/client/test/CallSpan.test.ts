import { describe, expect, it } from "@effect/vitest"
import { PatientId } from "@hero-effect/schema/Ids"
import { Effect, Exit, Fiber, Layer, Option, TestClock, Tracer } from "effect"
import { clientWith, wirePatientV1 } from "./support/scripted.js"

// The engine makes and ends each call's span itself (internal/span.ts) instead of through
// `Effect.useSpan`: these pin the parts of useSpan's behaviour it must keep. The parent is the
// caller's span, span annotations and links of the caller reach it, the timing comes from the
// clock, it ends exactly once however the call ends (an interruption included), and with
// tracing disabled no span is made at all.

interface Recorded {
  readonly name: string
  readonly parent: Option.Option<Tracer.AnySpan>
  readonly links: ReadonlyArray<Tracer.SpanLink>
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
  readonly startTime: bigint
  ends: Array<{ readonly endTime: bigint; readonly exit: Exit.Exit<unknown, unknown> }>
}

const recordingTracer = () => {
  const spans: Array<Recorded> = []
  let id = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const record: Recorded = { name, parent, links, kind, attributes: new Map(), startTime, ends: [] }
      spans.push(record)
      const spanId = `span-${++id}`
      const span: { -readonly [K in keyof Tracer.Span]: Tracer.Span[K] } = {
        _tag: "Span",
        name,
        spanId,
        traceId: Option.isSome(parent) ? parent.value.traceId : `trace-${id}`,
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: record.attributes,
        links: [...links],
        sampled: true,
        kind,
        end(endTime, exit) {
          record.ends.push({ endTime, exit })
          span.status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute(key, value) {
          record.attributes.set(key, value)
        },
        event() {},
        addLinks() {}
      }
      return span
    },
    context: (f) => f()
  })
  return { spans, layer: Layer.setTracer(tracer) }
}

const calls = (recorded: ReadonlyArray<Recorded>) => recorded.filter((s) => s.name.startsWith("HeroHealthClient."))

describe("the call's span", () => {
  it.effect("a child of the caller's span, with the caller's span annotations and links, timed by the clock", () => {
    const { layer, spans } = recordingTracer()
    return Effect.gen(function*() {
      const { hero } = yield* clientWith([{ status: 200, body: wirePatientV1 }])
      yield* TestClock.adjust(1_234)
      const linked = yield* Effect.makeSpan("linked")
      yield* hero.getPatientById(PatientId.make("1001")).pipe(
        Effect.annotateSpans("tenant", "t-1"),
        Effect.linkSpans(linked, { why: "batch" }),
        Effect.withSpan("caller")
      )
      const [call] = calls(spans)
      expect(call!.name).toBe("HeroHealthClient.getPatientById")
      expect(call!.kind).toBe("client")
      expect(Option.map(call!.parent, (p) => (p as Tracer.Span).name)).toStrictEqual(Option.some("caller"))
      expect(call!.attributes.get("tenant")).toBe("t-1")
      expect(call!.links.map((l) => l.attributes)).toStrictEqual([{ why: "batch" }])
      expect(call!.attributes.get("hero.operation")).toBe("getPatientById")
      expect(call!.attributes.get("http.request.method")).toBe("GET")
      expect(call!.attributes.get("hero.outcome")).toBe("success")
      expect(call!.attributes.get("http.response.status_code")).toBe(200)
      // TestClock's nanoseconds: 1,234 ms after its start.
      expect(call!.startTime).toBe(BigInt(1_234) * BigInt(1_000_000))
      expect(call!.ends).toHaveLength(1)
      expect(Exit.isSuccess(call!.ends[0]!.exit)).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failed call's span ends once, with its failure and the attempts", () => {
    const { layer, spans } = recordingTracer()
    return Effect.gen(function*() {
      const { hero } = yield* clientWith([{ status: 401 }])
      yield* Effect.flip(hero.getPatientById(PatientId.make("1001")))
      const [call] = calls(spans)
      expect(call!.ends).toHaveLength(1)
      expect(Exit.isFailure(call!.ends[0]!.exit)).toBe(true)
      expect(call!.attributes.get("hero.outcome")).toBe("failure")
      expect(call!.attributes.get("hero.attempts")).toBe(1)
      expect(call!.attributes.get("http.response.status_code")).toBe(401)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an interrupted call's span ends once, with the interruption", () => {
    const { layer, spans } = recordingTracer()
    return Effect.gen(function*() {
      const { hero } = yield* clientWith([{ hang: true }])
      const fiber = yield* Effect.fork(hero.getPatientById(PatientId.make("1001")))
      yield* TestClock.adjust(10)
      expect(calls(spans)[0]!.ends).toHaveLength(0)
      yield* Fiber.interrupt(fiber)
      const [call] = calls(spans)
      expect(call!.ends).toHaveLength(1)
      expect(Exit.isInterrupted(call!.ends[0]!.exit)).toBe(true)
      expect(call!.attributes.get("hero.outcome")).toBe("failure")
    }).pipe(Effect.provide(layer))
  })

  it.effect("with tracing disabled no span is made", () => {
    const { layer, spans } = recordingTracer()
    return Effect.gen(function*() {
      const { hero } = yield* clientWith([{ status: 200, body: wirePatientV1 }])
      const patient = yield* hero.getPatientById(PatientId.make("1001")).pipe(Effect.withTracerEnabled(false))
      expect(patient.id).toBe("1001")
      expect(calls(spans)).toHaveLength(0)
    }).pipe(Effect.provide(layer))
  })
})
