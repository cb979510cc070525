import { TributaryError } from '../../errors.ts'

export const positive = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TributaryError('CONFIG', `${name} must be a positive integer of ms, got ${value}`)
  return value
}
export const nonNegative = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TributaryError('CONFIG', `${name} must be an integer >= 0 ms, got ${value}`)
  return value
}

/** The retention of a windowed store: `retentionMs` if given and at least `minimum.ms` (else a
 *  CONFIG error naming `minimum.what`), else that minimum. */
export const checkRetention = (
  retentionMs: number | undefined,
  minimum: { readonly ms: number; readonly what: string },
  store: string,
): number => {
  if (retentionMs === undefined) return minimum.ms
  if (retentionMs < minimum.ms) {
    throw new TributaryError(
      'CONFIG',
      `retentionMs of ${store} (${retentionMs}) must be at least ${minimum.what} (${minimum.ms}); raise it or leave it unset`,
    )
  }
  return retentionMs
}
