import { PostgresSink } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'
import { openDatabase } from './database.ts'
import { revenueParams } from './processed-record.ts'
import { ensureSchemaOn, OFFSETS_TABLE, REVENUE_TABLE, UPSERT_REVENUE } from './schema.ts'
import { appLogger, sinkCommitObserver } from '../observe/app-observability.ts'
import { runningSinks } from './running-sinks.ts'

export { ensureSchema } from './schema.ts'

export interface SinkHandle {
  readonly sink: PostgresSink
  /** Resolves once the table holds everything on orders-processed up to its current end. */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** The consumer group of the sink (also the key of its rows in tributary_offsets). */
export const sinkGroupId = (ctx: Pick<AppContext, 'applicationId'>): string => `${ctx.applicationId}-sink`

/**
 * The `sink` job: orders-processed (read_committed) upserted into revenue_per_minute, exactly
 * once, with the consumed offsets in the same transaction (PostgresSink). Creates the topic and
 * the tables if missing. A row the database refuses (its error names why) goes to orders-sink-dlq
 * and the sink goes on; any other failure is logged and stops it; `sink.done` rejects with why.
 */
export async function startSink(ctx: AppContext): Promise<SinkHandle> {
  await ctx.log.admin.createTopics(
    [ctx.topics.ordersProcessed, ctx.topics.ordersSinkDlq].map((name) => ({
      name,
      partitions: ctx.partitions,
    })),
  )
  const db = await openDatabase(ctx)
  let sink: PostgresSink
  try {
    await ensureSchemaOn(db)
    sink = new PostgresSink({
      log: ctx.log,
      sql: db,
      topics: [ctx.topics.ordersProcessed],
      groupId: sinkGroupId(ctx),
      isolation: 'read_committed',
      offsetsTable: OFFSETS_TABLE,
      upsert: UPSERT_REVENUE,
      toParams: revenueParams,
      coalesceKey: (r) => r.key?.toString('utf8') ?? '',
      maxBatchRecords: 2000,
      onCommit: sinkCommitObserver(ctx, REVENUE_TABLE),
      logger: appLogger(),
      deadLetterTopic: ctx.topics.ordersSinkDlq,
    })
    await sink.start()
  } catch (err) {
    await db.close()
    throw err
  }
  runningSinks.add(sink)
  return {
    sink,
    waitUntilCaughtUp: (timeoutMs) => sink.waitUntilCaughtUp(timeoutMs),
    async close() {
      runningSinks.delete(sink)
      await sink.close()
      await db.close()
    },
  }
}
