import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { partitionForKey } from '../../../src/log/murmur2.ts'
import { buf } from './helpers.ts'

describe('synchronous facet', () => {
  it('creates topics, appends and reads without awaiting', () => {
    const log = EmbeddedLog.openSync()
    log.sync.createTopic({ name: 'in', partitions: 4 })
    assert.equal(log.sync.partitions('in'), 4)
    const [meta] = log.sync.append([{ topic: 'in', key: buf('user:1001'), value: buf('v'), timestamp: 5 }])
    assert.deepEqual(meta, { topic: 'in', partition: partitionForKey(buf('user:1001'), 4), offset: 0 })
    const records = log.sync.read({ topic: 'in', partition: meta!.partition }, 0, 10)
    assert.equal(records.length, 1)
    assert.equal(records[0]!.timestamp, 5)
    assert.equal(log.sync.endOffset({ topic: 'in', partition: meta!.partition }), 1)
    void log.close()
  })

  it('shares data with the asynchronous clients of the same log', async () => {
    const log = EmbeddedLog.openSync()
    log.sync.createTopic({ name: 'in', partitions: 1 })
    const consumer = await log.consumer({ groupId: 'g' })
    await consumer.assign([{ topic: 'in', partition: 0 }])
    const polled = consumer.poll({ timeoutMs: 5000 })
    log.sync.append([{ topic: 'in', key: null, value: buf('hello') }])
    assert.deepEqual(
      (await polled).map((r) => r.value?.toString()),
      ['hello'],
    )
    await log.close()
  })

  it('rejects unknown topics with code LOG', () => {
    const log = EmbeddedLog.openSync()
    assert.throws(
      () => log.sync.partitions('nope'),
      (err: unknown) => isTributaryError(err, 'LOG') && /nope/.test(err.message),
    )
    assert.throws(
      () => log.sync.read({ topic: 'nope', partition: 0 }, 0, 1),
      (err: unknown) => isTributaryError(err, 'LOG'),
    )
    void log.close()
  })
})
