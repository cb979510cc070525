import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { fetchV17 } from '@platformatic/kafka'
import { decodePartition } from '../../../src/log/kafka/record-batches.ts'

type Batch = NonNullable<fetchV17.FetchResponsePartition['records']>[number]

const TRANSACTIONAL = 1 << 4
const CONTROL = 1 << 5

function batch(firstOffset: number, values: string[], producerId = -1n, attributes = 0): Batch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n + BigInt(values.length),
    producerId,
    attributes,
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: null,
      value: Buffer.from(v),
      headers: [[Buffer.from('h'), Buffer.from(v)]],
    })),
  } as unknown as Batch
}

function marker(offset: number, producerId: bigint, commit: boolean): Batch {
  const key = Buffer.alloc(4)
  key.writeInt16BE(commit ? 1 : 0, 2)
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    firstTimestamp: 0n,
    maxTimestamp: 0n,
    producerId,
    attributes: TRANSACTIONAL | CONTROL,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: Buffer.alloc(6), headers: [] }],
  } as unknown as Batch
}

function response(batches: Batch[], aborted: { producerId: bigint; firstOffset: bigint }[] = []) {
  return {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 0n,
    lastStableOffset: 0n,
    logStartOffset: 0n,
    abortedTransactions: aborted,
    preferredReadReplica: -1,
    records: batches,
  } as fetchV17.FetchResponsePartition
}

const values = (decoded: ReturnType<typeof decodePartition>) =>
  decoded.records.map((r) => r.value!.toString())

describe('decoding fetched record batches', () => {
  it('returns records from the requested offset with timestamps and headers', () => {
    const decoded = decodePartition('t', 0, response([batch(0, ['a', 'b', 'c'])]), 1, 'read_uncommitted')
    assert.deepEqual(values(decoded), ['b', 'c'])
    assert.deepEqual(
      decoded.records.map((r) => [r.offset, r.timestamp, r.headers['h']?.toString()]),
      [
        [1, 1001, 'b'],
        [2, 1002, 'c'],
      ],
    )
    assert.equal(decoded.next, 3)
  })

  it('skips transaction markers but moves past them', () => {
    const decoded = decodePartition(
      't',
      0,
      response([batch(0, ['a'], 7n, TRANSACTIONAL), marker(1, 7n, true)]),
      0,
      'read_committed',
    )
    assert.deepEqual(values(decoded), ['a'])
    assert.equal(decoded.next, 2)
  })

  it('drops every aborted transaction of a producer under read_committed, keeping the committed one between', () => {
    const batches = [
      batch(0, ['x1'], 7n, TRANSACTIONAL),
      marker(1, 7n, false),
      batch(2, ['ok'], 7n, TRANSACTIONAL),
      marker(3, 7n, true),
      batch(4, ['x2'], 7n, TRANSACTIONAL),
      batch(5, ['plain']),
      marker(6, 7n, false),
    ]
    const aborted = [
      { producerId: 7n, firstOffset: 4n },
      { producerId: 7n, firstOffset: 0n },
    ]
    assert.deepEqual(values(decodePartition('t', 0, response(batches, aborted), 0, 'read_committed')), [
      'ok',
      'plain',
    ])
    assert.deepEqual(values(decodePartition('t', 0, response(batches, aborted), 0, 'read_uncommitted')), [
      'x1',
      'ok',
      'x2',
      'plain',
    ])
  })
})
