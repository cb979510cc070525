// The generated input every system reads: deterministic (seeded), so the harness can compute the
// expected outputs itself and regenerate a topic's records for a run without storing them.

export const PARTITIONS = 4
export const COUNT_KEYS = 10_000
export const REGIONS = ['eu', 'us', 'apac', 'latam'] as const
/** Event time of record 0; records advance so that any run spans ten 1-minute windows. */
export const BASE_TIME = Date.UTC(2026, 0, 1)
export const SPAN_MS = 10 * 60_000

/** One order-like event; values are this object as UTF-8 JSON (about 60 bytes). */
export interface Event {
  readonly id: number
  readonly amount: number
  readonly region: string
}

export interface Generated {
  readonly key: string | null
  readonly value: string
  /** Absent: the time of sending (order-analytics reads event time from the payload). */
  readonly timestamp?: number
}

/** mulberry32: a tiny seeded PRNG, so every run (and every language) sees the same input. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type KeyDistribution = 'uniform' | 'skewed'

/**
 * `records` events keyed `k0`..`k9999`: uniform, or skewed (key = floor(10000 * r^4): the first
 * key takes ~18% of records, the first 100 about half). Timestamps rise evenly over SPAN_MS.
 */
export function* events(records: number, keys: KeyDistribution, seed = 1): Generator<Generated> {
  const next = random(seed)
  const step = SPAN_MS / Math.max(records, 1)
  for (let id = 0; id < records; id++) {
    const r = next()
    const k = keys === 'uniform' ? Math.floor(r * COUNT_KEYS) : Math.floor(COUNT_KEYS * r ** 4)
    const event: Event = { id, amount: Math.floor(next() * 1000), region: REGIONS[id % 4]! }
    yield { key: `k${k}`, value: JSON.stringify(event), timestamp: BASE_TIME + Math.floor(id * step) }
  }
}

/** The join's table: `tableKeys` rows `t<i>` → {"name","tier"}, all older than any stream event. */
export function* tableRows(tableKeys: number): Generator<Generated> {
  for (let i = 0; i < tableKeys; i++)
    yield {
      key: `t${i}`,
      value: JSON.stringify({ name: `name-${i}`, tier: i % 5 }),
      timestamp: BASE_TIME - 1,
    }
}

/** The join's stream: events keyed by a uniformly drawn table key (every one present). */
export function* joinEvents(records: number, tableKeys: number, seed = 2): Generator<Generated> {
  const next = random(seed)
  for (const e of events(records, 'uniform', seed)) {
    yield { ...e, key: `t${Math.floor(next() * tableKeys)}` }
  }
}
