import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { centsOf, formatCents, RevenueModel } from '../../src/dashboard/revenue-model.ts'
import type { Health } from '../../src/dashboard/summary.ts'
import { outboxEvent } from '../../src/contract/index.ts'
import { MINUTE, row, T0 } from '../sink/app-fixture.ts'

const health = {} as Health

describe('RevenueModel', () => {
  it('rounds revenue to cents half away from zero, as PostgreSQL stores numeric(18,2)', () => {
    assert.equal(centsOf('2.675'), 268)
    assert.equal(centsOf(String(0.1 + 0.2)), 30)
    assert.equal(centsOf('1234567.005'), 123456701)
    assert.equal(centsOf('-1.005'), -101)
    assert.equal(centsOf('7'), 700)
    assert.equal(centsOf('1e-7'), 0)
    assert.equal(formatCents(123456701), '1234567.01')
    assert.equal(formatCents(5), '0.05')
  })

  it('sums revenue and orders per minute by region and by segment, the last update of a cell winning', () => {
    const m = new RevenueModel(30)
    m.seed([{ window_start: new Date(T0), region: 'eu', segment: 'smb', order_count: 2, revenue: '20.00' }])
    m.applyProcessed(row({ window_start: T0, region: 'eu', segment: 'smb', order_count: 3, revenue: 30.1 }))
    m.applyProcessed(row({ window_start: T0, region: 'us', segment: 'smb', order_count: 1, revenue: 5 }))
    m.applyProcessed(
      row({
        window_start: T0 + 2 * MINUTE,
        region: 'us',
        segment: 'retail',
        order_count: 4,
        revenue: 40.005,
      }),
    )
    const s = m.summary(health, 1)
    assert.deepEqual(s.minutes, [T0, T0 + MINUTE, T0 + 2 * MINUTE])
    // T0 + 1 min has no window at all: no data (a gap); eu has none at T0 + 2 min: it sold nothing.
    assert.deepEqual(s.revenueByRegion, { eu: [30.1, null, 0], us: [5, null, 40.01] })
    assert.deepEqual(s.revenueBySegment, { retail: [0, null, 40.01], smb: [35.1, null, 0] })
    assert.deepEqual(s.ordersPerMinute, [4, null, 4])
    assert.deepEqual(s.revenuePerMinute, [35.1, null, 40.01])
    assert.deepEqual(s.totals, { revenue: '75.11', orders: 8 })
    assert.deepEqual(s.currentWindow, {
      windowStart: T0 + 2 * MINUTE,
      final: false,
      revenue: '40.01',
      orders: 4,
      leaders: [{ region: 'us', segment: 'retail', orders: 4, revenue: '40.01' }],
    })
  })

  it('shows at most the configured minutes, ending at the latest window', () => {
    const m = new RevenueModel(5)
    for (let i = 0; i < 12; i++) m.applyProcessed(row({ window_start: T0 + i * MINUTE }))
    const s = m.summary(health)
    assert.equal(s.minutes.length, 5)
    assert.equal(s.minutes.at(-1), T0 + 11 * MINUTE)
    assert.equal(s.totals.orders, 5)
  })

  it('marks the current window final once WindowClosed arrived, and keeps the newest alerts once each', () => {
    const m = new RevenueModel(30, 120, 2)
    m.applyProcessed(row({ window_start: T0 }))
    m.applyOutbox(outboxEvent('WindowClosed', 'k', 1, row({ window_start: T0, final: true })))
    assert.equal(m.summary(health).currentWindow?.final, true)
    const anomaly = (minute: number) =>
      outboxEvent('AnomalyDetected', `a${minute}`, 5, {
        window_start: T0 + minute * MINUTE,
        region: 'eu',
        segment: 'smb',
        revenue: 10,
        trailing_average: 2,
        ratio: 5,
      })
    m.applyOutbox(anomaly(1))
    m.applyOutbox(anomaly(1))
    m.applyOutbox(anomaly(3))
    m.applyOutbox(anomaly(2))
    assert.deepEqual(
      m.summary(health).alerts.map((a) => a.windowStart),
      [T0 + 3 * MINUTE, T0 + 2 * MINUTE],
    )
  })
})
