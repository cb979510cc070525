import { constants } from 'node:fs'
import { FRAME_HEADER_BYTES, readFrames } from './frame.ts'
import { classifyDamage } from './frame-resync.ts'
import type { StorageFs } from './storage-fs.ts'
import { attempt } from './storage-failure.ts'

/** Bytes [from, to) of a file that are not intact frames. */
export interface ByteRange {
  readonly from: number
  readonly to: number
}

export interface ScannedEntry<E> {
  readonly entry: E
  /** Where its frame starts and ends in the file. */
  readonly from: number
  readonly to: number
}

/** A whole file read frame by frame, resynchronising after damage wherever framing allows. */
export interface FileScan<E> {
  readonly path: string
  readonly size: number
  readonly entries: ScannedEntry<E>[]
  /** Damaged bytes (checksum mismatch, impossible content), in file order. */
  readonly damaged: ByteRange[]
  /** An unfinished last frame or zero-filled tail: a crash mid-append, never acknowledged. */
  readonly torn: ByteRange | null
}

/**
 * Reads every intact frame of `path` (read-only). `decode` turns a checksummed body into an entry
 * given the previous one, or undefined when it cannot be one (then it counts as damage).
 */
export function scanFile<E>(
  fs: StorageFs,
  path: string,
  minBodyBytes: number,
  decode: (body: Buffer, previous: E | undefined) => E | undefined,
): FileScan<E> {
  const entries: ScannedEntry<E>[] = []
  const damaged: ByteRange[] = []
  let torn: ByteRange | null = null
  const fd = attempt(path, 'open', () => fs.openSync(path, constants.O_RDONLY))
  try {
    let start = 0
    let size = 0
    while (true) {
      const scan = attempt(path, 'read', () =>
        readFrames(
          fs,
          path,
          (body, position) => {
            const entry = decode(body, entries.at(-1)?.entry)
            if (entry === undefined) return false
            entries.push({ entry, from: position, to: position + FRAME_HEADER_BYTES + body.length })
            return true
          },
          start,
        ),
      )
      size = scan.size
      if (scan.stop === 'end') break
      const at = scan.validEnd
      const damage = attempt(path, 'read', () =>
        classifyDamage(fs, fd, size, at, scan.stop as 'torn' | 'corrupt', minBodyBytes, (body) => {
          return decode(body, entries.at(-1)?.entry) !== undefined
        }),
      )
      if (damage.kind === 'middle') {
        damaged.push({ from: at, to: damage.next })
        start = damage.next
        continue
      }
      if (damage.kind === 'tail') damaged.push({ from: at, to: size })
      else torn = { from: at, to: size }
      break
    }
    return { path, size, entries, damaged, torn }
  } finally {
    fs.closeSync(fd)
  }
}
