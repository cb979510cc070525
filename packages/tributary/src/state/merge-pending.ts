import { keyOfId, type KeyId } from './key-id.ts'

/** Looks up a pending value at the moment it is needed: undefined = no longer pending. */
export type PendingLookup = (id: KeyId) => Buffer | null | undefined

/**
 * Merges pending writes over a backend range, both ascending by byte order: a pending value
 * replaces the backend's entry for its key, a pending delete (null) hides it, other pending keys
 * are inserted in order.
 *
 * Pending values are read when reached, so writes made during iteration to keys not yet reached
 * may be seen; a key is still never yielded twice nor out of order.
 */
export function* mergePending(
  backend: Iterator<[Buffer, Buffer]>,
  pendingIds: Iterator<KeyId>,
  lookup: PendingLookup,
): Generator<[Buffer, Buffer]> {
  let b = backend.next()
  let p = pendingIds.next()
  let pKey = p.done ? undefined : keyOfId(p.value)
  try {
    while (!b.done || !p.done) {
      const order = p.done ? -1 : b.done ? 1 : Buffer.compare(b.value[0], pKey as Buffer)
      if (order < 0) {
        yield b.value
        b = backend.next()
        continue
      }
      const id = p.value as KeyId
      const value = lookup(id)
      if (value === undefined) {
        // Committed or aborted meanwhile: the backend's entry (if any) is the truth.
        if (order === 0) {
          yield b.value
          b = backend.next()
        }
      } else {
        if (value !== null) yield [pKey as Buffer, value]
        if (order === 0) b = backend.next()
      }
      p = pendingIds.next()
      pKey = p.done ? undefined : keyOfId(p.value)
    }
  } finally {
    // Releases the backend's cursor when the caller stops early.
    if (!b.done) backend.return?.()
  }
}
