import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { withTempDir } from '../temp-dir.ts'

describe('lmdb backend', () => {
  it('keeps each store in its own directory under its task, even when names look like file names', () =>
    withTempDir(async (dir) => {
      const backend = await lmdbBackendFactory.open(dir, '1.2', 'counts.v2')
      await backend.close()
      assert.ok(existsSync(join(dir, '1.2', 'counts.v2', 'data.mdb')))
    }))

  it('refuses a key over the size limit without writing any of the batch', () =>
    withTempDir(async (dir) => {
      const backend = await lmdbBackendFactory.open(dir, '0_0', 'store')
      try {
        const batch = [
          [Buffer.from('ok'), Buffer.from('1')],
          [Buffer.alloc(5000, 1), Buffer.from('2')],
        ] as const
        await assert.rejects(backend.write(batch, 1), (err) => isTributaryError(err, 'STATE'))
        assert.equal(backend.get(Buffer.from('ok')), undefined)
        assert.equal(backend.checkpoint(), undefined)
      } finally {
        await backend.close()
      }
    }))

  it('refuses to open a shard that is already open, and opens it again after close', () =>
    withTempDir(async (dir) => {
      const backend = await lmdbBackendFactory.open(dir, '0_0', 'store')
      await assert.rejects(lmdbBackendFactory.open(dir, '0_0', 'store'), (err) =>
        isTributaryError(err, 'STATE'),
      )
      await backend.close()
      const again = await lmdbBackendFactory.open(dir, '0_0', 'store')
      await again.close()
    }))

  it('refuses store names and task ids that cannot name a database or a directory', () =>
    withTempDir(async (dir) => {
      await assert.rejects(lmdbBackendFactory.open(dir, '0_0', 'a/b'), (err) =>
        isTributaryError(err, 'CONFIG'),
      )
      await assert.rejects(lmdbBackendFactory.open(dir, '0_0', '#meta'), (err) =>
        isTributaryError(err, 'CONFIG'),
      )
      await assert.rejects(lmdbBackendFactory.open(dir, '..', 'store'), (err) =>
        isTributaryError(err, 'CONFIG'),
      )
    }))

  it('keeps a closed store of a task readable by reopening while a sibling store stays open', () =>
    withTempDir(async (dir) => {
      const sibling = await lmdbBackendFactory.open(dir, '0_0', 'sibling')
      const store = await lmdbBackendFactory.open(dir, '0_0', 'store')
      await store.write([[Buffer.from('k'), Buffer.from('v')]], 9)
      await store.close()
      const reopened = await lmdbBackendFactory.open(dir, '0_0', 'store')
      assert.deepEqual(reopened.get(Buffer.from('k')), Buffer.from('v'))
      assert.equal(reopened.checkpoint(), 9)
      await Promise.all([reopened.close(), sibling.close()])
    }))
})
