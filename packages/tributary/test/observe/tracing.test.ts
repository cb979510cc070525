import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { EmbeddedLog, JoinWindows, Serdes, StreamsApp, StreamsBuilder, TimeWindows } from 'tributary-streams'
import { tracingObserver } from 'tributary-streams/observe'

const str = Serdes.string()

/** A stream-stream join of `left` and `right` and a windowed count of `left`, one partition each. */
function topology() {
  const builder = new StreamsBuilder()
  const left = builder.stream('left', { key: str, value: str })
  const right = builder.stream('right', { key: str, value: str })
  left
    .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(1000))
    .to('joined', { key: str, value: str })
  left
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count()
    .toStream()
    .map((w, n) => [w.key, String(n)])
    .to('counted', { key: str, value: str })
  return builder.build()
}

/** Runs `records` through the topology with tracing; returns the finished spans. */
async function traced(dir: string, records: Array<[topic: string, value: string, timestamp: number]>) {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const log = await EmbeddedLog.open()
  await log.admin.createTopics(
    ['left', 'right', 'joined', 'counted'].map((name) => ({ name, partitions: 1 })),
  )
  const app = new StreamsApp(topology(), {
    applicationId: 'links',
    dataDir: dir,
    log,
    observer: tracingObserver({ tracer: provider.getTracer('test') }),
  })
  await app.start()
  const producer = await log.producer()
  for (const [topic, value, timestamp] of records)
    await producer.send([{ topic, key: Buffer.from('k'), value: Buffer.from(value), timestamp }])
  await producer.close()
  await app.settle()
  await app.close()
  await log.close()
  const spans = exporter.getFinishedSpans()
  await provider.shutdown()
  return spans
}

const offsetOf = (s: ReadableSpan) => s.attributes['messaging.kafka.offset']
const spanOf = (spans: ReadableSpan[], topic: string, offset: number) =>
  spans.find((s) => s.name === `process ${topic}` && offsetOf(s) === offset)!

describe('tracing: span links to the records that built a result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-links-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('links a join result to the record on the other side, and a window update to the earlier ones', async () => {
    const spans = await traced(join(dir, 'a'), [
      ['right', 'r0', 1000],
      ['left', 'l0', 1500], // joins r0
      ['left', 'l1', 1600], // joins r0; window count 2
      ['right', 'r1', 1700], // joins l0 and l1
    ])
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]))
    const links = (s: ReadableSpan) =>
      s.links.map((l) => byId.get(l.context.spanId)).map((t) => `${t?.name}@${t && offsetOf(t)}`)
    assert.deepEqual(links(spanOf(spans, 'left', 0)), ['process right@0'])
    assert.deepEqual(links(spanOf(spans, 'left', 1)).sort(), ['process left@0', 'process right@0'])
    assert.deepEqual(links(spanOf(spans, 'right', 1)).sort(), ['process left@0', 'process left@1'])
    assert.deepEqual(links(spanOf(spans, 'right', 0)), [], 'nothing was stored before it')
  })

  it('keeps at most 16 links, the most recent builders first', async () => {
    const records: Array<[string, string, number]> = []
    for (let i = 0; i < 40; i++) records.push(['left', `l${i}`, 10_000 + i * 100_000])
    for (let i = 0; i < 40; i++) records.push(['left', `m${i}`, 4_000_000 + i])
    const spans = await traced(join(dir, 'b'), records)
    const last = spanOf(spans, 'left', 79)
    assert.equal(last.links.length, 16)
    const linkedOffsets = last.links.map((l) =>
      offsetOf(spans.find((s) => s.spanContext().spanId === l.context.spanId)!),
    )
    assert.deepEqual(
      linkedOffsets,
      [...Array(16).keys()].map((i) => 78 - i),
    )
    for (const s of spans) assert.ok(s.links.length <= 16)
  })
})
