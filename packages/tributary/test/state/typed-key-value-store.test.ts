import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../src/errors.ts'
import type { Serde } from '../../src/serde/serde.ts'
import { Serdes } from '../../src/serde/serdes.ts'
import { BufferedKeyValueStore } from '../../src/state/buffered-store.ts'
import { MemoryBackend } from '../../src/state/memory/memory-backend.ts'
import { TypedKeyValueStore } from '../../src/state/typed-key-value-store.ts'

const open = <K, V>(keySerde: Serde<K>, valueSerde: Serde<V>) => {
  const bytes = new BufferedKeyValueStore('counts', new MemoryBackend())
  return { bytes, store: new TypedKeyValueStore(bytes, keySerde, valueSerde) }
}

describe('TypedKeyValueStore', () => {
  it('stores values under their serialized keys and reads them back typed', () => {
    const { store, bytes } = open(Serdes.string(), Serdes.json<{ n: number }>())
    store.put('a', { n: 1 })
    assert.deepEqual(store.get('a'), { n: 1 })
    assert.equal(store.get('b'), undefined)
    assert.deepEqual(bytes.get(Buffer.from('a')), Buffer.from('{"n":1}'))
    assert.equal(store.name, 'counts')
  })

  it('iterates in the order of the serialized keys, with inclusive bounds', () => {
    const { store } = open(Serdes.long(), Serdes.string())
    // Big-endian two's complement: negative numbers sort after positive ones, as in Kafka Streams.
    for (const n of [3n, -1n, 1n, 2n]) store.put(n, `v${n}`)
    assert.deepEqual(
      Array.from(store.all(), ({ key }) => key),
      [1n, 2n, 3n, -1n],
    )
    assert.deepEqual(Array.from(store.range(2n, 3n)), [
      { key: 2n, value: 'v2' },
      { key: 3n, value: 'v3' },
    ])
    assert.deepEqual(
      Array.from(store.range(undefined, 1n), ({ value }) => value),
      ['v1'],
    )
  })

  it('returns the previous value from delete, and deletes on a null put', () => {
    const { store, bytes } = open(Serdes.string(), Serdes.json<string | null>())
    store.put('a', 'x')
    assert.equal(store.delete('a'), 'x')
    assert.equal(store.delete('a'), undefined)
    store.put('b', 'y')
    store.put('b', null)
    assert.equal(store.get('b'), undefined)
    assert.equal(store.approximateNumEntries(), 0)
    assert.deepEqual(bytes.pending(), [
      [Buffer.from('a'), null],
      [Buffer.from('b'), null],
    ])
  })

  it('writes with putIfAbsent only when the key is absent, and returns what was there', () => {
    const { store } = open(Serdes.string(), Serdes.number())
    assert.equal(store.putIfAbsent('k', 1), undefined)
    assert.equal(store.putIfAbsent('k', 2), 1)
    assert.equal(store.get('k'), 1)
  })

  it('passes the store name to the serdes and never hands them null', () => {
    const topics: string[] = []
    const spy: Serde<string | null> = {
      serialize: (value, topic) => {
        assert.notEqual(value, null)
        topics.push(topic)
        return Buffer.from(value as string)
      },
      deserialize: (bytes, topic) => {
        topics.push(topic)
        return bytes.toString()
      },
    }
    const { store } = open(spy, spy)
    store.put('k', 'v')
    store.put('k', null)
    store.get('k')
    assert.ok(topics.length > 0)
    assert.ok(topics.every((topic) => topic === 'counts'))
  })

  it('refuses a null key with a STATE error', () => {
    const { store } = open(Serdes.json<string | null>(), Serdes.string())
    assert.throws(
      () => store.put(null, 'v'),
      (err) => isTributaryError(err, 'STATE'),
    )
    assert.throws(
      () => store.get(null),
      (err) => isTributaryError(err, 'STATE'),
    )
  })

  it('surfaces bytes its serde cannot read as a SERDE error', () => {
    const { store, bytes } = open(Serdes.string(), Serdes.number())
    bytes.put(Buffer.from('bad'), Buffer.from([1, 2, 3]))
    assert.throws(
      () => store.get('bad'),
      (err) => isTributaryError(err, 'SERDE'),
    )
  })

  it('counts entries including uncommitted ones', async () => {
    const { store, bytes } = open(Serdes.string(), Serdes.string())
    store.put('a', '1')
    await bytes.commit(1)
    store.put('b', '2')
    store.delete('a')
    store.put('c', '3')
    assert.equal(store.approximateNumEntries(), 2)
  })
})
