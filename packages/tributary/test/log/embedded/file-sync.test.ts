import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { allDurable, FileSync } from '../../../src/log/embedded/file-sync.ts'

/** A background sync the test finishes by hand. */
function manualSync(): { run: () => Promise<void>; calls: number; finish: (err?: Error) => void } {
  const pending: ((err?: Error) => void)[] = []
  const state = {
    calls: 0,
    run: () => {
      state.calls++
      return new Promise<void>((resolve, reject) => pending.push((err) => (err ? reject(err) : resolve())))
    },
    finish: (err?: Error) => pending.shift()!(err),
  }
  return state
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('FileSync', () => {
  it('resolves at once when nothing was written since the last sync', async () => {
    const sync = new FileSync()
    const disk = manualSync()
    await sync.durable(disk.run)
    sync.wrote()
    sync.syncedAll()
    await sync.durable(disk.run)
    assert.equal(disk.calls, 0)
  })

  it('runs one sync at a time: callers covered wait for it, later writes share the next one', async () => {
    const sync = new FileSync()
    const disk = manualSync()
    sync.wrote()
    const a = sync.durable(disk.run)
    const b = sync.durable(disk.run) // same writes: the running sync covers them
    sync.wrote()
    const c = sync.durable(disk.run)
    sync.wrote()
    const d = sync.durable(disk.run) // shares the sync after the running one
    assert.equal(disk.calls, 1)
    disk.finish()
    await Promise.all([a, b])
    await tick()
    assert.equal(disk.calls, 2, 'one more sync for the writes made meanwhile')
    assert.equal(sync.dirty, true)
    disk.finish()
    await Promise.all([c, d])
    assert.equal(sync.dirty, false)
  })

  it('fails every later call once a sync failed, even if the disk answers again', async () => {
    const sync = new FileSync()
    const disk = manualSync()
    sync.wrote()
    const first = sync.durable(disk.run)
    sync.wrote()
    const queued = sync.durable(disk.run)
    disk.finish(new Error('EIO'))
    await assert.rejects(first, /EIO/)
    await assert.rejects(queued, /EIO/)
    await assert.rejects(sync.durable(disk.run), /EIO/)
    assert.throws(() => sync.check(), /EIO/)
    assert.equal(disk.calls, 1)
  })
})

describe('allDurable', () => {
  it('waits for every sync before failing with the first failure', async () => {
    let slowDone = false
    const slow = new Promise<void>((resolve) => setTimeout(() => ((slowDone = true), resolve()), 20))
    await assert.rejects(allDurable([Promise.reject(new Error('EIO')), slow]), /EIO/)
    assert.equal(slowDone, true)
  })
})
