import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedLog } from 'tributary-streams'
import { topicNames, type AppContext } from '../context.ts'
import type { ProcessedRow } from '../contract/processed-row.ts'
import { startStreams } from '../cli/start-streams.ts'
import { toCsv, type TableRow } from './csv.ts'
import { feed } from './feed.ts'
import { readLines } from './jsonl.ts'
import { readTopic } from './read-topic.ts'
import { waitUntilStreamsIdle } from './wait-idle.ts'

export interface ReplayOptions {
  readonly users: string
  readonly orders: string
  readonly out: string
  readonly dlq?: string
  /** Window grace; default ORDERS_GRACE_MS or 30000. */
  readonly graceMs?: number
  /** Keep the temporary data directory (printed) instead of deleting it. */
  readonly keep?: boolean
  /** Skip the Postgres sink and write the table from orders-processed (faster; same rows). */
  readonly noSink?: boolean
}

export interface ReplaySummary {
  readonly userLines: number
  readonly orderLines: number
  readonly ordersAccepted: number
  readonly duplicates: number
  readonly late: number
  readonly deadLettered: number
  /** Rows the database refused (on orders-sink-dlq with its error); the table lacks their updates. */
  readonly sinkDeadLettered: number
  readonly unknownUsers: number
  readonly rows: number
  readonly finalRows: number
  readonly seconds: number
  readonly dataDir: string
}

interface Sink {
  close(): Promise<void>
  waitUntilCaughtUp?(timeoutMs?: number): Promise<void>
}

/**
 * Replays JSONL files through the whole pipeline on a fresh embedded data directory: users first
 * (until the streams app is idle, so every user is known to every order), then orders, until
 * idle again; then the sink catches up and the table (PGlite, as the sink wrote it) becomes the
 * CSV. Windows still open at the end of input keep their latest value: the table holds updates too.
 *
 * Every topic has one partition here, so each stage sees records in file order and the result is
 * a function of the files alone (stream time, hence lateness, is the largest event time among the
 * accepted orders before a record, in file order). The app runs at-least-once: without a crash
 * the result is the same, and its committed offsets equal the end offsets exactly when it is idle.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const started = Date.now()
  const dataDir = mkdtempSync(join(tmpdir(), 'order-analytics-replay-'))
  const log = await EmbeddedLog.open({ dataDir: join(dataDir, 'log'), fsync: 'never' })
  const ctx: AppContext = {
    log,
    topics: topicNames(''),
    partitions: 1,
    dataDir,
    applicationId: 'order-analytics-replay',
    port: 0,
    databaseUrl: undefined,
  }
  let sink: Sink | undefined
  try {
    const streams = await startStreams(ctx, {
      processingGuarantee: 'at-least-once',
      commitIntervalMs: 50,
      persistentStores: false,
      instanceId: 'replay',
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    })
    if (!options.noSink) {
      const { startSink } = await import('../sink/start-sink.ts')
      sink = (await startSink(ctx)) as Sink
    }
    const sources = [ctx.topics.usersRaw, ctx.topics.ordersRaw]
    const userLines = await feed(log, ctx.topics.usersRaw, readLines(options.users), 'user_id')
    await waitUntilStreamsIdle(log, streams.app, ctx.applicationId, sources)
    const orderLines = await feed(log, ctx.topics.ordersRaw, readLines(options.orders), 'order_id')
    await waitUntilStreamsIdle(log, streams.app, ctx.applicationId, sources)

    const latest = latestRows(await readTopic(log, ctx.topics.ordersProcessed))
    let rows: TableRow[] = [...latest.values()].map(fromProcessed)
    let sinkDeadLettered = 0
    if (sink) {
      if (sink.waitUntilCaughtUp) await sink.waitUntilCaughtUp(600_000)
      const { readTable } = await import('../sink/read-table.ts')
      sinkDeadLettered = (await readTopic(log, ctx.topics.ordersSinkDlq)).length
      rows = checkTable(await readTable(ctx), rows, sinkDeadLettered)
    }
    writeFileSync(options.out, toCsv(rows))
    if (options.dlq !== undefined) {
      const dlq = await readTopic(log, ctx.topics.ordersDlq)
      writeFileSync(options.dlq, dlq.map((r) => `${r.value?.toString('utf8') ?? 'null'}\n`).join(''))
    }
    const m = streams.metrics
    const late = streams.app.metrics().lateRecords
    await sink?.close()
    sink = undefined
    await streams.close()
    return {
      userLines,
      orderLines,
      ordersAccepted: m.ordersAccepted,
      duplicates: m.duplicates,
      late,
      deadLettered: m.deadLettered,
      sinkDeadLettered,
      unknownUsers: m.unknownUsers,
      rows: rows.length,
      finalRows: [...latest.values()].filter((r) => r.final).length,
      seconds: (Date.now() - started) / 1000,
      dataDir,
    }
  } finally {
    await sink?.close().catch(() => {})
    await ctx.streams?.close().catch(() => {})
    await log.close()
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The last value per key of orders-processed: what an upserting sink holds. */
export function latestRows(
  records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>,
): Map<string, ProcessedRow> {
  const latest = new Map<string, ProcessedRow>()
  for (const r of records) {
    if (r.key === null || r.value === null) continue
    latest.set(r.key.toString('utf8'), JSON.parse(r.value.toString('utf8')) as ProcessedRow)
  }
  return latest
}

const fromProcessed = (r: ProcessedRow): TableRow => ({
  window_start: new Date(r.window_start),
  region: r.region,
  segment: r.segment,
  order_count: r.order_count,
  revenue: r.revenue.toFixed(2),
})

const csvKey = (r: TableRow) =>
  `${r.window_start.toISOString()}|${r.region}|${r.segment}|${r.order_count}|${r.revenue}`

/**
 * The sink's table once the sink has caught up (its rows and offsets commit together, so it is
 * final): it must hold exactly the rows of orders-processed, unless the database refused some
 * (dead-lettered), in which case it is what the database could store.
 */
function checkTable(rows: TableRow[], expected: readonly TableRow[], deadLettered: number): TableRow[] {
  const want = new Set(expected.map(csvKey))
  if (rows.length === want.size && rows.every((r) => want.has(csvKey(r)))) return rows
  if (deadLettered > 0) return rows
  const missing = expected.filter((r) => !rows.some((t) => csvKey(t) === csvKey(r))).slice(0, 3)
  throw new Error(
    `the sink's table (${rows.length} rows) does not match orders-processed (${want.size} rows), ` +
      `e.g. ${missing.map(csvKey).join('; ')}`,
  )
}

export const formatSummary = (s: ReplaySummary, out: string): string =>
  `replay: ${s.userLines} user lines, ${s.orderLines} order lines -> ${s.ordersAccepted} orders accepted, ` +
  `${s.duplicates} duplicates, ${s.late} late, ${s.deadLettered} dead-lettered, ${s.unknownUsers} by unknown users; ` +
  (s.sinkDeadLettered > 0 ? `${s.sinkDeadLettered} rows refused by the database (orders-sink-dlq); ` : '') +
  `${s.rows} rows (${s.finalRows} final) to ${out} in ${s.seconds.toFixed(1)} s ` +
  `(${Math.round(s.orderLines / s.seconds)} order lines/s)`
