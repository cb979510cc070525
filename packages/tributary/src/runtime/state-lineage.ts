import { methodProxy } from './method-proxy.ts'
import type { RecordScope } from './runtime-observer.ts'

/** Methods that read one entry, named by their first argument (and a window start, if any). */
const POINT_READS = new Set(['get', 'fetch', 'fetchSession', 'putIfAbsent'])
/** Methods that write one entry. */
const POINT_WRITES = new Set(['put', 'putIfAbsent'])

/**
 * `stores` as processors see them, reporting to the scope of the record being processed which
 * state entries it reads and writes (`RecordScope.stateRead` / `stateWritten`), so a tracer can
 * link a window's or a join's result to the records that built it. An entry is named by
 * `entryId`: its key, and its window start for window and session stores. Entries yielded by range
 * reads count as read when the processor takes them. Calls cost one check when the record has no
 * scope or its scope does not follow state.
 */
export function lineageStores(
  stores: ReadonlyMap<string, unknown>,
  scope: () => RecordScope | undefined,
): ReadonlyMap<string, unknown> {
  return new Map([...stores].map(([name, store]) => [name, followed(name, store as object, scope)]))
}

function followed(name: string, store: object, current: () => RecordScope | undefined): object {
  return methodProxy(store, (method, call) => (...args) => {
    const result = call(...args)
    const scope = current()
    if (scope?.stateRead === undefined) return result
    if (POINT_READS.has(method)) scope.stateRead(name, pointId(method, args))
    if (POINT_WRITES.has(method)) scope.stateWritten?.(name, pointId(method, args))
    return isIterator(result) ? readEach(name, result, scope) : result
  })
}

/** The entry a point call names: `put(key, value, windowStart)`, `fetch(key, windowStart)`,
 *  `fetchSession(key, start, end)`, or `get/put(key)` (a Windowed key names its window). */
function pointId(method: string, args: unknown[]): string {
  const start =
    method === 'put' ? args[2] : method === 'get' || method === 'putIfAbsent' ? undefined : args[1]
  return typeof start === 'number' ? `${keyText(args[0])}@${start}` : entryId(args[0])
}

/** A state entry's name: the key's text, and `@start` for a windowed key. */
export function entryId(key: unknown): string {
  if (isWindowed(key)) return `${keyText(key.key)}@${key.window.start}`
  return keyText(key)
}

function keyText(key: unknown): string {
  if (Buffer.isBuffer(key)) return `b${key.toString('latin1')}`
  if (typeof key === 'object' && key !== null) {
    try {
      return `o${JSON.stringify(key)}`
    } catch {
      return 'o'
    }
  }
  return `${typeof key}:${String(key)}`
}

function isWindowed(key: unknown): key is { key: unknown; window: { start: number } } {
  return typeof key === 'object' && key !== null && 'window' in key && 'key' in key
}

function isIterator(value: unknown): value is IterableIterator<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as Iterator<unknown>).next === 'function'
  )
}

function* readEach(
  store: string,
  entries: IterableIterator<unknown>,
  scope: RecordScope,
): IterableIterator<unknown> {
  for (const entry of entries) {
    if (typeof entry === 'object' && entry !== null && 'key' in entry)
      scope.stateRead?.(store, entryId(entry.key))
    yield entry
  }
}
