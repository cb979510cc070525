import type { Cancellable, PunctuationType } from '../topology/processor.ts'

interface Schedule {
  readonly intervalMs: number
  readonly callback: (timestamp: number) => void
  next: number
  cancelled: boolean
}

/**
 * A task's punctuations of one type. Stream-time schedules are due at multiples of the interval
 * (the first at time 0, so they fire with the first record), wall-clock ones one interval after
 * scheduling. A schedule that is late fires once and realigns to the next multiple after `now`,
 * as Kafka Streams does.
 */
export class PunctuationSchedule {
  private readonly schedules: Schedule[] = []

  constructor(readonly type: PunctuationType) {}

  add(intervalMs: number, callback: (timestamp: number) => void, now: number): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`punctuation interval must be >= 1 ms, got ${intervalMs}`)
    const first = this.type === 'wall-clock' ? now + intervalMs : 0
    const schedule: Schedule = { intervalMs, callback, next: first, cancelled: false }
    this.schedules.push(schedule)
    return {
      cancel: () => {
        schedule.cancelled = true
      },
    }
  }

  /** Fires every due schedule with `now`; returns how many fired. */
  fire(now: number, run: (callback: () => void) => void): number {
    let fired = 0
    for (const s of this.schedules) {
      if (s.cancelled) continue
      if (now < s.next) continue
      run(() => s.callback(now))
      fired++
      s.next = now - ((now - s.next) % s.intervalMs) + s.intervalMs
    }
    for (let i = this.schedules.length - 1; i >= 0; i--)
      if (this.schedules[i]!.cancelled) this.schedules.splice(i, 1)
    return fired
  }
}
