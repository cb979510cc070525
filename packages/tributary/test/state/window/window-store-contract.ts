import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import type { BackendFactory } from '../../../src/state/backend.ts'
import type { KeyValue } from '../../../src/state/key-value-store.ts'
import type { Windowed } from '../../../src/state/windowed.ts'
import { SWEEP_STEP } from '../../../src/state/window/expiry-sweeper.ts'
import { SegmentedKey } from '../../../src/state/window/segmented-key.ts'
import { META_KEY } from '../../../src/state/window/store-meta.ts'
import { withWindowStore } from './open-window-store.ts'

/** `key@start=value` per entry, in the order yielded. */
const show = (entries: Iterable<KeyValue<Windowed<string>, string>>): string[] =>
  Array.from(entries, ({ key, value }) => `${key.key}@${key.window.start}=${value}`)

const options = { retentionMs: 100, windowSizeMs: 10, segmentIntervalMs: 20 }
const state = (err: unknown) => isTributaryError(err, 'STATE')
const single = new SegmentedKey(1)

/** The behaviour every window store must have, whatever its backend; run once per backend. */
export const windowStoreContract = (name: string, factory: BackendFactory): void => {
  describe(`window store on the ${name} backend`, () => {
    it('returns the value put for a key and window start, and nothing for other starts or keys', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('a', 'one', 10)
        store.put('a', 'two', 20)
        store.put('b', 'three', 10)
        assert.equal(store.fetch('a', 10), 'one')
        assert.equal(store.fetch('a', 20), 'two')
        assert.equal(store.fetch('b', 10), 'three')
        assert.equal(store.fetch('a', 15), undefined)
        assert.equal(store.fetch('c', 10), undefined)
        assert.equal(store.name, 'windows')
        assert.equal(store.windowSizeMs, 10)
        assert.equal(store.retentionMs, 100)
      }))

    it('yields nothing from an empty store', () =>
      withWindowStore(factory, options, ({ store }) => {
        assert.deepEqual(show(store.fetchRange('a', 0, 1000)), [])
        assert.deepEqual(show(store.fetchAll(0, 1000)), [])
        assert.deepEqual(show(store.all()), [])
      }))

    it('fetches a key range of window starts with both bounds inclusive, ascending, across segments', () =>
      withWindowStore(factory, options, ({ store }) => {
        for (const start of [50, 0, 30, 10, 40, 20, 60]) store.put('k', `v${start}`, start)
        store.put('other', 'x', 30)
        assert.deepEqual(show(store.fetchRange('k', 10, 40)), [
          'k@10=v10',
          'k@20=v20',
          'k@30=v30',
          'k@40=v40',
        ])
        assert.deepEqual(show(store.fetchRange('k', 11, 39)), ['k@20=v20', 'k@30=v30'])
        assert.deepEqual(show(store.fetchRange('k', 30, 30)), ['k@30=v30'])
        assert.deepEqual(show(store.fetchRange('k', 40, 10)), [])
        assert.deepEqual(show(store.fetchRange('k', -100, 5)), ['k@0=v0'])
        assert.deepEqual(show(store.fetchRange('k', 55, Infinity)), ['k@60=v60'])
      }))

    it('gives every window its end as start plus the window size', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('k', 'v', 40)
        const [entry] = store.fetchRange('k', 0, 100)
        assert.deepEqual(entry, { key: { key: 'k', window: { start: 40, end: 50 } }, value: 'v' })
      }))

    it('never mixes keys that are prefixes of each other', () =>
      withWindowStore(factory, options, ({ store }) => {
        for (const key of ['a', 'ab', '', 'a\u0000', 'b']) {
          for (const start of [0, 10, 20]) store.put(key, `${key}/${start}`, start)
        }
        assert.deepEqual(show(store.fetchRange('a', 0, 20)), ['a@0=a/0', 'a@10=a/10', 'a@20=a/20'])
        assert.deepEqual(show(store.fetchRange('ab', 10, 10)), ['ab@10=ab/10'])
        assert.deepEqual(show(store.fetchRange('', 0, 0)), ['@0=/0'])
        assert.deepEqual(show(store.fetchRange('a\u0000', 20, 20)), ['a\u0000@20=a\u0000/20'])
        assert.equal(store.fetch('a', 10), 'a/10')
        assert.equal(store.fetch('ab', 10), 'ab/10')
        for (const { key, value } of store.all()) assert.equal(value, `${key.key}/${key.window.start}`)
        assert.equal([...store.all()].length, 15)
      }))

    it('fetches all keys in a time range, segment by segment and by key within one, and all live windows', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('bb', '1', 25)
        store.put('a', '2', 5)
        store.put('c', '3', 21)
        store.put('a', '4', 30)
        store.put('bb', '5', 45)
        // Segments of 20 ms: [0, 20) holds a@5; [20, 40) holds c@21, a@30, bb@25; [40, 60) holds bb@45.
        assert.deepEqual(show(store.fetchAll(5, 30)), ['a@5=2', 'a@30=4', 'c@21=3', 'bb@25=1'])
        assert.deepEqual(show(store.fetchAll(22, 44)), ['a@30=4', 'bb@25=1'])
        assert.deepEqual(show(store.all()), ['a@5=2', 'a@30=4', 'c@21=3', 'bb@25=1', 'bb@45=5'])
      }))

    it('replaces a value on a second put and deletes it on a null put', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('k', 'one', 10)
        store.put('k', 'two', 10)
        assert.equal(store.fetch('k', 10), 'two')
        store.put('k', null, 10)
        assert.equal(store.fetch('k', 10), undefined)
        assert.deepEqual(show(store.all()), [])
      }))

    it('sees uncommitted writes, keeps them through a commit, and drops them on abort', () =>
      withWindowStore(factory, options, async ({ store, bytes }) => {
        store.put('k', 'kept', 10)
        await bytes.commit(1)
        assert.equal(store.fetch('k', 10), 'kept')
        store.put('k', 'dropped', 20)
        store.put('k', null, 10)
        assert.deepEqual(show(store.all()), ['k@20=dropped'])
        bytes.abort()
        assert.deepEqual(show(store.all()), ['k@10=kept'])
      }))

    it('keeps every put with retainDuplicates, in insertion order, and ignores null puts', () =>
      withWindowStore(factory, { ...options, retainDuplicates: true }, async ({ store, bytes }) => {
        store.put('k', 'first', 10)
        store.put('k', 'second', 10)
        store.put('j', 'other', 10)
        store.put('k', null, 10)
        store.put('k', 'early', 5)
        await bytes.commit(1)
        store.put('k', 'third', 10)
        assert.deepEqual(show(store.fetchRange('k', 0, 100)), [
          'k@5=early',
          'k@10=first',
          'k@10=second',
          'k@10=third',
        ])
        assert.deepEqual(show(store.fetchAll(10, 10)), [
          'j@10=other',
          'k@10=first',
          'k@10=second',
          'k@10=third',
        ])
        assert.equal(store.fetch('k', 10), 'first')
        assert.equal(store.fetch('k', 11), undefined)
      }))

    it('continues the duplicate sequence after a restore, so later puts come later', () =>
      withWindowStore(factory, { ...options, retainDuplicates: true }, async ({ store, bytes, another }) => {
        store.put('k', 'one', 10)
        store.put('k', 'two', 10)
        const copy = await another('1_0')
        await copy.bytes.restore(bytes.pending(), 1)
        copy.store.put('k', 'three', 10)
        assert.deepEqual(show(copy.store.fetchRange('k', 10, 10)), ['k@10=one', 'k@10=two', 'k@10=three'])
      }))

    it('hides windows that start at or before the largest start put minus the retention', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('k', 'old', 0)
        store.put('k', 'edge', 1)
        store.put('j', 'mid', 50)
        store.put('k', 'new', 100)
        // observed 100, retention 100: start 0 is expired, start 1 is the oldest live one.
        assert.equal(store.fetch('k', 0), undefined)
        assert.equal(store.fetch('k', 1), 'edge')
        assert.deepEqual(show(store.fetchRange('k', 0, 100)), ['k@1=edge', 'k@100=new'])
        assert.deepEqual(show(store.fetchAll(0, 60)), ['k@1=edge', 'j@50=mid'])
        assert.deepEqual(show(store.all()), ['k@1=edge', 'j@50=mid', 'k@100=new'])
      }))

    it('drops puts and deletes of windows that are already expired', () =>
      withWindowStore(factory, options, ({ store }) => {
        store.put('k', 'live', 150)
        store.put('k', 'late', 50)
        store.put('k', 'late', 10)
        store.put('k', null, 50)
        assert.equal(store.fetch('k', 50), undefined)
        assert.deepEqual(show(store.all()), ['k@150=live'])
        store.put('k', 'in time', 51)
        assert.equal(store.fetch('k', 51), 'in time')
      }))

    it('deletes expired entries after enough later puts, with tombstones in the pending changelog entries', () =>
      withWindowStore(factory, options, async ({ store, bytes }) => {
        for (let i = 0; i < 300; i++) store.put(`key-${i}`, 'old', i % 40)
        await bytes.commit(1)
        const committed = new Set(Array.from(bytes.range(), ([key]) => key.toString('hex')))
        // Stream time moves on: every segment below the one holding (observed - retention + 1) is expired.
        for (let i = 0; i < 200; i++) store.put('hot', `${i}`, 200 + (i % 50))
        const left = Array.from(bytes.range(), ([key]) => key).filter((key) => !key.equals(META_KEY))
        assert.ok(left.every((key) => single.field(key, 0) >= 200))
        const tombstones = bytes.pending().filter(([, value]) => value === null)
        assert.equal(tombstones.length, 300)
        for (const [key] of tombstones) assert.ok(committed.has(key.toString('hex')))
        await bytes.commit(2)
        assert.equal(bytes.backend.count(), 51) // the hot windows and the metadata entry
      }))

    it('bounds the deletions any single put makes', () =>
      withWindowStore(factory, options, async ({ store, bytes }) => {
        for (let i = 0; i < 3 * SWEEP_STEP; i++) store.put(`key-${i}`, 'old', 0)
        await bytes.commit(1)
        let deleted = 0
        for (let i = 0; i < 400; i++) {
          store.put('hot', 'v', 1000 + (i % 10))
          const now = bytes.pending().filter(([, value]) => value === null).length
          assert.ok(now - deleted <= SWEEP_STEP, `one put deleted ${now - deleted} entries`)
          deleted = now
        }
        assert.equal(deleted, 3 * SWEEP_STEP)
      }))

    it('restores from its pending changelog entries into a fresh shard with the same contents and stream time', () =>
      withWindowStore(factory, options, async ({ store, bytes, another }) => {
        for (let i = 0; i < 50; i++) store.put(`k${i % 7}`, `v${i}`, i * 3)
        store.put('k1', null, 3)
        store.put('late', 'x', 300) // expires everything at or before 200
        const copy = await another('1_0')
        await copy.bytes.restore(bytes.pending(), 1)
        assert.deepEqual(show(copy.store.all()), show(store.all()))
        assert.deepEqual(show(copy.store.fetchRange('k3', 0, 1000)), show(store.fetchRange('k3', 0, 1000)))
        // Same stream time: a put that the original would drop is dropped by the copy too.
        copy.store.put('k1', 'too late', 150)
        assert.equal(copy.store.fetch('k1', 150), undefined)
      }))

    it('refuses null keys and stored times that are negative or not integers', () =>
      withWindowStore(factory, options, ({ store }) => {
        assert.throws(() => store.put(null as unknown as string, 'v', 1), state)
        assert.throws(() => store.put('k', 'v', -1), state)
        assert.throws(() => store.put('k', 'v', 1.5), state)
        assert.throws(() => store.put('k', 'v', Number.MAX_SAFE_INTEGER + 1), state)
        assert.throws(() => store.fetch('k', -5), state)
        assert.throws(() => store.fetchRange('k', Number.NaN, 5), state)
        assert.throws(() => store.fetchRange(null as unknown as string, 0, 5), state)
        assert.throws(() => store.fetchAll(0, Number.NaN), state)
        assert.deepEqual(show(store.all()), [])
      }))

    it('orders window starts up to the largest safe integer', () =>
      withWindowStore(factory, options, ({ store }) => {
        const top = Number.MAX_SAFE_INTEGER
        for (const start of [top - 50, top, top - 99, 2 ** 32 + 1]) store.put('k', `${start}`, start)
        assert.deepEqual(
          Array.from(store.fetchRange('k', 0, top), ({ key }) => key.window.start),
          [top - 99, top - 50, top],
        )
      }))

    if (factory.persistent) {
      it('keeps committed windows and the stream time across a reopen', () =>
        withWindowStore(factory, options, async ({ store, bytes, another }) => {
          store.put('k', 'old', 10)
          store.put('k', 'new', 200)
          await bytes.commit(7)
          await bytes.backend.close()
          const reopened = await another('0_0')
          assert.equal(reopened.bytes.backend.checkpoint(), 7)
          assert.equal(reopened.store.fetch('k', 200), 'new')
          assert.equal(reopened.store.fetch('k', 10), undefined)
          reopened.store.put('k', 'dropped', 50)
          assert.equal(reopened.store.fetch('k', 50), undefined)
        }))
    }
  })
}
