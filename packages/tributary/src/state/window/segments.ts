import { TIME_BYTES, writeTime } from './time-bytes.ts'

/**
 * Time-bucketing of a window or session store's keys, after Kafka Streams' segmented stores, but
 * inside one ordered byte store: every stored key starts with its 8-byte big-endian segment id
 * (`floor(time / intervalMs)`, time = window start or session end). So
 * - the entries of expired segments form one contiguous key range at the front of the store,
 *   deleted by a range scan that never visits live data;
 * - a time-bounded query over all keys scans only the segments its time range touches;
 * - a one-key query does one short range scan per live segment (few: retention / interval + 1).
 *
 * Segment ids are below 2^53, so the first byte of every data key is 0x00 and keys starting with
 * 0xff are free for metadata (see store-meta.ts).
 */
export class Segments {
  readonly intervalMs: number

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs
  }

  of(time: number): number {
    return Math.floor(time / this.intervalMs)
  }

  /**
   * The 8-byte prefix of a segment. Real keys are longer, so `prefix(s)` sorts before every key of
   * segment s and after every key of segment s - 1: `range(prefix(a), prefix(b))` is exactly the
   * segments a to b - 1.
   */
  prefix(segment: number): Buffer {
    const out = Buffer.allocUnsafe(TIME_BYTES)
    writeTime(out, 0, segment)
    return out
  }
}

/** Kafka Streams' default: max(retention / 2, 1 minute), i.e. about three live segments. */
export const defaultSegmentInterval = (retentionMs: number): number =>
  Math.max(Math.floor(retentionMs / 2), 60_000)
