import type { Log, StreamsApp } from 'tributary'
import type { PipelineMetrics } from './topology/pipeline-metrics.ts'

/** Prefixed topic names of the pipeline (env ORDERS_TOPIC_PREFIX, default empty). */
export interface TopicNames {
  readonly usersRaw: string
  readonly ordersRaw: string
  readonly ordersProcessed: string
  readonly ordersOutbox: string
  readonly ordersDlq: string
}

/**
 * What every job of the app (producer, streams, sink, dashboard) gets: the log in use and the
 * settings from the environment. One process may run several jobs on one context (`all`).
 */
export interface AppContext {
  /** The embedded log (KAFKA_BROKERS unset) or Kafka. */
  readonly log: Log
  readonly topics: TopicNames
  /** Partitions per topic. Default 4. */
  readonly partitions: number
  /** TRIBUTARY_DATA_DIR, default `.data/order-analytics`. */
  readonly dataDir: string
  /** TRIBUTARY_APPLICATION_ID, default `order-analytics`. */
  readonly applicationId: string
  /** PORT, default 3000. */
  readonly port: number
  /** DATABASE_URL; undefined means embedded PGlite in `<dataDir>/pg`. */
  readonly databaseUrl: string | undefined
  /** Set when the streams job runs in this process: its metrics feed /metrics and the dashboard. */
  streams?: StreamsApp
  /** Set with `streams`: the topology's own counters (duplicates, dead-lettered by reason, unknown
   *  users, windows closed, anomalies). Late records are in `streams.metrics().lateRecords`. */
  pipeline?: PipelineMetrics
}

export const topicNames = (prefix: string): TopicNames => ({
  usersRaw: `${prefix}users-raw`,
  ordersRaw: `${prefix}orders-raw`,
  ordersProcessed: `${prefix}orders-processed`,
  ordersOutbox: `${prefix}orders-outbox`,
  ordersDlq: `${prefix}orders-dlq`,
})
