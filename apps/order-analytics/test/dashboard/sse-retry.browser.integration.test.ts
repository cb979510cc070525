// The dashboard page when the server has all the event streams it allows (/events answers 503):
// it keeps showing the figures of /api/summary instead of freezing or going blank, and goes live
// again by itself once a stream is free. Debian's Chromium through playwright-core.
import assert from 'node:assert/strict'
import { request, type ClientRequest } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { startDashboard, type DashboardHandle } from '../../src/dashboard/start-dashboard.ts'
import { startSink, type SinkHandle } from '../../src/sink/start-sink.ts'
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'
import { openBrowser, type Browser } from './browser.ts'
import { produceMinutes } from './demo-data.ts'

/** Opens an event stream and holds it: resolves once the server accepted it. */
function holdStream(url: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('events', url), (res) => {
      if (res.statusCode === 200) resolve(req)
      else reject(new Error(`/events answered ${res.statusCode}`))
    })
    req.on('error', () => {})
    req.end()
  })
}

describe('the dashboard page when /events is full', () => {
  let f: AppFixture
  let sink: SinkHandle
  let dashboard: DashboardHandle
  let browser: Browser

  before(async () => {
    f = await appFixture()
    sink = await startSink(f.ctx)
    await produceMinutes(f, 0, 5)
    await sink.waitUntilCaughtUp(20_000)
    dashboard = await startDashboard(f.ctx, { maxEventStreams: 1, healthIntervalMs: 500 })
    browser = await openBrowser()
  })

  after(async () => {
    await browser?.close()
    await dashboard?.close()
    await sink?.close()
    await f?.cleanup()
  })

  it('shows the figures while refused, then goes live when a stream frees up', async () => {
    const { page } = browser
    const other = await holdStream(dashboard.url) // the one stream the server allows
    await page.goto(dashboard.url)
    await page.waitForFunction(() => document.querySelector('#feed')!.textContent!.startsWith('retrying'))
    const shown = () =>
      page.evaluate(() => document.querySelector<HTMLElement>('#kpi-total-orders')!.dataset['value'])
    const orders = await shown()
    assert.ok(Number(orders) > 0, `the figures of /api/summary are on the page (${orders})`)

    // It keeps trying (and refreshing the figures) while the stream is taken.
    const refused = () => browser.errors.filter((e) => e === `HTTP 503: ${dashboard.url}events`).length
    const deadline = Date.now() + 20_000
    while (refused() < 2) {
      assert.ok(Date.now() < deadline, `a second attempt within 20 s (errors: ${browser.errors.join('; ')})`)
      await new Promise((r) => setTimeout(r, 200))
    }
    assert.equal(await shown(), orders, 'still showing the figures, not a blank page')

    // A stream frees up: the page goes live by itself, and follows new data.
    other.destroy()
    await page.waitForFunction(() => document.querySelector('#feed')!.textContent === 'live', undefined, {
      timeout: 40_000,
    })
    await produceMinutes(f, 6, 7)
    await sink.waitUntilCaughtUp(20_000)
    await page.waitForFunction(
      (before) => document.querySelector<HTMLElement>('#kpi-total-orders')!.dataset['value'] !== before,
      orders,
      { timeout: 15_000 },
    )
    // Chromium logs each refused stream twice: as a response and on the console.
    const refusal = (e: string) =>
      e === `HTTP 503: ${dashboard.url}events` ||
      e ===
        'console: Failed to load resource: the server responded with a status of 503 (Service Unavailable)'
    assert.deepEqual(
      browser.errors.filter((e) => !refusal(e)),
      [],
      'no error but the refused streams',
    )
  })
})
