// lmdb stores on a disk that fills up (a 1 MiB tmpfs; needs root for `mount`, fails without it):
// the failed commit rejects with code STATE naming the store's directory and the errno, the store
// keeps its previous commit, nothing ends the process (lmdb's own commit promises are handled),
// and closing does not hang.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { storageErrorOf } from '../../../src/storage-error.ts'

it('fails a commit on a full disk with a STATE error naming the store, keeps the last commit and closes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-lmdb-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`cannot mount a 1 MiB tmpfs at ${dir} (this test needs root): ${String(err)}`)
  }
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  try {
    const logger = { debug() {}, info() {}, warn() {}, error() {} }
    const stores = await Promise.all(
      ['a', 'b'].map((name) => lmdbBackendFactory.open(dir, 't', name, { logger })),
    )
    let commits = 0
    let failure: unknown
    for (; failure === undefined && commits < 1000; commits++) {
      const entries = Array.from(
        { length: 50 },
        (_, i) => [Buffer.from(`k${commits}-${i}`), Buffer.alloc(1000, 7)] as [Buffer, Buffer],
      )
      await Promise.all(stores.map((s) => s.write(entries, commits))).catch((err: unknown) => (failure = err))
    }
    assert.ok(isTributaryError(failure, 'STATE'), `a STATE error, got ${String(failure)}`)
    const storage = storageErrorOf(failure)
    assert.ok(storage !== undefined && ['ENOSPC', 'EIO'].includes(storage.errno), String(failure))
    assert.match(storage.path ?? '', new RegExp(`^${dir}/t/[ab]$`))
    assert.ok((failure as Error).message.includes(storage.path!), (failure as Error).message)
    const last = commits - 1
    for (const s of stores)
      assert.ok([last - 1, last].includes(s.checkpoint()!), 'at the last or previous commit')
    await Promise.all(stores.map((s) => s.close()))
    await new Promise((r) => setTimeout(r, 200))
    assert.deepEqual(unhandled, [], 'no unhandled rejection')
  } finally {
    process.off('unhandledRejection', onUnhandled)
    // Lazily: the environment whose commit failed stays mapped until this process ends.
    execFileSync('umount', ['-l', dir])
    rmSync(dir, { recursive: true, force: true })
  }
})
