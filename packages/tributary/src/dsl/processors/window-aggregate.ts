import type { StreamRecord } from '../../record.ts'
import type { TimestampedWindowStore } from '../../state/window/timestamped-window-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import type { TimeWindow, Windowed } from '../../windowed.ts'
import type { Change } from '../change.ts'
import type { TimeWindows } from '../windows/time-windows.ts'
import { ObservedTime } from './observed-time.ts'

/** Where a windowed aggregate sends its updates and its late records. */
export interface WindowOutputs<K, V> {
  /** Child receiving table updates. */
  readonly table: string
  /** Child receiving late input records (a sink), if any. */
  readonly lateChild?: string
  readonly lateHandler?: (record: StreamRecord<K, V>, window: TimeWindow) => void
}

/**
 * Aggregates a grouped stream into tumbling or hopping windows, as Kafka Streams'
 * KStreamWindowAggregate: a record updates each of its windows, in ascending start order, that
 * is still open (end > the processor's stream time - grace); for a closed one it is counted late
 * and handed to the late outputs once. Each window keeps the largest timestamp of its records,
 * which stamps its updates. A null key is dropped; a null value is aggregated (a count counts it;
 * the aggregator sees null).
 */
export function windowAggregate<K, V, A>(
  storeName: string,
  windows: TimeWindows,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  outputs: WindowOutputs<K, V>,
): ProcessorSupplier<K, V, unknown, unknown> {
  return () => {
    let context: ProcessorContext<unknown, unknown>
    let store: TimestampedWindowStore<K, A>
    let time: ObservedTime
    return {
      init(c) {
        context = c
        store = c.getStateStore(storeName)
        time = new ObservedTime(c)
      },
      process(record) {
        if (record.key === null || record.key === undefined) return context.recordDropped('null-key')
        const closeTime = time.observe(record.timestamp) - windows.graceMs
        let lateWindow: TimeWindow | undefined
        for (const start of windows.windowStartsFor(record.timestamp)) {
          const window = { start, end: start + windows.sizeMs }
          if (window.end <= closeTime) {
            lateWindow ??= window
            continue
          }
          const old = store.fetch(record.key, start)
          const oldValue = old === undefined || old.value === null ? null : old.value
          const timestamp = oldValue === null ? record.timestamp : Math.max(record.timestamp, old!.timestamp)
          const next = add(record.key, record.value, oldValue ?? initial())
          store.put(
            record.key,
            next === null || next === undefined ? null : { value: next, timestamp },
            start,
          )
          const key: Windowed<K> = { key: record.key, window }
          const change: Change<A> = { newValue: next, oldValue }
          context.forward({ ...record, key, value: change, timestamp }, outputs.table)
        }
        if (lateWindow !== undefined) reportLate(context, outputs, record, lateWindow)
      },
    }
  }
}

export function reportLate<K, V>(
  context: ProcessorContext<unknown, unknown>,
  outputs: WindowOutputs<K, V>,
  record: StreamRecord<K, V>,
  window: TimeWindow,
): void {
  context.recordLate({ timestamp: record.timestamp, window })
  if (outputs.lateChild !== undefined) context.forward(record, outputs.lateChild)
  outputs.lateHandler?.(record, window)
}
