import { TributaryError } from '../errors.ts'

/** Confluent's wire format: magic byte 0, the schema id as 4 bytes big-endian, then the payload. */
export const MAGIC_BYTE = 0
export const HEADER_BYTES = 5

export function frame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  out.writeUInt8(MAGIC_BYTE, 0)
  out.writeUInt32BE(schemaId, 1)
  payload.copy(out, HEADER_BYTES)
  return out
}

/** Splits framed bytes; fails with SERDE for a missing or wrong header. */
export function unframe(bytes: Buffer, topic: string): { schemaId: number; payload: Buffer } {
  if (bytes.length < HEADER_BYTES)
    throw new TributaryError(
      'SERDE',
      `record in ${topic} has ${bytes.length} bytes, fewer than the 5-byte schema registry header`,
    )
  const magic = bytes.readUInt8(0)
  if (magic !== MAGIC_BYTE)
    throw new TributaryError(
      'SERDE',
      `record in ${topic} starts with magic byte ${magic}, expected ${MAGIC_BYTE} (not written by a schema registry serde)`,
    )
  return { schemaId: bytes.readUInt32BE(1), payload: bytes.subarray(HEADER_BYTES) }
}
