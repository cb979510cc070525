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
  const wrappers = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      let wrapper = wrappers.get(property)
      if (wrapper === undefined) {
        const fn = value as (...args: unknown[]) => unknown
        wrapper = function (this: unknown, ...args: unknown[]) {
          const started = performance.now()
          try {
            return fn.apply(target, args)
          } finally {
            record(name, property, performance.now() - started)
          }
        }
        wrappers.set(property, wrapper)
      }
      return wrapper
    },
  })
}
