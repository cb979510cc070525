import { TributaryError } from '../../errors.ts'
import type { Serde } from '../../serde/serde.ts'
import type { BufferedKeyValueStore } from '../buffered-store.ts'
import type { KeyValue } from '../key-value-store.ts'
import type { SessionStore } from '../session-store.ts'
import { ExpirySweeper, SWEEP_STEP } from '../window/expiry-sweeper.ts'
import { SegmentedKey } from '../window/segmented-key.ts'
import { Segments } from '../window/segments.ts'
import { MetaEntry } from '../window/store-meta.ts'
import { checkTime, lowerBound, upperBound } from '../window/time-bytes.ts'
import type { Windowed } from '../windowed.ts'
import type { SessionStoreConfig } from './session-store-options.ts'

const END = 0
const START = 1

/**
 * The session store processors use, over a task's buffered byte store. Stored keys are
 * `[segment(end)][key length][key][end][start]` (see segmented-key.ts), so the sessions of a key
 * that end at or after a time are one range scan per live segment: what `findSessions` needs.
 *
 * - A session is expired when `end <= observed - retentionMs` (observed = largest end put so far),
 *   as in Kafka Streams: reads skip it, and puts and removes of it are dropped.
 * - `put(session, null)` removes, like `remove`. Sessions are [start, end], both inclusive, and
 *   `start <= end` (STATE error otherwise).
 * - `all()` goes segment by segment (ascending end buckets), within one by key (length, then
 *   bytes), then end, then start.
 */
export class TypedSessionStore<K, A> implements SessionStore<K, A> {
  readonly name: string
  readonly retentionMs: number
  readonly #bytes: BufferedKeyValueStore
  readonly #keySerde: Serde<K>
  readonly #valueSerde: Serde<A>
  readonly #segments: Segments
  readonly #layout = new SegmentedKey(2)
  readonly #meta: MetaEntry
  readonly #sweeper: ExpirySweeper

  constructor(
    bytes: BufferedKeyValueStore,
    keySerde: Serde<K>,
    valueSerde: Serde<A>,
    config: SessionStoreConfig,
    sweepStep = SWEEP_STEP,
  ) {
    this.name = bytes.name
    this.retentionMs = config.retentionMs
    this.#bytes = bytes
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#segments = new Segments(config.segmentIntervalMs)
    this.#meta = new MetaEntry(bytes)
    this.#sweeper = new ExpirySweeper(bytes, this.#segments, sweepStep)
  }

  put(session: Windowed<K>, aggregate: A): void {
    const keyBytes = this.#key(session.key)
    const { start, end } = this.#window(session)
    const meta = this.#meta.read()
    const observed = Math.max(meta.observed, end)
    if (end <= observed - this.retentionMs) return // expired: dropped, as in Kafka Streams
    const stored = this.#layout.encode(this.#segments.of(end), keyBytes, end, start)
    const isDelete = aggregate === null || aggregate === undefined
    this.#bytes.put(stored, isDelete ? null : this.#valueSerde.serialize(aggregate, this.name))
    this.#meta.write({ observed, nextSeq: 0 })
    this.#sweeper.afterPut(this.#segments.of(Math.max(0, this.#liveFrom(observed))))
  }

  remove(session: Windowed<K>): void {
    this.put(session, null as A)
  }

  fetchSession(key: K, start: number, end: number): A | undefined {
    const keyBytes = this.#key(key)
    this.#window({ key, window: { start, end } })
    if (end < this.#liveFrom(this.#meta.read().observed)) return undefined
    const bytes = this.#bytes.get(this.#layout.encode(this.#segments.of(end), keyBytes, end, start))
    return bytes === undefined ? undefined : this.#valueSerde.deserialize(bytes, this.name)
  }

  /** Checks the key and bounds when called (not when first iterated); scans as the caller iterates. */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): Generator<KeyValue<Windowed<K>, A>> {
    const keyBytes = this.#key(key)
    const { observed } = this.#meta.read()
    const from = Math.max(
      lowerBound(this.name, 'earliestSessionEnd', earliestSessionEnd),
      this.#liveFrom(observed),
    )
    const latestStart = upperBound(this.name, 'latestSessionStart', latestSessionStart)
    return this.#sessions(key, keyBytes, from, latestStart, observed)
  }

  *all(): Generator<KeyValue<Windowed<K>, A>> {
    const { observed } = this.#meta.read()
    const from = Math.max(0, this.#liveFrom(observed))
    for (let segment = this.#segments.of(from); segment <= this.#segments.of(observed); segment++) {
      const range = this.#bytes.range(this.#segments.prefix(segment), this.#segments.prefix(segment + 1))
      for (const [stored, bytes] of range) {
        const end = this.#layout.field(stored, END)
        if (end < from) continue
        yield {
          key: {
            key: this.#keySerde.deserialize(this.#layout.key(stored), this.name),
            window: { start: this.#layout.field(stored, START), end },
          },
          value: this.#valueSerde.deserialize(bytes, this.name),
        }
      }
    }
  }

  /**
   * Scans the key's sessions ending at or after `from` (in every live segment from there on) and
   * keeps those starting at or before `latestStart`. Results are collected and put in start order:
   * a key's sessions are few, and the scan order (by end) only equals start order when sessions do
   * not overlap, which the store does not enforce.
   */
  *#sessions(
    key: K,
    keyBytes: Buffer,
    from: number,
    latestStart: number,
    observed: number,
  ): Generator<KeyValue<Windowed<K>, A>> {
    if (latestStart < 0) return
    const found: KeyValue<Windowed<K>, A>[] = []
    let sorted = true
    for (let segment = this.#segments.of(from); segment <= this.#segments.of(observed); segment++) {
      const lower = this.#layout.bound(segment, keyBytes, [from])
      const upper = this.#layout.bound(segment, keyBytes, [], true)
      for (const [stored, bytes] of this.#bytes.range(lower, upper)) {
        const start = this.#layout.field(stored, START)
        if (start > latestStart) continue
        const end = this.#layout.field(stored, END)
        const last = found.at(-1)
        if (last !== undefined && last.key.window.start > start) sorted = false
        found.push({
          key: { key, window: { start, end } },
          value: this.#valueSerde.deserialize(bytes, this.name),
        })
      }
    }
    if (!sorted)
      found.sort((a, b) => a.key.window.start - b.key.window.start || a.key.window.end - b.key.window.end)
    yield* found
  }

  /** First end that is not expired; observed = -1 (nothing put) makes everything live. */
  #liveFrom(observed: number): number {
    return observed - this.retentionMs + 1
  }

  #window(session: Windowed<K>): { start: number; end: number } {
    const start = checkTime(this.name, 'session start', session.window.start)
    const end = checkTime(this.name, 'session end', session.window.end)
    if (start > end) {
      throw new TributaryError('STATE', `store ${this.name}: session start ${start} is after its end ${end}`)
    }
    return { start, end }
  }

  #key(key: K): Buffer {
    if (key === null || key === undefined) {
      throw new TributaryError('STATE', `store ${this.name} does not accept a null key`)
    }
    return this.#keySerde.serialize(key, this.name)
  }
}
