import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { pipelineDriver, T0 } from '../helpers/pipeline-driver.ts'

describe('duplicates', () => {
  it('an order whose order_id was already accepted is ignored and counted', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0 + 1_000)
    p.order('o-1', 'u-1', 10, T0 + 2_000)
    p.order('o-1', 'u-1', 99, T0 + 3_000) // same id, other content: still a duplicate
    const rows = p.processed.readValuesToList()
    assert.equal(rows.length, 1)
    assert.deepEqual([rows[0]!.order_count, rows[0]!.revenue], [1, 10])
    assert.equal(p.metrics.duplicates, 2)
    assert.equal(p.metrics.ordersAccepted, 1)
    assert.ok(p.dlq.isEmpty(), 'duplicates are not dead-lettered')
    p.driver.close()
  })

  it('a rejected order does not count as accepted: a later valid copy of its id is accepted', () => {
    const p = pipelineDriver()
    p.orders.pipeInput('o-1', '{broken', T0)
    p.order('o-1', 'u-1', 10, T0 + 1_000)
    assert.equal(p.processed.readValuesToList().length, 1)
    assert.equal(p.metrics.duplicates, 0)
    p.driver.close()
  })

  it('an accepted id is remembered for the dedupe retention of event time, then forgotten', () => {
    const day = 24 * 3_600_000
    const p = pipelineDriver()
    p.order('o-1', 'u-1', 10, T0)
    p.order('o-2', 'u-1', 10, T0 + day - 60_000)
    p.order('o-1', 'u-1', 10, T0 + day - 30_000) // within 24 h of the first: duplicate
    assert.equal(p.metrics.duplicates, 1)
    p.order('o-3', 'u-1', 10, T0 + 2 * day)
    p.order('o-1', 'u-1', 10, T0 + 2 * day + 1_000) // 48 h later: expired, accepted again
    assert.equal(p.metrics.duplicates, 1)
    assert.equal(p.metrics.ordersAccepted, 4)
    p.driver.close()
  })
})

describe('enrichment with the users table', () => {
  it('an order joins its user: region and segment come from the users table', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 12.5, T0 + 5_000)
    const [key, row] = p.processed.readKeyValue()
    assert.equal(key, '2026-01-01T00:00:00.000Z|eu|retail')
    assert.deepEqual(row, {
      window_start: T0,
      window_end: T0 + 60_000,
      region: 'eu',
      segment: 'retail',
      order_count: 1,
      revenue: 12.5,
      final: false,
    })
    p.driver.close()
  })

  it('an order of a user not known at that point gets region and segment unknown', () => {
    const p = pipelineDriver()
    p.order('o-1', 'u-404', 7, T0 + 5_000)
    p.user('u-404', 'us', 'smb', T0 + 6_000) // too late for o-1
    p.order('o-2', 'u-404', 3, T0 + 7_000)
    const rows = p.processed.readValuesToList()
    assert.deepEqual(
      rows.map((r) => [r.region, r.segment, r.order_count, r.revenue]),
      [
        ['unknown', 'unknown', 1, 7],
        ['us', 'smb', 1, 3],
      ],
    )
    assert.equal(p.metrics.unknownUsers, 1)
    p.driver.close()
  })

  it('the latest users record wins, keyed by payload.user_id whatever the record key', () => {
    const p = pipelineDriver()
    p.user('u-1', 'eu', 'retail')
    p.users.pipeInput(
      'wrong-key',
      JSON.stringify({
        event_id: 'e2',
        timestamp: 2,
        source: 's',
        type: 'UserCreated',
        payload: { user_id: 'u-1', region: 'apac', segment: 'enterprise' },
      }),
      2,
    )
    p.order('o-1', 'u-1', 1, T0)
    const row = p.processed.readValue()
    assert.deepEqual([row.region, row.segment], ['apac', 'enterprise'])
    p.driver.close()
  })
})
