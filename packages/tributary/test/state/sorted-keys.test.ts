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
  it('agrees with a plain sorted set over any interleaving of additions, removals and ranges', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('toggle' as const), id: fc.string({ maxLength: 2 }) }),
      fc.record({
        kind: fc.constant('range' as const),
        from: fc.option(fc.string({ maxLength: 2 }), { nil: undefined }),
        to: fc.option(fc.string({ maxLength: 2 }), { nil: undefined }),
      }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const set = new SortedKeys()
        const model = new Set<string>()
        for (const o of ops) {
          if (o.kind === 'toggle') {
            // Tell the set only about decided changes, as its owners do.
            if (model.delete(o.id)) set.removed(o.id)
            else {
              model.add(o.id)
              set.added(o.id)
            }
          } else {
            const expected = [...model]
              .filter((id) => (o.from === undefined || id >= o.from) && (o.to === undefined || id <= o.to))
              .sort()
            assert.deepEqual([...set.range({ from: o.from, to: o.to })], expected)
          }
        }
      }),
    )
  })
})
