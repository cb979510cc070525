import { nonNegative, positive } from './durations.ts'

/**
 * Windows of a fixed time difference defined by the records themselves, as Kafka Streams' sliding
 * windows: every record at t has a window [t - difference, t], and one starting just after it,
 * [t + 1, t + 1 + difference], when that holds records. Both ends are inclusive.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(positive('time difference', timeDifferenceMs), nonNegative('grace', graceMs))
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }
}
