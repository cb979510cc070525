import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Registry } from 'prom-client'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows } from 'tributary-streams'
import { registerStreamsMetrics, runtimeMetrics, type RecordingLevel } from 'tributary-streams/observe'

const str = Serdes.string()

/** Counts per key in 1 s tumbling windows with no grace: a record 1 s behind stream time is late. */
function windowedCount() {
  const builder = new StreamsBuilder()
  builder
    .stream('clicks', { key: str, value: str })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(1000, 0))
    .count({ name: 'clicks-per-second' })
    .toStream()
    .map((windowed, count) => [windowed.key, String(count)])
    .to('clicks-counted', { key: str, value: str })
  return builder.build()
}

/** Sums a metric's samples whose labels include `labels` (and whose name is `name`). */
async function sum(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metrics = await registry.getMetricsAsJSON()
  let total = 0
  for (const metric of metrics)
    for (const v of metric.values as Array<{
      metricName?: string
      labels: Record<string, unknown>
      value: number
    }>)
      if (
        (v.metricName ?? metric.name) === name &&
        Object.entries(labels).every(([k, x]) => v.labels[k] === x)
      )
        total += v.value
  return total
}

async function runApp(level: RecordingLevel, dir: string) {
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([
    { name: 'clicks', partitions: 2 },
    { name: 'clicks-counted', partitions: 2 },
  ])
  const registry = new Registry()
  const app = new StreamsApp(windowedCount(), {
    applicationId: `metrics-${level}`,
    dataDir: join(dir, level),
    log,
    processingGuarantee: 'exactly-once',
    observer: runtimeMetrics({ registry, level })!,
  })
  registerStreamsMetrics(registry, () => app)
  await app.start()
  const producer = await log.producer()
  // 10 on-time records on two keys (so both partitions), then one late record per key.
  const records = [...Array(10).keys()].map((i) => ({ key: `k${i % 2}`, timestamp: 10_000 + i * 1000 }))
  records.push({ key: 'k0', timestamp: 10_000 }, { key: 'k1', timestamp: 10_500 })
  await producer.send(
    records.map((r) => ({
      topic: 'clicks',
      key: Buffer.from(r.key),
      value: Buffer.from('x'),
      timestamp: r.timestamp,
    })),
  )
  await producer.close()
  await app.settle()
  return { app, log, registry }
}

describe('runtime metrics on a known input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-metrics-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('counts every record processed, produced, late and the lag reaching 0', async () => {
    const { app, log, registry } = await runApp('info', dir)
    try {
      assert.equal(await sum(registry, 'tributary_streams_process_latency_seconds_count'), 12)
      assert.equal(
        await sum(registry, 'tributary_streams_process_latency_seconds_count', { topic: 'clicks' }),
        12,
      )
      assert.equal(await sum(registry, 'tributary_streams_records_processed_total'), 12)
      assert.equal(await sum(registry, 'tributary_streams_records_dropped_total', { reason: 'late' }), 2)
      assert.equal(await sum(registry, 'tributary_streams_late_records_total'), 2)
      // one window update per on-time record; the late ones change nothing
      assert.equal(
        await sum(registry, 'tributary_streams_records_produced_total', { topic: 'clicks-counted' }),
        10,
      )
      assert.equal(
        await sum(registry, 'tributary_streams_record_e2e_latency_seconds_count', {
          topic: 'clicks-counted',
        }),
        10,
      )
      assert.ok((await sum(registry, 'tributary_streams_commit_latency_seconds_count')) >= 1)
      assert.ok((await sum(registry, 'tributary_streams_poll_latency_seconds_count')) >= 1)
      assert.equal(await sum(registry, 'tributary_streams_records_consumed_total'), 12)
      assert.equal(await sum(registry, 'tributary_streams_records_lag', { topic: 'clicks' }), 0)
      assert.equal(await sum(registry, 'tributary_streams_records_lead', { topic: 'clicks' }), 12)
      assert.equal(await sum(registry, 'tributary_streams_state_store_operation_seconds_count'), 0)
    } finally {
      await app.close()
      await log.close()
    }
  })

  it('times state-store calls and names the late processor only at the debug level', async () => {
    const { app, log, registry } = await runApp('debug', dir)
    try {
      const storeCalls = await sum(registry, 'tributary_streams_state_store_operation_seconds_count', {
        store: 'clicks-per-second',
      })
      assert.ok(storeCalls >= 10, `store calls timed: ${storeCalls}`)
      const late = (await registry.getSingleMetric('tributary_streams_records_dropped_total')!.get()).values
      assert.equal(
        late.reduce((n, v) => n + v.value, 0),
        2,
      )
      for (const v of late) assert.match(String(v.labels['processor']), /AGGREGATE/)
    } finally {
      await app.close()
      await log.close()
    }
  })

  it('records nothing at the off level', () => {
    assert.equal(runtimeMetrics({ registry: new Registry(), level: 'off' }), undefined)
  })
})
