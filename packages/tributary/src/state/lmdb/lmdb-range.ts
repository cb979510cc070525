import type { Database } from 'lmdb'

/** Entries read by the first chunk; each further chunk doubles, up to MAX_CHUNK. A lookup that
 *  takes one entry and stops reads little, a long scan few chunks. */
const FIRST_CHUNK = 16
const MAX_CHUNK = 1024

/**
 * The entries of `db` from `from` to `to` (inclusive; absent = open), ascending, read in chunks:
 * each chunk is one lmdb range read to its end at once, so between chunks no cursor and no read
 * snapshot is held. An iterator left unfinished (a lookup that takes `.next()` once, a dropped
 * generator) therefore pins nothing: a pinned snapshot would keep lmdb from reusing every page
 * freed after it (the file grows without bound) and hold one of its 126 reader slots
 * (MDB_READERS_FULL once they are gone).
 *
 * Each chunk after the first starts strictly after the last key yielded, so an iteration that
 * outlives a commit sees the keys after its position as then committed, never a key twice, never
 * out of order, and never skips a key (lmdb's own non-snapshot cursors skip the key after one
 * deleted meanwhile). `check` runs before each chunk (it throws once the store is closed).
 */
export function* rangeInChunks(
  db: Database<Buffer, Buffer>,
  from: Buffer | undefined,
  to: Buffer | undefined,
  check: () => void,
): Generator<[Buffer, Buffer]> {
  let start = from
  let after = false // the first chunk includes `from`, each later one starts after its last key
  let size = FIRST_CHUNK
  for (;;) {
    check()
    const chunk: [Buffer, Buffer][] = []
    const options = {
      ...(start === undefined ? {} : { start, exclusiveStart: after }),
      ...(to === undefined ? {} : { end: to, inclusiveEnd: true }),
      limit: size,
    }
    for (const { key, value } of db.getRange(options)) chunk.push([key, value])
    yield* chunk
    if (chunk.length < size) return
    start = chunk[chunk.length - 1]![0]
    after = true
    size = Math.min(size * 2, MAX_CHUNK)
  }
}
