import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CleanerCheckpoint, MAX_CLEAN_RUNS } from '../../../src/log/embedded/cleaner-checkpoint.ts'

const DAY = 24 * 3600_000

describe('CleanerCheckpoint', () => {
  it('tells when each offset below the first dirty offset was first cleaned', () => {
    const c = new CleanerCheckpoint()
    assert.equal(c.firstDirtyOffset, 0)
    assert.equal(c.cleanedAt(0), undefined)
    c.advance(10, 100, 0, DAY)
    c.advance(10, 200, 0, DAY) // nothing new cleaned
    c.advance(25, 300, 0, DAY)
    c.advance(30, 300, 0, DAY) // same time: one run
    assert.equal(c.firstDirtyOffset, 30)
    assert.deepEqual(
      [0, 9, 10, 29, 30].map((o) => c.cleanedAt(o)),
      [100, 100, 300, 300, undefined],
    )
  })

  it('tells whether a kept tombstone may be due, so an idle partition is not read again', () => {
    const c = new CleanerCheckpoint()
    c.advance(10, 100, 0, DAY)
    c.keptTombstones(Infinity) // the round kept none
    assert.equal(c.tombstonesDue(1e12), false)
    c.advance(20, 300, 0, DAY)
    c.keptTombstones(300)
    assert.deepEqual(
      [299, 300].map((t) => c.tombstonesDue(t)),
      [false, true],
    )
    const restored = new CleanerCheckpoint()
    restored.restore(c.runs) // not known after a restart: due once a run is old enough
    assert.deepEqual(
      [99, 100].map((t) => restored.tombstonesDue(t)),
      [false, true],
    )
  })

  it('stays small by merging runs, only ever making a time later', () => {
    const c = new CleanerCheckpoint()
    const times = Array.from({ length: 100 }, (_, i) => i * i) // ever wider gaps
    for (let i = 0; i < times.length; i++) {
      c.advance((i + 1) * 10, times[i]!, 0, DAY)
      for (let o = 0; o < (i + 1) * 10; o += 5) {
        const truth = times[Math.floor(o / 10)]!
        assert.ok(c.cleanedAt(o)! >= truth, `offset ${o} after ${i + 1} rounds`)
      }
    }
    const runs = new Set(Array.from({ length: 1000 }, (_, o) => c.cleanedAt(o))).size
    assert.ok(runs <= MAX_CLEAN_RUNS, `${runs} runs`)
    assert.equal(c.cleanedAt(999), 99 * 99, 'the newest run keeps its time')
  })

  it('merges the runs whose tombstones may all go, and drops those below the log start', () => {
    const c = new CleanerCheckpoint()
    c.advance(10, 0, 0, 1000)
    c.advance(20, 500, 0, 1000)
    c.advance(30, 1600, 0, 1000) // 0 and 500 are both 1000 ms old: one run at 500
    assert.deepEqual([c.cleanedAt(0), c.cleanedAt(19), c.cleanedAt(20)], [500, 500, 1600])
    c.advance(40, 1700, 25, 1000) // the run ending at 20 is below the log start
    assert.deepEqual([c.cleanedAt(25), c.cleanedAt(35)], [1600, 1700])
  })
})
