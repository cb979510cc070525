import type { HttpSecurity } from 'tributary-streams/http'
import type { Log, StorageProblems, StreamsApp } from 'tributary-streams'
import type { PipelineMetrics } from './topology/pipeline-metrics.ts'

/** Prefixed topic names of the pipeline (env ORDERS_TOPIC_PREFIX, default empty). */
export interface TopicNames {
  readonly usersRaw: string
  readonly ordersRaw: string
  readonly ordersProcessed: string
  readonly ordersOutbox: string
  readonly ordersDlq: string
  /** Rows of orders-processed the database refused (the sink's dead letters, with the database's error). */
  readonly ordersSinkDlq: string
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
  /** The dashboard's HOST (default 127.0.0.1) and auth (HTTP_AUTH_TOKEN or HTTP_BASIC_AUTH). */
  readonly http?: HttpSecurity
  /** DATABASE_URL; undefined means embedded PGlite in `<dataDir>/pg`. */
  readonly databaseUrl: string | undefined
  /** ORDERS_FORMAT=avro: users-raw and orders-raw carry Avro (registry wire format). Absent: UTF-8 JSON. */
  readonly avro?: AvroSettings
  /** Storage problems of this process (the embedded log's, the state stores'), shown by /health
   *  until acknowledged; the streams job reports into it. */
  readonly storageProblems?: StorageProblems
  /** TRIBUTARY_STORAGE_ERRORS: what a storage error (a full or failing disk) does: 'stop' the
   *  process (default; a restart once the disk has room resumes) or 'retry': stay up and start
   *  the pipeline jobs again once the disk takes writes (see serve). */
  readonly storageErrors?: 'stop' | 'retry'
  /** Set when the streams job runs in this process: its metrics feed /metrics and the dashboard. */
  streams?: StreamsApp
  /** Set with `streams`: the topology's own counters (duplicates, dead-lettered by reason, unknown
   *  users, windows closed, anomalies). Late records are in `streams.metrics().lateRecords`. */
  pipeline?: PipelineMetrics
}

/** How the app uses Avro (ORDERS_FORMAT=avro); see src/contract/avro/. */
export interface AvroSettings {
  /** SCHEMA_REGISTRY_URL; undefined: the embedded registry, in the `_schemas` topic of `log`. */
  readonly registryUrl: string | undefined
  /** ORDERS_AVRO_VERSION (1 or 2, default 2): the OrderPlaced schema the app writes and reads with. */
  readonly orderPlacedVersion: 1 | 2
}

export const topicNames = (prefix: string): TopicNames => ({
  usersRaw: `${prefix}users-raw`,
  ordersRaw: `${prefix}orders-raw`,
  ordersProcessed: `${prefix}orders-processed`,
  ordersOutbox: `${prefix}orders-outbox`,
  ordersDlq: `${prefix}orders-dlq`,
  ordersSinkDlq: `${prefix}orders-sink-dlq`,
})
