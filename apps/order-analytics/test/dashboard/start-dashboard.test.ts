import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { StorageProblems, type StorageProblem, type StreamsApp } from 'tributary-streams'
import { startDashboard, type DashboardHandle } from '../../src/dashboard/start-dashboard.ts'
import type { Summary } from '../../src/dashboard/summary.ts'
import { readTable } from '../../src/sink/read-table.ts'
import { startSink, type SinkHandle } from '../../src/sink/start-sink.ts'
import { appFixture, MINUTE, T0, type AppFixture } from '../sink/app-fixture.ts'

/** Reads server-sent events until `until` accepts one. */
async function nextEvent(url: string, until: (event: string, data: unknown) => boolean, timeoutMs = 10_000) {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const res = await fetch(url, { signal: controller.signal })
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    const decoder = new TextDecoder()
    let buffer = ''
    const reader = res.body!.getReader()
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (event !== undefined && data !== undefined && until(event, JSON.parse(data)))
          return { event, data: JSON.parse(data) as unknown }
      }
    }
    throw new Error('event stream ended')
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
}

describe('the dashboard server', () => {
  let f: AppFixture
  let sink: SinkHandle
  let dashboard: DashboardHandle

  before(async () => {
    f = await appFixture()
    sink = await startSink(f.ctx)
    await f.processed([
      { window_start: T0, region: 'eu', segment: 'smb', order_count: 2, revenue: 20.5 },
      { window_start: T0 + MINUTE, region: 'us', segment: 'retail', order_count: 1, revenue: 9.99 },
    ])
    await sink.waitUntilCaughtUp(10_000)
    dashboard = await startDashboard(f.ctx, { healthIntervalMs: 300 })
  })

  after(async () => {
    await dashboard?.close()
    await sink?.close()
    await f?.cleanup()
  })

  it('answers /health with 200 and JSON when the log and the database are reachable', async () => {
    const res = await fetch(new URL('/health', dashboard.url))
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), {
      status: 'ok',
      log: 'ok',
      database: 'ok',
      streams: 'not in this process',
      problems: [],
      storageProblems: [],
    })
  })

  it('lists storage problems on /health and /ready (degraded, not down) until POST /health/acknowledge', async () => {
    const problems = new StorageProblems()
    const ctx = f.ctx as { storageProblems?: StorageProblems }
    ctx.storageProblems = problems
    try {
      problems.report('store-rebuilt', '/data/state/0_1/counts', 'store counts of task 0_1 was damaged')
      const health = await fetch(new URL('/health', dashboard.url))
      assert.equal(health.status, 200, 'a restart would only forget the problem')
      const body = (await health.json()) as { status: string; storageProblems: StorageProblem[] }
      assert.equal(body.status, 'degraded')
      assert.deepEqual(
        body.storageProblems.map((p) => [p.kind, p.path]),
        [['store-rebuilt', '/data/state/0_1/counts']],
      )
      const ready = (await (await fetch(new URL('/ready', dashboard.url))).json()) as {
        storageProblems: StorageProblem[]
      }
      assert.equal(ready.storageProblems.length, 1)
      const ack = await fetch(new URL('/health/acknowledge', dashboard.url), { method: 'POST' })
      assert.equal(ack.status, 200)
      assert.equal(((await ack.json()) as { acknowledged: StorageProblem[] }).acknowledged.length, 1)
      const after = (await (await fetch(new URL('/health', dashboard.url))).json()) as { status: string }
      assert.equal(after.status, 'ok')
      assert.equal(problems.counts().get('store-rebuilt'), 1, 'the metric keeps counting')
    } finally {
      delete ctx.storageProblems
    }
  })

  it('answers /ready with 503 and the reason while the streams app restores or is not running', async () => {
    const ctx = f.ctx as { streams?: StreamsApp }
    const ready = async () => {
      const res = await fetch(new URL('/ready', dashboard.url))
      return { status: res.status, body: (await res.json()) as { ready: boolean; reasons: string[] } }
    }
    assert.deepEqual(await ready(), { status: 200, body: { ready: true, reasons: [], storageProblems: [] } })
    try {
      ctx.streams = {
        state: 'running',
        metrics: () => ({ restoringTasks: 1, restoreRemaining: 42 }),
      } as unknown as StreamsApp
      assert.deepEqual(await ready(), {
        status: 503,
        body: {
          ready: false,
          reasons: ['streams app is restoring state (42 changelog records left)'],
          storageProblems: [],
        },
      })
      ctx.streams = { state: 'starting', metrics: () => ({}) } as unknown as StreamsApp
      assert.deepEqual((await ready()).body.reasons, ['streams app is starting'])
    } finally {
      delete ctx.streams
    }
  })

  it('answers /health with 503 when the streams app of this process is not running', async () => {
    const ctx = f.ctx as { streams?: StreamsApp }
    ctx.streams = { state: 'failed', metrics: () => ({}) } as unknown as StreamsApp
    try {
      const res = await fetch(new URL('/health', dashboard.url))
      assert.equal(res.status, 503)
      const body = (await res.json()) as { status: string; problems: string[] }
      assert.equal(body.status, 'unavailable')
      assert.deepEqual(body.problems, ['streams app is failed'])
    } finally {
      delete ctx.streams
    }
  })

  it('exposes the sink, the consumer lag and the pipeline in Prometheus format on /metrics', async () => {
    const res = await fetch(new URL('/metrics', dashboard.url))
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    assert.match(text, /^# TYPE tributary_sink_records_total counter$/m)
    assert.match(
      text,
      /^tributary_sink_records_total\{sink="revenue_per_minute",application_id="oa-test"\} 2$/m,
    )
    assert.match(
      text,
      /^tributary_consumer_lag\{group="oa-test-sink",topic="orders-processed",partition="\d",application_id="oa-test"\} 0$/m,
    )
    assert.match(text, /^tributary_streams_records_processed_total\{application_id="oa-test"\} 0$/m)
    assert.match(text, /^order_analytics_dlq_records\{application_id="oa-test"\} 0$/m)
    assert.match(text, /^process_cpu_user_seconds_total/m)
  })

  it('serves the page, its script and no path outside src/web', async () => {
    const page = await fetch(dashboard.url)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<script type="module" src="\/app.js">/)
    assert.equal((await fetch(new URL('/app.js', dashboard.url))).status, 200)
    assert.equal((await fetch(new URL('/../package.json', dashboard.url))).status, 404)
    assert.equal((await fetch(new URL('/nope', dashboard.url))).status, 404)
  })

  it('gives /api/summary the figures of the table and pushes new ones over /events', async () => {
    const summary = (await (await fetch(new URL('/api/summary', dashboard.url))).json()) as Summary
    assert.deepEqual(summary.totals, { revenue: '30.49', orders: 3 })
    assert.deepEqual(summary.minutes, [T0, T0 + MINUTE])
    assert.equal((await readTable(f.ctx)).length, 2)
    const pushed = nextEvent(
      new URL('/events', dashboard.url).href,
      (event, data) => event === 'summary' && (data as Summary).totals.orders === 10,
    )
    await new Promise((r) => setTimeout(r, 100))
    await f.processed([
      { window_start: T0 + MINUTE, region: 'us', segment: 'retail', order_count: 8, revenue: 80 },
    ])
    const { data } = await pushed
    assert.deepEqual((data as Summary).totals, { revenue: '100.50', orders: 10 })
    assert.equal((data as Summary).health.status, 'ok')
  })

  it('shows on its health panel the figures /metrics exports (one source): sink lag, streams lag, DLQ', async () => {
    await sink.close() // runs last: the sink stops so that it falls behind
    await f.processed([{ window_start: T0 + 2 * MINUTE, region: 'eu', order_count: 1, revenue: 1 }])
    const sum = (text: string, pattern: RegExp) =>
      [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0)
    let panel: Summary['health'] | undefined
    let text = ''
    for (let tries = 0; tries < 50; tries++) {
      text = await (await fetch(new URL('/metrics', dashboard.url))).text()
      panel = ((await (await fetch(new URL('/api/summary', dashboard.url))).json()) as Summary).health
      const lag = sum(text, /^tributary_consumer_lag\{group="oa-test-sink",[^}]*\} (\d+)$/gm)
      if (lag > 0 && panel.sinkLag === lag) break
      await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(panel!.sinkLag! > 0, `the sink is behind: ${panel!.sinkLag}`)
    assert.equal(panel!.sinkLag, sum(text, /^tributary_consumer_lag\{group="oa-test-sink",[^}]*\} (\d+)$/gm))
    assert.equal(panel!.dlqCount, sum(text, /^order_analytics_dlq_records\{[^}]*\} (\d+)$/gm))
    assert.equal(panel!.streamsLag, sum(text, /^tributary_consumer_lag\{group="oa-test",[^}]*\} (\d+)$/gm))
  })
})
