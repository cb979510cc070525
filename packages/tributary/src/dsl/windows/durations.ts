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

export const checkRetention = (retentionMs: number | undefined, minimum: number, what: string): number => {
  if (retentionMs === undefined) return minimum
  if (retentionMs < minimum) {
    throw new TributaryError(
      'CONFIG',
      `retentionMs of ${what} (${retentionMs}) must be at least window size + grace (${minimum}); raise it or leave it unset`,
    )
  }
  return retentionMs
}
