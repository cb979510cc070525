import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { BackendFactory, BytesEntry } from '../../../src/state/backend.ts'
import type { KeyValue } from '../../../src/state/key-value-store.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../../src/state/memory/memory-backend-factory.ts'
import type { Windowed } from '../../../src/state/windowed.ts'
import { withWindowStore } from './open-window-store.ts'

const RETENTION = 15
const SEGMENT = 5
const SIZE = 4

interface Entry {
  readonly key: string
  readonly start: number
  readonly value: string
  readonly seq: number
}

/** The obvious implementation: a list of entries, expiry applied when reading. */
class Model {
  entries: Entry[] = []
  observed = -1
  seq = 0

  constructor(readonly duplicates: boolean) {}

  put(key: string, start: number, value: string | null): void {
    if (this.duplicates && value === null) return
    const observed = Math.max(this.observed, start)
    if (start <= observed - RETENTION) return
    this.observed = observed
    if (!this.duplicates) this.entries = this.entries.filter((e) => e.key !== key || e.start !== start)
    if (value !== null) this.entries.push({ key, start, value, seq: this.seq++ })
  }

  #live(): Entry[] {
    return this.entries.filter((e) => e.start > this.observed - RETENTION)
  }

  fetch(key: string, start: number): string | undefined {
    return this.range(key, start, start)[0]?.value
  }

  range(key: string, from: number, to: number): Entry[] {
    return this.#live()
      .filter((e) => e.key === key && e.start >= from && e.start <= to)
      .sort((a, b) => a.start - b.start || a.seq - b.seq)
  }

  /** Segment, then key by (length, bytes), then start, then insertion. */
  fetchAll(from: number, to: number): Entry[] {
    const bytes = (key: string) => Buffer.from(key)
    return this.#live()
      .filter((e) => e.start >= from && e.start <= to)
      .sort(
        (a, b) =>
          Math.floor(a.start / SEGMENT) - Math.floor(b.start / SEGMENT) ||
          bytes(a.key).length - bytes(b.key).length ||
          Buffer.compare(bytes(a.key), bytes(b.key)) ||
          a.start - b.start ||
          a.seq - b.seq,
      )
  }
}

const show = (entries: Iterable<KeyValue<Windowed<string>, string>>): string[] =>
  Array.from(entries, ({ key, value }) => {
    assert.equal(key.window.end, key.window.start + SIZE)
    return `${JSON.stringify(key.key)}@${key.window.start}=${value}`
  })
const showModel = (entries: Entry[]): string[] =>
  entries.map(({ key, start, value }) => `${JSON.stringify(key)}@${start}=${value}`)

const key = fc.constantFrom('', 'a', 'ab', 'a\u0000', 'b')
/** Starts mostly advance (stream time moves on, windows expire), some arrive late or very late. */
const time = fc.record({ advance: fc.integer({ min: 0, max: 3 }), back: fc.integer({ min: 0, max: 20 }) })
const bound = fc.oneof(fc.integer({ min: -10, max: 250 }), fc.constant(Infinity))
const op = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key,
      start: time,
      value: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetch' as const), key, start: time }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('range' as const), key, from: bound, to: bound }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetchAll' as const), from: bound, to: bound }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
)

let sweptRuns = 0

const property = async (factory: BackendFactory, duplicates: boolean, numRuns: number) => {
  sweptRuns = 0
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 150, size: 'max' }), (ops) =>
      withWindowStore(
        factory,
        {
          retentionMs: RETENTION,
          windowSizeMs: SIZE,
          segmentIntervalMs: SEGMENT,
          retainDuplicates: duplicates,
        },
        async ({ store, bytes, another }) => {
          const model = new Model(duplicates)
          const changelog: BytesEntry[] = []
          let offset = 0
          let clock = 0
          // Deletions made by a put of a value can only be the sweeper's.
          let swept = false
          let deletions = 0
          const put = bytes.put.bind(bytes)
          bytes.put = (k, v) => {
            if (v === null) deletions++
            put(k, v)
          }
          const at = ({ advance, back }: { advance: number; back: number }) => {
            clock += advance
            return Math.max(0, clock - back)
          }
          for (const o of ops) {
            if (o.kind === 'put') {
              const start = at(o.start)
              const before = deletions
              store.put(o.key, o.value, start)
              if (o.value !== null && deletions > before) swept = true
              model.put(o.key, start, o.value)
            } else if (o.kind === 'fetch') {
              const start = at(o.start)
              assert.equal(store.fetch(o.key, start), model.fetch(o.key, start))
            } else if (o.kind === 'range') {
              assert.deepEqual(
                show(store.fetchRange(o.key, o.from, o.to)),
                showModel(model.range(o.key, o.from, o.to)),
              )
            } else if (o.kind === 'fetchAll') {
              assert.deepEqual(show(store.fetchAll(o.from, o.to)), showModel(model.fetchAll(o.from, o.to)))
            } else {
              changelog.push(...bytes.pending())
              await bytes.commit(++offset)
            }
          }
          const everything = showModel(model.fetchAll(0, Infinity))
          assert.deepEqual(show(store.all()), everything)
          changelog.push(...bytes.pending())
          if (swept) sweptRuns++
          const restored = await another('1_0')
          await restored.bytes.restore(changelog, offset + 1)
          assert.deepEqual(show(restored.store.all()), everything)
        },
        { sweepStep: 3 },
      ),
    ),
    { numRuns },
  )
  // The sweeper must have been exercised, or the property says little about expiry.
  assert.ok(sweptRuns > numRuns / 4, `only ${sweptRuns} of ${numRuns} runs swept expired entries`)
}

describe('window store against a naive model', () => {
  it('agrees on every read, and a restore from the changelog agrees too, in memory', () =>
    property(memoryBackendFactory, false, 200))
  it('agrees with duplicates retained, in memory', () => property(memoryBackendFactory, true, 200))
  it('agrees on lmdb', () => property(lmdbBackendFactory, false, 40))
  it('agrees with duplicates retained on lmdb', () => property(lmdbBackendFactory, true, 40))
})
