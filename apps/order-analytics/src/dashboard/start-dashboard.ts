import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ConsumerRecord } from 'tributary-streams'
import { TopicTail } from 'tributary-streams/connect'
import { HttpError, startHttpServer, type HttpServer } from 'tributary-streams/http'
import { SqlOffsetStore, type SqlClient } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'
import type { Envelope } from '../contract/index.ts'
import { appLogger } from '../observe/app-observability.ts'
import { openDatabase } from '../sink/database.ts'
import { parseProcessedRow } from '../sink/processed-record.ts'
import { readTableOn } from '../sink/read-table.ts'
import { ensureSchemaOn, OFFSETS_TABLE, REVENUE_TABLE } from '../sink/schema.ts'
import { sinkGroupId } from '../sink/start-sink.ts'
import {
  acknowledgeStorageProblems,
  healthReport,
  HealthMonitor,
  readiness,
  type PipelineCounters,
} from './health-monitor.ts'
import { dashboardRegistry } from './prometheus.ts'
import { RevenueModel } from './revenue-model.ts'
import { SseHub } from './sse-hub.ts'
import { servePage } from './static-files.ts'

export interface DashboardOptions {
  /** The topology's counters when the streams job runs in this process (duplicates). */
  readonly pipeline?: PipelineCounters
  /** Minutes the charts show; default 30. */
  readonly minutes?: number
  /** How often health is recomputed and pushed; default 2000 ms. */
  readonly healthIntervalMs?: number
  /** Most event streams (browsers) at a time; default 100. More: 503. */
  readonly maxEventStreams?: number
}

export interface DashboardHandle {
  readonly url: string
  close(): Promise<void>
}

const MINUTE = 60_000

/**
 * The `dashboard` job on ctx.port: `/` the live page (src/web), `/events` server-sent events,
 * `/api/summary`, `/metrics` (Prometheus), `/health`, `/ready` and `POST /health/acknowledge`
 * (clears the storage problems /health lists). Its figures start from a consistent
 * snapshot of revenue_per_minute and the sink's stored offsets, then follow orders-processed
 * from exactly those offsets and orders-outbox (WindowClosed, AnomalyDetected), so they equal the
 * table whenever the sink has caught up. Embedded PGlite works only with the sink in this process
 * (`all`); separate processes need DATABASE_URL. The server has ctx.http's safe defaults: bound to
 * 127.0.0.1 unless HOST says otherwise, optional auth, bounded requests (see docs/security.md).
 */
export async function startDashboard(
  ctx: AppContext,
  options: DashboardOptions = {},
): Promise<DashboardHandle> {
  const { topics } = ctx
  await ctx.log.admin.createTopics(
    [topics.ordersProcessed, topics.ordersOutbox, topics.ordersDlq].map((name) => ({
      name,
      partitions: ctx.partitions,
    })),
  )
  const db = await openDatabase(ctx)
  const model = new RevenueModel(options.minutes ?? 30)
  const hub = new SseHub(options.maxEventStreams)
  const tails: TopicTail[] = []
  const problems: string[] = []
  let dlqCount: number | null = null
  let healthTimer: NodeJS.Timeout | undefined
  let pushTimer: NodeJS.Timeout | undefined
  let server: HttpServer | undefined
  const registry = dashboardRegistry({
    ctx,
    db,
    pipeline: options.pipeline ?? ctx.pipeline,
    dlqCount: () => dlqCount,
    up: () => health.current.status === 'ok',
    clients: () => hub.size,
  })
  const health: HealthMonitor = new HealthMonitor({
    ctx,
    db,
    metrics: () => registry.read(),
    problems: () => [...problems],
  })

  let pushed = -1
  const push = (): void => {
    if (pushTimer !== undefined || model.version === pushed) return
    pushTimer = setTimeout(() => {
      pushTimer = undefined
      pushed = model.version
      hub.send('summary', model.summary(health.current))
    }, 250)
  }

  const follow = async (tail: TopicTail, name: string) => {
    tails.push(tail)
    await tail.start()
    tail.done.catch((err: unknown) => problems.push(`${name} feed stopped: ${String(err)}`))
  }

  const close = async (): Promise<void> => {
    clearInterval(healthTimer)
    clearTimeout(pushTimer)
    hub.close()
    await server?.close()
    await Promise.all(tails.map((t) => t.close()))
    await db.close()
  }

  try {
    await ensureSchemaOn(db)
    const snapshot = await readSnapshot(db, ctx, options.minutes ?? 30)
    model.seed(snapshot.rows)
    const startedAt = Date.now()
    let badRows = 0
    await follow(
      new TopicTail({
        log: ctx.log,
        logger: appLogger(),
        topics: [topics.ordersProcessed],
        groupId: `${ctx.applicationId}-dashboard`,
        start: { offsets: snapshot.offsets },
        onRecords: (records) => {
          for (const r of records) {
            if (r.value === null) continue
            try {
              model.applyProcessed(parseProcessedRow(r.value))
            } catch {
              if (badRows++ === 0) problems.push(`unreadable record on ${r.topic}-${r.partition}@${r.offset}`)
            }
          }
          model.prune()
          push()
        },
      }),
      'orders-processed',
    )
    await follow(
      new TopicTail({
        log: ctx.log,
        logger: appLogger(),
        topics: [topics.ordersOutbox],
        groupId: `${ctx.applicationId}-dashboard`,
        start: { last: 500 },
        onRecords: (records) => {
          for (const event of envelopes(records)) {
            model.applyOutbox(event)
            if (event.type === 'AnomalyDetected' && event.timestamp >= startedAt)
              hub.send('alert', event.payload)
          }
          push()
        },
      }),
      'orders-outbox',
    )
    await follow(
      new TopicTail({
        log: ctx.log,
        logger: appLogger(),
        topics: [topics.ordersDlq],
        groupId: `${ctx.applicationId}-dashboard`,
        start: 'beginning',
        onRecords: (records) => {
          dlqCount = (dlqCount ?? 0) + records.length
        },
      }),
      'orders-dlq',
    )
    dlqCount ??= 0
    await health.refresh()
    healthTimer = setInterval(() => {
      void health.refresh().then(
        () => hub.send('summary', model.summary(health.current)),
        () => {},
      )
    }, options.healthIntervalMs ?? 2000)
    healthTimer.unref()

    const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
      '/events': async (_req, res) =>
        void hub.add(res, { event: 'summary', data: model.summary(health.current) }),
      '/api/summary': async (_req, res) => json(res, 200, model.summary(health.current)),
      '/metrics': async (_req, res) => {
        const body = await registry.metrics()
        res.writeHead(200, { 'content-type': registry.contentType }).end(body)
      },
      '/health': async (_req, res) => {
        const { httpStatus, body } = await healthReport(ctx, db, problems)
        json(res, httpStatus, body)
      },
      '/ready': async (_req, res) => {
        const { httpStatus, body } = readiness(ctx)
        json(res, httpStatus, body)
      },
    }
    const postRoutes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
      '/health/acknowledge': async (req, res) => {
        // Another site's page must not clear them through the operator's browser (no CORS preflight
        // for a plain POST): a browser names the page's origin, which must be this server.
        const origin = req.headers.origin
        if (origin !== undefined && new URL(origin).host !== req.headers.host)
          throw new HttpError(403, 'cross-origin acknowledge refused')
        json(res, 200, { acknowledged: acknowledgeStorageProblems(ctx) })
      },
    }
    server = await startHttpServer({
      ...ctx.http,
      port: ctx.port,
      logger: appLogger(),
      name: 'order-analytics dashboard',
      handler: async (req, res) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname
        const route =
          req.method === 'GET' || req.method === 'HEAD'
            ? routes[path]
            : req.method === 'POST'
              ? postRoutes[path]
              : undefined
        if (route !== undefined) return route(req, res)
        if (!(await servePage(req, res))) throw new HttpError(404, 'not found')
      },
    })
    return { url: `${server.url}/`, close }
  } catch (err) {
    await close()
    throw err
  }
}

/**
 * The table's recent windows and the sink's stored offsets, read in one REPEATABLE READ
 * transaction: the rows are exactly the effect of orders-processed before those offsets.
 */
async function readSnapshot(db: SqlClient, ctx: AppContext, minutes: number) {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
    const { rows } = await tx.query<{ latest: Date | string | null }>(
      `SELECT max(window_start) AS latest FROM ${REVENUE_TABLE}`,
    )
    const latest = rows[0]?.latest
    const from =
      latest === null || latest === undefined ? 0 : new Date(latest).getTime() - (minutes * 2 - 1) * MINUTE
    const table = await readTableOn(tx, { from })
    const offsets = await new SqlOffsetStore(OFFSETS_TABLE).read(tx, sinkGroupId(ctx), [
      ctx.topics.ordersProcessed,
    ])
    return { rows: table, offsets }
  })
}

function* envelopes(records: readonly ConsumerRecord[]): Generator<Envelope> {
  for (const r of records) {
    if (r.value === null) continue
    try {
      const event = JSON.parse(r.value.toString('utf8')) as Envelope
      if (typeof event === 'object' && event !== null && typeof event.type === 'string') yield event
    } catch {
      // Not ours to judge: the outbox's writer validates; the dashboard shows what it can read.
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}
