import { TributaryError } from '../../errors.ts'
import { scanFrames } from './frame.ts'
import type { PartitionFile } from './partition-file.ts'
import { decodeEntry, type DecodedEntry } from './record-codec.ts'
import type { SparseIndex } from './sparse-index.ts'

/** The most one read of a segment file takes (reads end at index points: see scanSegment). */
const MAX_CHUNK_BYTES = 64 * 1024

/**
 * Visits the entries of one segment file with offsets at or above `from`, in order: reading
 * starts at the index point at or before `from` and takes about 64 KiB at a time, until `visit`
 * returns false (then this returns false) or the file ends (true). Entries decoded are views into
 * the bytes read. Throws CORRUPT naming the file and the bytes when they no longer decode to the
 * entries the index points at (damaged on disk since they were written): never serves them.
 */
export function scanSegment(
  file: PartitionFile,
  index: SparseIndex,
  from: number,
  visit: (entry: DecodedEntry) => boolean,
): boolean {
  const points = index.length
  // The first read goes to the next point (a seek reads little); each later one twice as far, up
  // to MAX_CHUNK_BYTES (a long scan reads in large pieces).
  let want = 0
  for (let point = Math.max(0, index.floor(from)); point < points;) {
    const start = index.positionAt(point)
    let next = point + 1
    while (next < points && index.positionAt(next) - start < want) next++
    const end = next < points ? index.positionAt(next) : file.length
    const bytes = file.read(start, end)
    want = Math.min(MAX_CHUNK_BYTES, 2 * (end - start))
    let previous = -1
    let bad = false
    let stopped = false
    const { validEnd, stop } = scanFrames(bytes, 0, bytes.length, (body) => {
      const entry = decodeEntry(body)
      const first = previous === -1
      if (
        entry === undefined ||
        (first ? entry.offset !== index.offsetAt(point) : entry.offset <= previous)
      ) {
        bad = true
        return false
      }
      previous = entry.offset
      if (entry.offset < from || visit(entry)) return true
      stopped = true
      return false
    })
    if (stopped) return false
    if (stop !== 'end' || bad || previous === -1) {
      throw new TributaryError(
        'CORRUPT',
        `${file.path}: bytes ${start + validEnd}-${end} no longer read back as the records written there ` +
          `(damaged on disk); \`tributary log check\` lists the damage`,
      )
    }
    point = next
  }
  return true
}
