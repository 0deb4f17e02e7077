// What the job tells observers besides the terminal: its logs (--log-level, --log-format, always
// on stderr so stdout stays the summary) and its spans (--otlp, or the OpenTelemetry variables),
// exported over OTLP/HTTP JSON by @effect/opentelemetry. Spans and logs carry ids, codes, counts
// and timings only: the library never puts a name, a date of birth, an NHS number or an address in
// an attribute or a message at Info (docs/observability.md lists them).
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Either, Layer, Logger, LogLevel, Option } from "effect"

export const logFormats = ["text", "json", "logfmt"] as const
export type LogFormat = (typeof logFormats)[number]

export const logLevels = ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"] as const
export type LogLevelName = (typeof logLevels)[number]

const levelOf: Record<LogLevelName, LogLevel.LogLevel> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
}

/** The job's logger: the chosen format, on stderr; the level when one was given. */
export const loggingLayer = (format: LogFormat, level: Option.Option<LogLevelName>): Layer.Layer<never> => {
  const formatted = format === "json"
    ? Logger.jsonLogger
    : format === "logfmt"
    ? Logger.logfmtLogger
    : Logger.stringLogger
  const logger = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(formatted))
  return Option.match(level, {
    onNone: () => logger,
    onSome: (name) => Layer.merge(logger, Logger.minimumLogLevel(levelOf[name]))
  })
}

/** Where spans go: --otlp, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
export const otlpEndpoint = (
  flag: Option.Option<string>,
  env: NodeJS.ProcessEnv
): Either.Either<Option.Option<string>, string> => {
  const [source, url] = Option.isSome(flag)
    ? ["--otlp", flag.value]
    : env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
    ? ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]]
    : env["OTEL_EXPORTER_OTLP_ENDPOINT"]
    ? ["OTEL_EXPORTER_OTLP_ENDPOINT", `${env["OTEL_EXPORTER_OTLP_ENDPOINT"].replace(/\/+$/, "")}/v1/traces`]
    : [undefined, undefined]
  if (source === undefined || url === undefined) return Either.right(Option.none())
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(
      `${source} is not an absolute URL (an OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces)`
    )
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return Either.left(`${source} must be http(s)`)
  return Either.right(Option.some(parsed.toString()))
}

/** The OTLP exporter: spans in batches every second, the rest flushed when the job ends. */
export const tracingLayer = (url: string, env: NodeJS.ProcessEnv): Layer.Layer<never> =>
  OtlpTracer.layer({
    url,
    resource: { serviceName: env["OTEL_SERVICE_NAME"] ?? "hero-effect", serviceVersion: "0.1.0" },
    exportInterval: "1 second",
    shutdownTimeout: "5 seconds"
  }).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer))
