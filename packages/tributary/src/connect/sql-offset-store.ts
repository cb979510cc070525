import { TributaryError } from '../errors.ts'
import type { PartitionOffset } from '../log/log.ts'
import { sameTopicPartition, type TopicPartition } from '../record.ts'
import type { SqlQueryable } from './sql-client.ts'

export const DEFAULT_OFFSETS_TABLE = 'tributary_offsets'

/**
 * Consumed offsets kept in the sink's own database: `(group_id, topic, partition, next_offset)`,
 * next_offset being the next offset to read. Written in the same transaction as the rows they
 * account for, so the database holds exactly the effect of the records before them.
 */
export class SqlOffsetStore {
  readonly table: string

  constructor(table: string = DEFAULT_OFFSETS_TABLE) {
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table))
      throw new TributaryError(
        'CONFIG',
        `offsets table "${table}" must be a plain (optionally schema-qualified) lower-case name`,
      )
    this.table = table
  }

  /** Idempotent DDL; safe to run from several processes at once. */
  async ensureTable(db: SqlQueryable): Promise<void> {
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      )`,
    )
  }

  /** Stored offsets of the group's partitions of `topics`; partitions never written are absent. */
  async read(
    db: SqlQueryable,
    groupId: string,
    topics: readonly string[],
    lock = false,
  ): Promise<PartitionOffset[]> {
    const out: PartitionOffset[] = []
    for (const topic of topics) {
      const { rows } = await db.query<{ partition: number; next_offset: unknown }>(
        `SELECT partition, next_offset::text AS next_offset FROM ${this.table}
          WHERE group_id = $1 AND topic = $2 ORDER BY partition${lock ? ' FOR UPDATE' : ''}`,
        [groupId, topic],
      )
      for (const r of rows) out.push({ topic, partition: Number(r.partition), offset: Number(r.next_offset) })
    }
    return out
  }

  async write(db: SqlQueryable, groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
    for (const o of offsets) {
      await db.query(
        `INSERT INTO ${this.table} (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
        [groupId, o.topic, o.partition, o.offset],
      )
    }
  }
}

export const offsetOf = (offsets: readonly PartitionOffset[], tp: TopicPartition): number | undefined =>
  offsets.find((o) => sameTopicPartition(o, tp))?.offset
