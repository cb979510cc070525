import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { isTributaryError } from '../../src/errors.ts'
import type { BackendFactory } from '../../src/state/backend.ts'
import { BufferedKeyValueStore } from '../../src/state/buffered-store.ts'
import { lmdbBackendFactory } from '../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../src/state/memory/memory-backend-factory.ts'
import { withTempDir } from './temp-dir.ts'

const s = (text: string): Buffer => Buffer.from(text)
const text = (entries: Iterable<[Buffer, Buffer]>): string[] => Array.from(entries, ([k, v]) => `${k}=${v}`)

const withStore = (factory: BackendFactory, test: (store: BufferedKeyValueStore) => Promise<void>) =>
  withTempDir(async (dir) => {
    const backend = await factory.open(dir, '0_0', 'store')
    try {
      await test(new BufferedKeyValueStore('store', backend))
    } finally {
      await backend.close()
    }
  })

for (const [name, factory] of [
  ['memory', memoryBackendFactory],
  ['lmdb', lmdbBackendFactory],
] as const) {
  describe(`BufferedKeyValueStore over ${name}`, () => {
    it('lets reads see uncommitted writes that the backend does not hold yet', () =>
      withStore(factory, async (store) => {
        store.put(s('a'), s('1'))
        assert.deepEqual(store.get(s('a')), s('1'))
        assert.equal(store.backend.get(s('a')), undefined)
        assert.equal(store.count(), 1)
        assert.ok(store.hasPending())
      }))

    it('discards uncommitted writes on abort, so reads see the backend again', () =>
      withStore(factory, async (store) => {
        await store.restore([[s('a'), s('committed')]], 1)
        store.put(s('a'), s('dirty'))
        store.put(s('b'), s('new'))
        store.abort()
        assert.deepEqual(store.get(s('a')), s('committed'))
        assert.equal(store.get(s('b')), undefined)
        assert.equal(store.hasPending(), false)
        assert.deepEqual(text(store.all()), ['a=committed'])
      }))

    it('writes pending entries and the checkpoint to the backend at commit, then has none pending', () =>
      withStore(factory, async (store) => {
        store.put(s('a'), s('1'))
        store.put(s('b'), s('2'))
        store.put(s('a'), s('3'))
        assert.deepEqual(text(store.pending().map(([k, v]) => [k, v ?? s('null')])), ['a=3', 'b=2'])
        await store.commit(10)
        assert.deepEqual(store.backend.get(s('a')), s('3'))
        assert.deepEqual(store.backend.get(s('b')), s('2'))
        assert.equal(store.backend.checkpoint(), factory.persistent ? 10 : undefined)
        assert.deepEqual(store.pending(), [])
        assert.equal(store.hasPending(), false)
      }))

    it('reports a delete as a pending null and hides the backend entry until commit removes it', () =>
      withStore(factory, async (store) => {
        await store.restore([[s('a'), s('1')]], 1)
        store.put(s('a'), null)
        assert.equal(store.get(s('a')), undefined)
        assert.equal(store.count(), 0)
        assert.deepEqual(store.pending(), [[s('a'), null]])
        await store.commit(2)
        assert.equal(store.backend.get(s('a')), undefined)
      }))

    it('merges pending inserts, updates and deletes into backend ranges in byte order', () =>
      withStore(factory, async (store) => {
        await store.restore(
          ['b', 'd', 'f', 'h'].map((k) => [s(k), s('old')] as const),
          1,
        )
        store.put(s('a'), s('new')) // before all
        store.put(s('d'), null) // hides
        store.put(s('e'), s('new')) // between
        store.put(s('f'), s('upd')) // replaces
        store.put(s('i'), s('new')) // after all
        store.put(s('x'), null) // deletes nothing
        assert.deepEqual(text(store.all()), ['a=new', 'b=old', 'e=new', 'f=upd', 'h=old', 'i=new'])
        assert.deepEqual(text(store.range(s('c'), s('f'))), ['e=new', 'f=upd'])
        assert.deepEqual(text(store.range(s('d'), s('d'))), [])
        assert.deepEqual(text(store.range(undefined, s('b'))), ['a=new', 'b=old'])
        assert.deepEqual(text(store.range(s('g'))), ['h=old', 'i=new'])
        assert.deepEqual(text(store.range(s('g'), s('c'))), [])
        assert.equal(store.count(), 6)
      }))

    it('lets a processor delete entries while it iterates over them', () =>
      withStore(factory, async (store) => {
        await store.restore(
          ['a', 'b', 'c'].map((k) => [s(k), s('old')] as const),
          1,
        )
        store.put(s('bb'), s('new'))
        for (const [key] of store.all()) store.put(key, null)
        assert.deepEqual(text(store.all()), [])
        await store.commit(2)
        assert.equal(store.backend.count(), 0)
      }))

    it('applies restored changelog records straight to the backend with their checkpoint', () =>
      withStore(factory, async (store) => {
        await store.restore(
          [
            [s('a'), s('1')],
            [s('b'), s('2')],
          ],
          5,
        )
        await store.restore(
          [
            [s('a'), null],
            [s('c'), s('3')],
          ],
          8,
        )
        assert.deepEqual(text(store.backend.range()), ['b=2', 'c=3'])
        assert.equal(store.backend.checkpoint(), factory.persistent ? 8 : undefined)
        assert.equal(store.hasPending(), false)
      }))

    it('refuses to restore over uncommitted writes', () =>
      withStore(factory, async (store) => {
        store.put(s('a'), s('1'))
        await assert.rejects(store.restore([], 1), (err) => isTributaryError(err, 'STATE'))
      }))

    it('refuses puts while a commit is in flight, and keeps serving reads', () =>
      withStore(factory, async (store) => {
        store.put(s('a'), s('1'))
        const committing = store.commit(1)
        assert.throws(
          () => store.put(s('b'), s('2')),
          (err) => isTributaryError(err, 'STATE'),
        )
        assert.deepEqual(store.get(s('a')), s('1'))
        await committing
        store.put(s('b'), s('2'))
        assert.deepEqual(text(store.all()), ['a=1', 'b=2'])
      }))

    it('keeps pending writes when the backend fails to commit them', () =>
      withStore(factory, async (store) => {
        store.put(s('a'), s('1'))
        await assert.rejects(store.commit(-1), (err) => isTributaryError(err, 'STATE'))
        assert.deepEqual(store.pending(), [[s('a'), s('1')]])
        await store.commit(1)
        assert.deepEqual(store.backend.get(s('a')), s('1'))
      }))

    it('behaves like a map with commit and abort, for any sequence of operations', async () => {
      const key = fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a.map((x) => x % 4)))
      const value = fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a))
      const bound = fc.option(key, { nil: undefined })
      const op = fc.oneof(
        { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value }) },
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('range' as const), from: bound, to: bound }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
      )
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
          await withStore(factory, async (store) => {
            await store.backend.clear()
            // The model: committed state and the map a reader sees, keyed by hex.
            let committed = new Map<string, Buffer>()
            let visible = new Map<string, Buffer>()
            const hex = (k: Buffer) => k.toString('hex')
            let offset = 0
            for (const o of ops) {
              switch (o.kind) {
                case 'put':
                  store.put(o.key, o.value)
                  visible.set(hex(o.key), o.value)
                  break
                case 'delete':
                  store.put(o.key, null)
                  visible.delete(hex(o.key))
                  break
                case 'get':
                  assert.deepEqual(store.get(o.key), visible.get(hex(o.key)))
                  break
                case 'range': {
                  const expected = [...visible.entries()]
                    .map(([k, v]) => [Buffer.from(k, 'hex'), v] as const)
                    .filter(
                      ([k]) =>
                        (o.from === undefined || Buffer.compare(k, o.from) >= 0) &&
                        (o.to === undefined || Buffer.compare(k, o.to) <= 0),
                    )
                    .sort(([a], [b]) => Buffer.compare(a, b))
                  assert.deepEqual(
                    Array.from(store.range(o.from, o.to), ([k, v]) => [k, v]),
                    expected.map(([k, v]) => [k, v]),
                  )
                  break
                }
                case 'commit':
                  await store.commit(++offset)
                  committed = new Map(visible)
                  break
                case 'abort':
                  store.abort()
                  visible = new Map(committed)
                  break
              }
              assert.equal(store.count(), visible.size)
            }
            await store.commit(++offset)
            assert.deepEqual(
              Array.from(store.backend.range(), ([k, v]) => [hex(k), v]),
              [...visible.entries()].sort(([a], [b]) =>
                Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')),
              ),
            )
          })
        }),
        { numRuns: name === 'lmdb' ? 60 : 200 },
      )
    })
  })
}
