import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
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
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

describe('tracing through the order-analytics pipeline (embedded log)', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  let fixture: AppFixture

  before(async () => {
    trace.setGlobalTracerProvider(provider)
    fixture = await appFixture()
  })
  after(async () => {
    await fixture.cleanup()
    await provider.shutdown()
    trace.disable()
  })

  it('carries the trace of a produced order through the repartitions, the users join and the window to the sink', async () => {
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
      const repartitions = chain.filter(
        (name) => name.startsWith('process ') && name.endsWith('-repartition'),
      )
      assert.equal(repartitions.length, 2, `users join and window repartitions in ${chain.join(' > ')}`)
      assert.equal(chain.at(-1), 'sink revenue_per_minute')
      complete++
    }
    assert.ok(complete >= 1)
  })
})
