// What a system's output must contain: a digest of the output topic (read read_committed) per
// topology, and the same digest computed directly from the generated input where that is plain
// arithmetic. A run's figure counts only when its digest equals the expected one.
import { createHash } from 'node:crypto'
import type { ConsumerRecord } from 'tributary-streams'
import type { Event, Generated } from './inputs.ts'

/** Field → value; `records` (output record count) is compared only where caches are equal. */
export type Digest = Record<string, number | string>

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'))
const hashOf = (m: Map<string, string>): string =>
  createHash('sha1')
    .update([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).join(';'))
    .digest('hex')
    .slice(0, 16)

/** Latest value per key (a key lives in one partition, whose records arrive in offset order). */
function latest(records: readonly ConsumerRecord[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const r of records) m.set(text(r.key), text(r.value))
  return m
}

const tableDigest = (m: Map<string, string>, records: number): Digest => ({
  records,
  keys: m.size,
  total: [...m.values()].reduce((s, v) => s + Number(v), 0),
  hash: hashOf(m),
})

export const outputDigest = {
  stateless(records: readonly ConsumerRecord[]): Digest {
    let sumId = 0
    let sumCents = 0
    let upper = 0
    for (const r of records) {
      const v = JSON.parse(text(r.value)) as { id: number; cents: number; region: string }
      sumId += v.id
      sumCents += v.cents
      if (v.region === v.region.toUpperCase()) upper++
    }
    return { records: records.length, sumId, sumCents, upper }
  },
  /** count and windowed: final value per key. */
  table(records: readonly ConsumerRecord[]): Digest {
    return tableDigest(latest(records), records.length)
  },
  /**
   * order-analytics' orders-processed: the latest row per key, each row parsed and written back
   * in one field order and JavaScript's number format (Jackson writes 12.0 where JSON.stringify
   * writes 12), so systems in other languages compare by value, not by spelling.
   */
  rows(records: readonly ConsumerRecord[]): Digest {
    const m = new Map<string, string>()
    for (const r of records) m.set(text(r.key), canonicalRow(text(r.value)))
    return {
      records: records.length,
      keys: m.size,
      finals: [...m.values()].filter((v) => v.endsWith('|true')).length,
      hash: hashOf(m),
    }
  },
  /** orders-outbox: events per type and the hash of (key, type, event_id); orders-dlq: its records. */
  sideOutputs(outbox: readonly ConsumerRecord[], dlq: readonly ConsumerRecord[]): Digest {
    const events = new Map<string, string>()
    let anomalies = 0
    for (const r of outbox) {
      const e = JSON.parse(text(r.value)) as { type: string; event_id: string }
      if (e.type === 'AnomalyDetected') anomalies++
      events.set(`${text(r.key)}|${e.type}`, e.event_id)
    }
    return { outboxRecords: outbox.length, anomalies, outboxHash: hashOf(events), dlqRecords: dlq.length }
  },
  join(records: readonly ConsumerRecord[]): Digest {
    let sumId = 0
    let sumAmountTier = 0
    for (const r of records) {
      const v = JSON.parse(text(r.value)) as { id: number; amount: number; tier: number }
      sumId += v.id
      sumAmountTier += v.amount * v.tier
    }
    return { records: records.length, sumId, sumAmountTier }
  },
}

const ROW_FIELDS = ['window_start', 'window_end', 'region', 'segment', 'order_count', 'revenue', 'final']
const canonicalRow = (value: string): string => {
  const row = JSON.parse(value) as Record<string, unknown>
  return ROW_FIELDS.map((f) => String(row[f])).join('|')
}

const parse = (g: Generated): Event => JSON.parse(g.value) as Event

export const expectedDigest = {
  stateless(input: Iterable<Generated>): Digest {
    let records = 0
    let sumId = 0
    let sumCents = 0
    for (const g of input) {
      const e = parse(g)
      if (e.amount < 100) continue
      records++
      sumId += e.id
      sumCents += e.amount * 100
    }
    return { records, sumId, sumCents, upper: records }
  },
  /** Without a cache every input record yields one update, so records = input records. */
  count(input: Iterable<Generated>): Digest {
    const counts = new Map<string, number>()
    let n = 0
    for (const g of input) {
      counts.set(g.key!, (counts.get(g.key!) ?? 0) + 1)
      n++
    }
    return tableDigest(new Map([...counts].map(([k, c]) => [k, String(c)])), n)
  },
  /** Every stream key is in the table (tier = index % 5), so every event joins. */
  join(input: Iterable<Generated>): Digest {
    let records = 0
    let sumId = 0
    let sumAmountTier = 0
    for (const g of input) {
      const e = parse(g)
      records++
      sumId += e.id
      sumAmountTier += e.amount * (Number(g.key!.slice(1)) % 5)
    }
    return { records, sumId, sumAmountTier }
  },
}

/** Fields that differ between `actual` and `expected`; `records` skipped when `ignoreRecords`. */
export function digestMismatch(actual: Digest, expected: Digest, ignoreRecords: boolean): string[] {
  return Object.keys(expected)
    .filter((k) => !(ignoreRecords && k === 'records'))
    .filter((k) => actual[k] !== expected[k])
    .map((k) => `${k}: ${actual[k]} (expected ${expected[k]})`)
}
