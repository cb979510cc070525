import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodePartitionTimes, encodePartitionTimes } from '../../src/runtime/stream-time-metadata.ts'

describe('partition times in commit metadata', () => {
  it('round-trips processed time and frontier', () => {
    const times = { processed: 1_767_225_600_000, frontier: 1_767_225_601_500 }
    assert.deepEqual(decodePartitionTimes(encodePartitionTimes(times)), times)
  })

  it('keeps the frontier of a partition buffered but not processed yet', () => {
    const encoded = encodePartitionTimes({ processed: -Infinity, frontier: 42 })
    assert.deepEqual(decodePartitionTimes(encoded), { processed: -Infinity, frontier: 42 })
  })

  it('writes nothing before any record and ignores metadata of other writers', () => {
    assert.equal(encodePartitionTimes({ processed: -Infinity, frontier: -Infinity }), undefined)
    assert.equal(decodePartitionTimes('AQAAAZN'), undefined)
    assert.equal(decodePartitionTimes(undefined), undefined)
  })
})
