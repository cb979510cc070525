import { SqlOffsetStore, type SqlQueryable } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'
import { openDatabase } from './database.ts'

export const REVENUE_TABLE = 'revenue_per_minute'
export const OFFSETS_TABLE = 'tributary_offsets'

/** Idempotent: the table of the contract (issue 5) and the sink's offsets table. */
export async function ensureSchemaOn(db: SqlQueryable): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${REVENUE_TABLE} (
      window_start timestamptz NOT NULL,
      region text NOT NULL,
      segment text NOT NULL,
      order_count bigint NOT NULL,
      revenue numeric(18,2) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (window_start, region, segment)
    )`,
  )
  await new SqlOffsetStore(OFFSETS_TABLE).ensureTable(db)
}

/** Creates the tables if missing (CLI `init`; also done by `startSink`). */
export async function ensureSchema(ctx: AppContext): Promise<void> {
  const db = await openDatabase(ctx)
  try {
    await ensureSchemaOn(db)
  } finally {
    await db.close()
  }
}

/**
 * Last write wins per (window, region, segment): records of one key arrive in order on one
 * partition. A row whose figures did not change keeps its updated_at.
 */
export const UPSERT_REVENUE = `
  INSERT INTO ${REVENUE_TABLE} AS t (window_start, region, segment, order_count, revenue, updated_at)
  VALUES ($1::timestamptz, $2, $3, $4, $5::numeric, now())
  ON CONFLICT (window_start, region, segment) DO UPDATE
    SET order_count = EXCLUDED.order_count, revenue = EXCLUDED.revenue, updated_at = now()
    WHERE (t.order_count, t.revenue) IS DISTINCT FROM (EXCLUDED.order_count, EXCLUDED.revenue)`
