// lmdb stores on a disk that fills up (a 1 MiB tmpfs; needs root for `mount`, fails without it):
// the failed commit rejects with code STATE naming the store's directory and the errno, the store
// keeps its previous commit, nothing ends the process (lmdb's own commit promises are handled),
// and closing does not hang, even while the failing commit is still in flight.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { storageErrorOf } from '../../../src/storage-error.ts'

const logger = { debug() {}, info() {}, warn() {}, error() {} }

/** 50 entries of 1 kB: about 14 commits fill the 1 MiB disk. */
const entriesOf = (commit: number) =>
  Array.from(
    { length: 50 },
    (_, i) => [Buffer.from(`k${commit}-${i}`), Buffer.alloc(1000, 7)] as [Buffer, Buffer],
  )

function mountSmallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-lmdb-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`cannot mount a 1 MiB tmpfs at ${dir} (this test needs root): ${String(err)}`)
  }
  return dir
}

function unmount(dir: string): void {
  // Lazily: the environment whose commit failed stays mapped until this process ends.
  execFileSync('umount', ['-l', dir])
  rmSync(dir, { recursive: true, force: true })
}

it('fails a commit on a full disk with a STATE error naming the store, keeps the last commit and closes', async () => {
  const dir = mountSmallDisk()
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  process.on('unhandledRejection', onUnhandled)
  try {
    const stores = await Promise.all(
      ['a', 'b'].map((name) => lmdbBackendFactory.open(dir, 't', name, { logger })),
    )
    let commits = 0
    let failure: unknown
    for (; failure === undefined && commits < 1000; commits++) {
      const entries = entriesOf(commits)
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
    unmount(dir)
  }
})

it('closes a store whose failing commit is still in flight (waits for it, then closes bounded)', async () => {
  // First find the commit the disk refuses, then on a fresh disk close while that one is pending.
  const failingCommit = async (dir: string) => {
    const store = await lmdbBackendFactory.open(dir, 't', 'a', { logger })
    let commit = 0
    for (; ; commit++) {
      const failed = await store.write(entriesOf(commit), commit).then(
        () => false,
        () => true,
      )
      if (failed || commit > 1000) break
    }
    await store.close()
    return commit
  }
  const probe = mountSmallDisk()
  let failing: number
  try {
    failing = await failingCommit(probe)
  } finally {
    unmount(probe)
  }
  const dir = mountSmallDisk()
  try {
    const store = await lmdbBackendFactory.open(dir, 't', 'a', { logger })
    for (let commit = 0; commit < failing; commit++) await store.write(entriesOf(commit), commit)
    const pending = store.write(entriesOf(failing), failing).then(
      () => undefined,
      (err: unknown) => err,
    )
    let timer: NodeJS.Timeout | undefined
    const closed = await Promise.race([
      store.close().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
    ])
    clearTimeout(timer)
    assert.ok(closed, 'close finished within 10 s')
    assert.ok(isTributaryError(await pending, 'STATE'), 'the in-flight commit failed with STATE')
  } finally {
    unmount(dir)
  }
})
