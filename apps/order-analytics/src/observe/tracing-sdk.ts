import { trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { TributaryError } from 'tributary-streams'

/**
 * Registers the OpenTelemetry SDK of this process as configured by the standard variables, and
 * returns what flushes and stops it (undefined when tracing is off):
 * - OTEL_TRACES_EXPORTER: `none` (default: no SDK, spans cost almost nothing), `otlp` (OTLP over
 *   HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces,
 *   default http://localhost:4318) or `console`;
 * - OTEL_SERVICE_NAME (default order-analytics);
 * - OTEL_TRACES_SAMPLER_ARG: the share of new traces recorded (0..1, default 1); a span with a
 *   parent follows its parent's decision. New traces start at the producer's sends; the streams
 *   job starts them for records without a traceparent at TRACING_SAMPLE_RATIO.
 */
export function startTracingSdk(env: NodeJS.ProcessEnv = process.env): (() => Promise<void>) | undefined {
  const exporter = exporterFrom(env['OTEL_TRACES_EXPORTER'] ?? 'none')
  if (exporter === undefined) return undefined
  const ratio = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? 1)
  if (!(ratio >= 0 && ratio <= 1))
    throw new TributaryError('CONFIG', 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, e.g. 0.01')
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? 'order-analytics' }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  })
  trace.setGlobalTracerProvider(provider)
  return async () => {
    await provider.shutdown()
    trace.disable()
  }
}

function exporterFrom(name: string): SpanExporter | undefined {
  if (name === 'none') return undefined
  if (name === 'otlp') return new OTLPTraceExporter()
  if (name === 'console') return new ConsoleSpanExporter()
  throw new TributaryError('CONFIG', `OTEL_TRACES_EXPORTER must be none, otlp or console (not '${name}')`)
}
