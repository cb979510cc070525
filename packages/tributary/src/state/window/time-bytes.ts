import { TributaryError } from '../../errors.ts'

/** Stored times (window starts, session ends and starts, sequence numbers) take 8 bytes. */
export const TIME_BYTES = 8

const TWO_32 = 0x1_0000_0000

/**
 * A time that is stored must be a non-negative safe integer (ms since epoch): its 8-byte big-endian
 * form then sorts like the number. Negative times are refused rather than wrapped, since they would
 * sort after every positive one.
 */
export const checkTime = (store: string, what: string, time: number): number => {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new TributaryError(
      'STATE',
      `store ${store}: ${what} must be a non-negative integer (ms), got ${time}`,
    )
  }
  return time
}

/** Writes a non-negative safe integer as 8 bytes big-endian (exact up to 2^53). */
export const writeTime = (out: Buffer, offset: number, time: number): void => {
  out.writeUInt32BE(Math.floor(time / TWO_32), offset)
  out.writeUInt32BE(time >>> 0, offset + 4)
}

export const readTime = (bytes: Buffer, offset: number): number =>
  bytes.readUInt32BE(offset) * TWO_32 + bytes.readUInt32BE(offset + 4)

/**
 * A query bound (not a stored time): any number but NaN. Bounds are clamped to what can be stored,
 * so `findSessions(key, t - gap, t + gap)` works for small `t`, and Infinity means open.
 */
export const lowerBound = (store: string, what: string, time: number): number => {
  if (Number.isNaN(time)) throw new TributaryError('STATE', `store ${store}: ${what} is NaN`)
  return Math.max(0, Math.ceil(time))
}

export const upperBound = (store: string, what: string, time: number): number => {
  if (Number.isNaN(time)) throw new TributaryError('STATE', `store ${store}: ${what} is NaN`)
  return Math.min(Number.MAX_SAFE_INTEGER, Math.floor(time))
}
