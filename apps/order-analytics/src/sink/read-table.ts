import type { SqlQueryable } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'
import { openDatabase } from './database.ts'
import { REVENUE_TABLE } from './schema.ts'

export interface RevenueRow {
  readonly window_start: Date
  readonly region: string
  readonly segment: string
  readonly order_count: number
  /** numeric(18,2) as text, always two decimals: '1234.50'. */
  readonly revenue: string
}

export interface TableRange {
  /** Only windows starting at or after this time (ms since epoch). */
  readonly from?: number
}

/** Rows of revenue_per_minute sorted by window_start, region, segment. */
export async function readTableOn(db: SqlQueryable, range: TableRange = {}): Promise<RevenueRow[]> {
  const { rows } = await db.query<{
    window_start: Date | string
    region: string
    segment: string
    order_count: number | string
    revenue: string
  }>(
    `SELECT window_start, region, segment, order_count::float8 AS order_count, revenue::text AS revenue
       FROM ${REVENUE_TABLE}
      WHERE window_start >= $1::timestamptz
      ORDER BY window_start, region COLLATE "C", segment COLLATE "C"`,
    [new Date(range.from ?? 0).toISOString()],
  )
  return rows.map((r) => ({
    window_start: r.window_start instanceof Date ? r.window_start : new Date(r.window_start),
    region: r.region,
    segment: r.segment,
    order_count: Number(r.order_count),
    revenue: r.revenue,
  }))
}

/** The whole table, sorted by window_start, region, segment. */
export async function readTable(ctx: AppContext, range: TableRange = {}): Promise<RevenueRow[]> {
  const db = await openDatabase(ctx)
  try {
    return await readTableOn(db, range)
  } finally {
    await db.close()
  }
}
