import { Cause, Effect, Exit, Logger, LogLevel, Option, Tracer } from "effect"

export interface CapturedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ name: string; attributes?: Record<string, unknown> }>
  exit?: unknown
}

/**
 * Runs an effect with every log line (Debug and up) and every span recorded, so a test can
 * search them for secrets and patient data.
 */
export const captureTelemetry = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const spans: Array<CapturedSpan> = []
    const logger = Logger.make(({ annotations, cause, logLevel, message, spans: logSpans }) => {
      lines.push(JSON.stringify({
        level: logLevel.label,
        message,
        annotations: Object.fromEntries(annotations),
        cause: String(cause),
        spans: [...logSpans].map((s) => s.label)
      }))
    })
    let counter = 0
    const tracer = Tracer.make({
      span: (name, parent, context, links, _startTime, kind) => {
        const captured: CapturedSpan = { name, attributes: new Map(), events: [] }
        spans.push(captured)
        const spanId = `span${counter++}`
        const span: Tracer.Span = {
          _tag: "Span",
          name,
          spanId,
          traceId: "trace",
          parent,
          context,
          status: { _tag: "Started", startTime: 0n },
          attributes: captured.attributes,
          links,
          sampled: true,
          kind,
          // What an exporter records at the end of a span: success, or the failure as text.
          end: (_endTime, exit) => {
            captured.exit = Exit.isSuccess(exit) ? "success" : Cause.pretty(exit.cause)
          },
          attribute: (key, value) => {
            captured.attributes.set(key, value)
          },
          event: (eventName, _time, attributes) => {
            captured.events.push(attributes === undefined ? { name: eventName } : { name: eventName, attributes })
          },
          addLinks: () => undefined
        }
        return span
      },
      context: (f) => f()
    })
    const result = yield* effect.pipe(
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug),
      Effect.either
    )
    const dump = () =>
      [
        ...lines,
        ...spans.map((s) =>
          JSON.stringify({
            name: s.name,
            attributes: Object.fromEntries(s.attributes),
            events: s.events,
            exit: String(s.exit)
          })
        )
      ].join("\n")
    return { result, lines, spans, dump, parent: Option.none() } as const
  })
