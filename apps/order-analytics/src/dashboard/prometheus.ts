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
import type { HealthMonitor } from './health-monitor.ts'

/**
 * The registry behind GET /metrics: process metrics, the streams app's and the sink's counters
 * (when they run in this process), consumer lag of the streams group (from the log) and of the
 * sink (from its offsets in the database), and the dashboard's own pipeline figures.
 */
export function dashboardRegistry(
  ctx: AppContext,
  health: HealthMonitor,
  clients: () => number,
): Pick<Registry, 'metrics' | 'contentType'> {
  const registry = new Registry()
  registry.setDefaultLabels({ application_id: ctx.applicationId })
  registerStreamsMetrics(registry, () => ctx.streams)
  registerSinkMetrics(registry, () => [...runningSinks][0], 'revenue_per_minute')
  registerLagMetrics(registry, () => [
    {
      group: ctx.applicationId,
      lag: () => groupLag(ctx.log.admin, ctx.applicationId, [ctx.topics.ordersRaw, ctx.topics.usersRaw]),
    },
    ...[...runningSinks].map((sink) => ({ group: `${ctx.applicationId}-sink`, lag: () => sink.lag() })),
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
  gauge('order_analytics_dlq_records', 'Committed records on orders-dlq', () => health.current.dlqCount)
  if (health.current.duplicates !== null)
    gauge(
      'order_analytics_duplicate_orders',
      'OrderPlaced records ignored as duplicates (this process, since start)',
      () => health.current.duplicates,
    )
  gauge(
    'order_analytics_sink_lag_records',
    'Records of orders-processed not yet in revenue_per_minute',
    () => health.current.sinkLag,
  )
  gauge(
    'order_analytics_up',
    '1 when the log and the database are reachable and the jobs of this process run',
    () => (health.current.status === 'ok' ? 1 : 0),
  )
  gauge('order_analytics_dashboard_clients', 'Browsers connected to /events', clients)
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
  }
}
