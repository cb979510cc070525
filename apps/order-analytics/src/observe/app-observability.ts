import { trace } from '@opentelemetry/api'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { TributaryError, type Logger, type RuntimeObserver } from 'tributary-streams'
import {
  combineObservers,
  runtimeMetrics,
  sinkObserver,
  tracingObserver,
  type RecordingLevel,
} from 'tributary-streams/observe'
import type { AppContext } from '../context.ts'

const registries = new WeakMap<AppContext, Registry>()

/**
 * The one prom-client registry of the app in this process (GET /metrics): process metrics, the
 * runtime's and the sink's series and the dashboard's gauges all register here.
 */
export function appRegistry(ctx: AppContext): Registry {
  let registry = registries.get(ctx)
  if (registry === undefined) {
    registry = new Registry()
    registry.setDefaultLabels({ application_id: ctx.applicationId })
    collectDefaultMetrics({ register: registry })
    registries.set(ctx, registry)
  }
  return registry
}

/**
 * Metrics at METRICS_RECORDING_LEVEL (info, debug or off; default info) and tracing of every
 * record whose traceparent is sampled, plus TRACING_SAMPLE_RATIO (0..1, default 0) of the others.
 * Spans go nowhere until an OpenTelemetry SDK is registered (OTEL_TRACES_EXPORTER, see tracing-sdk.ts).
 */
export function streamsObserver(ctx: AppContext): RuntimeObserver {
  const level = (process.env['METRICS_RECORDING_LEVEL'] ?? 'info') as RecordingLevel
  if (!['info', 'debug', 'off'].includes(level))
    throw new TributaryError('CONFIG', 'METRICS_RECORDING_LEVEL must be info, debug or off')
  return combineObservers(
    runtimeMetrics({ registry: appRegistry(ctx), level }),
    tracingObserver({ tracer: trace.getTracer('order-analytics'), sampleRatio: sampleRatio() }),
  )
}

/** The sink's onCommit hook: e2e latency to the database commit and the trace's last span. */
export const sinkCommitObserver = (ctx: AppContext, table: string) =>
  sinkObserver({ name: table, registry: appRegistry(ctx), tracer: trace.getTracer('order-analytics') })

function sampleRatio(): number {
  const ratio = Number(process.env['TRACING_SAMPLE_RATIO'] ?? 0)
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio
  throw new TributaryError('CONFIG', 'TRACING_SAMPLE_RATIO must be a number from 0 to 1, e.g. 0.01')
}

let logger: Logger | undefined

/** JSON logs (pino) on stderr at LOG_LEVEL (default info); secrets in fields are redacted. */
export function appLogger(): Logger {
  logger ??= pino(
    {
      level: process.env['LOG_LEVEL'] ?? 'info',
      redact: { paths: ['password', '*.password', 'token', '*.token', 'databaseUrl'], censor: '[redacted]' },
    },
    pino.destination(2),
  )
  return logger
}
