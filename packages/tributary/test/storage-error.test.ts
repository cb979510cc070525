import assert from 'node:assert/strict'
import { constants } from 'node:fs'
import { describe, it } from 'node:test'
import { storageAdvice, storageErrorOf } from '../src/storage-error.ts'
import { EmbeddedLog } from '../src/log/embedded/index.ts'
import { nodeFs, type StorageFs } from '../src/log/embedded/storage-fs.ts'
import { tempDir } from './log/embedded/helpers.ts'

const errno = (code: string): Error => Object.assign(new Error(`${code}: simulated`), { code })

describe('storage failure messages', () => {
  it('name the real cause of each errno', () => {
    assert.match(storageAdvice('ENOSPC'), /disk is full: free space/)
    assert.match(storageAdvice('EDQUOT'), /quota/)
    assert.match(storageAdvice('EROFS'), /read-only/)
    assert.match(storageAdvice('EIO'), /check the device/)
    assert.equal(storageAdvice('EMFILE'), 'too many open files; raise the limit (ulimit -n)')
    assert.match(storageAdvice('ENFILE'), /^too many open files on this system; raise the limit/)
    assert.match(storageAdvice('EACCES'), /permission denied/)
    for (const code of ['EMFILE', 'ENFILE', 'EACCES', 'EROFS'])
      assert.doesNotMatch(storageAdvice(code), /free space$|full/, code)
  })

  it("say 'too many open files' when the embedded log runs out of descriptors, not 'free space'", async () => {
    const tmp = tempDir()
    try {
      let refuse = false
      const fs: StorageFs = {
        ...nodeFs,
        openSync: (path, flags) => {
          if (refuse && typeof flags === 'number' && (flags & constants.O_CREAT) !== 0) throw errno('EMFILE')
          return nodeFs.openSync(path, flags)
        },
      }
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, fs, onWarning: () => undefined })
      refuse = true
      await assert.rejects(log.admin.createTopics([{ name: 'wide', partitions: 3 }]), (err: Error) => {
        assert.match(
          err.message,
          /\(EMFILE: .*\); too many open files; raise the limit \(ulimit -n\)\. The embedded log stopped/,
        )
        assert.doesNotMatch(err.message, /free space|disk is full/i)
        assert.equal(storageErrorOf(err), undefined, 'not a storage error: no waiting for the disk helps')
        return true
      })
      await log.close().catch(() => {})
    } finally {
      tmp.remove()
    }
  })
})
