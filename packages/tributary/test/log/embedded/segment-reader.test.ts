import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { ConsumerRecord, Isolation } from '../../../src/log/log.ts'
import { FaultyFs } from './faulty-fs.ts'
import { buf, FIRST_SEGMENT, tempDir } from './helpers.ts'

/**
 * Records evicted from the cache are read back from their segment files through the sparse index
 * (cacheRecords: 0 keeps the minimum of 1000 entries per partition in memory). Each case runs the
 * same workload on a log that caches everything: what both serve must be identical.
 */
describe('reading evicted records through the sparse index', () => {
  let tmp: ReturnType<typeof tempDir>
  let reference: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
    reference = tempDir()
  })
  afterEach(() => {
    tmp.remove()
    reference.remove()
  })

  const tp = { topic: 't', partition: 0 }
  const open = (dir: string, cached: boolean): Promise<EmbeddedLog> =>
    EmbeddedLog.open({ dataDir: dir, cacheRecords: cached ? 1e9 : 0, compactAfterEntries: 0 })

  /** Plain records, committed and aborted transactions, and one left open across 3000 records. */
  async function fill(log: EmbeddedLog): Promise<() => Promise<void>> {
    log.sync.createTopic({ name: 't', partitions: 1, cleanupPolicy: 'compact', segmentBytes: 64 * 1024 })
    const tx = await log.producer({ transactionalId: 'tx' })
    const open = await log.producer({ transactionalId: 'open' })
    const record = (i: number) => ({
      ...tp,
      key: buf(`k${i % 700}`),
      value: buf(`v${i}`),
      timestamp: 1_700_000_000_000 + i,
      headers: i % 3 === 0 ? { n: buf(String(i)) } : {},
    })
    for (let i = 0; i < 6000; i += 100) {
      log.sync.append(Array.from({ length: 100 }, (_, j) => record(i + j)))
      if (i % 700 === 0) {
        await tx.beginTransaction()
        await tx.send(Array.from({ length: 40 }, (_, j) => record(100_000 + i + j)))
        await (i % 1400 === 0 ? tx.abortTransaction() : tx.commitTransaction())
      }
      if (i === 2000) {
        await open.beginTransaction()
        await open.send([record(200_000), record(200_001)])
      }
    }
    return () => open.commitTransaction()
  }

  const show = (records: readonly ConsumerRecord[]): string[] =>
    records.map(
      (r) =>
        `${r.offset}:${r.key?.toString()}=${r.value?.toString()}@${r.timestamp}${JSON.stringify(r.headers)}`,
    )

  /** Reads from offsets across the whole log with several batch sizes, both isolations. */
  function assertSameReads(log: EmbeddedLog, expected: EmbeddedLog): void {
    const end = log.sync.endOffset(tp)
    assert.equal(end, expected.sync.endOffset(tp))
    for (const isolation of ['read_uncommitted', 'read_committed'] as Isolation[]) {
      assert.equal(log.sync.endOffset(tp, isolation), expected.sync.endOffset(tp, isolation))
      for (let from = 0; from <= end; from += 97) {
        for (const max of [1, 7, 600]) {
          const got = show(log.sync.read(tp, from, max, isolation))
          assert.deepEqual(
            got,
            show(expected.sync.read(tp, from, max, isolation)),
            `${isolation} ${from} ${max}`,
          )
        }
      }
      assert.deepEqual(
        show(log.sync.read(tp, 0, 1e6, isolation)),
        show(expected.sync.read(tp, 0, 1e6, isolation)),
      )
    }
  }

  /** What a read_committed consumer sees polling from the start: records and positions. */
  async function consume(log: EmbeddedLog): Promise<string[]> {
    const consumer = await log.consumer({ groupId: 'g', isolation: 'read_committed' })
    await consumer.assign([tp])
    const end = log.sync.endOffset(tp, 'read_committed')
    const seen: string[] = []
    while (consumer.position(tp) < end) {
      const records = await consumer.poll({ maxRecords: 333, timeoutMs: 1000 })
      seen.push(...show(records), `@${consumer.position(tp)}`)
    }
    await consumer.close()
    return seen
  }

  it('serves markers, aborted and open transactions and compaction gaps as a cached log does', async () => {
    const log = await open(tmp.dir, false)
    const expected = await open(reference.dir, true)
    const commitOpen = await fill(log)
    const commitExpected = await fill(expected)
    assert.ok(
      log.sync.endOffset(tp, 'read_committed') < 3000,
      'the open transaction holds the LSO in the evicted range',
    )
    assertSameReads(log, expected)
    assert.deepEqual(await consume(log), await consume(expected))
    await commitOpen()
    await commitExpected()
    assertSameReads(log, expected)
    await log.compact('t')
    await expected.compact('t')
    const compacted = log.sync.read(tp, 0, 1e6)
    assert.ok(compacted.length < 2000, `compaction removed most records (${compacted.length} left)`)
    assert.ok(
      compacted.some((r, i) => i > 0 && r.offset > compacted[i - 1]!.offset + 1),
      'with gaps between offsets',
    )
    assertSameReads(log, expected)
    await log.close()
    await expected.close()
  })

  it('starts reading at a log start moved into an evicted segment, before and after recovery', async () => {
    const log = await open(tmp.dir, false)
    const expected = await open(reference.dir, true)
    for (const l of [log, expected]) {
      await (
        await fill(l)
      )()
      await l.admin.deleteRecordsBefore!([{ ...tp, offset: 1234 }])
    }
    assert.equal(log.sync.read(tp, 0, 1)[0]!.offset, 1234)
    assert.equal(log.sync.read(tp, 1200, 1, 'read_committed')[0]!.offset, 1234)
    assertSameReads(log, expected)
    await log.close()
    await expected.close()
    const reopened = await open(tmp.dir, false)
    const reopenedExpected = await open(reference.dir, true)
    assert.equal(reopened.sync.read(tp, 0, 1)[0]!.offset, 1234)
    assertSameReads(reopened, reopenedExpected)
    await reopened.compact('t')
    await reopenedExpected.compact('t')
    assertSameReads(reopened, reopenedExpected)
    await reopened.close()
    await reopenedExpected.close()
  })

  it('rebuilds the index on recovery: a reopened log serves evicted records as before', async () => {
    const log = await open(tmp.dir, false)
    await (
      await fill(log)
    )()
    const before = show(log.sync.read(tp, 0, 1e6, 'read_committed'))
    await log.close()
    const reopened = await open(tmp.dir, false)
    const expected = await open(reference.dir, true)
    await (
      await fill(expected)
    )()
    assert.deepEqual(show(reopened.sync.read(tp, 0, 1e6, 'read_committed')), before)
    for (const from of [0, 1, 555, 2049, 3001]) {
      assert.deepEqual(
        show(reopened.sync.read(tp, from, 3)),
        show(expected.sync.read(tp, from, 3)),
        `from ${from}`,
      )
    }
    await reopened.close()
    await expected.close()
  })

  it('reports a corrupt byte in an evicted record as CORRUPT naming the file and never serves it', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0 })
    log.sync.createTopic({ name: 't', partitions: 1 })
    for (let i = 0; i < 5000; i += 500)
      log.sync.append(
        Array.from({ length: 500 }, (_, j) => ({ ...tp, key: null, value: buf(`value-${i + j}`) })),
      )
    const path = join(tmp.dir, 'topics', 't', '0', FIRST_SEGMENT)
    const bytes = readFileSync(path)
    const damaged = bytes.indexOf('value-100') + 6
    bytes[damaged] = bytes[damaged]! ^ 0x01
    writeFileSync(path, bytes)
    const corrupt = (err: Error): boolean => {
      assert.ok(isTributaryError(err, 'CORRUPT'), String(err))
      assert.ok(err.message.includes(path), err.message)
      return true
    }
    assert.throws(() => log.sync.read(tp, 100, 1), corrupt)
    assert.throws(() => log.sync.read(tp, 0, 1e6), corrupt)
    assert.equal(log.sync.read(tp, 4990, 5)[0]!.value!.toString(), 'value-4990', 'cached records are served')
    const consumer = await log.consumer({ groupId: 'g' })
    await consumer.assign([tp])
    await assert.rejects(consumer.poll({ maxRecords: 500, timeoutMs: 100 }), corrupt)
    await consumer.close()
    await log.close()
  })

  it('fails a read whose bytes come back flipped or not at all, naming the file, and serves the next one', async () => {
    const fs = new FaultyFs()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, cacheRecords: 0, fs })
    log.sync.createTopic({ name: 't', partitions: 1 })
    for (let i = 0; i < 3000; i += 500)
      log.sync.append(
        Array.from({ length: 500 }, (_, j) => ({ ...tp, key: null, value: buf(`value-${i + j}`) })),
      )
    const expected = show(log.sync.read(tp, 0, 1e6))
    const reads = fs.calls.read
    show(log.sync.read(tp, 0, 1e6))
    const perScan = fs.calls.read - reads
    assert.ok(perScan > 3, `evicted records are read back from the file (${perScan} reads)`)
    const path = join(tmp.dir, 'topics', 't', '0', FIRST_SEGMENT)
    for (let nth = 1; nth <= perScan; nth++) {
      for (const kind of ['corrupt', 'EIO'] as const) {
        fs.arm({ call: 'read', nth, kind, bit: nth * 7919 })
        assert.throws(
          () => log.sync.read(tp, 0, 1e6),
          (err: Error) => err.message.includes(path),
          `${kind} at read ${nth}`,
        )
        assert.ok(fs.fired)
        fs.heal()
        fs.fired = false
        assert.deepEqual(show(log.sync.read(tp, 0, 1e6)), expected)
      }
    }
    await log.close()
  })
})
