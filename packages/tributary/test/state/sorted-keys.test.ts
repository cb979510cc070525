import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { idBounds, keyId } from '../../src/state/key-id.ts'
import { SortedKeys } from '../../src/state/sorted-keys.ts'

describe('SortedKeys', () => {
  it('orders ids as Buffer.compare orders their keys', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 4 })), (arrays) => {
        const keys = arrays.map((a) => Buffer.from(a))
        const set = new SortedKeys()
        const unique = new Map(keys.map((k) => [keyId(k), k]))
        for (const id of unique.keys()) set.added(id)
        const expected = [...unique.values()].sort(Buffer.compare).map(keyId)
        assert.deepEqual([...set.range(idBounds())], expected)
      }),
    )
  })

  it('folds additions and removals made between ranges, and leaves running iterators on their snapshot', () => {
    const set = new SortedKeys()
    for (const id of ['b', 'd', 'f']) set.added(id)
    const running = set.range(idBounds())
    assert.equal(running.next().value, 'b')
    set.removed('d')
    set.added('c')
    set.removed('c')
    set.added('e')
    set.removed('f')
    set.added('f')
    assert.deepEqual([...set.range(idBounds())], ['b', 'e', 'f'])
    assert.deepEqual([...running], ['d', 'f'])
    assert.deepEqual([...set.range(idBounds(Buffer.from('c'), Buffer.from('e')))], ['e'])
  })
})
