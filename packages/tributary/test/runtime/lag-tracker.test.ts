import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Admin, PartitionOffset } from '../../src/log/log.ts'
import { LagTracker } from '../../src/runtime/lag-tracker.ts'

const tp = { topic: 'users', partition: 0 }

/** A tracker over a log whose end offset of `users-0` the test sets; the consumer stands at 5. */
function tracker() {
  const log = { end: 5, fetches: 0 }
  const admin = {
    endOffsets: async (partitions: readonly { topic: string; partition: number }[]) => {
      log.fetches++
      return partitions.map((p): PartitionOffset => ({ ...p, offset: log.end }))
    },
  } as unknown as Admin
  return { log, lag: new LagTracker(admin, 'read_committed', () => 5, 100) }
}

describe('LagTracker', () => {
  it('counts a partition as lagging until its end is known, then by position against the end', async () => {
    const { log, lag } = tracker()
    assert.equal(lag.lagging([tp]), true, 'no end known yet')
    await lag.refresh(1_000)
    assert.equal(lag.lagging([tp]), false, 'read to the end')
    log.end = 6
    await lag.refresh(1_100)
    assert.equal(lag.lagging([tp]), true, 'a record past the position')
  })

  it('does not trust an end read before the mark: a record may have been written after that look', async () => {
    const { log, lag } = tracker()
    assert.equal(lag.lagging([tp]), true)
    await lag.refresh(1_000)
    const mark = lag.looks() // the partition goes empty; then a record lands
    log.end = 6
    assert.equal(lag.lagging([tp], mark), true, 'the end known was read before the mark')
    assert.equal(lag.lagging([tp]), false, 'without a mark, the old end is taken as it is')
    await lag.refresh(1_100)
    assert.equal(lag.lagging([tp], mark), true, 'the look after the mark finds the record')
  })

  it('lets an empty partition go once a look begun after the mark shows it read to the end', async () => {
    const { log, lag } = tracker()
    assert.equal(lag.lagging([tp]), true)
    await lag.refresh(1_000)
    const mark = lag.looks()
    assert.equal(lag.lagging([tp], mark), true)
    await lag.refresh(1_050)
    assert.equal(log.fetches, 1, 'refreshes at most every refreshMs')
    await lag.refresh(1_100)
    assert.equal(lag.lagging([tp], mark), false)
  })
})
