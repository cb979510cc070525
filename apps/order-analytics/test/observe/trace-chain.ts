import assert from 'node:assert/strict'
import { trace } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { startStreams } from '../../src/cli/start-streams.ts'
import { runProducer } from '../../src/generator/producer.ts'
import { startSink } from '../../src/sink/start-sink.ts'
import type { AppFixture } from '../sink/app-fixture.ts'

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

/**
 * Produces 40 orders (and their users) with a global in-memory OpenTelemetry SDK, runs streams and
 * sink on `fixture` until the sink has caught up, and checks the spans: every sink span's trace
 * runs back through the users-join and window repartitions to the producer's send span; a window
 * update links to the spans of earlier orders in its window; a users-join span links to the span
 * that stored the user (at most 16 links per span).
 */
export async function traceReachesTheSink(fixture: AppFixture): Promise<void> {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  trace.setGlobalTracerProvider(provider)
  try {
    await produceAndCheck(fixture, exporter)
  } finally {
    await provider.shutdown()
    trace.disable()
  }
}

async function produceAndCheck(fixture: AppFixture, exporter: InMemorySpanExporter): Promise<void> {
  const { ctx } = fixture
  const streams = await startStreams(ctx, { commitIntervalMs: 50 })
  const sink = await startSink(ctx)
  try {
    await runProducer(ctx, { rate: 500, seed: 7, maxOrders: 40, initialUsers: 20 })
    await streams.app.settle()
    await sink.waitUntilCaughtUp(30_000)
  } finally {
    await sink.close()
    await streams.close()
  }
  const spans = exporter.getFinishedSpans()
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]))
  const sinkSpans = spans.filter((s) => s.name === 'sink revenue_per_minute')
  assert.ok(sinkSpans.length > 0, `sink spans among ${spans.length}`)
  const producerTraces = new Set(
    spans.filter((s) => s.name === `send ${ctx.topics.ordersRaw}`).map((s) => s.spanContext().traceId),
  )
  let complete = 0
  for (const sinkSpan of sinkSpans) {
    // walk from the sink back to the producer: every hop is a span of the same trace
    const chain: string[] = []
    for (let s: ReadableSpan | undefined = sinkSpan; s !== undefined; s = byId.get(parentOf(s) ?? '')) {
      assert.equal(s.spanContext().traceId, sinkSpan.spanContext().traceId)
      chain.unshift(s.name)
    }
    assert.ok(
      producerTraces.has(sinkSpan.spanContext().traceId),
      `trace of ${chain.join(' > ')} starts at the producer`,
    )
    assert.equal(chain[0], `send ${ctx.topics.ordersRaw}`)
    assert.equal(chain[1], `process ${ctx.topics.ordersRaw}`)
    const repartitions = chain.filter((name) => name.startsWith('process ') && name.endsWith('-repartition'))
    assert.equal(repartitions.length, 2, `users join and window repartitions in ${chain.join(' > ')}`)
    assert.equal(chain.at(-1), 'sink revenue_per_minute')
    complete++
  }
  assert.ok(complete >= 1)

  // Links: a window update's span links to the spans of the orders aggregated before it into
  // the same window, and a users-join span to the span that stored the user it joined with.
  const named = (suffix: string) => spans.filter((s) => s.name.endsWith(suffix))
  const linkedNames = (s: ReadableSpan) => s.links.map((l) => byId.get(l.context.spanId)?.name)
  const windowSpans = named('orders-by-region-segment-repartition')
  assert.ok(
    windowSpans.some((s) => s.links.length > 0),
    `some window update links to earlier ones (${windowSpans.length} spans)`,
  )
  for (const s of windowSpans)
    for (const name of linkedNames(s)) assert.equal(name, s.name, 'a window span links to window spans')
  const joinSpans = named('orders-join-users-repartition')
  const withUser = joinSpans.filter((s) => linkedNames(s).some((n) => n?.endsWith('users-repartition')))
  assert.ok(withUser.length > 0, `some users-join span links to the user's span (${joinSpans.length} spans)`)
  assert.ok(
    spans.every((s) => s.links.length <= 16),
    'at most 16 links per span',
  )
}
