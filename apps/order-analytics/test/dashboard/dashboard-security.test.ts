import assert from 'node:assert/strict'
import { request, type ClientRequest } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { startDashboard, type DashboardHandle } from '../../src/dashboard/start-dashboard.ts'
import { rawRequest, traversals } from '../../../../packages/tributary/test/http/raw-request.ts'
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'

const TOKEN = 'dashboard-test-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const CAP = 40

describe('the dashboard with a bearer token (HTTP_AUTH_TOKEN)', () => {
  let f: AppFixture
  let dashboard: DashboardHandle
  before(async () => {
    f = await appFixture()
    dashboard = await startDashboard(
      { ...f.ctx, http: { auth: { bearer: TOKEN } } },
      { healthIntervalMs: 60_000, maxEventStreams: CAP },
    )
  })
  after(async () => {
    await dashboard?.close()
    await f?.cleanup()
  })

  it('listens on 127.0.0.1 by default', () => {
    assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('answers 401 to every route without the token, and serves them with it', async () => {
    for (const path of ['/', '/app.js', '/api/summary', '/metrics', '/health', '/events', '/nope']) {
      const res = await rawRequest(dashboard.url, path)
      assert.equal(res.status, 401, path)
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="order-analytics dashboard"')
    }
    assert.equal((await rawRequest(dashboard.url, '/', { headers: auth })).status, 200)
    assert.equal((await rawRequest(dashboard.url, '/api/summary', { headers: auth })).status, 200)
  })

  it('never serves a file outside src/web: traversal attempts get 404', async () => {
    for (const path of [
      ...traversals('package.json'),
      ...traversals('src/context.ts'),
      '/../../../../etc/passwd',
    ]) {
      const res = await rawRequest(dashboard.url, path, { headers: auth })
      assert.equal(res.status, 404, path)
      assert.doesNotMatch(res.body, /"name"|import |root:/, path)
    }
  })

  it('answers 413 to an oversized body', async () => {
    const res = await rawRequest(dashboard.url, '/api/summary', {
      method: 'POST',
      headers: auth,
      body: Buffer.alloc(2 * 1024 * 1024),
    })
    assert.equal(res.status, 413)
  })

  it('stays responsive through 1,000 event-stream connection attempts, holding at most the cap', async () => {
    const held: ClientRequest[] = []
    const statuses = await Promise.all(
      Array.from(
        { length: 1000 },
        () =>
          new Promise<number>((resolve, reject) => {
            const req = request(new URL('/events', dashboard.url), { headers: auth, agent: false }, (res) => {
              res.resume()
              resolve(res.statusCode!)
            })
            req.on('error', reject)
            held.push(req)
            req.end()
          }),
      ),
    )
    try {
      assert.equal(statuses.filter((s) => s === 200).length, CAP)
      assert.equal(statuses.filter((s) => s === 503).length, 1000 - CAP)
      const summary = await rawRequest(dashboard.url, '/api/summary', { headers: auth })
      assert.equal(summary.status, 200)
      const metrics = await rawRequest(dashboard.url, '/metrics', { headers: auth })
      assert.match(metrics.body, new RegExp(`^order_analytics_dashboard_clients\\{[^}]*\\} ${CAP}$`, 'm'))
    } finally {
      for (const req of held) req.destroy()
    }
    // The slots free up as those browsers leave.
    let clients = CAP
    while (clients > 0) {
      await new Promise((r) => setTimeout(r, 50))
      const metrics = await rawRequest(dashboard.url, '/metrics', { headers: auth })
      clients = Number(/^order_analytics_dashboard_clients\{[^}]*\} (\d+)$/m.exec(metrics.body)![1])
    }
  })
})
