import { TributaryError } from '../../errors.ts'
import type { Serde } from '../../serde/serde.ts'
import type { BufferedKeyValueStore } from '../buffered-store.ts'
import type { KeyValue } from '../key-value-store.ts'
import type { WindowStore } from '../window-store.ts'
import type { Windowed } from '../windowed.ts'
import { ExpirySweeper, SWEEP_STEP } from './expiry-sweeper.ts'
import { SegmentedKey } from './segmented-key.ts'
import { Segments } from './segments.ts'
import { MetaEntry } from './store-meta.ts'
import { checkTime, lowerBound, upperBound } from './time-bytes.ts'
import type { WindowStoreConfig } from './window-store-options.ts'

/**
 * The window store processors use, over a task's buffered byte store. Stored keys are
 * `[segment(start)][key length][key][start]` plus `[sequence number]` with `retainDuplicates`
 * (see segmented-key.ts); the stream time and sequence counter live in one metadata entry.
 *
 * - A window is expired when `start <= observed - retentionMs` (observed = largest start put so
 *   far), as in Kafka Streams: reads skip it and puts to it are dropped.
 * - `fetchRange` yields ascending by start (duplicates in insertion order); `fetchAll` and `all`
 *   go segment by segment (ascending time buckets), within one by key (length, then bytes), then start.
 * - With `retainDuplicates`, `fetch` returns the earliest retained entry of that (key, start).
 * - Serdes get the store name as `topic`; null keys are refused (STATE); stored times must be
 *   non-negative integers (STATE), while query bounds may be any number and are clamped.
 */
export class TypedWindowStore<K, V> implements WindowStore<K, V> {
  readonly name: string
  readonly windowSizeMs: number
  readonly retentionMs: number
  readonly retainDuplicates: boolean
  readonly #bytes: BufferedKeyValueStore
  readonly #keySerde: Serde<K>
  readonly #valueSerde: Serde<V>
  readonly #segments: Segments
  readonly #layout: SegmentedKey
  readonly #meta: MetaEntry
  readonly #sweeper: ExpirySweeper

  constructor(
    bytes: BufferedKeyValueStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    config: WindowStoreConfig,
    sweepStep = SWEEP_STEP,
  ) {
    this.name = bytes.name
    this.windowSizeMs = config.windowSizeMs
    this.retentionMs = config.retentionMs
    this.retainDuplicates = config.retainDuplicates
    this.#bytes = bytes
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#segments = new Segments(config.segmentIntervalMs)
    this.#layout = new SegmentedKey(config.retainDuplicates ? 2 : 1)
    this.#meta = new MetaEntry(bytes)
    this.#sweeper = new ExpirySweeper(bytes, this.#segments, sweepStep)
  }

  put(key: K, value: V | null, windowStart: number): void {
    const keyBytes = this.#key(key)
    checkTime(this.name, 'window start', windowStart)
    const isDelete = value === null || value === undefined
    if (isDelete && this.retainDuplicates) return // nothing to add
    const meta = this.#meta.read()
    const observed = Math.max(meta.observed, windowStart)
    if (windowStart <= observed - this.retentionMs) return // expired: dropped, as in Kafka Streams
    const segment = this.#segments.of(windowStart)
    const stored = this.retainDuplicates
      ? this.#layout.encode(segment, keyBytes, windowStart, meta.nextSeq)
      : this.#layout.encode(segment, keyBytes, windowStart)
    this.#bytes.put(stored, isDelete ? null : this.#valueSerde.serialize(value as V, this.name))
    this.#meta.write({ observed, nextSeq: this.retainDuplicates ? meta.nextSeq + 1 : 0 })
    this.#sweeper.afterPut(this.#segments.of(Math.max(0, this.#liveFrom(observed))))
  }

  fetch(key: K, windowStart: number): V | undefined {
    const keyBytes = this.#key(key)
    checkTime(this.name, 'window start', windowStart)
    if (windowStart < this.#liveFrom(this.#meta.read().observed)) return undefined
    const segment = this.#segments.of(windowStart)
    if (!this.retainDuplicates) {
      const bytes = this.#bytes.get(this.#layout.encode(segment, keyBytes, windowStart))
      return bytes === undefined ? undefined : this.#valueSerde.deserialize(bytes, this.name)
    }
    const from = this.#layout.bound(segment, keyBytes, [windowStart])
    const to = this.#layout.bound(segment, keyBytes, [windowStart], true)
    for (const [, bytes] of this.#bytes.range(from, to)) return this.#valueSerde.deserialize(bytes, this.name)
    return undefined
  }

  /** Checks the key and bounds when called (not when first iterated); scans as the caller iterates. */
  fetchRange(key: K, timeFrom: number, timeTo: number): Generator<KeyValue<Windowed<K>, V>> {
    const keyBytes = this.#key(key)
    const [from, to] = this.#bounds(timeFrom, timeTo)
    return this.#keyWindows(key, keyBytes, from, to)
  }

  fetchAll(timeFrom: number, timeTo: number): Generator<KeyValue<Windowed<K>, V>> {
    const [from, to] = this.#bounds(timeFrom, timeTo)
    return this.#windows(from, to)
  }

  all(): Generator<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(0, Number.MAX_SAFE_INTEGER)
  }

  *#keyWindows(key: K, keyBytes: Buffer, from: number, to: number): Generator<KeyValue<Windowed<K>, V>> {
    for (let segment = this.#segments.of(from); segment <= this.#segments.of(to); segment++) {
      const lower = this.#layout.bound(segment, keyBytes, [from])
      const upper = this.#layout.bound(segment, keyBytes, [to], true)
      for (const [stored, bytes] of this.#bytes.range(lower, upper)) {
        yield this.#entry(key, this.#layout.field(stored, 0), bytes)
      }
    }
  }

  *#windows(from: number, to: number): Generator<KeyValue<Windowed<K>, V>> {
    for (let segment = this.#segments.of(from); segment <= this.#segments.of(to); segment++) {
      const range = this.#bytes.range(this.#segments.prefix(segment), this.#segments.prefix(segment + 1))
      for (const [stored, bytes] of range) {
        const start = this.#layout.field(stored, 0)
        if (start < from || start > to) continue
        const key = this.#keySerde.deserialize(this.#layout.key(stored), this.name)
        yield this.#entry(key, start, bytes)
      }
    }
  }

  /** First start that is not expired; observed = -1 (nothing put) makes everything live. */
  #liveFrom(observed: number): number {
    return observed - this.retentionMs + 1
  }

  /** The live part of [timeFrom, timeTo]; from > to when empty. */
  #bounds(timeFrom: number, timeTo: number): [from: number, to: number] {
    const { observed } = this.#meta.read()
    const from = Math.max(lowerBound(this.name, 'timeFrom', timeFrom), this.#liveFrom(observed))
    // Nothing starts after the largest start put: bounding `to` bounds the segments visited.
    const to = Math.min(upperBound(this.name, 'timeTo', timeTo), observed)
    return [from, to]
  }

  #entry(key: K, start: number, bytes: Buffer): KeyValue<Windowed<K>, V> {
    return {
      key: { key, window: { start, end: start + this.windowSizeMs } },
      value: this.#valueSerde.deserialize(bytes, this.name),
    }
  }

  #key(key: K): Buffer {
    if (key === null || key === undefined) {
      throw new TributaryError('STATE', `store ${this.name} does not accept a null key`)
    }
    return this.#keySerde.serialize(key, this.name)
  }
}
