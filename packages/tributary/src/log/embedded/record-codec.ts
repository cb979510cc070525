import type { ConsumerRecord } from '../log.ts'
import type { Headers } from '../../record.ts'
import { FRAME_HEADER_BYTES, sealFrame } from './frame.ts'

/**
 * Binary layout of one partition entry (the body of a frame):
 * `kind u8 | offset f64 | txn f64 | timestamp f64 | keyLen i32 | key | valueLen i32 | value |
 *  headerCount u16 | (nameLen u16 | name utf8 | len i32 | bytes)*`; a length of -1 means null.
 * Offsets, timestamps and transaction ids are stored as doubles: exact up to 2^53.
 */
export const DATA = 0
export const COMMIT_MARKER = 1
export const ABORT_MARKER = 2
export type EntryKind = typeof DATA | typeof COMMIT_MARKER | typeof ABORT_MARKER

const FIXED_BYTES = 1 + 8 + 8 + 8 + 4 + 4 + 2
/** The smallest body an entry can have (a control marker). */
export const ENTRY_MIN_BYTES = FIXED_BYTES

/** The entries of one partition as parallel arrays (the shape PartitionLog keeps in memory). */
export interface EntryColumns {
  readonly offsets: readonly number[]
  readonly kinds: readonly number[]
  readonly txns: readonly number[]
  /** undefined for control markers */
  readonly records: readonly (ConsumerRecord | undefined)[]
}

const headersSize = (headers: Headers): number => {
  let size = 0
  for (const name in headers) size += 2 + Buffer.byteLength(name) + 4 + headers[name]!.length
  return size
}

/**
 * Encodes entries [from, to) as consecutive frames in one buffer, ready for a single write. With
 * `positions`, pushes each frame's position (relative to the buffer, plus `base`).
 */
export function encodeEntries(
  cols: EntryColumns,
  from: number,
  to: number,
  positions?: number[],
  base = 0,
): Buffer {
  let total = 0
  for (let i = from; i < to; i++) {
    const r = cols.records[i]
    total += FRAME_HEADER_BYTES + FIXED_BYTES
    if (r !== undefined) total += (r.key?.length ?? 0) + (r.value?.length ?? 0) + headersSize(r.headers)
  }
  const buf = Buffer.allocUnsafe(total)
  let pos = 0
  for (let i = from; i < to; i++) {
    const frameStart = pos
    positions?.push(base + pos)
    pos += FRAME_HEADER_BYTES
    const r = cols.records[i]
    pos = buf.writeUInt8(cols.kinds[i]!, pos)
    pos = buf.writeDoubleLE(cols.offsets[i]!, pos)
    pos = buf.writeDoubleLE(cols.txns[i]!, pos)
    pos = buf.writeDoubleLE(r?.timestamp ?? 0, pos)
    pos = writeBytes(buf, pos, r?.key ?? null)
    pos = writeBytes(buf, pos, r?.value ?? null)
    if (r === undefined) {
      pos = buf.writeUInt16LE(0, pos)
    } else {
      const names = Object.keys(r.headers)
      pos = buf.writeUInt16LE(names.length, pos)
      for (const name of names) {
        const nameLength = buf.write(name, pos + 2, 'utf8')
        buf.writeUInt16LE(nameLength, pos)
        pos = writeBytes(buf, pos + 2 + nameLength, r.headers[name]!)
      }
    }
    sealFrame(buf, frameStart, pos - frameStart - FRAME_HEADER_BYTES)
  }
  return buf
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return buf.writeInt32LE(-1, pos)
  pos = buf.writeInt32LE(bytes.length, pos)
  return pos + bytes.copy(buf, pos)
}

export interface DecodedEntry {
  readonly kind: EntryKind
  readonly offset: number
  readonly txn: number
  readonly timestamp: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
}

/** Decodes one body; returns undefined when the bytes cannot be a valid entry. Views, no copies. */
export function decodeEntry(body: Buffer): DecodedEntry | undefined {
  if (body.length < FIXED_BYTES) return undefined
  const kind = body.readUInt8(0)
  if (kind !== DATA && kind !== COMMIT_MARKER && kind !== ABORT_MARKER) return undefined
  const offset = body.readDoubleLE(1)
  const txn = body.readDoubleLE(9)
  const timestamp = body.readDoubleLE(17)
  let pos = 25
  const key = readBytes(body, pos)
  if (key === undefined) return undefined
  pos += 4 + (key?.length ?? 0)
  const value = readBytes(body, pos)
  if (value === undefined) return undefined
  pos += 4 + (value?.length ?? 0)
  if (pos + 2 > body.length) return undefined
  const count = body.readUInt16LE(pos)
  pos += 2
  const headers: Headers = {}
  for (let h = 0; h < count; h++) {
    if (pos + 2 > body.length) return undefined
    const nameLength = body.readUInt16LE(pos)
    const name = body.toString('utf8', pos + 2, pos + 2 + nameLength)
    pos += 2 + nameLength
    const bytes = readBytes(body, pos)
    if (!bytes) return undefined
    headers[name] = bytes
    pos += 4 + bytes.length
  }
  if (pos !== body.length) return undefined
  return { kind: kind as EntryKind, offset, txn, timestamp, key, value, headers }
}

/** undefined = malformed, null = the stored null. */
function readBytes(body: Buffer, pos: number): Buffer | null | undefined {
  if (pos + 4 > body.length) return undefined
  const length = body.readInt32LE(pos)
  if (length === -1) return null
  if (length < 0 || pos + 4 + length > body.length) return undefined
  return body.subarray(pos + 4, pos + 4 + length)
}
