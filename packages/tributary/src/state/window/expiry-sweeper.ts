import type { BufferedKeyValueStore } from '../buffered-store.ts'
import type { Segments } from './segments.ts'

/** Expired entries deleted per put, on average: above the at most one entry a put adds, so the
 *  sweep always catches up. */
const DELETES_PER_PUT = 8
/** Most entries one sweep step visits and deletes: the bound on the work of any single put. */
export const SWEEP_STEP = 512

/**
 * Deletes the entries of expired segments (all segments below the first live one) through the
 * buffered store, so each deletion is a changelog tombstone and a restore ends up with the same
 * entries. Deletion is incremental: puts earn credit, and once a step's worth has accrued one put
 * range-scans and deletes up to SWEEP_STEP entries, resuming after the last one the next time.
 * So storage may hold expired entries for a while (reads filter them out by time), but no put does
 * unbounded work, and a store that stops receiving puts stops sweeping.
 *
 * The resume point is only a hint: when a further segment expires, the sweep restarts from the
 * front once, which also removes what an aborted commit or a restart left behind (an empty front
 * costs one short scan).
 */
export class ExpirySweeper {
  readonly #bytes: BufferedKeyValueStore
  readonly #segments: Segments
  /** Every segment below this one is known to be empty (in this store's view); none is below 0. */
  #cleanBelow = 0
  /** The segment bound of the sweep in progress. */
  #target = -1
  /** The first key the sweep in progress has not deleted; undefined = the front. */
  #cursor: Buffer | undefined
  #credit = 0
  readonly #stepSize: number

  /** `stepSize` below SWEEP_STEP makes steps smaller and more frequent (tests use it to sweep often). */
  constructor(bytes: BufferedKeyValueStore, segments: Segments, stepSize = SWEEP_STEP) {
    this.#bytes = bytes
    this.#segments = segments
    this.#stepSize = stepSize
  }

  /** Called after each accepted put, with the first segment that may hold live entries. */
  afterPut(firstLiveSegment: number): void {
    if (firstLiveSegment <= this.#cleanBelow) return
    this.#credit += DELETES_PER_PUT
    if (this.#credit < this.#stepSize) return
    this.#credit = 0
    this.#step(firstLiveSegment)
  }

  #step(firstLiveSegment: number): void {
    if (firstLiveSegment !== this.#target) {
      this.#target = firstLiveSegment
      this.#cursor = undefined
    }
    const doomed: Buffer[] = []
    let next: Buffer | undefined
    for (const [key] of this.#bytes.range(this.#cursor, this.#segments.prefix(firstLiveSegment))) {
      if (doomed.length === this.#stepSize) {
        next = key
        break
      }
      doomed.push(key)
    }
    for (const key of doomed) this.#bytes.put(key, null)
    if (next === undefined) {
      this.#cleanBelow = firstLiveSegment
      this.#cursor = undefined
    } else {
      this.#cursor = next
    }
  }
}
