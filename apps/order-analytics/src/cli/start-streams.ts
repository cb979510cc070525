import { StreamsApp, type ProcessingGuarantee } from 'tributary-streams'
import type { AppContext, AvroSettings } from '../context.ts'
import { appLogger, streamsObserver } from '../observe/app-observability.ts'
import { orderAnalyticsTopology } from '../topology/order-analytics-topology.ts'
import type { RawValueSerdes } from '../topology/options.ts'
import { PipelineMetrics } from '../topology/pipeline-metrics.ts'
import { USER_PERSONAL_FIELDS } from '../topology/mask-users.ts'
import { pipelineEnv, type PipelineEnv } from './context-from-env.ts'
import { maskKey } from './mask-key.ts'

export interface StreamsOptions extends Partial<PipelineEnv> {
  /** Default exactly-once. */
  readonly processingGuarantee?: ProcessingGuarantee
  readonly commitIntervalMs?: number
  readonly maxTaskIdleMs?: number
  readonly persistentStores?: boolean
  /** How often consumed repartition records are deleted; the library's default (30 s) if unset. */
  readonly repartitionPurgeIntervalMs?: number
}

/**
 * The `streams` job: creates its topics if missing and runs the topology on `ctx.log`. Sets
 * `ctx.streams` and `ctx.pipeline` for the dashboard of the same process. A failure of the app
 * is logged by the library and rejects `app.done` (also `done`).
 */
export async function startStreams(
  ctx: AppContext,
  options: StreamsOptions = {},
): Promise<{ app: StreamsApp; metrics: PipelineMetrics; done: Promise<void>; close(): Promise<void> }> {
  const env = { ...pipelineEnv(), ...options }
  // Only the topics this job reads and writes: under ACLs it may not even see the sink's DLQ.
  const { ordersSinkDlq: _sinkDlq, ...own } = ctx.topics
  await ctx.log.admin.createTopics(Object.values(own).map((name) => ({ name, partitions: ctx.partitions })))
  const metrics = new PipelineMetrics()
  const avro = ctx.avro === undefined ? undefined : await openAvroRawValues(ctx, ctx.avro)
  let app: StreamsApp
  try {
    const topology = orderAnalyticsTopology({
      topics: ctx.topics,
      ...(avro === undefined ? {} : { rawValues: avro.rawValues }),
      graceMs: env.graceMs,
      dedupeRetentionMs: env.dedupeRetentionMs,
      maxTimeSkewMs: env.maxTimeSkewMs,
      metrics,
      userMask: { hmac: USER_PERSONAL_FIELDS, key: maskKey(ctx.dataDir) },
      ...(options.persistentStores === undefined ? {} : { persistentStores: options.persistentStores }),
    })
    app = new StreamsApp(topology, {
      applicationId: ctx.applicationId,
      dataDir: ctx.dataDir,
      log: ctx.log,
      ...(ctx.storageProblems === undefined ? {} : { storageProblems: ctx.storageProblems }),
      processingGuarantee: options.processingGuarantee ?? 'exactly-once',
      observer: streamsObserver(ctx),
      logger: appLogger(),
      ...(env.instanceId ? { instanceId: env.instanceId } : {}),
      // The join task reads re-keyed orders and users: wait for a lagging users input so a user
      // sent with (or before) an order is in the table when the order arrives.
      maxTaskIdleMs: options.maxTaskIdleMs ?? 1000,
      ...(options.commitIntervalMs === undefined ? {} : { commitIntervalMs: options.commitIntervalMs }),
      ...(env.windowChangelogAdditionalRetentionMs === undefined
        ? {}
        : { windowStoreChangelogAdditionalRetentionMs: env.windowChangelogAdditionalRetentionMs }),
      ...(env.lmdbMapSizeBytes === undefined ? {} : { lmdbMapSizeBytes: env.lmdbMapSizeBytes }),
      ...(options.repartitionPurgeIntervalMs === undefined
        ? {}
        : { repartitionPurgeIntervalMs: options.repartitionPurgeIntervalMs }),
    })
    await app.start()
  } catch (err) {
    await avro?.close()
    throw err
  }
  ctx.streams = app
  ctx.pipeline = metrics
  return {
    app,
    metrics,
    done: app.done,
    close: async () => {
      try {
        await app.close()
      } finally {
        await avro?.close()
      }
    },
  }
}

/** ORDERS_FORMAT=avro: the registry and the Avro readers of the raw topics (loaded only then). */
async function openAvroRawValues(
  ctx: AppContext,
  settings: AvroSettings,
): Promise<{ rawValues: RawValueSerdes; close(): Promise<void> }> {
  const { openSchemaRegistry, appAvroSerdes } = await import('../contract/avro/registry.ts')
  const { avroRawValueSerdes } = await import('../topology/avro-raw-value-serde.ts')
  const open = await openSchemaRegistry(ctx.log, settings)
  try {
    const serdes = await appAvroSerdes(open.registry, ctx.topics, settings.orderPlacedVersion)
    return { rawValues: avroRawValueSerdes(serdes), close: () => open.close() }
  } catch (err) {
    await open.close()
    throw err
  }
}
