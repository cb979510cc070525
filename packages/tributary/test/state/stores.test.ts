import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../src/errors.ts'
import { Serdes } from '../../src/serde/serdes.ts'
import { openStore } from '../../src/state/open-store.ts'
import { Stores } from '../../src/state/stores.ts'
import { withTempDir } from './temp-dir.ts'

describe('Stores', () => {
  it('builds a store with logging enabled by default, and toggles it without changing the original', () => {
    const builder = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore('counts'),
      Serdes.string(),
      Serdes.long(),
    )
    assert.equal(builder.name, 'counts')
    assert.equal(builder.loggingEnabled, true)
    assert.equal(builder.factory.persistent, false)
    const quiet = builder.withLoggingDisabled()
    assert.equal(quiet.loggingEnabled, false)
    assert.equal(builder.loggingEnabled, true)
    assert.equal(quiet.withLoggingEnabled().loggingEnabled, true)
    assert.equal(quiet.keySerde, builder.keySerde)
  })

  it('gives persistent stores a persistent factory', () => {
    assert.equal(Stores.persistentKeyValueStore('totals').factory.persistent, true)
  })

  it('refuses names that cannot become a changelog topic', () => {
    assert.throws(
      () => Stores.inMemoryKeyValueStore('bad name'),
      (err) => isTributaryError(err, 'CONFIG'),
    )
    assert.throws(
      () => Stores.persistentKeyValueStore(''),
      (err) => isTributaryError(err, 'CONFIG'),
    )
  })

  it('opens a typed store for a task that survives a reopen when persistent', () =>
    withTempDir(async (dir) => {
      const builder = Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore('totals'),
        Serdes.string(),
        Serdes.number(),
      )
      const first = await openStore(builder, dir, '0_1')
      first.store.put('eu', 12.5)
      await first.bytes.commit(3)
      await first.bytes.backend.close()
      const second = await openStore(builder, dir, '0_1')
      assert.equal(second.store.get('eu'), 12.5)
      assert.equal(second.bytes.backend.checkpoint(), 3)
      await second.bytes.backend.close()
    }))
})
