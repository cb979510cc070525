import { checkDuration, checkSegmentInterval } from '../window/duration-option.ts'
import { defaultSegmentInterval } from '../window/segments.ts'

/** What `Stores.inMemorySessionStore` and `Stores.persistentSessionStore` take. */
export interface SessionStoreOptions {
  /** How long a session is kept, measured from its end against the largest end put so far.
   *  For session aggregations at least inactivity gap + grace period. */
  readonly retentionMs: number
  /** Width of the time buckets (by session end) expiry works in: storage holds up to retention +
   *  one segment. Default max(retentionMs / 2, 60000). */
  readonly segmentIntervalMs?: number
}

export type SessionStoreConfig = Required<SessionStoreOptions>

/** Validates the options of session store `name`; CONFIG errors name the option and the fix. */
export const sessionStoreConfig = (name: string, options: SessionStoreOptions): SessionStoreConfig => {
  const retentionMs = checkDuration(name, 'retentionMs', options.retentionMs, 1)
  const segmentIntervalMs = checkSegmentInterval(
    name,
    options.segmentIntervalMs,
    defaultSegmentInterval(retentionMs),
  )
  return { retentionMs, segmentIntervalMs }
}
