import type { IdBounds, KeyId } from './key-id.ts'

/**
 * A set of key ids iterable in sorted order. Ids live in a large sorted array, a small sorted side
 * array, a set of additions not yet sorted and a set of removals not yet folded. A range first
 * sorts the pending additions into the side array, then merges the two arrays on the fly, skipping
 * removals, and folds them into the large array only when they grow past a bound. A write costs
 * O(1) and a range after k writes O(k log k + side): a store that is written many times between
 * ranges (a count's pending writes, never ranged) pays nothing for the order it does not use, and
 * alternating writes and ranges (a join buffer's pattern) cost O(side) per write, not O(n).
 *
 * The owner tells the set about membership changes it has already decided (`added` only for an id
 * that was absent, `removed` only for one that was present), so the set never re-checks.
 *
 * Arrays are never mutated once published (a removal from the side array copies it): an iterator
 * created before a change keeps walking the snapshot it started on.
 */
export class SortedKeys {
  #sorted: readonly KeyId[] = []
  #side: readonly KeyId[] = []
  #unsorted = new Set<KeyId>()
  #removed = new Set<KeyId>()

  added(id: KeyId): void {
    // Re-adding an id removed since the last fold: it is still in #sorted.
    if (this.#removed.delete(id)) return
    this.#unsorted.add(id)
  }

  removed(id: KeyId): void {
    if (this.#unsorted.delete(id)) return
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
    this.#unsorted = new Set()
    this.#removed = new Set()
  }

  /** Ids within the bounds, ascending. */
  *range(bounds: IdBounds): Generator<KeyId> {
    this.#sortAdditions()
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

  #sortAdditions(): void {
    if (this.#unsorted.size === 0) return
    // Default sort compares UTF-16 code units: the same order as `<` on ids.
    this.#side = merge(this.#side, Array.from(this.#unsorted).sort())
    this.#unsorted = new Set()
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
