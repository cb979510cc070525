import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog, type FsyncMode } from '../../../src/log/embedded/index.ts'
import { FaultyFs, type FaultCall, type FaultKind } from './faulty-fs.ts'
import { buf, tempDir, values } from './helpers.ts'

const partitions = [0, 1, 2]

/** Commits transaction 1, then runs transaction 2's commit with `fault` at its nth call. */
async function commitWithFault(
  dir: string,
  call: FaultCall,
  kind: FaultKind,
  nth: number,
  sticky: boolean,
  fsync: FsyncMode,
): Promise<{ fired: boolean; failed: unknown }> {
  const fs = new FaultyFs()
  const log = await EmbeddedLog.open({ dataDir: dir, fsync, fs, onWarning: () => undefined })
  await log.admin.createTopics([
    { name: 'in', partitions: 1 },
    { name: 'out', partitions: 3 },
  ])
  const producer = await log.producer({ transactionalId: 'tx' })
  for (const round of [1, 2]) {
    await producer.beginTransaction()
    await producer.send(
      partitions.map((p) => ({ topic: 'out', partition: p, key: null, value: buf(`t${round}`) })),
    )
    await producer.sendOffsets('g', [{ topic: 'in', partition: 0, offset: round * 10 }])
    if (round === 1) await producer.commitTransaction()
  }
  fs.arm({ call, kind, nth, sticky })
  let failed: unknown = null
  try {
    await producer.commitTransaction()
  } catch (err) {
    failed = err
  }
  if (failed !== null) {
    assert.ok(isTributaryError(err(failed), 'LOG'), String(failed))
    assert.match(err(failed).message, /tributary-embedded-.*(journal|\.log)/, 'the error names the file')
    await assert.rejects(producer.beginTransaction(), /stopped after a storage failure/)
    assert.deepEqual(
      log.problems.list().map((p) => p.kind),
      ['commit-failed'],
    )
  }
  // A fault past the commit hits close's final sync: close then fails naming the file.
  await log.close().catch((e: unknown) => assert.ok(failed === null && isTributaryError(e, 'LOG')))
  return { fired: fs.fired, failed }
}

const err = (e: unknown): Error => e as Error

describe('a storage fault while a transaction commits', () => {
  // 'always' syncs the data as it is sent; 'interval' leaves the data syncs to the commit.
  for (const [call, kind, sticky, fsync] of [
    ['write', 'ENOSPC', true, 'always'],
    ['write', 'ENOSPC', false, 'always'],
    ['write', 'short', true, 'always'],
    ['write', 'EIO', false, 'always'],
    ['fsync', 'EIO', false, 'always'],
    ['fsync', 'EIO', false, 'interval'],
  ] as const) {
    const how = sticky ? 'the disk stays full' : 'later writes succeed'
    it(`${kind} at any ${call} of the commit (${how}, fsync ${fsync}): after a restart it is whole or invisible, with its offsets`, async () => {
      let outcomes = 0
      for (let nth = 1; ; nth++) {
        const tmp = tempDir()
        try {
          const { fired } = await commitWithFault(tmp.dir, call, kind, nth, sticky, fsync)
          const log = await EmbeddedLog.open({ dataDir: tmp.dir })
          try {
            const [offset] = await log.admin.committedOffsets('g', [{ topic: 'in', partition: 0 }])
            const committed = partitions.map((p) => values(log, 'out', p, 'read_committed'))
            const second = committed.filter((v) => v.includes('t2')).length
            assert.ok(second === 0 || second === 3, `transaction 2 is on ${second} of 3 partitions`)
            for (const v of committed) assert.equal(v[0], 't1', 'transaction 1 stays committed')
            assert.equal(offset?.offset, second === 3 ? 20 : 10, 'the offsets go with the transaction')
            if (!fired) assert.equal(second, 3, 'without a fault the commit is whole')
            // The log works again after the restart: nothing doubled, a new transaction commits.
            const producer = await log.producer({ transactionalId: 'tx' })
            await producer.beginTransaction()
            await producer.send([{ topic: 'out', partition: 0, key: null, value: buf('t3') }])
            await producer.commitTransaction()
            assert.deepEqual(
              values(log, 'out', 0, 'read_committed'),
              second === 3 ? ['t1', 't2', 't3'] : ['t1', 't3'],
            )
          } finally {
            await log.close()
          }
          outcomes++
          if (!fired) break
        } finally {
          tmp.remove()
        }
      }
      assert.ok(outcomes > 2, 'the commit makes several calls, each was failed once')
    })
  }
})
