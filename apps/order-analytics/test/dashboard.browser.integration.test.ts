import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startDashboard, type DashboardHandle } from '../src/dashboard/start-dashboard.ts'
import { centsOf, formatCents, LEADERS } from '../src/dashboard/revenue-model.ts'
import { readTable, type RevenueRow } from '../src/sink/read-table.ts'
import { startSink, type SinkHandle } from '../src/sink/start-sink.ts'
import { openBrowser, type Browser } from './dashboard/browser.ts'
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
