/** Bytes a key costs the map besides its own: offset 8, hash 4, key end 4, two slots 8. */
export const ENTRY_OVERHEAD_BYTES = 24

/** Entries moved to the grown slots at each put (see KeyOffsetMap.growEntries): any number >= 1
 *  finishes before the next growth; more frees the old slots sooner. */
const MOVES_PER_PUT = 4

/**
 * The latest offset of each key, in at most about `budgetBytes` (Kafka's cleaner dedupe buffer):
 * what one compaction pass knows of the keys it read. Keys are held exactly (their bytes in one
 * arena, compared in full), not as digests: two keys never share an entry, so compaction never
 * drops the latest record of a key because another key hashed alike (Kafka's 16-byte MD5 makes
 * that unlikely; here it cannot happen). The price is memory: a key costs its length plus
 * ENTRY_OVERHEAD_BYTES (Kafka: 24 bytes whatever its length). Everything lives in typed arrays
 * that grow by doubling up to the budget (a small partition takes little), so the V8 heap does
 * not grow with the keys; after a doubling the old slots stay (and count in the budget) until
 * their entries have moved, a few at each put, so no put rehashes every key at once. The hash
 * (open addressing, linear probing, at most half full) has a random seed per map, so keys chosen
 * to collide cannot slow every compaction alike.
 */
export class KeyOffsetMap {
  private slots = new Int32Array(8) // entry index + 1; 0 = free
  /** The slots before the last growth while their entries move over (see growEntries). */
  private oldSlots: Int32Array | null = null
  /** Entries below it are in `slots`; those from it up to `moving` only in `oldSlots`. */
  private moved = 0
  private moving = 0
  private offsets = new Float64Array(4)
  private hashes = new Int32Array(4)
  private keyEnds = new Uint32Array(4) // key i is arena[keyEnds[i - 1] ?? 0, keyEnds[i])
  private arena = Buffer.allocUnsafe(64)
  private count = 0
  private readonly seed = (Math.random() * 0x100000000) | 0

  constructor(
    readonly budgetBytes: number,
    private readonly hash: (key: Buffer, seed: number) => number = hashBytes,
  ) {}

  /** Keys held. */
  get size(): number {
    return this.count
  }

  /** Bytes the map holds now (its arrays' capacity). */
  get bytes(): number {
    return (
      this.slots.byteLength +
      (this.oldSlots?.byteLength ?? 0) +
      this.offsets.byteLength +
      this.hashes.byteLength +
      this.keyEnds.byteLength +
      this.arena.length
    )
  }

  /** The offset last put for `key`, -1 when it has none. */
  get(key: Buffer): number {
    const entry = this.find(key, this.hash(key, this.seed))
    return entry < 0 ? -1 : this.offsets[entry]!
  }

  /**
   * Notes `offset` as the latest of `key` (offsets come in increasing order). Returns false, and
   * changes nothing, when a new key does not fit in the budget; an empty map takes any one key.
   */
  put(key: Buffer, offset: number): boolean {
    if (this.oldSlots !== null) this.moveSome(MOVES_PER_PUT)
    const hash = this.hash(key, this.seed)
    const found = this.find(key, hash)
    if (found >= 0) {
      this.offsets[found] = offset
      return true
    }
    const start = this.count === 0 ? 0 : this.keyEnds[this.count - 1]!
    if (!this.reserve(start + key.length)) return false
    const entry = this.count++
    key.copy(this.arena, start)
    this.keyEnds[entry] = start + key.length
    this.offsets[entry] = offset
    this.hashes[entry] = hash
    this.place(entry, hash)
    return true
  }

  /** Index of the entry holding `key`, or -1. */
  private find(key: Buffer, hash: number): number {
    const found = this.probe(this.slots, key, hash)
    return found >= 0 || this.oldSlots === null ? found : this.probe(this.oldSlots, key, hash)
  }

  /** Index of the entry `slots` hold for `key`, or -1. */
  private probe(slots: Int32Array, key: Buffer, hash: number): number {
    const mask = slots.length - 1
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]! - 1
      if (entry < 0) return -1
      if (this.hashes[entry] !== hash) continue
      const start = entry === 0 ? 0 : this.keyEnds[entry - 1]!
      const end = this.keyEnds[entry]!
      if (end - start === key.length && this.holds(start, key)) return entry
    }
  }

  /** Whether the arena holds `key` at `start` (a loop: cheaper than a native call for short keys). */
  private holds(start: number, key: Buffer): boolean {
    const arena = this.arena
    if (key.length > 64) return arena.compare(key, 0, key.length, start, start + key.length) === 0
    for (let i = 0; i < key.length; i++) if (arena[start + i] !== key[i]) return false
    return true
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1
    let slot = hash & mask
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask
    this.slots[slot] = entry + 1
  }

  /**
   * Makes room for one more entry and an arena of `arenaBytes`: the entry arrays double, the arena
   * doubles or, near the budget, grows to what fits. False when it cannot stay within the budget.
   */
  private reserve(arenaBytes: number): boolean {
    const capacity = this.offsets.length
    const growing = this.count === capacity
    const entries = growing ? capacity * 2 : capacity
    // After a growth the old slots count too, until their entries have moved.
    const movingFrom = growing ? this.slots.byteLength : (this.oldSlots?.byteLength ?? 0)
    const entryBytes = entries * ENTRY_OVERHEAD_BYTES + movingFrom
    let arena = this.arena.length
    if (arenaBytes > arena) arena = Math.max(arenaBytes, Math.min(arena * 2, this.budgetBytes - entryBytes))
    if (entryBytes + arena > this.budgetBytes && this.count > 0) return false
    if (arena > this.arena.length) {
      const bigger = Buffer.allocUnsafe(arena)
      this.arena.copy(bigger, 0, 0, this.count === 0 ? 0 : this.keyEnds[this.count - 1]!)
      this.arena = bigger
    }
    if (entries > capacity) this.growEntries(entries)
    return true
  }

  /**
   * Doubles the entry arrays. The slots are not rebuilt at once (placing every key again would
   * hold the event loop for as long as the map is large): the old ones stay readable while their
   * entries move to the new ones a few at each put (see moveSome), all of them before the next
   * growth, since that takes as many new keys as there are entries to move.
   */
  private growEntries(capacity: number): void {
    this.moveSome(Infinity) // none left, by the above; kept simple if ever not
    this.offsets = copied(new Float64Array(capacity), this.offsets)
    this.hashes = copied(new Int32Array(capacity), this.hashes)
    this.keyEnds = copied(new Uint32Array(capacity), this.keyEnds)
    this.oldSlots = this.count === 0 ? null : this.slots
    this.slots = new Int32Array(capacity * 2)
    this.moved = 0
    this.moving = this.count
  }

  /** Places up to `n` more entries of the old slots in the new ones. */
  private moveSome(n: number): void {
    if (this.oldSlots === null) return
    const end = Math.min(this.moving, this.moved + n)
    for (let entry = this.moved; entry < end; entry++) this.place(entry, this.hashes[entry]!)
    this.moved = end
    if (end === this.moving) this.oldSlots = null
  }
}

function copied<T extends Float64Array | Int32Array | Uint32Array>(to: T, from: T): T {
  to.set(from as never)
  return to
}

/** A 32-bit hash of `key` (multiply-rotate over 4-byte words, then a final mix), seeded. */
export function hashBytes(key: Buffer, seed: number): number {
  let h = seed ^ key.length
  const words = key.length & ~3
  for (let i = 0; i < words; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let tail = 0
  for (let i = key.length - 1; i >= words; i--) tail = (tail << 8) | key[i]!
  h ^= Math.imul(tail, 0x2f8b1a7d)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}
