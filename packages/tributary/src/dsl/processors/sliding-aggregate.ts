import type { WindowStore } from '../../state/window-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import { hasKeyAndValue, withStore } from './with-store.ts'
import type { Windowed } from '../../windowed.ts'
import type { SlidingWindows } from '../windows/sliding-windows.ts'
import { reportLate, type WindowOutputs } from './window-aggregate.ts'

/**
 * Sliding-window aggregation by recomputation: every record is kept (per key, by timestamp) in the
 * `raw` store for the window span; a new record at t touches the windows that contain it — its own
 * [t-d, t], its right neighbour [t+1, t+1+d] when records follow within d, the left windows of
 * records in (t, t+d] and the right windows of records in [t-1-d, t-1] — and each still-open one is
 * re-aggregated from the kept records in timestamp order. Exact for any aggregator (no subtractor
 * needed); costs O(records in the span) per affected window.
 */
export function slidingAggregate<K, V, A>(
  storeName: string,
  rawStoreName: string,
  windows: SlidingWindows,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  outputs: WindowOutputs<K, V>,
): ProcessorSupplier<K, V, unknown, unknown> {
  const d = windows.timeDifferenceMs
  return withStore<WindowStore<K, A>, K, V, unknown, unknown>(storeName, (record, store, context) => {
    const raw = context.getStateStore<WindowStore<K, V>>(rawStoreName)
    if (!hasKeyAndValue(record)) return
    const key = record.key
    const t = record.timestamp
    const streamTime = context.currentStreamTimeMs()
    if (streamTime > t + d + windows.graceMs) {
      reportLate(context, outputs, record, { start: t - d, end: t })
      return
    }
    raw.put(key, record.value, t)
    const neighbours = [...raw.fetchRange(key, Math.max(0, t - 1 - d), t + 1 + d)].map(
      (e) => e.key.window.start,
    )
    const starts = new Set<number>([Math.max(0, t - d)])
    if (neighbours.some((s) => s > t)) starts.add(t + 1)
    for (const s of neighbours) {
      if (s > t) starts.add(Math.max(0, s - d))
      if (s < t && s + 1 + d >= t) starts.add(s + 1)
    }
    for (const start of [...starts].sort((a, b) => a - b)) {
      const end = start + d
      const holdsT = start <= t && t <= end
      if ((!holdsT && start !== t + 1) || streamTime > end + windows.graceMs) continue
      let aggregate = initial()
      let any = false
      for (const e of raw.fetchRange(key, start, end)) {
        aggregate = add(key, e.value, aggregate)
        any = true
      }
      if (!any) continue
      const old = store.fetch(key, start)
      store.put(key, aggregate, start)
      const windowed: Windowed<K> = { key, window: { start, end } }
      context.forward(
        { ...record, key: windowed, value: { newValue: aggregate, oldValue: old ?? null } },
        outputs.table,
      )
    }
  })
}
