import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EntryCache } from '../../../src/log/embedded/entry-cache.ts'
import type { ConsumerRecord } from '../../../src/log/log.ts'

const record = (offset: number): ConsumerRecord =>
  ({ topic: 't', partition: 0, offset, key: null, value: null, timestamp: 0, headers: {} }) as ConsumerRecord

function filled(offsets: number[]): EntryCache {
  const cache = new EntryCache()
  for (const offset of offsets) cache.push(offset, 0, 0, record(offset))
  return cache
}

const live = (cache: EntryCache): number[] => cache.offsets.slice(cache.head)

describe('entry cache', () => {
  it('finds the first entry at or after an offset, across gaps', () => {
    const cache = filled([0, 1, 2, 5, 6, 9])
    assert.equal(cache.indexOf(-1), 0)
    assert.equal(cache.indexOf(2), 2)
    assert.equal(cache.indexOf(3), 3)
    assert.equal(cache.indexOf(9), 5)
    assert.equal(cache.indexOf(10), 6)
    assert.equal(new EntryCache().indexOf(4), 0)
  })

  it('evicts in batches: only once 10% over the limit, down to the limit', () => {
    const cache = filled(Array.from({ length: 110 }, (_, i) => i))
    cache.evict(100)
    assert.equal(cache.size, 110)
    cache.push(110, 0, 0, record(110))
    cache.evict(100)
    assert.equal(cache.size, 100)
    assert.equal(cache.firstOffset, 11)
    assert.equal(cache.lastOffset, 110)
    assert.equal(cache.indexOf(0), cache.head, 'an evicted offset finds the oldest entry held')
  })

  it('drops entries below an offset and releases their records at once', () => {
    const cache = filled(Array.from({ length: 100 }, (_, i) => 2 * i))
    cache.dropBelow(21)
    assert.deepEqual(live(cache).slice(0, 2), [22, 24])
    assert.ok(cache.head > 0, 'a short front is cut by moving head')
    assert.ok(
      cache.records.slice(0, cache.head).every((r) => r === undefined),
      'dropped records are not held',
    )
    cache.dropBelow(150)
    assert.equal(cache.head, 0, 'a long front is cut by copying')
    assert.deepEqual(live(cache).slice(0, 2), [150, 152])
    cache.dropBelow(1000)
    assert.equal(cache.size, 0)
    assert.equal(cache.firstOffset, undefined)
    assert.equal(cache.lastOffset, undefined)
  })

  it('is reset to the newest entries of a compacted sequence', () => {
    const cache = filled([1, 2, 3])
    cache.reset(
      { offsets: [4, 8, 9], kinds: [0, 2, 0], txns: [0, 7, 0], records: [record(4), undefined, record(9)] },
      2,
    )
    assert.deepEqual(live(cache), [8, 9])
    assert.deepEqual(cache.kinds, [2, 0])
    assert.deepEqual(cache.txns, [7, 0])
  })
})
