import { TributaryError } from '../../errors.ts'
import type { Serde } from '../../serde/serde.ts'

const check = (what: string, ms: number): number => {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new TributaryError('CONFIG', `JoinWindows ${what} must be a non-negative integer of ms, got ${ms}`)
  return ms
}

/**
 * Which records of two streams join: a left record at time t joins right records with time in
 * [t - beforeMs, t + afterMs]. The join stores keep records for window + grace, so a record later
 * than that only meets what the other store still holds; left/outer joins emit a record without a
 * match once its window end + grace has passed. A zero window without grace joins nothing (as in
 * Kafka Streams).
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  /** Records join when their times differ by at most `timeDifferenceMs`. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    const diff = check('time difference', timeDifferenceMs)
    return new JoinWindows(diff, diff, check('grace', graceMs))
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0)
  }

  /** How far before a left record's time a right record may be. */
  before(ms: number): JoinWindows {
    return new JoinWindows(check('before', ms), this.afterMs, this.graceMs)
  }

  /** How far after a left record's time a right record may be. */
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, check('after', ms), this.graceMs)
  }

  get sizeMs(): number {
    return this.beforeMs + this.afterMs
  }
}

/**
 * Options of a stream-stream join: serdes of the key and of each side's value (for the join's
 * window stores and repartition topics; default: the streams' known serdes, else JSON), a `name`
 * for the join's nodes, stores (`<name>-this-store`, `<name>-other-store`, `<name>-outer-store`)
 * and repartition topics, and whether the stores are `persistent` (default true) and logged.
 */
export interface StreamJoined<K, V, VO> {
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  readonly otherValue?: Serde<VO>
  readonly name?: string
  readonly persistent?: boolean
  readonly logging?: boolean
}
