import { Gauge, Registry } from 'prom-client'
import {
  groupLag,
  registerLagMetrics,
  registerSinkMetrics,
  registerStreamsMetrics,
} from 'tributary-streams/observe'
import type { AppContext } from '../context.ts'
import { appRegistry } from '../observe/app-observability.ts'
import { runningSinks } from '../sink/running-sinks.ts'
import { SqlOffsetStore, type SqlQueryable } from 'tributary-streams/postgres'
import { OFFSETS_TABLE } from '../sink/schema.ts'
import { sinkGroupId } from '../sink/start-sink.ts'
import type { PipelineCounters } from './health-monitor.ts'

/** Where the dashboard's own series come from (the same sources the health panel shows). */
export interface PipelineSources {
  readonly ctx: AppContext
  readonly db: SqlQueryable
  readonly pipeline?: PipelineCounters | undefined
  /** Committed records on orders-dlq, counted by the dashboard's DLQ tail; null until known. */
  readonly dlqCount: () => number | null
  /** 1 when the log and the database are reachable and the jobs of this process run. */
  readonly up: () => boolean
  /** Browsers connected to /events. */
  readonly clients: () => number
}

/** The registry behind GET /metrics, and the same values as JSON for the health panel. */
export interface DashboardMetrics extends Pick<Registry, 'metrics' | 'contentType'> {
  /** Every series of /metrics: `samples(name)` gives its samples (labels and value). */
  read(): Promise<MetricSamples>
}

export type MetricSamples = (name: string) => Array<{ labels: Record<string, unknown>; value: number }>

/**
 * The registry behind GET /metrics: process metrics, the streams app's and the sink's series
 * (when they run in this process), consumer lag of the streams group (from the log, repartition
 * topics included) and of the sink (from its offsets in the database), and the dashboard's own
 * pipeline figures. The dashboard's health panel reads its figures from here (`read`), so the
 * panel and Prometheus show the same numbers.
 */
export function dashboardRegistry(sources: PipelineSources): DashboardMetrics {
  const { ctx, db } = sources
  const registry = new Registry()
  registry.setDefaultLabels({ application_id: ctx.applicationId })
  registerStreamsMetrics(registry, () => ctx.streams)
  registerSinkMetrics(registry, () => [...runningSinks][0], 'revenue_per_minute')
  registerLagMetrics(registry, () => [
    {
      group: ctx.applicationId,
      lag: async () => groupLag(ctx.log.admin, ctx.applicationId, await streamsInputs(ctx)),
    },
    { group: sinkGroupId(ctx), lag: () => sinkLag(ctx, db) },
  ])
  const gauge = (name: string, help: string, read: () => number | null): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset()
        const value = read()
        if (value !== null) this.set(value)
      },
    })
  }
  gauge('order_analytics_dlq_records', 'Committed records on orders-dlq', sources.dlqCount)
  if (sources.pipeline !== undefined) {
    const pipeline = sources.pipeline
    gauge(
      'order_analytics_duplicate_orders',
      'OrderPlaced records ignored as duplicates (this process, since start)',
      () => pipeline.snapshot().duplicates,
    )
  }
  gauge(
    'order_analytics_up',
    '1 when the log and the database are reachable and the jobs of this process run',
    () => (sources.up() ? 1 : 0),
  )
  gauge('order_analytics_dashboard_clients', 'Browsers connected to /events', sources.clients)
  new Gauge({
    name: 'tributary_storage_problems_total',
    help: 'Storage problems reported by kind since start (a store rebuilt, data recovered with loss, ...), acknowledged or not',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset()
      const lists = new Set(
        [ctx.storageProblems, ctx.streams?.storageProblems].filter((l) => l !== undefined),
      )
      for (const list of lists) for (const [kind, n] of list.counts()) this.inc({ kind }, n)
    },
  })
  // The app's registry (process, runtime and sink series) is read at each scrape: jobs of this
  // process started after the dashboard register there too.
  return {
    contentType: registry.contentType,
    metrics: async () => `${await registry.metrics()}\n${await appRegistry(ctx).metrics()}`,
    async read() {
      const all = [...(await registry.getMetricsAsJSON()), ...(await appRegistry(ctx).getMetricsAsJSON())]
      const byName = new Map<string, Array<{ labels: Record<string, unknown>; value: number }>>()
      for (const metric of all)
        for (const v of metric.values as Array<{
          metricName?: string
          labels: Record<string, unknown>
          value: number
        }>) {
          const name = v.metricName ?? metric.name
          const samples = byName.get(name)
          if (samples === undefined) byName.set(name, [v])
          else samples.push(v)
        }
      return (name) => byName.get(name) ?? []
    },
  }
}

/** The streams group's input topics: the app's inputs and its repartition topics. */
async function streamsInputs(ctx: AppContext): Promise<string[]> {
  const topics = await ctx.log.admin.listTopics()
  return [
    ctx.topics.ordersRaw,
    ctx.topics.usersRaw,
    ...topics.filter((t) => t.startsWith(`${ctx.applicationId}-`) && t.endsWith('-repartition')),
  ]
}

/** Per partition of orders-processed: committed records not yet in the table (the sink's
 *  offsets in the database; the sink may run in another process). */
async function sinkLag(ctx: AppContext, db: SqlQueryable) {
  const [described] = await ctx.log.admin.describeTopics([ctx.topics.ordersProcessed])
  const partitions = Array.from({ length: described?.partitions ?? 0 }, (_, partition) => ({
    topic: ctx.topics.ordersProcessed,
    partition,
  }))
  const [ends, begins, stored] = await Promise.all([
    ctx.log.admin.endOffsets(partitions, 'read_committed'),
    ctx.log.admin.beginningOffsets(partitions),
    new SqlOffsetStore(OFFSETS_TABLE).read(db, sinkGroupId(ctx), [ctx.topics.ordersProcessed]),
  ])
  return ends.map((end) => {
    const same = (o: { partition: number }) => o.partition === end.partition
    const next = stored.find(same)?.offset ?? begins.find(same)?.offset ?? 0
    return { topic: end.topic, partition: end.partition, lag: Math.max(0, end.offset - next) }
  })
}
