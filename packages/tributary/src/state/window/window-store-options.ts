import { TributaryError } from '../../errors.ts'
import { checkDuration, checkSegmentInterval } from './duration-option.ts'
import { defaultSegmentInterval } from './segments.ts'

/** What `Stores.inMemoryWindowStore` and `Stores.persistentWindowStore` take. */
export interface WindowStoreOptions {
  /** How long a window is kept, measured from its start against the largest start put so far.
   *  At least `windowSizeMs`; for windowed aggregations, window size + grace period. */
  readonly retentionMs: number
  /** The windows' size: `Windowed.window.end = start + windowSizeMs`. */
  readonly windowSizeMs: number
  /** Keep every put as its own entry (stream-stream join buffers) instead of replacing. */
  readonly retainDuplicates?: boolean
  /** Width of the time buckets expiry works in: expired entries are deleted a segment at a time,
   *  so storage holds up to retention + one segment. Default max(retentionMs / 2, 60000). */
  readonly segmentIntervalMs?: number
}

export type WindowStoreConfig = Required<WindowStoreOptions>

/** Validates the options of window store `name`; CONFIG errors name the option and the fix. */
export const windowStoreConfig = (name: string, options: WindowStoreOptions): WindowStoreConfig => {
  const retentionMs = checkDuration(name, 'retentionMs', options.retentionMs, 1)
  const windowSizeMs = checkDuration(name, 'windowSizeMs', options.windowSizeMs, 0)
  if (retentionMs < windowSizeMs) {
    throw new TributaryError(
      'CONFIG',
      `store ${name}: retentionMs (${retentionMs}) must be at least windowSizeMs (${windowSizeMs}), or windows expire before they end; raise retentionMs to windowSizeMs + grace`,
    )
  }
  const retainDuplicates = options.retainDuplicates ?? false
  if (typeof retainDuplicates !== 'boolean') {
    throw new TributaryError(
      'CONFIG',
      `store ${name}: retainDuplicates must be true or false, got ${String(retainDuplicates)}`,
    )
  }
  const segmentIntervalMs = checkSegmentInterval(
    name,
    options.segmentIntervalMs,
    defaultSegmentInterval(retentionMs),
  )
  return { retentionMs, windowSizeMs, retainDuplicates, segmentIntervalMs }
}
