import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, tempDir, values } from './helpers.ts'

/** cacheRecords: 0 leaves the minimum of 1000 cached records per partition. */
describe('durable partitions larger than the record cache', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  const expected = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`)

  async function fill(log: EmbeddedLog): Promise<void> {
    log.sync.createTopic({ name: 't', partitions: 1, cleanupPolicy: 'compact' })
    const producer = await log.producer({ transactionalId: 'tx' })
    for (let i = 0; i < 5000; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => ({
        topic: 't',
        key: buf(`k${(i + j) % 100}`),
        value: buf(`v${i + j}`),
        headers: { n: buf(String(i + j)) },
      }))
      if (i === 1000) {
        await producer.beginTransaction()
        await producer.send([{ topic: 't', key: buf('aborted'), value: buf('aborted') }])
        await producer.abortTransaction()
      }
      log.sync.append(batch)
    }
  }

  it('reads old records back from disk with their offsets and headers', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0, compactAfterEntries: 0 })
    await fill(log)
    assert.deepEqual(values(log, 't', 0, 'read_committed'), expected(5000))
    const uncommitted = values(log, 't', 0, 'read_uncommitted')
    assert.equal(uncommitted.length, 5001)
    assert.equal(uncommitted[1000], 'aborted')
    const consumer = await log.consumer({ groupId: 'g', isolation: 'read_committed' })
    await consumer.assign([{ topic: 't', partition: 0 }])
    const seen: string[] = []
    while (seen.length < 5000) {
      for (const r of await consumer.poll({ maxRecords: 333, timeoutMs: 1000 })) {
        assert.equal(r.headers['n']?.toString(), r.value?.toString().slice(1))
        seen.push(r.value!.toString())
      }
    }
    assert.deepEqual(seen, expected(5000))
    await log.close()
  })

  it('recovers and compacts a partition that does not fit in the cache', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0, compactAfterEntries: 0 })
    await fill(first)
    await first.close()
    const second = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0, compactAfterEntries: 0 })
    assert.deepEqual(values(second, 't', 0, 'read_committed'), expected(5000))
    await second.compact('t')
    assert.deepEqual(values(second, 't', 0, 'read_committed'), expected(5000).slice(4900))
    await second.close()
    const third = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0 })
    const records = third.sync.read({ topic: 't', partition: 0 }, 0, 10_000)
    assert.deepEqual(
      records.map((r) => r.value?.toString()),
      expected(5000).slice(4900),
    )
    assert.equal(
      records[0]!.offset,
      4902,
      'offsets survive compaction (the aborted record and its marker took two)',
    )
    await third.close()
  })
})
