import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { Serdes } from '../../../src/serde/serdes.ts'
import { openStore } from '../../../src/state/open-store.ts'
import { Stores } from '../../../src/state/stores.ts'
import { withTempDir } from '../temp-dir.ts'

/** A CONFIG error whose message names `option`. */
const config = (option: string) => (err: unknown) =>
  isTributaryError(err, 'CONFIG') && err.message.includes(option)

describe('Stores for window stores', () => {
  it('builds a window store with logging enabled by default, and toggles it without changing the original', () => {
    const supplier = Stores.inMemoryWindowStore('counts', { retentionMs: 120_000, windowSizeMs: 60_000 })
    const builder = Stores.windowStoreBuilder(supplier, Serdes.string(), Serdes.number())
    assert.equal(builder.name, 'counts')
    assert.equal(builder.loggingEnabled, true)
    assert.equal(builder.factory.persistent, false)
    const quiet = builder.withLoggingDisabled()
    assert.equal(quiet.loggingEnabled, false)
    assert.equal(builder.loggingEnabled, true)
    assert.equal(quiet.withLoggingEnabled().loggingEnabled, true)
    assert.equal(quiet.keySerde, builder.keySerde)
    assert.equal(quiet.supplier, supplier)
  })

  it('fills in defaults: no duplicates, segments of half the retention but at least a minute', () => {
    const short = Stores.inMemoryWindowStore('w', { retentionMs: 10_000, windowSizeMs: 1_000 })
    assert.equal(short.retainDuplicates, false)
    assert.equal(short.segmentIntervalMs, 60_000)
    const long = Stores.persistentWindowStore('w', { retentionMs: 86_400_000, windowSizeMs: 3_600_000 })
    assert.equal(long.segmentIntervalMs, 43_200_000)
    assert.equal(long.factory.persistent, true)
  })

  it('refuses options that cannot work, naming the option and the fix', () => {
    const make = (options: object) => () =>
      Stores.inMemoryWindowStore('w', { retentionMs: 1000, windowSizeMs: 100, ...options })
    assert.throws(
      make({ retentionMs: 99 }),
      (err) => config('retentionMs')(err) && /raise retentionMs/.test(String(err)),
    )
    assert.throws(make({ retentionMs: 0, windowSizeMs: 0 }), config('retentionMs'))
    assert.throws(make({ retentionMs: 1.5 }), config('retentionMs'))
    assert.throws(make({ windowSizeMs: -1 }), config('windowSizeMs'))
    assert.throws(make({ windowSizeMs: Number.NaN }), config('windowSizeMs'))
    assert.throws(make({ segmentIntervalMs: 0 }), config('segmentIntervalMs'))
    assert.throws(make({ retainDuplicates: 'yes' }), config('retainDuplicates'))
    assert.throws(
      () => Stores.persistentWindowStore('bad name', { retentionMs: 1, windowSizeMs: 1 }),
      config('store name'),
    )
  })

  it('opens a typed window store for a task that survives a reopen when persistent', () =>
    withTempDir(async (dir) => {
      const builder = Stores.windowStoreBuilder(
        Stores.persistentWindowStore('clicks', { retentionMs: 600_000, windowSizeMs: 60_000 }),
        Serdes.string(),
        Serdes.number(),
      )
      const first = await openStore(builder, dir, '0_1')
      first.store.put('eu', 3, 120_000)
      await first.bytes.commit(5)
      await first.bytes.backend.close()
      const second = await openStore(builder, dir, '0_1')
      assert.deepEqual(
        [...second.store.fetchRange('eu', 0, 600_000)],
        [{ key: { key: 'eu', window: { start: 120_000, end: 180_000 } }, value: 3 }],
      )
      await second.bytes.backend.close()
    }))
})
