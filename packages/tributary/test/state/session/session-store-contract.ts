import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import type { BackendFactory } from '../../../src/state/backend.ts'
import type { KeyValue } from '../../../src/state/key-value-store.ts'
import type { Windowed } from '../../../src/state/windowed.ts'
import { SegmentedKey } from '../../../src/state/window/segmented-key.ts'
import { META_KEY } from '../../../src/state/window/store-meta.ts'
import { withSessionStore } from './open-session-store.ts'

/** `key[start,end]=value` per entry, in the order yielded. */
const show = (entries: Iterable<KeyValue<Windowed<string>, string>>): string[] =>
  Array.from(entries, ({ key, value }) => `${key.key}[${key.window.start},${key.window.end}]=${value}`)
const session = (key: string, start: number, end: number): Windowed<string> => ({
  key,
  window: { start, end },
})

const options = { retentionMs: 100, segmentIntervalMs: 20 }
const state = (err: unknown) => isTributaryError(err, 'STATE')
const layout = new SegmentedKey(2)

/** The behaviour every session store must have, whatever its backend; run once per backend. */
export const sessionStoreContract = (name: string, factory: BackendFactory): void => {
  describe(`session store on the ${name} backend`, () => {
    it('returns the aggregate of exactly the session put', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('a', 10, 20), 'x')
        assert.equal(store.fetchSession('a', 10, 20), 'x')
        assert.equal(store.fetchSession('a', 10, 21), undefined)
        assert.equal(store.fetchSession('a', 11, 20), undefined)
        assert.equal(store.fetchSession('b', 10, 20), undefined)
        assert.equal(store.name, 'sessions')
        assert.equal(store.retentionMs, 100)
      }))

    it('finds the sessions ending at or after the earliest end and starting at or before the latest start', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('a', 0, 10), '1')
        store.put(session('a', 20, 30), '2')
        store.put(session('a', 40, 50), '3')
        store.put(session('b', 20, 30), 'other key')
        assert.deepEqual(show(store.findSessions('a', 25, 45)), ['a[20,30]=2', 'a[40,50]=3'])
        // Both bounds inclusive: a session ending exactly at earliestEnd, one starting exactly at latestStart.
        assert.deepEqual(show(store.findSessions('a', 30, 40)), ['a[20,30]=2', 'a[40,50]=3'])
        assert.deepEqual(show(store.findSessions('a', 31, 39)), [])
        assert.deepEqual(show(store.findSessions('a', 0, 0)), ['a[0,10]=1'])
        assert.deepEqual(show(store.findSessions('a', 10, 20)), ['a[0,10]=1', 'a[20,30]=2'])
        assert.deepEqual(show(store.findSessions('a', 0, Number.MAX_SAFE_INTEGER)), [
          'a[0,10]=1',
          'a[20,30]=2',
          'a[40,50]=3',
        ])
        assert.deepEqual(show(store.findSessions('a', 51, 100)), [])
      }))

    it('finds the sessions a record merges with, even near time zero', () =>
      withSessionStore(factory, options, ({ store }) => {
        const gap = 5
        store.put(session('u', 0, 3), 'early')
        store.put(session('u', 12, 14), 'later')
        // A record at 8 is within the gap of both: its merge query reaches below zero.
        assert.deepEqual(show(store.findSessions('u', 8 - gap, 8 + gap)), ['u[0,3]=early', 'u[12,14]=later'])
        assert.deepEqual(show(store.findSessions('u', 1 - gap, 1 + gap)), ['u[0,3]=early'])
        store.remove(session('u', 0, 3))
        store.remove(session('u', 12, 14))
        store.put(session('u', 0, 14), 'merged')
        assert.deepEqual(show(store.all()), ['u[0,14]=merged'])
      }))

    it('returns overlapping sessions in start order', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('a', 0, 60), 'wide')
        store.put(session('a', 10, 20), 'inner')
        store.put(session('a', 10, 15), 'inner, shorter')
        store.put(session('a', 5, 45), 'middle')
        assert.deepEqual(show(store.findSessions('a', 0, 100)), [
          'a[0,60]=wide',
          'a[5,45]=middle',
          'a[10,15]=inner, shorter',
          'a[10,20]=inner',
        ])
      }))

    it('keeps sessions of one instant, and sessions that only touch, apart', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('a', 7, 7), 'point')
        store.put(session('a', 7, 9), 'touching')
        assert.deepEqual(show(store.findSessions('a', 7, 7)), ['a[7,7]=point', 'a[7,9]=touching'])
        assert.deepEqual(show(store.findSessions('a', 8, 8)), ['a[7,9]=touching'])
      }))

    it('never mixes keys that are prefixes of each other', () =>
      withSessionStore(factory, options, ({ store }) => {
        for (const key of ['a', 'ab', '', 'a\u0000']) store.put(session(key, 10, 20), key)
        assert.deepEqual(show(store.findSessions('a', 0, 100)), ['a[10,20]=a'])
        assert.deepEqual(show(store.findSessions('ab', 0, 100)), ['ab[10,20]=ab'])
        assert.deepEqual(show(store.findSessions('', 0, 100)), ['[10,20]='])
        assert.equal(store.fetchSession('a\u0000', 10, 20), 'a\u0000')
        assert.equal([...store.all()].length, 4)
      }))

    it('removes a session on remove or a null put, and replaces its aggregate on a second put', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('a', 1, 2), 'x')
        store.put(session('a', 1, 2), 'y')
        store.put(session('a', 3, 4), 'z')
        assert.equal(store.fetchSession('a', 1, 2), 'y')
        store.remove(session('a', 1, 2))
        store.put(session('a', 3, 4), null as unknown as string)
        assert.deepEqual(show(store.all()), [])
      }))

    it('lists all live sessions, segment by segment and by key within one', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('bb', 0, 25), '1')
        store.put(session('a', 5, 5), '2')
        store.put(session('c', 21, 22), '3')
        store.put(session('a', 30, 30), '4')
        assert.deepEqual(show(store.all()), ['a[5,5]=2', 'a[30,30]=4', 'c[21,22]=3', 'bb[0,25]=1'])
      }))

    it('hides sessions ending at or before the largest end put minus the retention, and drops puts to them', () =>
      withSessionStore(factory, options, ({ store }) => {
        store.put(session('k', 0, 10), 'old')
        store.put(session('k', 5, 11), 'edge')
        store.put(session('j', 200, 210), 'new')
        // observed 210, retention 100: end 110 is expired, end 111 is the oldest live one.
        store.put(session('k', 100, 110), 'late')
        store.put(session('k', 100, 111), 'in time')
        assert.deepEqual(show(store.findSessions('k', 0, 1000)), ['k[100,111]=in time'])
        assert.equal(store.fetchSession('k', 5, 11), undefined)
        assert.deepEqual(show(store.all()), ['k[100,111]=in time', 'j[200,210]=new'])
      }))

    it('deletes expired sessions after enough later puts, with tombstones in the pending changelog entries', () =>
      withSessionStore(factory, options, async ({ store, bytes }) => {
        for (let i = 0; i < 300; i++) store.put(session(`key-${i}`, i % 30, (i % 30) + 5), 'old')
        await bytes.commit(1)
        for (let i = 0; i < 200; i++) store.put(session('hot', 200 + (i % 50), 200 + (i % 50)), `${i}`)
        const left = Array.from(bytes.range(), ([key]) => key).filter((key) => !key.equals(META_KEY))
        assert.ok(left.every((key) => layout.field(key, 0) >= 200))
        assert.equal(bytes.pending().filter(([, value]) => value === null).length, 300)
        await bytes.commit(2)
        assert.equal(bytes.backend.count(), 51)
      }))

    it('restores from its pending changelog entries into a fresh shard with the same sessions and stream time', () =>
      withSessionStore(factory, options, async ({ store, bytes, another }) => {
        for (let i = 0; i < 40; i++) store.put(session(`k${i % 5}`, i * 4, i * 4 + 3), `v${i}`)
        store.remove(session('k2', 8, 11))
        const copy = await another('1_0')
        await copy.bytes.restore(bytes.pending(), 1)
        assert.deepEqual(show(copy.store.all()), show(store.all()))
        assert.deepEqual(
          show(copy.store.findSessions('k1', 0, 1000)),
          show(store.findSessions('k1', 0, 1000)),
        )
        copy.store.put(session('k1', 10, 20), 'too late')
        assert.equal(copy.store.fetchSession('k1', 10, 20), undefined)
      }))

    it('refuses null keys, negative or fractional times, and sessions that end before they start', () =>
      withSessionStore(factory, options, ({ store }) => {
        assert.throws(() => store.put(session(null as unknown as string, 1, 2), 'v'), state)
        assert.throws(() => store.put(session('k', -1, 2), 'v'), state)
        assert.throws(() => store.put(session('k', 1, 2.5), 'v'), state)
        assert.throws(() => store.put(session('k', 5, 4), 'v'), state)
        assert.throws(() => store.fetchSession('k', 5, 4), state)
        assert.throws(() => store.findSessions('k', 0, Number.NaN), state)
        assert.throws(() => store.findSessions(null as unknown as string, 0, 5), state)
        assert.deepEqual(show(store.all()), [])
      }))

    if (factory.persistent) {
      it('keeps committed sessions and the stream time across a reopen', () =>
        withSessionStore(factory, options, async ({ store, bytes, another }) => {
          store.put(session('k', 0, 10), 'old')
          store.put(session('k', 200, 220), 'new')
          await bytes.commit(3)
          await bytes.backend.close()
          const reopened = await another('0_0')
          assert.deepEqual(show(reopened.store.findSessions('k', 0, 1000)), ['k[200,220]=new'])
          reopened.store.put(session('k', 50, 60), 'dropped')
          assert.equal(reopened.store.fetchSession('k', 50, 60), undefined)
        }))
    }
  })
}
