import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AnomalyDetected } from '../../src/contract/processed-row.ts'
import { pipelineDriver, T0 } from '../helpers/pipeline-driver.ts'

const MIN = 60_000

/** One order per minute with the given revenues, then an order that closes the last window. */
function run(revenues: number[], region = 'eu') {
  const p = pipelineDriver({ graceMs: 0 })
  p.user('u-1', region, 'retail')
  revenues.forEach((r, i) => p.order(`o-${i}`, 'u-1', r, T0 + i * MIN))
  p.order('closer', 'u-1', 1, T0 + revenues.length * MIN)
  const events = p.outbox.readValuesToList()
  p.driver.close()
  return {
    closed: events.filter((e) => e.type === 'WindowClosed').length,
    anomalies: events.filter((e): e is AnomalyDetected => e.type === 'AnomalyDetected'),
  }
}

describe('anomaly alerts: revenue > 3 × the trailing average of the last 10 final windows (at least 3)', () => {
  it('a window above 3 × the average of the previous ones is an anomaly', () => {
    const { closed, anomalies } = run([10, 10, 10, 30.01])
    assert.equal(closed, 4)
    assert.equal(anomalies.length, 1)
    assert.deepEqual(anomalies[0]!.payload, {
      window_start: T0 + 3 * MIN,
      region: 'eu',
      segment: 'retail',
      revenue: 30.01,
      trailing_average: 10,
      ratio: 3.001,
    })
    assert.equal(anomalies[0]!.source, 'order-analytics')
  })

  it('exactly 3 × the average is not an anomaly', () => {
    assert.equal(run([10, 10, 10, 30]).anomalies.length, 0)
  })

  it('with fewer than 3 windows of history nothing is an anomaly', () => {
    assert.equal(run([10, 10, 1000]).anomalies.length, 0)
  })

  it('only the last 10 windows count: old small windows leave the average', () => {
    // 10 windows of 100 after 5 of 1: the average of the last 10 is 100, so 250 is normal
    // (the first 100s are anomalies against the 1s; the 250 is not: without the window limit the
    // average would be (5 + 1000) / 15 = 67 and 250 an anomaly)
    const { anomalies } = run([1, 1, 1, 1, 1, ...Array(10).fill(100), 250])
    assert.deepEqual(
      anomalies.map((a) => a.payload.revenue),
      [100, 100, 100],
    )
  })

  it('an anomalous window joins the history of later windows', () => {
    const { anomalies } = run([10, 10, 10, 100, 100])
    // the 5th window: average of [10, 10, 10, 100] = 32.5, 100 < 97.5? no: 100 > 97.5 → anomaly
    assert.deepEqual(
      anomalies.map((a) => a.payload.revenue),
      [100, 100],
    )
    assert.equal(anomalies[1]!.payload.trailing_average, 32.5)
  })
})
