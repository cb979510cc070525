import type { StorageProblem, StorageProblems } from 'tributary-streams'
import type { SqlQueryable } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'
import { sinkGroupId } from '../sink/start-sink.ts'
import type { MetricSamples } from './prometheus.ts'
import { runningSinks } from '../sink/running-sinks.ts'
import { lateRecordsOf } from './late-records.ts'
import type { Health } from './summary.ts'

/** App-level counters of the topology running in this process (its PipelineMetrics). */
export interface PipelineCounters {
  snapshot(): { readonly duplicates: number }
}

export interface HealthSources {
  readonly ctx: AppContext
  readonly db: SqlQueryable
  /** The series of GET /metrics: the panel's figures are read from them (one source of truth). */
  readonly metrics: () => Promise<MetricSamples>
  /** Problems of the dashboard itself (a failed tail). */
  readonly problems: () => string[]
}

const TIMEOUT_MS = 2000

const withTimeout = <T>(what: string, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out`)), TIMEOUT_MS).unref(),
    ),
  ])

/** The storage problem lists of this process: the context's, the streams app's, the log's. */
function problemLists(ctx: AppContext): StorageProblems[] {
  const logProblems = (ctx.log as { problems?: StorageProblems }).problems
  const lists = [ctx.storageProblems, ctx.streams?.storageProblems, logProblems]
  return [...new Set(lists.filter((l): l is StorageProblems => l !== undefined))]
}

/** Storage problems no operator has acknowledged yet, oldest first. */
export const storageProblems = (ctx: AppContext): StorageProblem[] =>
  problemLists(ctx)
    .flatMap((l) => l.list())
    .sort((a, b) => a.at - b.at)

/** Clears the storage problems (an operator has seen them: POST /health/acknowledge); returns them. */
export const acknowledgeStorageProblems = (ctx: AppContext): StorageProblem[] =>
  problemLists(ctx)
    .flatMap((l) => l.acknowledge())
    .sort((a, b) => a.at - b.at)

/**
 * GET /health: liveness. 503 when the log or the database is unreachable or a job of this
 * process stopped. Unacknowledged storage problems make it `degraded`, listed, with 200: the
 * process works, and a restart would not repair anything (it would only forget the problems).
 */
export async function healthReport(
  ctx: AppContext,
  db: SqlQueryable,
  extraProblems: readonly string[],
): Promise<{ httpStatus: number; body: Record<string, unknown> }> {
  const live = await checkLiveness(ctx, db)
  const all = [...live.problems, ...extraProblems]
  const storage = storageProblems(ctx)
  const up = live.log && live.database && all.length === 0
  return {
    httpStatus: up ? 200 : 503,
    body: {
      status: !up ? 'unavailable' : storage.length > 0 ? 'degraded' : 'ok',
      log: live.log ? 'ok' : 'error',
      database: live.database ? 'ok' : 'error',
      streams: ctx.streams?.state ?? 'not in this process',
      problems: all,
      storageProblems: storage,
    },
  }
}

/**
 * GET /ready: 503 with the reasons while this process' streams app is not running or restores
 * state from its changelogs, or its sink is not running; else 200. Lists storage problems too.
 */
export function readiness(ctx: AppContext): { httpStatus: number; body: Record<string, unknown> } {
  const reasons: string[] = []
  const app = ctx.streams
  if (app !== undefined && app.state !== 'running') reasons.push(`streams app is ${app.state}`)
  else if (app !== undefined && app.metrics().restoringTasks > 0)
    reasons.push(`streams app is restoring state (${app.metrics().restoreRemaining} changelog records left)`)
  for (const sink of runningSinks) if (sink.state !== 'running') reasons.push(`sink is ${sink.state}`)
  return {
    httpStatus: reasons.length === 0 ? 200 : 503,
    body: { ready: reasons.length === 0, reasons, storageProblems: storageProblems(ctx) },
  }
}

/** Reachability of the log and the database, and the state of this process' streams app and sink. */
export async function checkLiveness(
  ctx: AppContext,
  db: SqlQueryable,
): Promise<{ log: boolean; database: boolean; problems: string[] }> {
  const problems: string[] = []
  const log = await withTimeout('log', ctx.log.admin.listTopics()).then(
    () => true,
    (err: unknown) => (problems.push(`log unreachable: ${String(err)}`), false),
  )
  const database = await withTimeout('database', db.query('SELECT 1')).then(
    () => true,
    (err: unknown) => (problems.push(`database unreachable: ${String(err)}`), false),
  )
  if (ctx.streams !== undefined && ctx.streams.state !== 'running')
    problems.push(`streams app is ${ctx.streams.state}`)
  for (const sink of runningSinks) if (sink.state !== 'running') problems.push(`sink is ${sink.state}`)
  return { log, database, problems }
}

/**
 * Computes the pipeline health the dashboard shows, every `refresh()`: liveness checks of its own,
 * and every figure from the series GET /metrics exports (prometheus.ts): lags from
 * `tributary_consumer_lag` of the streams group and the sink, late records, DLQ and duplicates;
 * the rate from the difference of records processed (or of orders-raw's end offsets when no
 * streams app runs in this process) with the previous refresh.
 */
export class HealthMonitor {
  private previous: { at: number; count: number; source: 'streams' | 'orders-raw' } | undefined
  current: Health = {
    status: 'ok',
    log: 'ok',
    database: 'ok',
    streams: null,
    sink: null,
    recordsPerSecond: null,
    recordsPerSecondSource: null,
    streamsLag: null,
    sinkLag: null,
    dlqCount: null,
    lateRecords: null,
    lateByProcessor: null,
    lateWindows: null,
    duplicates: null,
    problems: [],
  }

  constructor(private readonly sources: HealthSources) {}

  async refresh(): Promise<Health> {
    const { ctx, db } = this.sources
    const live = await checkLiveness(ctx, db)
    const problems = [
      ...live.problems,
      ...this.sources.problems(),
      ...storageProblems(ctx).map((p) => `storage: ${p.message}`),
    ]
    const samples = await this.sources.metrics().catch(() => undefined)
    const total = (name: string, labels: Record<string, string> = {}): number | null => {
      const values = samples?.(name).filter((v) =>
        Object.entries(labels).every(([k, x]) => v.labels[k] === x),
      )
      return values === undefined || values.length === 0 ? null : values.reduce((n, v) => n + v.value, 0)
    }
    const processed = total('tributary_streams_records_processed_total')
    const rate = live.log ? await this.rate(processed).catch(() => null) : null
    const sink = [...runningSinks][0]
    this.current = {
      status: !live.log || !live.database ? 'down' : problems.length > 0 ? 'degraded' : 'ok',
      log: live.log ? 'ok' : 'error',
      database: live.database ? 'ok' : 'error',
      streams: ctx.streams?.state ?? null,
      sink: sink?.state ?? null,
      recordsPerSecond: rate?.perSecond ?? null,
      recordsPerSecondSource: rate?.source ?? null,
      streamsLag: live.log ? total('tributary_consumer_lag', { group: ctx.applicationId }) : null,
      sinkLag:
        live.log && live.database ? total('tributary_consumer_lag', { group: sinkGroupId(ctx) }) : null,
      dlqCount: total('order_analytics_dlq_records'),
      lateRecords: total('tributary_streams_late_records_total'),
      ...(ctx.streams === undefined
        ? { lateByProcessor: null, lateWindows: null }
        : lateRecordsOf(ctx.streams)),
      duplicates: total('order_analytics_duplicate_orders'),
      problems,
    }
    return this.current
  }

  private async rate(
    processed: number | null,
  ): Promise<{ perSecond: number | null; source: 'streams' | 'orders-raw' }> {
    const { ctx } = this.sources
    const now = Date.now()
    let sample: { at: number; count: number; source: 'streams' | 'orders-raw' }
    if (ctx.streams !== undefined && processed !== null)
      sample = { at: now, count: processed, source: 'streams' }
    else {
      const partitions = await this.partitionsOf([ctx.topics.ordersRaw])
      const ends = await ctx.log.admin.endOffsets(partitions, 'read_uncommitted')
      sample = { at: now, count: ends.reduce((s, o) => s + o.offset, 0), source: 'orders-raw' }
    }
    const before = this.previous
    this.previous = sample
    if (before === undefined || before.source !== sample.source || sample.at <= before.at)
      return { perSecond: null, source: sample.source }
    return {
      perSecond: Math.max(0, ((sample.count - before.count) * 1000) / (sample.at - before.at)),
      source: sample.source,
    }
  }

  private async partitionsOf(topics: string[]) {
    const described = await this.sources.ctx.log.admin.describeTopics(topics)
    return described.flatMap((t) =>
      Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })),
    )
  }
}
