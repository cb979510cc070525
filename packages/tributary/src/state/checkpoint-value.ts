import { TributaryError } from '../errors.ts'

/**
 * A checkpoint is the next changelog offset to restore from: a non-negative safe integer.
 * Persistent backends store it as an 8-byte big-endian double next to the data.
 */
export const checkCheckpoint = (checkpoint: number): number => {
  if (!Number.isSafeInteger(checkpoint) || checkpoint < 0) {
    throw new TributaryError('STATE', `checkpoint must be a non-negative safe integer, got ${checkpoint}`)
  }
  return checkpoint
}

export const encodeCheckpoint = (checkpoint: number): Buffer => {
  const out = Buffer.allocUnsafe(8)
  out.writeDoubleBE(checkCheckpoint(checkpoint))
  return out
}

/** Undefined for missing or unreadable bytes: the caller then restores from the changelog start. */
export const decodeCheckpoint = (bytes: Buffer | undefined): number | undefined => {
  if (bytes?.length !== 8) return undefined
  const value = bytes.readDoubleBE(0)
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined
}
