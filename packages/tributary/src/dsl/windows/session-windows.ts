import { nonNegative, positive } from './durations.ts'

/**
 * Per-key sessions: records closer than `inactivityGapMs` belong to one session [first, last]
 * (inclusive); a record between two sessions merges them. A session accepts records until stream
 * time passes its end + grace.
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(positive('inactivity gap', inactivityGapMs), nonNegative('grace', graceMs))
  }

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0)
  }
}
