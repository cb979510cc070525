import { TributaryError } from '../../errors.ts'

/** Checks one duration option of store `store`; the error names the option and the fix. */
export const checkDuration = (store: string, option: string, value: unknown, min: 0 | 1): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TributaryError(
      'CONFIG',
      `store ${store}: ${option} must be an integer number of ms ${min === 0 ? '>= 0' : '> 0'}, got ${String(value)}; set ${option} to ${min === 0 ? 'a non-negative' : 'a positive'} integer`,
    )
  }
  return value
}

/** The segment interval option shared by window and session stores. */
export const checkSegmentInterval = (store: string, value: unknown, fallback: number): number =>
  value === undefined ? fallback : checkDuration(store, 'segmentIntervalMs', value, 1)
