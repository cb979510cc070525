import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ENTRY_OVERHEAD_BYTES, KeyOffsetMap } from '../../../src/log/embedded/key-offset-map.ts'
import { random } from './fault-workload.ts'

const key = (s: string): Buffer => Buffer.from(s)

describe('KeyOffsetMap', () => {
  it('holds the latest offset of each key, keys compared whole even when every hash is equal', () => {
    for (const hash of [undefined, () => 7]) {
      const map = new KeyOffsetMap(1 << 20, hash)
      const latest = new Map<string, number>()
      const next = random(3)
      for (let offset = 0; offset < 3000; offset++) {
        // Keys of equal length and prefixes of each other: only their bytes tell them apart.
        const k = `key-${Math.floor(next() * 400)}`.slice(0, 4 + Math.floor(next() * 4))
        assert.ok(map.put(key(k), offset))
        latest.set(k, offset)
      }
      assert.equal(map.size, latest.size)
      for (const [k, offset] of latest) assert.equal(map.get(key(k)), offset, k)
      assert.equal(map.get(key('key-')), latest.get('key-') ?? -1)
      assert.equal(map.get(key('absent')), -1)
      assert.equal(map.get(Buffer.alloc(0)), -1)
    }
  })

  it('refuses a new key once the budget is spent, still updates the ones it holds, and takes any one key when empty', () => {
    const budget = 64 * 1024
    const map = new KeyOffsetMap(budget)
    let n = 0
    while (map.put(key(`order-${String(n).padStart(12, '0')}`), n)) n++
    assert.ok(map.bytes <= budget, `${map.bytes} bytes`)
    // Doubling leaves at most half of the budget unused.
    assert.ok(n * (18 + ENTRY_OVERHEAD_BYTES) > budget / 2, `${n} keys of 18 bytes in ${budget} bytes`)
    assert.equal(map.size, n)
    assert.ok(map.put(key('order-000000000000'), 1e6), 'a key it holds is updated')
    assert.equal(map.get(key('order-000000000000')), 1e6)
    assert.equal(map.get(key(`order-${String(n).padStart(12, '0')}`)), -1, 'the refused key is not held')
    const tiny = new KeyOffsetMap(1)
    assert.ok(tiny.put(Buffer.alloc(4096, 1), 5), 'an empty map takes a key larger than its budget')
    assert.equal(tiny.put(key('other'), 6), false)
    assert.equal(tiny.get(Buffer.alloc(4096, 1)), 5)
  })

  it('finds every key while its slots move over after each growth, a few a put', () => {
    const next = random(11)
    for (const [hash, n] of [
      [undefined, 20_000],
      [() => 3, 600],
    ] as const) {
      const map = new KeyOffsetMap(1 << 24, hash)
      const latest = new Map<string, number>()
      for (let offset = 0; offset < n; offset++) {
        const k = `k${Math.floor(next() * n * 0.7)}`
        assert.ok(map.put(key(k), offset))
        latest.set(k, offset)
        const probe = `k${Math.floor(next() * n * 0.7)}`
        assert.equal(map.get(key(probe)), latest.get(probe) ?? -1, `${probe} after ${offset + 1} puts`)
      }
      for (const [k, offset] of latest) assert.equal(map.get(key(k)), offset, k)
    }
  })
})
