import type { StreamRecord } from '../../record.ts'
import type { WindowStore } from '../../state/window-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import { hasKeyAndValue, withStore } from './with-store.ts'
import type { TimeWindow, Windowed } from '../../windowed.ts'
import type { Change } from '../change.ts'
import type { TimeWindows } from '../windows/time-windows.ts'

/** Where a windowed aggregate sends its updates and its late records. */
export interface WindowOutputs<K, V> {
  /** Child receiving table updates. */
  readonly table: string
  /** Child receiving late input records (a sink), if any. */
  readonly lateChild?: string
  readonly lateHandler?: (record: StreamRecord<K, V>, window: TimeWindow) => void
}

/**
 * Aggregates a grouped stream into tumbling or hopping windows. A record updates each of its
 * windows that is still open (end + grace > stream time); for a closed one it is counted late and
 * handed to the late outputs once. Records with a null key or value are skipped.
 */
export function windowAggregate<K, V, A>(
  storeName: string,
  windows: TimeWindows,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  outputs: WindowOutputs<K, V>,
): ProcessorSupplier<K, V, unknown, unknown> {
  return withStore<WindowStore<K, A>, K, V, unknown, unknown>(storeName, (record, store, context) => {
    if (!hasKeyAndValue(record)) return
    const closeTime = context.currentStreamTimeMs() - windows.graceMs
    let lateWindow: TimeWindow | undefined
    for (const start of windows.windowStartsFor(record.timestamp)) {
      const window = { start, end: start + windows.sizeMs }
      if (window.end <= closeTime) {
        lateWindow ??= window
        continue
      }
      const old = store.fetch(record.key, start)
      const next = add(record.key, record.value, old === undefined ? initial() : old)
      store.put(record.key, next, start)
      const key: Windowed<K> = { key: record.key, window }
      const change: Change<A> = { newValue: next, oldValue: old ?? null }
      context.forward({ ...record, key, value: change }, outputs.table)
    }
    if (lateWindow !== undefined) reportLate(context, outputs, record, lateWindow)
  })
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
