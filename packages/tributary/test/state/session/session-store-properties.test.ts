import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { BackendFactory, BytesEntry } from '../../../src/state/backend.ts'
import type { KeyValue } from '../../../src/state/key-value-store.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../../../src/state/memory/memory-backend-factory.ts'
import type { Windowed } from '../../../src/state/windowed.ts'
import { withSessionStore } from './open-session-store.ts'

const RETENTION = 15
const SEGMENT = 5

interface Session {
  readonly key: string
  readonly start: number
  readonly end: number
  readonly value: string
}

/** The obvious implementation: a map of sessions, expiry applied when reading. */
class Model {
  sessions = new Map<string, Session>()
  observed = -1

  put(key: string, start: number, end: number, value: string | null): void {
    const observed = Math.max(this.observed, end)
    if (end <= observed - RETENTION) return
    this.observed = observed
    const id = JSON.stringify([key, start, end])
    if (value === null) this.sessions.delete(id)
    else this.sessions.set(id, { key, start, end, value })
  }

  #live(): Session[] {
    return [...this.sessions.values()].filter((s) => s.end > this.observed - RETENTION)
  }

  find(key: string, earliestEnd: number, latestStart: number): Session[] {
    return this.#live()
      .filter((s) => s.key === key && s.end >= earliestEnd && s.start <= latestStart)
      .sort((a, b) => a.start - b.start || a.end - b.end)
  }

  fetch(key: string, start: number, end: number): string | undefined {
    return this.#live().find((s) => s.key === key && s.start === start && s.end === end)?.value
  }

  /** Segment of the end, then key by (length, bytes), then end, then start. */
  all(): Session[] {
    const bytes = (key: string) => Buffer.from(key)
    return this.#live().sort(
      (a, b) =>
        Math.floor(a.end / SEGMENT) - Math.floor(b.end / SEGMENT) ||
        bytes(a.key).length - bytes(b.key).length ||
        Buffer.compare(bytes(a.key), bytes(b.key)) ||
        a.end - b.end ||
        a.start - b.start,
    )
  }
}

const show = (entries: Iterable<KeyValue<Windowed<string>, string>>): string[] =>
  Array.from(
    entries,
    ({ key, value }) => `${JSON.stringify(key.key)}[${key.window.start},${key.window.end}]=${value}`,
  )
const showModel = (sessions: Session[]): string[] =>
  sessions.map(({ key, start, end, value }) => `${JSON.stringify(key)}[${start},${end}]=${value}`)

const key = fc.constantFrom('', 'a', 'ab', 'a\u0000', 'b')
/** Session ends mostly advance (stream time moves on, sessions expire), some arrive late or very late. */
const window = fc.record({
  advance: fc.integer({ min: 0, max: 3 }),
  back: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 0, max: 8 }),
})
const bound = fc.oneof(fc.integer({ min: -10, max: 250 }), fc.constant(Infinity), fc.constant(-Infinity))
const op = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key,
      window,
      value: fc.option(fc.constantFrom('x', 'y'), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), key, window }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('find' as const), key, earliestEnd: bound, latestStart: bound }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetch' as const), key, window }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'all' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
)

let sweptRuns = 0

const property = async (factory: BackendFactory, numRuns: number) => {
  sweptRuns = 0
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 150, size: 'max' }), (ops) =>
      withSessionStore(
        factory,
        { retentionMs: RETENTION, segmentIntervalMs: SEGMENT },
        async ({ store, bytes, another }) => {
          const model = new Model()
          const changelog: BytesEntry[] = []
          let offset = 0
          let clock = 0
          const at = ({ advance, back, length }: { advance: number; back: number; length: number }) => {
            clock += advance
            const end = Math.max(0, clock - back)
            return { start: Math.max(0, end - length), end }
          }
          // Deletions made by a put of an aggregate can only be the sweeper's.
          let swept = false
          let deletions = 0
          const put = bytes.put.bind(bytes)
          bytes.put = (k, v) => {
            if (v === null) deletions++
            put(k, v)
          }
          for (const o of ops) {
            if (o.kind === 'put') {
              const w = at(o.window)
              const before = deletions
              store.put({ key: o.key, window: w }, o.value as string)
              if (o.value !== null && deletions > before) swept = true
              model.put(o.key, w.start, w.end, o.value)
            } else if (o.kind === 'remove') {
              const w = at(o.window)
              store.remove({ key: o.key, window: w })
              model.put(o.key, w.start, w.end, null)
            } else if (o.kind === 'find') {
              assert.deepEqual(
                show(store.findSessions(o.key, o.earliestEnd, o.latestStart)),
                showModel(model.find(o.key, o.earliestEnd, o.latestStart)),
              )
            } else if (o.kind === 'fetch') {
              const w = at(o.window)
              assert.equal(store.fetchSession(o.key, w.start, w.end), model.fetch(o.key, w.start, w.end))
            } else if (o.kind === 'all') {
              assert.deepEqual(show(store.all()), showModel(model.all()))
            } else {
              changelog.push(...bytes.pending())
              await bytes.commit(++offset)
            }
          }
          changelog.push(...bytes.pending())
          if (swept) sweptRuns++
          const restored = await another('1_0')
          await restored.bytes.restore(changelog, offset + 1)
          assert.deepEqual(show(restored.store.all()), showModel(model.all()))
        },
        3,
      ),
    ),
    { numRuns },
  )
  // The sweeper must have been exercised, or the property says little about expiry.
  assert.ok(sweptRuns > numRuns / 4, `only ${sweptRuns} of ${numRuns} runs swept expired sessions`)
}

describe('session store against a naive model', () => {
  it('agrees on every read, and a restore from the changelog agrees too, in memory', () =>
    property(memoryBackendFactory, 200))
  it('agrees on lmdb', () => property(lmdbBackendFactory, 40))
})
