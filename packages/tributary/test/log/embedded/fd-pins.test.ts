import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FdPins } from '../../../src/log/embedded/fd-pins.ts'
import { nodeFs, type StorageFs } from '../../../src/log/embedded/storage-fs.ts'

/** Records closes; fdatasync waits until the test finishes it. */
function recordingFs(): { fs: StorageFs; closed: number[]; finish: (err?: string) => void } {
  const waiting: ((err: NodeJS.ErrnoException | null) => void)[] = []
  const closed: number[] = []
  const fs: StorageFs = {
    ...nodeFs,
    closeSync: (fd) => void closed.push(fd),
    fdatasync: (_fd, done) => void waiting.push(done),
  }
  const finish = (err?: string): void =>
    waiting.shift()!(err === undefined ? null : Object.assign(new Error(err), { code: err }))
  return { fs, closed, finish }
}

describe('FdPins', () => {
  it('closes a descriptor lent to a sync only when the sync returns', async () => {
    const { fs, closed, finish } = recordingFs()
    const pins = new FdPins(fs)
    const syncs = [pins.fdatasync(7, '/x'), pins.fdatasync(7, '/x')]
    pins.close(7)
    assert.deepEqual(closed, [], 'not closed under the syncs')
    finish()
    assert.deepEqual(closed, [])
    finish()
    await Promise.all(syncs)
    assert.deepEqual(closed, [7])
    pins.close(8)
    assert.deepEqual(closed, [7, 8], 'a descriptor not lent closes at once')
  })

  it('rejects with a StorageFailure naming the path', async () => {
    const { fs, finish } = recordingFs()
    const sync = new FdPins(fs).fdatasync(3, '/data/topics/a/0/x.log')
    finish('EIO')
    await assert.rejects(sync, (err: Error) =>
      /fsync of \/data\/topics\/a\/0\/x\.log failed \(EIO/.test(err.message),
    )
  })
})
