import type { SessionStore } from '../../state/session-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import { hasKeyAndValue, withStore } from './with-store.ts'
import type { Windowed } from '../../windowed.ts'
import type { SessionWindows } from '../windows/session-windows.ts'
import { reportLate, type WindowOutputs } from './window-aggregate.ts'

/**
 * Aggregates a grouped stream into sessions. A record within the inactivity gap of existing
 * sessions merges them (their aggregates combined with `merge`, then the record added): merged-away
 * sessions are forwarded as deletions, the result as an update. A merged session ending before
 * stream time - grace is closed: the record is late.
 */
export function sessionAggregate<K, V, A>(
  storeName: string,
  windows: SessionWindows,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  merge: (key: K, left: A, right: A) => A,
  outputs: WindowOutputs<K, V>,
): ProcessorSupplier<K, V, unknown, unknown> {
  return withStore<SessionStore<K, A>, K, V, unknown, unknown>(storeName, (record, store, context) => {
    if (!hasKeyAndValue(record)) return
    const ts = record.timestamp
    const gap = windows.inactivityGapMs
    const overlapping = [...store.findSessions(record.key, ts - gap, ts + gap)]
    let start = ts
    let end = ts
    for (const s of overlapping) {
      start = Math.min(start, s.key.window.start)
      end = Math.max(end, s.key.window.end)
    }
    if (end < context.currentStreamTimeMs() - windows.graceMs) {
      reportLate(context, outputs, record, { start, end })
      return
    }
    let aggregate = initial()
    let previous: A | null = null
    for (const s of overlapping) {
      aggregate = merge(record.key, aggregate, s.value)
      if (s.key.window.start === start && s.key.window.end === end) {
        previous = s.value
        continue
      }
      store.remove(s.key)
      context.forward({ ...record, key: s.key, value: { newValue: null, oldValue: s.value } }, outputs.table)
    }
    aggregate = add(record.key, record.value, aggregate)
    const session: Windowed<K> = { key: record.key, window: { start, end } }
    store.put(session, aggregate)
    context.forward(
      { ...record, key: session, value: { newValue: aggregate, oldValue: previous } },
      outputs.table,
    )
  })
}
