import { crc32 } from 'node:zlib'
import type { StorageFs } from './storage-fs.ts'

/**
 * Durable framing shared by partition files and the metadata journal: every body is stored as
 * `[u32 length][u32 crc32(body)][body]` (little endian). A frame cut short by a crash is a torn
 * tail; a frame whose checksum does not match is corrupt. Readers stop at either and report where
 * the valid prefix ends, so callers truncate there and never serve the bad bytes.
 */
export const FRAME_HEADER_BYTES = 8
/** Larger lengths can only come from a damaged length field. */
export const MAX_BODY_BYTES = 512 * 1024 * 1024

/** Writes the header of a frame whose body already sits at `pos + FRAME_HEADER_BYTES`. */
export function sealFrame(buf: Buffer, pos: number, bodyLength: number): void {
  const bodyStart = pos + FRAME_HEADER_BYTES
  buf.writeUInt32LE(bodyLength, pos)
  buf.writeUInt32LE(crc32(buf.subarray(bodyStart, bodyStart + bodyLength)), pos + 4)
}

export function frame(body: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  body.copy(buf, FRAME_HEADER_BYTES)
  sealFrame(buf, 0, body.length)
  return buf
}

export type ScanStop = 'end' | 'torn' | 'corrupt'

/**
 * Calls `onBody` for each whole, checksummed frame in `buf[start, end)`. `onBody` returns false
 * when the body decodes to something impossible; that frame counts as corrupt. Returns the end of
 * the valid prefix and why scanning stopped ('torn' = the last frame is incomplete).
 */
export function scanFrames(
  buf: Buffer,
  start: number,
  end: number,
  onBody: (body: Buffer, framePosition: number) => boolean,
): { validEnd: number; stop: ScanStop } {
  let pos = start
  while (pos < end) {
    if (end - pos < FRAME_HEADER_BYTES) return { validEnd: pos, stop: 'torn' }
    const length = buf.readUInt32LE(pos)
    if (length > MAX_BODY_BYTES) return { validEnd: pos, stop: 'corrupt' }
    const bodyStart = pos + FRAME_HEADER_BYTES
    if (end - bodyStart < length) return { validEnd: pos, stop: 'torn' }
    const body = buf.subarray(bodyStart, bodyStart + length)
    if (crc32(body) !== buf.readUInt32LE(pos + 4) || !onBody(body, pos))
      return { validEnd: pos, stop: 'corrupt' }
    pos = bodyStart + length
  }
  return { validEnd: pos, stop: 'end' }
}

/**
 * Reads every valid frame of a file in chunks, passing each frame's file position (bodies are
 * views into chunk buffers, which stay alive as long as a body does). Returns the byte length of the valid prefix and why it ended;
 * a torn frame at end of file is 'torn', anything unreadable before it 'corrupt'.
 */
export function readFrames(
  fs: StorageFs,
  path: string,
  onBody: (body: Buffer, framePosition: number) => boolean,
  start = 0,
): { validEnd: number; stop: ScanStop; size: number } {
  const fd = fs.openSync(path, 'r')
  try {
    const size = fs.fstatSync(fd).size
    let chunkSize = 8 * 1024 * 1024
    let fileOffset = start // file position of chunk[0]
    let carry: Buffer = Buffer.alloc(0)
    while (true) {
      const want = Math.min(chunkSize, size - fileOffset - carry.length)
      const chunk = Buffer.allocUnsafe(carry.length + want)
      carry.copy(chunk, 0)
      // A read may return fewer bytes than asked (a short read): one that ended on a frame
      // boundary would pass for the end of the file, so the chunk is always filled.
      readInto(fs, fd, chunk, carry.length, want, fileOffset + carry.length)
      const filled = carry.length + want
      const base = fileOffset
      const { validEnd, stop } = scanFrames(chunk, 0, filled, (body, pos) => onBody(body, base + pos))
      const atEof = fileOffset + filled >= size
      if (stop !== 'torn' || atEof) return { validEnd: fileOffset + validEnd, stop, size }
      // The last frame continues in the next chunk; grow the chunk if one frame exceeds it.
      carry = chunk.subarray(validEnd, filled)
      fileOffset += validEnd
      if (validEnd === 0) chunkSize *= 2
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** Reads exactly `length` bytes at `position`. */
export function read(fs: StorageFs, fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length)
  readInto(fs, fd, buf, 0, length, position)
  return buf
}

/** Fills `buf[offset, offset + length)` from `position`, looping over short reads. */
function readInto(
  fs: StorageFs,
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): void {
  for (let done = 0; done < length;) {
    const got = fs.readSync(fd, buf, offset + done, length - done, position + done)
    if (got === 0)
      throw new Error(`read returned no bytes at ${position + done} (file shorter than expected)`)
    done += got
  }
}
