import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { Serdes } from '../../../src/serde/serdes.ts'
import { openStore } from '../../../src/state/open-store.ts'
import { Stores } from '../../../src/state/stores.ts'
import { withTempDir } from '../temp-dir.ts'

const config = (option: string) => (err: unknown) =>
  isTributaryError(err, 'CONFIG') && err.message.includes(option)

describe('Stores for session stores', () => {
  it('builds a session store with logging enabled by default, and toggles it without changing the original', () => {
    const supplier = Stores.inMemorySessionStore('visits', { retentionMs: 300_000 })
    const builder = Stores.sessionStoreBuilder(supplier, Serdes.string(), Serdes.number())
    assert.equal(builder.name, 'visits')
    assert.equal(builder.loggingEnabled, true)
    assert.equal(builder.factory.persistent, false)
    assert.equal(builder.withLoggingDisabled().loggingEnabled, false)
    assert.equal(builder.loggingEnabled, true)
    assert.equal(supplier.segmentIntervalMs, 150_000)
    assert.equal(Stores.persistentSessionStore('visits', { retentionMs: 1 }).factory.persistent, true)
  })

  it('refuses options that cannot work, naming the option', () => {
    assert.throws(() => Stores.inMemorySessionStore('s', { retentionMs: 0 }), config('retentionMs'))
    assert.throws(() => Stores.inMemorySessionStore('s', { retentionMs: -5 }), config('retentionMs'))
    assert.throws(
      () => Stores.inMemorySessionStore('s', { retentionMs: 10, segmentIntervalMs: 0.5 }),
      config('segmentIntervalMs'),
    )
    assert.throws(() => Stores.persistentSessionStore('', { retentionMs: 10 }), config('store name'))
  })

  it('opens a typed session store for a task that survives a reopen when persistent', () =>
    withTempDir(async (dir) => {
      const builder = Stores.sessionStoreBuilder(
        Stores.persistentSessionStore('visits', { retentionMs: 600_000 }),
        Serdes.string(),
        Serdes.number(),
      )
      const first = await openStore(builder, dir, '0_1')
      first.store.put({ key: 'u1', window: { start: 1_000, end: 4_000 } }, 2)
      await first.bytes.commit(1)
      await first.bytes.backend.close()
      const second = await openStore(builder, dir, '0_1')
      assert.equal(second.store.fetchSession('u1', 1_000, 4_000), 2)
      await second.bytes.backend.close()
    }))
})
