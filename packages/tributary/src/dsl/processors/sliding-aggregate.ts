import type { StreamRecord } from '../../record.ts'
import type { KeyValue } from '../../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { TimestampedWindowStore } from '../../state/window/timestamped-window-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import type { TimeWindow, Windowed } from '../../windowed.ts'
import type { SlidingWindows } from '../windows/sliding-windows.ts'
import { ObservedTime } from './observed-time.ts'
import { reportLate, type WindowOutputs } from './window-aggregate.ts'

type Stamped<A> = ValueAndTimestamp<A>
type Entry<K, A> = KeyValue<Windowed<K>, Stamped<A>>

/**
 * Sliding-window aggregation, incrementally as Kafka Streams' KStreamSlidingWindowAggregate: only
 * windows that hold records exist — each record's left window [t - d, t] and, when later records
 * follow within d, its right window [t + 1, t + 1 + d]. Every window stores its aggregate with the
 * largest timestamp in it, so a new window is built by copying a neighbour's aggregate instead of
 * re-reading records (no subtractor, no record store). A record at t:
 * - visits the key's windows starting in [t - 2d, t + 1] from the latest start down, adding
 *   itself to each that contains it (each update forwarded at once, in that order), until it
 *   reaches the window just before it;
 * - then creates what is missing: the previous record's right window, its own left window, its
 *   own right window (a copy of the aggregate of the records after it).
 * Records before d share the window [0, d] ("early records"). Updates are stamped with the
 * window's largest timestamp; a window whose end is before the processor's stream time - grace is
 * closed (the record is late for it). Null keys and values are dropped.
 */
export function slidingAggregate<K, V, A>(
  storeName: string,
  windows: SlidingWindows,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  outputs: WindowOutputs<K, V>,
): ProcessorSupplier<K, V, unknown, unknown> {
  const d = windows.timeDifferenceMs
  return () => {
    let context: ProcessorContext<unknown, unknown>
    let store: TimestampedWindowStore<K, A>
    let time: ObservedTime

    /** Adds the record to `window` (whose current content is `current`) if it is still open. */
    function update(
      record: StreamRecord<K, V>,
      window: TimeWindow,
      current: Stamped<A> | undefined,
      closeTime: number,
    ) {
      if (window.end < closeTime) return
      const old = current?.value ?? null
      const next = add(record.key, record.value, old as A)
      const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, current!.timestamp)
      store.put(
        record.key,
        next === null || next === undefined ? null : { value: next, timestamp },
        window.start,
      )
      forward(record, window, next, old, timestamp)
    }

    function forward(
      record: StreamRecord<K, V>,
      window: TimeWindow,
      next: A,
      old: A | null,
      timestamp: number,
    ) {
      const key: Windowed<K> = { key: record.key, window }
      context.forward({ ...record, key, value: { newValue: next, oldValue: old }, timestamp }, outputs.table)
    }

    const windowAt = (start: number): TimeWindow => ({ start, end: start + d })

    /** The record's own right window, holding a copy of `after` (the records following it). */
    function createRightWindow(record: StreamRecord<K, V>, after: Stamped<A>) {
      const window = windowAt(record.timestamp + 1)
      store.put(record.key, after, window.start)
      forward(record, window, after.value, null, after.timestamp)
    }

    function process(record: StreamRecord<K, V>, closeTime: number) {
      const t = record.timestamp
      const found = new Set<number>()
      let before: Stamped<A> | undefined // the window just before the record (ends before t)
      let after: Stamped<A> | undefined // the latest window holding t: its records after t seed t's right window
      let leftExists = false
      let rightExists = false
      let previous: number | undefined // the timestamp of the record before t, if it needs windows
      for (const entry of descending(store.fetchRange(record.key, Math.max(0, t - 2 * d), t + 1))) {
        const { start, end } = entry.key.window
        found.add(start)
        if (start === t + 1) rightExists = true
        else if (end > t) {
          after ??= entry.value
          update(record, entry.key.window, entry.value, closeTime)
        } else if (end === t) {
          leftExists = true
          update(record, entry.key.window, entry.value, closeTime)
          if (entry.value.timestamp >= t) return
          previous = entry.value.timestamp
        } else {
          before = entry.value
          previous = entry.value.timestamp
          break
        }
      }
      if (previous !== undefined && !found.has(previous + 1) && previous + 1 + d >= t) {
        update(record, windowAt(previous + 1), { value: initial(), timestamp: t }, closeTime)
      }
      if (!leftExists) {
        const seed = previous !== undefined && t - d <= previous ? before!.value : initial()
        update(record, windowAt(t - d), { value: seed, timestamp: t }, closeTime)
      }
      if (!rightExists && after !== undefined && after.timestamp > t) createRightWindow(record, after)
    }

    /** A record before d: [0, d] holds it with every other early record. */
    function processEarly(record: StreamRecord<K, V>, closeTime: number) {
      const t = record.timestamp
      const found = new Set<number>()
      let combined: Entry<K, A> | undefined
      let after: Stamped<A> | undefined
      let rightExists = false
      let previous: number | undefined
      for (const entry of store.fetchRange(record.key, 0, t + 1)) {
        const start = entry.key.window.start
        found.add(start)
        if (start === 0) {
          combined = entry
          if (entry.value.timestamp < t) previous = entry.value.timestamp
        } else if (start <= t) {
          after = entry.value
          update(record, entry.key.window, entry.value, closeTime)
        } else if (start === t + 1) rightExists = true
      }
      if (after === undefined && combined !== undefined && combined.value.timestamp > t)
        after = combined.value
      if (!rightExists && after !== undefined && after.timestamp > t) createRightWindow(record, after)
      if (previous !== undefined && !found.has(previous + 1)) {
        update(record, windowAt(previous + 1), { value: initial(), timestamp: t }, closeTime)
      }
      if (combined === undefined) update(record, windowAt(0), { value: initial(), timestamp: t }, closeTime)
      else update(record, combined.key.window, combined.value, closeTime)
    }

    return {
      init(c) {
        context = c
        store = c.getStateStore(storeName)
        time = new ObservedTime(c)
      },
      process(record) {
        if (record.key === null || record.key === undefined) return context.recordDropped('null-key')
        if (record.value === null || record.value === undefined) return context.recordDropped('null-value')
        const t = record.timestamp
        const closeTime = time.observe(t) - windows.graceMs
        if (t + d < closeTime) return reportLate(context, outputs, record, windowAt(t - d))
        if (t < d) processEarly(record, closeTime)
        else process(record, closeTime)
      },
    }
  }
}

function descending<T>(entries: Iterable<T>): T[] {
  return [...entries].reverse()
}
