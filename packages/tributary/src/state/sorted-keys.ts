import type { IdBounds, KeyId } from './key-id.ts'

/**
 * A set of key ids kept in sorted order lazily: additions and removals are recorded in O(1) and
 * folded into the sorted array only when a range is asked for, in O(n + k log k) for k changes
 * (a merge, not a full re-sort). Ranges with no change in between cost a binary search.
 *
 * The owner tells the set about membership changes it has already decided (`added` only for an id
 * that was absent, `removed` only for one that was present), so the set never re-checks.
 *
 * A published sorted array is never mutated: an iterator created before a change keeps walking
 * the snapshot it started on.
 */
export class SortedKeys {
  #sorted: readonly KeyId[] = []
  #added = new Set<KeyId>()
  #removed = new Set<KeyId>()

  added(id: KeyId): void {
    // Re-adding an id removed since the last fold: it is still in #sorted.
    if (!this.#removed.delete(id)) this.#added.add(id)
  }

  removed(id: KeyId): void {
    // Removing an id added since the last fold: it never reached #sorted.
    if (!this.#added.delete(id)) this.#removed.add(id)
  }

  clear(): void {
    this.#sorted = []
    this.#added.clear()
    this.#removed.clear()
  }

  /** Ids within the bounds, ascending. */
  *range(bounds: IdBounds): Generator<KeyId> {
    const sorted = this.#fold()
    const start = bounds.from === undefined ? 0 : lowerBound(sorted, bounds.from)
    const end = bounds.to === undefined ? sorted.length : upperBound(sorted, bounds.to)
    for (let i = start; i < end; i++) yield sorted[i] as KeyId
  }

  #fold(): readonly KeyId[] {
    if (this.#added.size === 0 && this.#removed.size === 0) return this.#sorted
    const removed = this.#removed
    const old = removed.size === 0 ? this.#sorted : this.#sorted.filter((id) => !removed.has(id))
    const fresh = [...this.#added].sort(byId)
    this.#sorted = fresh.length === 0 ? old : merge(old, fresh)
    this.#added = new Set()
    this.#removed = new Set()
    return this.#sorted
  }
}

const byId = (a: KeyId, b: KeyId): number => (a < b ? -1 : a > b ? 1 : 0)

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
