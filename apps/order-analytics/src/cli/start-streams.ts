import { StreamsApp, type ProcessingGuarantee } from 'tributary'
import type { AppContext } from '../context.ts'
import { orderAnalyticsTopology } from '../topology/order-analytics-topology.ts'
import { PipelineMetrics } from '../topology/pipeline-metrics.ts'
import { pipelineEnv, type PipelineEnv } from './context-from-env.ts'
import { createTopics } from './create-topics.ts'

export interface StreamsOptions extends Partial<PipelineEnv> {
  /** Default exactly-once. */
  readonly processingGuarantee?: ProcessingGuarantee
  readonly commitIntervalMs?: number
  readonly maxTaskIdleMs?: number
  readonly persistentStores?: boolean
}

/**
 * The `streams` job: creates the topics if missing and runs the topology on `ctx.log`. Sets
 * `ctx.streams` and `ctx.pipeline` for the dashboard of the same process. A failure of the app
 * is logged by the library and rejects `app.done`.
 */
export async function startStreams(
  ctx: AppContext,
  options: StreamsOptions = {},
): Promise<{ app: StreamsApp; metrics: PipelineMetrics; close(): Promise<void> }> {
  const env = { ...pipelineEnv(), ...options }
  await createTopics(ctx)
  const metrics = new PipelineMetrics()
  const topology = orderAnalyticsTopology({
    topics: ctx.topics,
    graceMs: env.graceMs,
    dedupeRetentionMs: env.dedupeRetentionMs,
    metrics,
    ...(options.persistentStores === undefined ? {} : { persistentStores: options.persistentStores }),
  })
  const app = new StreamsApp(topology, {
    applicationId: ctx.applicationId,
    dataDir: ctx.dataDir,
    log: ctx.log,
    processingGuarantee: options.processingGuarantee ?? 'exactly-once',
    instanceId: env.instanceId,
    // The join task reads re-keyed orders and users: wait for a lagging users input so a user
    // sent with (or before) an order is in the table when the order arrives.
    maxTaskIdleMs: options.maxTaskIdleMs ?? 1000,
    ...(options.commitIntervalMs === undefined ? {} : { commitIntervalMs: options.commitIntervalMs }),
  })
  await app.start()
  ctx.streams = app
  ctx.pipeline = metrics
  return { app, metrics, close: () => app.close() }
}
