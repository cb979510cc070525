import type { TimestampExtractor } from 'tributary-streams'
import type { RawValue } from '../contract/parse-json.ts'
import { rawOrderTime } from '../contract/validate-order.ts'

const DAY_MS = 86_400_000
/** How far an event time may be from its partition's stream time (and ahead of the clock): 1 year. */
export const DEFAULT_MAX_TIME_SKEW_MS = 365 * DAY_MS

/**
 * Why `time` is refused as an event time, or undefined. Refused: more than `skewMs` ahead of the
 * wall clock `now` (no replay of history has such times; it also keeps every window a valid
 * Date), or more than `skewMs` from `streamTime`, the largest event time seen so far (unknown,
 * below 0, before the first record). Such a time would move stream time so far that every later
 * record is late, or be dropped as late itself without a reason.
 */
export function eventTimeProblem(
  time: number,
  streamTime: number,
  now: number,
  skewMs: number,
): string | undefined {
  const days = `${+(skewMs / DAY_MS).toFixed(3)} days`
  if (time > now + skewMs) return `payload.timestamp ${time} is more than ${days} ahead of the clock`
  if (streamTime >= 0 && Math.abs(time - streamTime) > skewMs)
    return `payload.timestamp ${time} is more than ${days} from the stream time ${streamTime}`
  return undefined
}

/** For records without a usable event time: never moves stream time forward. */
export const fallbackTime = (recordTimestamp: number, partitionTime: number): number =>
  Number.isFinite(partitionTime) && partitionTime >= 0 ? partitionTime : Math.max(0, recordTimestamp)

/**
 * An order's event time is payload.timestamp when `eventTimeProblem` accepts it against the
 * partition's time; any other record keeps the partition's time (and validation rejects it: its
 * record time then differs from its payload time).
 */
export const orderTimeWithin =
  (skewMs: number, now: () => number = Date.now): TimestampExtractor<string | null, RawValue> =>
  (record, partitionTime) => {
    const time = record.value === null ? undefined : rawOrderTime(record.value)
    if (time !== undefined && eventTimeProblem(time, partitionTime, now(), skewMs) === undefined) return time
    return fallbackTime(record.timestamp, partitionTime)
  }
