import { crc32 } from 'node:zlib'
import { FRAME_HEADER_BYTES, MAX_BODY_BYTES, read } from './frame.ts'
import type { StorageFs } from './storage-fs.ts'

/**
 * What follows the first bad frame of a file. 'torn': nothing but an unfinished frame or zeros
 * (a crash during an append that was never acknowledged). 'tail': damaged bytes up to the end
 * with no intact frame after them. 'middle': an intact frame starts at `next`, so the damage is
 * in the middle and framing allows resynchronising there.
 */
export type Damage =
  { readonly kind: 'torn' } | { readonly kind: 'tail' } | { readonly kind: 'middle'; readonly next: number }

const WINDOW_BYTES = 1024 * 1024

/**
 * Classifies the bytes from `at` (where scanning stopped: a frame cut short, or one failing its
 * checksum) to the end of the file. A damaged length field also looks like a cut frame, so both
 * look for an intact frame further on. `probe` says whether a checksummed body is one the file
 * could hold (and follow what came before); bodies shorter than `minBodyBytes` are never candidates.
 */
export function classifyDamage(
  fs: StorageFs,
  fd: number,
  size: number,
  at: number,
  stop: 'torn' | 'corrupt',
  minBodyBytes: number,
  probe: (body: Buffer) => boolean,
): Damage {
  const next = nextFrame(fs, fd, size, at + 1, minBodyBytes, probe)
  if (next >= 0) return { kind: 'middle', next }
  if (stop === 'corrupt') return allZero(fs, fd, size, at) ? { kind: 'torn' } : { kind: 'tail' }
  return wholeBodyAfter(fs, fd, size, at) ? { kind: 'tail' } : { kind: 'torn' }
}

/**
 * classifyDamage for recovery, which acts on the answer (cuts bytes off, quarantines them, refuses
 * to start): the damage must read the same twice. The frame at `at` is read again (a read that
 * flipped a bit made an intact frame look bad) and the bytes after it are classified twice. Any
 * disagreement is a failing read (disk, cable, controller), never damage on disk: it throws an EIO
 * error, which the caller names with the file, so nothing is cut on the strength of one read.
 */
export function confirmDamage(
  fs: StorageFs,
  fd: number,
  size: number,
  at: number,
  stop: 'torn' | 'corrupt',
  minBodyBytes: number,
  probe: (body: Buffer) => boolean,
): Damage {
  const unstable = (): Error =>
    Object.assign(new Error(`two reads of bytes ${at}-${size} returned different data`), { code: 'EIO' })
  if (intactFrameAt(fs, fd, size, at, probe)) throw unstable()
  const first = classifyDamage(fs, fd, size, at, stop, minBodyBytes, probe)
  const second = classifyDamage(fs, fd, size, at, stop, minBodyBytes, probe)
  const next = (d: Damage): number => (d.kind === 'middle' ? d.next : -1)
  if (first.kind !== second.kind || next(first) !== next(second)) throw unstable()
  return first
}

function intactFrameAt(
  fs: StorageFs,
  fd: number,
  size: number,
  at: number,
  probe: (body: Buffer) => boolean,
): boolean {
  if (size - at < FRAME_HEADER_BYTES) return false
  const header = read(fs, fd, at, FRAME_HEADER_BYTES)
  const length = header.readUInt32LE(0)
  if (length > MAX_BODY_BYTES || at + FRAME_HEADER_BYTES + length > size) return false
  const body = read(fs, fd, at + FRAME_HEADER_BYTES, length)
  return crc32(body) === header.readUInt32LE(4) && probe(body)
}

/**
 * Whether the bytes after the header at `at` up to the end match the header's checksum: then the
 * last frame was written whole and only its length field is damaged (a cut write leaves a body
 * prefix, which fails the checksum).
 */
function wholeBodyAfter(fs: StorageFs, fd: number, size: number, at: number): boolean {
  if (size - at < FRAME_HEADER_BYTES) return false
  const frame = read(fs, fd, at, size - at)
  return crc32(frame.subarray(FRAME_HEADER_BYTES)) === frame.readUInt32LE(4)
}

/** Position of the first intact frame starting at or after `from`, or -1. */
export function nextFrame(
  fs: StorageFs,
  fd: number,
  size: number,
  from: number,
  minBodyBytes: number,
  probe: (body: Buffer) => boolean,
): number {
  let window: Buffer = Buffer.alloc(0)
  let windowStart = from
  for (let p = from; p + FRAME_HEADER_BYTES + minBodyBytes <= size; p++) {
    if (p + FRAME_HEADER_BYTES > windowStart + window.length) {
      windowStart = p
      window = read(fs, fd, p, Math.min(WINDOW_BYTES, size - p))
    }
    const length = window.readUInt32LE(p - windowStart)
    if (length < minBodyBytes || length > MAX_BODY_BYTES || p + FRAME_HEADER_BYTES + length > size) continue
    const bodyStart = p + FRAME_HEADER_BYTES
    const body =
      bodyStart + length <= windowStart + window.length
        ? window.subarray(bodyStart - windowStart, bodyStart - windowStart + length)
        : read(fs, fd, bodyStart, length)
    if (crc32(body) === window.readUInt32LE(p - windowStart + 4) && probe(body)) return p
  }
  return -1
}

function allZero(fs: StorageFs, fd: number, size: number, from: number): boolean {
  for (let p = from; p < size; p += WINDOW_BYTES) {
    const bytes = read(fs, fd, p, Math.min(WINDOW_BYTES, size - p))
    if (bytes.some((b) => b !== 0)) return false
  }
  return true
}
