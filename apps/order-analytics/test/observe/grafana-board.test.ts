import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startStreams } from '../../src/cli/start-streams.ts'
import { startDashboard } from '../../src/dashboard/start-dashboard.ts'
import { runProducer } from '../../src/generator/producer.ts'
import { appRegistry } from '../../src/observe/app-observability.ts'
import { startSink } from '../../src/sink/start-sink.ts'
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'

const board = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../ops/grafana-dashboard.json'), 'utf8'),
) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> }

/** Metric names a PromQL expression reads (the app's prefixes only). */
const namesIn = (expr: string): string[] => expr.match(/\b(?:tributary|order_analytics)_[a-z0-9_]+/g) ?? []

describe('the Grafana board', () => {
  let fixture: AppFixture
  before(async () => (fixture = await appFixture()))
  after(() => fixture.cleanup())

  it('queries only series that /metrics of a running pipeline exports, with values', async () => {
    const { ctx } = fixture
    const streams = await startStreams(ctx, { commitIntervalMs: 50 })
    const sink = await startSink(ctx)
    const dashboard = await startDashboard(ctx, { healthIntervalMs: 200 })
    let exposition: string
    let registered: Set<string>
    try {
      await runProducer(ctx, { rate: 500, seed: 3, maxOrders: 30, initialUsers: 10 })
      await streams.app.settle()
      await sink.waitUntilCaughtUp(30_000)
      exposition = await (await fetch(new URL('/metrics', dashboard.url))).text()
      // labelled counters nothing has incremented (e.g. no record dropped) have no lines yet
      registered = new Set((await appRegistry(ctx).getMetricsAsJSON()).map((m) => m.name))
    } finally {
      await dashboard.close()
      await sink.close()
      await streams.close()
    }
    const exported = new Set(
      exposition.split('\n').flatMap((line) => /^([a-z_0-9]+)[{ ]/.exec(line)?.[1] ?? []),
    )
    for (const panel of board.panels)
      for (const { expr } of panel.targets)
        for (const name of namesIn(expr))
          assert.ok(
            exported.has(name) || registered.has(name),
            `panel "${panel.title}" reads ${name}, which /metrics does not export`,
          )
    const processed = /^tributary_streams_records_processed_total\S* (\d+)/m.exec(exposition)
    assert.ok(Number(processed?.[1]) > 0, 'records processed are counted')
  })
})
