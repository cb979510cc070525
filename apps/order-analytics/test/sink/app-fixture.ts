import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedLog, type Log } from 'tributary-streams'
import { topicNames, type AppContext } from '../../src/context.ts'
import {
  outboxEvent,
  processedKey,
  type AnomalyPayload,
  type ProcessedRow,
} from '../../src/contract/index.ts'

export const T0 = Date.UTC(2026, 0, 1, 12, 0)
export const MINUTE = 60_000

export interface AppFixture {
  readonly ctx: AppContext
  /** Sends rows to orders-processed in one transaction, keyed as the topology keys them. */
  processed(rows: readonly Partial<ProcessedRow>[]): Promise<void>
  /** Sends envelopes to orders-outbox in one transaction. */
  anomaly(payload: AnomalyPayload): Promise<void>
  windowClosed(row: Partial<ProcessedRow>): Promise<void>
  cleanup(): Promise<void>
}

export const row = (r: Partial<ProcessedRow>): ProcessedRow => ({
  window_start: T0,
  window_end: (r.window_start ?? T0) + MINUTE,
  region: 'eu',
  segment: 'retail',
  order_count: 1,
  revenue: 10,
  final: false,
  ...r,
})

/**
 * An AppContext on a memory embedded log (or `log`, e.g. Kafka, which cleanup closes) and a
 * PGlite (or DATABASE_URL) in a temp data dir.
 */
export async function appFixture(
  options: { databaseUrl?: string; port?: number; prefix?: string; log?: Log; applicationId?: string } = {},
): Promise<AppFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oa-sink-'))
  const log = options.log ?? (await EmbeddedLog.open())
  const ctx: AppContext = {
    log,
    topics: topicNames(options.prefix ?? ''),
    partitions: 4,
    dataDir,
    applicationId: options.applicationId ?? 'oa-test',
    port: options.port ?? 0,
    databaseUrl: options.databaseUrl,
  }
  await log.admin.createTopics(
    [
      ctx.topics.ordersProcessed,
      ctx.topics.ordersOutbox,
      ctx.topics.ordersDlq,
      ctx.topics.ordersRaw,
      ctx.topics.usersRaw,
    ].map((name) => ({ name, partitions: 4 })),
  )
  let seq = 0
  const send = async (records: { topic: string; key: string; value: unknown }[]) => {
    const producer = await log.producer({ transactionalId: `fixture-${++seq}` })
    await producer.beginTransaction()
    await producer.send(
      records.map((r) => ({
        topic: r.topic,
        key: Buffer.from(r.key),
        value: Buffer.from(JSON.stringify(r.value)),
      })),
    )
    await producer.commitTransaction()
    await producer.close()
  }
  return {
    ctx,
    processed: (rows) =>
      send(
        rows.map((r) => {
          const full = row(r)
          return {
            topic: ctx.topics.ordersProcessed,
            key: processedKey(full.window_start, full.region, full.segment),
            value: full,
          }
        }),
      ),
    anomaly: (payload) =>
      send([
        {
          topic: ctx.topics.ordersOutbox,
          key: processedKey(payload.window_start, payload.region, payload.segment),
          value: outboxEvent(
            'AnomalyDetected',
            processedKey(payload.window_start, payload.region, payload.segment),
            Date.now(),
            payload,
          ),
        },
      ]),
    windowClosed: (r) => {
      const full = row({ ...r, final: true })
      const key = processedKey(full.window_start, full.region, full.segment)
      return send([
        { topic: ctx.topics.ordersOutbox, key, value: outboxEvent('WindowClosed', key, Date.now(), full) },
      ])
    },
    async cleanup() {
      await log.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
