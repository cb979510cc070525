import type { SessionStore } from '../../state/session-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import { withStore } from './with-store.ts'
import type { Windowed } from '../../windowed.ts'
import type { SessionWindows } from '../windows/session-windows.ts'
import { reportLate, type WindowOutputs } from './window-aggregate.ts'

/**
 * Aggregates a grouped stream into sessions, as Kafka Streams' KStreamSessionWindowAggregate: a
 * record within the inactivity gap of existing sessions merges them (their aggregates combined
 * with `merge`, then the record added). Unless the record is a session of its own, every merged
 * session is removed and forwarded as a deletion (the one the result replaces too), then the
 * result as an update. Every update is stamped with its session's end. A merged session is closed
 * (the record late) once it ends before stream time - gap - grace. Null keys are skipped; null
 * values are aggregated.
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
    if (record.key === null || record.key === undefined) return context.recordDropped('null-key')
    const ts = record.timestamp
    const gap = windows.inactivityGapMs
    const overlapping = [...store.findSessions(record.key, ts - gap, ts + gap)]
    let start = ts
    let end = ts
    let aggregate = initial()
    for (const s of overlapping) {
      start = Math.min(start, s.key.window.start)
      end = Math.max(end, s.key.window.end)
      aggregate = merge(record.key, aggregate, s.value)
    }
    if (end < context.currentStreamTimeMs() - windows.graceMs - gap) {
      reportLate(context, outputs, record, { start, end })
      return
    }
    if (start !== ts || end !== ts) {
      for (const s of overlapping) {
        store.remove(s.key)
        const deletion = { key: s.key, value: { newValue: null, oldValue: s.value } }
        context.forward({ ...record, ...deletion, timestamp: s.key.window.end }, outputs.table)
      }
    }
    aggregate = add(record.key, record.value, aggregate)
    const session: Windowed<K> = { key: record.key, window: { start, end } }
    store.put(session, aggregate)
    const update = { key: session, value: { newValue: aggregate, oldValue: null } }
    context.forward({ ...record, ...update, timestamp: end }, outputs.table)
  })
}
