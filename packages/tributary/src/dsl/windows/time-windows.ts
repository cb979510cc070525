import { TributaryError } from '../../errors.ts'
import { nonNegative, positive } from './durations.ts'

/**
 * Fixed-size windows [start, start + size), aligned to the epoch: tumbling when `advanceMs` equals
 * the size, hopping (overlapping) when smaller. A window accepts records until stream time reaches
 * its end + grace; later records for it are late.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(positive('window size', sizeMs), sizeMs, nonNegative('grace', graceMs))
  }

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0)
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    if (positive('advance', advanceMs) > this.sizeMs) {
      throw new TributaryError(
        'CONFIG',
        `advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms)`,
      )
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs)
  }

  /** Starts of the windows containing `timestamp`, ascending. */
  windowStartsFor(timestamp: number): number[] {
    const last = timestamp - (timestamp % this.advanceMs)
    const starts: number[] = []
    for (
      let start = Math.max(0, last - this.sizeMs + this.advanceMs);
      start <= last;
      start += this.advanceMs
    ) {
      if (start + this.sizeMs > timestamp) starts.push(start)
    }
    return starts
  }
}
