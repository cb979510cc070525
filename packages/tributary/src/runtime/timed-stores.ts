import { methodProxy } from './method-proxy.ts'
import type { RuntimeObserver } from './runtime-observer.ts'

/**
 * `stores` with every method call timed into `observer.storeOperation` (the `debug` recording
 * level); returned unchanged when the observer does not record store operations. Iterators returned
 * by range calls are timed until they are returned, not while they are read.
 */
export function timedStores(
  stores: ReadonlyMap<string, unknown>,
  observer: RuntimeObserver | undefined,
): ReadonlyMap<string, unknown> {
  const record = observer?.storeOperation?.bind(observer)
  if (record === undefined) return stores
  return new Map([...stores].map(([name, store]) => [name, timed(name, store as object, record)]))
}

function timed(
  name: string,
  store: object,
  record: (store: string, operation: string, durationMs: number) => void,
): object {
  return methodProxy(store, (operation, method) => (...args) => {
    const started = performance.now()
    try {
      return method(...args)
    } finally {
      record(name, operation, performance.now() - started)
    }
  })
}
