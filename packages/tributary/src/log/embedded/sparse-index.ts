/** Bytes of a segment file between two index points (Kafka's index.interval.bytes); see bench/log-memory.ts. */
export const INDEX_INTERVAL_BYTES = 4096

/**
 * Where to start reading one segment file for a given offset, as Kafka's offset index: a point
 * (offset, frame position) for the first entry noted and then for the first entry at least
 * `intervalBytes` past the previous point. Entries are noted in offset order. Points live in
 * typed arrays (16 bytes each), so a partition's memory does not grow with each entry it keeps on
 * disk; reading an offset decodes at most about `intervalBytes` of frames before it.
 */
export class SparseIndex {
  private offsets = new Float64Array(8)
  private positions = new Float64Array(8)
  private count = 0

  constructor(private readonly intervalBytes = INDEX_INTERVAL_BYTES) {}

  /** Builds the index of entries written at `positions` (a rewritten file). */
  static of(offsets: readonly number[], positions: readonly number[], intervalBytes?: number): SparseIndex {
    const index = new SparseIndex(intervalBytes)
    for (let i = 0; i < offsets.length; i++) index.add(offsets[i]!, positions[i]!)
    return index
  }

  /** Points held. */
  get length(): number {
    return this.count
  }

  /** Notes the entry whose frame starts at `position`; it becomes a point when one is due. */
  add(offset: number, position: number): void {
    const n = this.count
    if (n > 0 && position - this.positions[n - 1]! < this.intervalBytes) return
    if (n === this.offsets.length) {
      this.offsets = grow(this.offsets)
      this.positions = grow(this.positions)
    }
    this.offsets[n] = offset
    this.positions[n] = position
    this.count = n + 1
  }

  offsetAt(point: number): number {
    return this.offsets[point]!
  }

  positionAt(point: number): number {
    return this.positions[point]!
  }

  /** The last point with an offset at or below `offset` (0 when none is, -1 when empty). */
  floor(offset: number): number {
    let lo = 0
    let hi = this.count - 1
    if (hi < 0) return -1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.offsets[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Forgets the points before `floor(offset)` (nothing below `offset` is read any more). */
  dropBefore(offset: number): void {
    const first = this.floor(offset)
    if (first <= 0) return
    this.offsets.copyWithin(0, first, this.count)
    this.positions.copyWithin(0, first, this.count)
    this.count -= first
  }

  /** Releases spare capacity (the segment was closed: no more points come). */
  trim(): void {
    if (this.offsets.length === this.count) return
    this.offsets = this.offsets.slice(0, this.count)
    this.positions = this.positions.slice(0, this.count)
  }
}

function grow(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(Math.max(8, array.length * 2))
  bigger.set(array)
  return bigger
}
