import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../src/log/kafka/consumer-protocol.ts'

describe('Kafka consumer protocol bytes', () => {
  it('round-trips a subscription with and without user data', () => {
    assert.deepEqual(decodeSubscription(encodeSubscription({ topics: ['a', 'bé'] })), { topics: ['a', 'bé'] })
    const userData = Buffer.from([1, 2, 3])
    assert.deepEqual(decodeSubscription(encodeSubscription({ topics: ['t'], userData })), {
      topics: ['t'],
      userData,
    })
  })

  it('writes the version 0 layout Kafka tools read', () => {
    // int16 version, int32 topic count, int16-prefixed name, int32 -1 for null user data
    assert.equal(
      encodeSubscription({ topics: ['ab'] }).toString('hex'),
      '0000' + '00000001' + '0002' + '6162' + 'ffffffff',
    )
  })

  it('round-trips an assignment grouped by topic', () => {
    const partitions = [
      { topic: 'x', partition: 0 },
      { topic: 'y', partition: 3 },
      { topic: 'x', partition: 2 },
    ]
    assert.deepEqual(decodeAssignment(encodeAssignment(partitions)), [
      { topic: 'x', partition: 0 },
      { topic: 'x', partition: 2 },
      { topic: 'y', partition: 3 },
    ])
    assert.deepEqual(decodeAssignment(encodeAssignment([])), [])
  })

  it('reads an empty or missing assignment as no partitions', () => {
    assert.deepEqual(decodeAssignment(null), [])
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)), [])
    assert.deepEqual(decodeSubscription(null), { topics: [] })
  })
})
