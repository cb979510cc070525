import type { ConsumerRecord } from 'tributary-streams'
import type { ProcessedRow } from '../contract/index.ts'

/**
 * Parses a value of orders-processed. Throws (naming the field) on anything else: the topic is
 * written by our own topology, so a malformed value is a bug to stop on, not data to skip.
 */
export function parseProcessedRow(value: Buffer): ProcessedRow {
  const row = JSON.parse(value.toString('utf8')) as Record<string, unknown>
  for (const field of ['window_start', 'window_end', 'order_count', 'revenue'] as const)
    if (typeof row[field] !== 'number' || !Number.isFinite(row[field]))
      throw new Error(`${field} is not a finite number`)
  for (const field of ['region', 'segment'] as const)
    if (typeof row[field] !== 'string') throw new Error(`${field} is not a string`)
  return row as unknown as ProcessedRow
}

/** Upsert parameters of a record; null for a tombstone. */
export function revenueParams(record: ConsumerRecord): readonly unknown[] | null {
  if (record.value === null) return null
  const row = parseProcessedRow(record.value)
  // String(n) is the shortest exact decimal of the double; PostgreSQL rounds it to 2 places.
  return [
    new Date(row.window_start).toISOString(),
    row.region,
    row.segment,
    row.order_count,
    String(row.revenue),
  ]
}
