/**
 * Records every log line and span an effect produces, as an exporter would see them, so a test
 * can assert that no secret or patient data leaks into telemetry.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"

/**
 * One recorded log line.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogLine {
  readonly level: LogLevel.LogLevel
  /** The line as JSON: message, annotations, cause, spans. */
  readonly text: string
}

/**
 * One recorded span: name, attributes, events, and how it ended (`success` or the failure's
 * `Cause.pretty`, as an exporter records it; never the success value).
 *
 * @since 0.1.0
 * @category models
 */
export interface SpanRecord {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes?: Record<string, unknown> | undefined }>
  end: string | undefined
}

/**
 * What {@link capture} returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface Captured<A, E> {
  readonly result: Either.Either<A, E>
  readonly lines: ReadonlyArray<LogLine>
  readonly spans: ReadonlyArray<SpanRecord>
  /** Log lines at or above a level, as text. */
  readonly linesAtLeast: (level: LogLevel.LogLevel) => string
  /** Every span (name, attributes, events, end) as text. */
  readonly spansText: () => string
}

/**
 * Runs an effect with logs at `Debug` and a recording tracer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const capture = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Captured<A, E>, never, R> =>
  Effect.gen(function*() {
    const lines: Array<LogLine> = []
    const spans: Array<SpanRecord> = []
    const logger = Logger.make(({ annotations, cause, logLevel, message, spans: logSpans }) => {
      lines.push({
        level: logLevel,
        text: JSON.stringify({
          level: logLevel.label,
          message,
          annotations: Object.fromEntries(annotations),
          cause: Cause.isEmpty(cause) ? undefined : Cause.pretty(cause),
          spans: [...logSpans].map((s) => s.label)
        })
      })
    })
    let counter = 0
    const tracer = Tracer.make({
      span: (name, parent, context, links, _startTime, kind) => {
        const record: SpanRecord = { name, attributes: new Map(), events: [], end: undefined }
        spans.push(record)
        return {
          _tag: "Span",
          name,
          spanId: `span-${counter++}`,
          traceId: "capture",
          parent,
          context,
          status: { _tag: "Started", startTime: 0n },
          attributes: record.attributes,
          links,
          sampled: true,
          kind,
          end: (_endTime, exit) => {
            record.end = Exit.isSuccess(exit) ? "success" : Cause.pretty(exit.cause)
          },
          attribute: (key, value) => {
            record.attributes.set(key, value)
          },
          event: (eventName, _time, attributes) => {
            record.events.push({ name: eventName, attributes })
          },
          addLinks: () => undefined
        }
      },
      context: (f) => f()
    })
    const result = yield* effect.pipe(
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug),
      Effect.either
    )
    return {
      result,
      lines,
      spans,
      linesAtLeast: (level) =>
        lines.filter((line) => LogLevel.greaterThanEqual(line.level, level)).map((line) => line.text).join("\n"),
      spansText: () =>
        spans.map((s) =>
          JSON.stringify({ name: s.name, attributes: Object.fromEntries(s.attributes), events: s.events, end: s.end })
        ).join("\n")
    }
  })
