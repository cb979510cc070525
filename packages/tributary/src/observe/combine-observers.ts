import type { RecordScope, RuntimeObserver } from '../runtime/runtime-observer.ts'

type Method = Exclude<keyof RuntimeObserver, 'recordStarted' | 'timeEachRecord'>
const METHODS: readonly Method[] = [
  'recordsProcessed',
  'recordDropped',
  'recordSent',
  'polled',
  'committed',
  'punctuated',
  'rebalanced',
  'restored',
  'storeOperation',
]

/**
 * One observer calling each of `observers` in turn (e.g. metrics and tracing). It has only the
 * methods some of them have, so the runtime skips what nobody records (e.g. store timings).
 */
export function combineObservers(...observers: Array<RuntimeObserver | undefined>): RuntimeObserver {
  const all = observers.filter((o): o is RuntimeObserver => o !== undefined)
  const combined: Record<string, (...args: never[]) => void> = {}
  for (const name of METHODS) {
    const fns = all.flatMap((o) =>
      o[name] === undefined ? [] : [o[name].bind(o) as (...a: unknown[]) => void],
    )
    if (fns.length > 0) combined[name] = (...args: unknown[]) => fns.forEach((fn) => fn(...args))
  }
  const timeEachRecord = all.some((o) => o.timeEachRecord === true)
  const base = { ...(combined as RuntimeObserver), ...(timeEachRecord ? { timeEachRecord } : {}) }
  const starters = all.filter((o) => o.recordStarted !== undefined)
  if (starters.length === 0) return base
  return {
    ...base,
    recordStarted(taskId, raw) {
      const scopes = starters.flatMap((o) => o.recordStarted!(taskId, raw) ?? [])
      if (scopes.length <= 1) return scopes[0]
      const following = scopes.filter((s) => s.stateRead !== undefined)
      return {
        decorate: (record) => scopes.reduce((r, s) => s.decorate(r), record),
        end: (error) => scopes.forEach((s) => s.end(error)),
        ...(following.length === 0
          ? {}
          : {
              stateRead: (store, entry) => following.forEach((s) => s.stateRead!(store, entry)),
              stateWritten: (store, entry) => following.forEach((s) => s.stateWritten?.(store, entry)),
            }),
      } satisfies RecordScope
    },
  }
}
