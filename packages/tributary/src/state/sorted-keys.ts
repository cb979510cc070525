import type { IdBounds, KeyId } from './key-id.ts'

/**
 * A set of key ids iterable in sorted order. Ids live in a large sorted array plus a small sorted
 * side array of recent additions (kept sorted on insert) and a set of recent removals; a range
 * merges the two arrays on the fly, skipping removals, and folds them into the large array only
 * when they grow past a bound. Alternating writes and ranges (a join buffer's pattern) thus cost
 * O(side) per write instead of O(n) per range.
 *
 * The owner tells the set about membership changes it has already decided (`added` only for an id
 * that was absent, `removed` only for one that was present), so the set never re-checks.
 *
 * Arrays are never mutated once published (writes copy the small side array): an iterator created
 * before a change keeps walking the snapshot it started on.
 */
export class SortedKeys {
  #sorted: readonly KeyId[] = []
  #side: readonly KeyId[] = []
  #removed = new Set<KeyId>()

  added(id: KeyId): void {
    // Re-adding an id removed since the last fold: it is still in #sorted.
    if (this.#removed.delete(id)) return
    const side = this.#side.slice()
    side.splice(lowerBound(side, id), 0, id)
    this.#side = side
  }

  removed(id: KeyId): void {
    const at = lowerBound(this.#side, id)
    if (this.#side[at] === id) {
      const side = this.#side.slice()
      side.splice(at, 1)
      this.#side = side
    } else {
      this.#removed.add(id)
    }
  }

  clear(): void {
    this.#sorted = []
    this.#side = []
    this.#removed = new Set()
  }

  /** Ids within the bounds, ascending. */
  *range(bounds: IdBounds): Generator<KeyId> {
    this.#foldIfLarge()
    const sorted = this.#sorted
    const side = this.#side
    const removed = this.#removed
    let i = bounds.from === undefined ? 0 : lowerBound(sorted, bounds.from)
    const iEnd = bounds.to === undefined ? sorted.length : upperBound(sorted, bounds.to)
    let j = bounds.from === undefined ? 0 : lowerBound(side, bounds.from)
    const jEnd = bounds.to === undefined ? side.length : upperBound(side, bounds.to)
    while (i < iEnd || j < jEnd) {
      if (j >= jEnd || (i < iEnd && (sorted[i] as KeyId) < (side[j] as KeyId))) {
        const id = sorted[i++] as KeyId
        if (removed.size === 0 || !removed.has(id)) yield id
      } else {
        yield side[j++] as KeyId
      }
    }
  }

  #foldIfLarge(): void {
    const limit = Math.max(256, 4 * Math.sqrt(this.#sorted.length))
    if (this.#side.length <= limit && this.#removed.size <= limit) return
    const removed = this.#removed
    const old = removed.size === 0 ? this.#sorted : this.#sorted.filter((id) => !removed.has(id))
    this.#sorted = this.#side.length === 0 ? old : merge(old, this.#side)
    this.#side = []
    this.#removed = new Set()
  }
}

const merge = (a: readonly KeyId[], b: readonly KeyId[]): KeyId[] => {
  const out: KeyId[] = new Array<KeyId>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length)
    out[k++] = (a[i] as KeyId) < (b[j] as KeyId) ? (a[i++] as KeyId) : (b[j++] as KeyId)
  while (i < a.length) out[k++] = a[i++] as KeyId
  while (j < b.length) out[k++] = b[j++] as KeyId
  return out
}

/** First index whose id is >= `id`. */
const lowerBound = (sorted: readonly KeyId[], id: KeyId): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as KeyId) < id) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose id is > `id`. */
const upperBound = (sorted: readonly KeyId[], id: KeyId): number => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as KeyId) <= id) lo = mid + 1
    else hi = mid
  }
  return lo
}
