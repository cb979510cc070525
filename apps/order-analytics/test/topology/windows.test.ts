import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { pipelineDriver, T0 } from '../helpers/pipeline-driver.ts'

const MIN = 60_000

describe('1-minute windows per (region, segment)', () => {
  it('orders at the last and first millisecond of adjacent minutes fall into different windows', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 1, T0)
    p.order('o-2', 'u-1', 2, T0 + MIN - 1)
    p.order('o-3', 'u-1', 4, T0 + MIN)
    const rows = p.processed.readValuesToList()
    assert.deepEqual(
      rows.map((r) => [r.window_start - T0, r.window_end - T0, r.order_count, r.revenue, r.final]),
      [
        [0, MIN, 1, 1, false],
        [0, MIN, 2, 3, false],
        [MIN, 2 * MIN, 1, 4, false],
      ],
    )
    p.driver.close()
  })

  it('regions and segments are aggregated apart; revenue sums totals exactly to the cent', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.user('u-2', 'eu', 'smb')
    p.user('u-3', 'us', 'retail')
    for (let i = 0; i < 10; i++) p.order(`a-${i}`, 'u-1', 0.1, T0 + i)
    p.order('b-1', 'u-2', 19.99, T0 + 20)
    p.order('c-1', 'u-3', 5, T0 + 30)
    const latest = p.processed.readKeyValuesToMap()
    assert.deepEqual(
      [...latest].map(([k, v]) => [k, v.order_count, v.revenue]),
      [
        ['2026-01-01T00:00:00.000Z|eu|retail', 10, 1],
        ['2026-01-01T00:00:00.000Z|eu|smb', 1, 19.99],
        ['2026-01-01T00:00:00.000Z|us|retail', 1, 5],
      ],
    )
    p.driver.close()
  })
})

describe('grace and final results', () => {
  it('a window takes orders until stream time reaches its end + grace (30 s by default), then is final', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0 + 10_000)
    p.order('o-2', 'u-1', 1, T0 + MIN + 29_999) // stream time end + grace - 1
    p.order('o-3', 'u-1', 5, T0 + 50_000) // out of order but within grace: counted
    assert.ok(p.outbox.isEmpty(), 'no final result before the window closes')
    p.order('o-4', 'u-1', 1, T0 + MIN + 30_000) // stream time reaches end + grace: window 0 closes
    p.order('o-5', 'u-1', 100, T0 + 59_000) // late: dropped and counted
    const rows = p.processed.readValuesToList()
    const finals = rows.filter((r) => r.final)
    assert.equal(finals.length, 1)
    assert.deepEqual([finals[0]!.window_start, finals[0]!.order_count, finals[0]!.revenue], [T0, 2, 15])
    assert.equal(
      rows.filter((r) => r.window_start === T0 && r.order_count === 3).length,
      0,
      'the late order is not counted',
    )
    assert.equal(p.driver.metrics().lateRecords, 1)
    const [closed, ...rest] = p.outbox.readRecordsToList()
    assert.equal(rest.length, 0)
    assert.equal(closed!.key, '2026-01-01T00:00:00.000Z|eu|retail')
    assert.equal(closed!.value.type, 'WindowClosed')
    assert.equal(closed!.value.source, 'order-analytics')
    assert.equal(closed!.value.timestamp, T0 + MIN)
    assert.match(
      closed!.value.event_id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    assert.deepEqual(closed!.value.payload, finals[0])
    assert.equal(p.metrics.windowsClosed, 1)
    p.driver.close()
  })

  it('the final result follows the window updates on orders-processed, under the same key', () => {
    const p = pipelineDriver({ graceMs: 0 })
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0)
    p.order('o-2', 'u-1', 10, T0 + MIN)
    const rows = p.processed.readKeyValuesToList()
    assert.deepEqual(
      rows.map(([k, v]) => [k, v.final]),
      [
        ['2026-01-01T00:00:00.000Z|eu|retail', false],
        ['2026-01-01T00:01:00.000Z|eu|retail', false],
        ['2026-01-01T00:00:00.000Z|eu|retail', true],
      ],
    )
    p.driver.close()
  })

  it('the grace is configurable', () => {
    const p = pipelineDriver({ graceMs: 5_000 })
    p.order('o-1', 'u-1', 10, T0)
    p.order('o-2', 'u-1', 10, T0 + MIN + 5_000)
    p.order('o-3', 'u-1', 10, T0 + 1)
    assert.equal(p.driver.metrics().lateRecords, 1)
    assert.equal(p.outbox.readValue().type, 'WindowClosed')
    p.driver.close()
  })
})
