import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startStreams } from '../src/cli/start-streams.ts'
import { startDashboard, type DashboardHandle } from '../src/dashboard/start-dashboard.ts'
import { centsOf, formatCents, LEADERS } from '../src/dashboard/revenue-model.ts'
import { readTable, type RevenueRow } from '../src/sink/read-table.ts'
import { startSink, type SinkHandle } from '../src/sink/start-sink.ts'
import { openBrowser, type Browser } from './dashboard/browser.ts'
import { orderEnvelope, userEnvelope } from './helpers/pipeline-driver.ts'
import { produceMinutes } from './dashboard/demo-data.ts'
import { emptyColumns, layoutProblems, type UPlotLike } from './dashboard/page-checks.ts'
import { appFixture, MINUTE, T0, type AppFixture } from './sink/app-fixture.ts'

/** Where the screenshots go (dashboard-1400x900.png, dashboard-390x844.png): look at them. */
const SCREENSHOTS = process.env['DASHBOARD_SCREENSHOTS'] ?? tmpdir()
/** A minute without any window: the charts must leave a gap there, not draw 0. */
const GAP = T0 + 20 * MINUTE
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

/** What the page must show, computed from the database alone. */
function expected(rows: readonly RevenueRow[], minutes = 30) {
  const latest = Math.max(...rows.map((r) => r.window_start.getTime()))
  const shown = rows.filter((r) => r.window_start.getTime() > latest - minutes * MINUTE)
  const current = rows
    .filter((r) => r.window_start.getTime() === latest)
    .sort((a, b) => centsOf(b.revenue) - centsOf(a.revenue))
  return {
    totalRevenue: formatCents(shown.reduce((s, r) => s + centsOf(r.revenue), 0)),
    totalOrders: shown.reduce((s, r) => s + r.order_count, 0),
    leaders: current.slice(0, LEADERS).map((r) => [r.region, r.segment, String(r.order_count), r.revenue]),
  }
}

async function shown(browser: Browser) {
  return browser.page.evaluate(() => ({
    totalRevenue: document.querySelector<HTMLElement>('#kpi-total-revenue')!.dataset['value'],
    totalOrders: Number(document.querySelector<HTMLElement>('#kpi-total-orders')!.dataset['value']),
    leaders: Array.from(document.querySelectorAll<HTMLElement>('#leaders-body tr[data-region]')).map((tr) => [
      tr.dataset['region'],
      tr.dataset['segment'],
      tr.dataset['orders'],
      tr.dataset['revenue'],
    ]),
    text: document.querySelector('#kpi-total-revenue')!.textContent,
  }))
}

describe('the live dashboard in Chromium', () => {
  let f: AppFixture
  let sink: SinkHandle
  let dashboard: DashboardHandle
  let browser: Browser

  before(async () => {
    f = await appFixture()
    sink = await startSink(f.ctx)
    await produceMinutes(f, 0, 20)
    await produceMinutes(f, 21, 28)
    await f.anomaly({
      window_start: T0 + 21 * MINUTE,
      region: 'apac',
      segment: 'enterprise',
      revenue: 4210.5,
      trailing_average: 905.12,
      ratio: 4.652,
    })
    await f.anomaly({
      window_start: T0 + 26 * MINUTE,
      region: 'us-east',
      segment: 'smb',
      revenue: 6120.75,
      trailing_average: 1510.4,
      ratio: 4.052,
    })
    await sink.waitUntilCaughtUp(20_000)
    dashboard = await startDashboard(f.ctx, { healthIntervalMs: 500 })
    browser = await openBrowser()
  })

  after(async () => {
    await browser?.close()
    await dashboard?.close()
    await sink?.close()
    await f?.cleanup()
  })

  it('loads with no console errors and shows the figures of the database', async () => {
    await browser.page.goto(dashboard.url)
    await browser.page.waitForFunction(() => Number(document.body.dataset['renders']) >= 1)
    const want = expected(await readTable(f.ctx))
    assert.deepEqual(await shown(browser).then(({ text: _, ...rest }) => rest), want)
    assert.equal(await browser.page.locator('#alerts li').count(), 2)
    assert.equal(
      await browser.page.locator('#h-dup').textContent(),
      'n/a',
      'no topology in this process: duplicates unknown',
    )
    assert.equal(await browser.page.locator('#feed').textContent(), 'live')
    const series = await browser.page.evaluate(() =>
      ['chart-region', 'chart-segment', 'chart-orders'].map((id) => {
        const u = (document.getElementById(id) as HTMLElement & { minuteChart: { plot: UPlotLike } })
          .minuteChart.plot
        return [u.series.slice(1).map((x) => x.label), u.axes[1]!.label]
      }),
    )
    assert.deepEqual(series, [
      [['apac', 'eu-west', 'latam', 'us-east'], 'revenue per minute (USD)'],
      [['consumer', 'enterprise', 'smb'], 'revenue per minute (USD)'],
      [['orders'], 'orders per minute'],
    ])
    assert.deepEqual(browser.errors, [])
  })

  it('updates the figures while it is watched', async () => {
    const before = await shown(browser)
    // The open window gets more orders, and a new minute opens.
    await produceMinutes(f, 27, 29, 1.5)
    await f.anomaly({
      window_start: T0 + 28 * MINUTE,
      region: 'eu-west',
      segment: 'enterprise',
      revenue: 9100,
      trailing_average: 2010,
      ratio: 4.527,
    })
    await sink.waitUntilCaughtUp(20_000)
    const want = expected(await readTable(f.ctx))
    assert.notEqual(want.totalRevenue, before.totalRevenue)
    await browser.page.waitForFunction(
      (revenue) => document.querySelector<HTMLElement>('#kpi-total-revenue')!.dataset['value'] === revenue,
      want.totalRevenue,
      { timeout: 15_000 },
    )
    const now = await shown(browser)
    assert.deepEqual(
      { totalRevenue: now.totalRevenue, totalOrders: now.totalOrders, leaders: now.leaders },
      want,
    )
    assert.notEqual(now.text, before.text)
    assert.equal(await browser.page.locator('#alerts li').count(), 3)
    assert.deepEqual(browser.errors, [])
  })

  for (const [width, height] of [
    [1400, 900],
    [390, 844],
  ] as const) {
    it(`fits ${width}×${height}: charts drawn with gaps, hover values, every figure and row readable`, async () => {
      const { page } = browser
      await page.setViewportSize({ width, height })
      await page.waitForFunction(
        (w) => document.querySelector<HTMLElement>('#chart-region canvas')!.getBoundingClientRect().width < w,
        width,
      )
      await page.waitForTimeout(300) // the charts follow their boxes on the next frame
      assert.deepEqual(await layoutProblems(page), [])
      const rows = await page.locator('#leaders-body tr[data-region]').count()
      assert.equal(rows, LEADERS)
      for (const chart of ['chart-region', 'chart-segment', 'chart-orders']) {
        const around = [GAP - 2 * MINUTE, GAP, GAP + 2 * MINUTE]
        assert.deepEqual(
          await emptyColumns(page, chart, around),
          [GAP],
          `${chart}: drawn, with a gap at 12:20`,
        )
      }

      // Hovering a minute shows each region's revenue of that minute, in dollars.
      const minute = T0 + 10 * MINUTE
      const x = await page.evaluate(
        (m) =>
          (
            document.getElementById('chart-region') as HTMLElement & { minuteChart: { plot: UPlotLike } }
          ).minuteChart.plot.valToPos(m, 'x', false),
        minute,
      )
      const over = (await page.locator('#chart-region .u-over').boundingBox())!
      await page.mouse.move(over.x + x, over.y + over.height / 2)
      const tooltip = page.locator('#chart-region .chart-tooltip')
      await tooltip.waitFor({ state: 'visible' })
      const rowsAt = (await readTable(f.ctx)).filter((r) => r.window_start.getTime() === minute)
      const apac = rowsAt.filter((r) => r.region === 'apac').reduce((sum, r) => sum + centsOf(r.revenue), 0)
      const text = await tooltip.innerText()
      assert.match(text, /^12:10 UTC/)
      assert.match(text, new RegExp(`apac\\s+${usd.format(apac / 100).replace(/[$.]/g, '\\$&')}`))
      assert.deepEqual(await layoutProblems(page), [], 'the tooltip stays inside the page')

      await page.mouse.move(0, 0)
      await page.waitForTimeout(700) // let the flash animation settle for the screenshot
      await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${width}x${height}.png`), fullPage: true })
      assert.deepEqual(browser.errors, [])
    })
  }
})

describe('late records on the live dashboard in Chromium', () => {
  it('lists each window late orders were dropped from, with the processor, count and lateness', async () => {
    const f = await appFixture()
    const streams = await startStreams(f.ctx, { processingGuarantee: 'at-least-once', commitIntervalMs: 50 })
    let dashboard: DashboardHandle | undefined
    let browser: Browser | undefined
    try {
      const producer = await f.ctx.log.producer()
      const order = (id: string, at: number) =>
        producer.send([
          {
            topic: f.ctx.topics.ordersRaw,
            key: Buffer.from(id),
            value: Buffer.from(
              JSON.stringify(orderEnvelope(id, 'u1', [{ sku: 'sku-1', quantity: 1, price: 10 }], at)),
            ),
          },
        ])
      await producer.send([
        {
          topic: f.ctx.topics.usersRaw,
          key: Buffer.from('u1'),
          value: Buffer.from(JSON.stringify(userEnvelope('u1', 'eu-west', 'smb', T0 - MINUTE))),
        },
      ])
      // Stream time reaches 12:05; then three orders of 12:00 and one of 12:01 come (grace 30 s).
      for (let m = 0; m <= 5; m++) await order(`on-time-${m}`, T0 + m * MINUTE + 1000)
      await streams.app.settle()
      await order('late-1', T0 + 10_000)
      await order('late-2', T0 + 20_000)
      await order('late-3', T0 + 5_000)
      await order('late-4', T0 + MINUTE + 30_000)
      await producer.close()
      await streams.app.settle()
      assert.equal(streams.app.metrics().lateRecords, 4)

      dashboard = await startDashboard(f.ctx, { healthIntervalMs: 300 })
      browser = await openBrowser()
      await browser.page.goto(dashboard.url)
      await browser.page.locator('#late').waitFor({ state: 'visible' })
      const rows = await browser.page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLTableRowElement>('#late-body tr')).map((tr) => ({
          processor: tr.dataset['processor'],
          windowStart: tr.dataset['windowStart'],
          records: tr.dataset['records'],
          maxLatenessMs: tr.dataset['maxLatenessMs'],
          text: Array.from(tr.querySelectorAll('.when, .processor, td.num'), (c) => c.textContent),
        })),
      )
      const stream = T0 + 5 * MINUTE + 1000
      const processor = rows[0]?.processor ?? ''
      assert.match(processor, /AGGREGATE/, 'the windowed aggregation dropped them')
      assert.deepEqual(rows, [
        {
          processor,
          windowStart: String(T0 + MINUTE),
          records: '1',
          maxLatenessMs: String(stream - (T0 + MINUTE + 30_000)),
          text: ['12:01–12:02', processor, '1', '3 min 31 s'],
        },
        {
          processor,
          windowStart: String(T0),
          records: '3',
          maxLatenessMs: String(stream - (T0 + 5_000)),
          text: ['12:00–12:01', processor, '3', '4 min 56 s'],
        },
      ])
      assert.equal(await browser.page.locator('#h-late').textContent(), '4')
      assert.equal(await browser.page.locator('#late-processors').textContent(), `${processor}: 4`)
      assert.deepEqual(await layoutProblems(browser.page), [])
      await browser.page.setViewportSize({ width: 390, height: 844 })
      await browser.page.waitForTimeout(300)
      assert.deepEqual(await layoutProblems(browser.page), [], 'the late table fits a phone')
      await browser.page.locator('#late').screenshot({ path: join(SCREENSHOTS, 'dashboard-late-390.png') })
      assert.deepEqual(browser.errors, [])
    } finally {
      await browser?.close()
      await dashboard?.close()
      await streams.close()
      await f.cleanup()
    }
  })
})
