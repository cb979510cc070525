/**
 * Kafka's default partitioner hash (Java `Utils.murmur2`, seed 0x9747b28c) with signed 32-bit
 * results, so keyed records land in the same partition whether the embedded log or a real Kafka
 * producer wrote them.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995
  const length = data.length
  let h = (0x9747b28c ^ length) | 0
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  const tail = length & 3
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16
    if (tail >= 2) h ^= data[whole + 1]! << 8
    h ^= data[whole]!
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which breaks on MIN_VALUE). */
export const toPositive = (n: number): number => n & 0x7fffffff

/** The partition Kafka's default partitioner picks for a non-null key. */
export const partitionForKey = (key: Uint8Array, partitions: number): number =>
  toPositive(murmur2(key)) % partitions
