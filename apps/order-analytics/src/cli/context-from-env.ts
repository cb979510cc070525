import { httpSecurityFromEnv } from 'tributary-streams/http'
import {
  EmbeddedLog,
  StorageProblems,
  TributaryError,
  type EmbeddedLogOptions,
  type Log,
} from 'tributary-streams'
import { topicNames, type AppContext, type AvroSettings } from '../context.ts'

/** Settings of the topology that come from the environment (besides those of AppContext). */
export interface PipelineEnv {
  /** ORDERS_GRACE_MS, default 30000. */
  readonly graceMs: number
  /** ORDERS_DEDUPE_RETENTION_MS, default 24 h. */
  readonly dedupeRetentionMs: number
  /** TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS, default 1 day (the library's): how much
   *  longer than its store the changelog of a windowed store (the dedupe store, the windowed
   *  aggregates) keeps records; Kafka Streams' windowstore.changelog.additional.retention.ms.
   *  Applies when the changelog is created. */
  readonly windowChangelogAdditionalRetentionMs: number | undefined
  /** ORDERS_MAX_TIME_SKEW_MS, default 1 year: see TopologyOptions.maxTimeSkewMs. */
  readonly maxTimeSkewMs: number
  /** TRIBUTARY_LMDB_MAP_SIZE_BYTES, at least 1048576; unset: the library's (8 GiB): the address
   *  space each persistent store maps (StreamsConfig.lmdbMapSizeBytes; lower it under ulimit -v). */
  readonly lmdbMapSizeBytes: number | undefined
  /** TRIBUTARY_INSTANCE_ID: one per streams process (transactional id); unset: the library's id,
   *  stable per data directory. */
  readonly instanceId: string | undefined
}

type Env = Readonly<Record<string, string | undefined>>

const int = (env: Env, name: string, fallback: number, min = 0): number => {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min)
    throw new TributaryError('CONFIG', `${name} must be an integer >= ${min}, got '${raw}'`)
  return n
}

const optionalInt = (env: Env, name: string, min = 0): number | undefined =>
  env[name] === undefined || env[name] === '' ? undefined : int(env, name, 0, min)

export function pipelineEnv(env: Env = process.env): PipelineEnv {
  return {
    graceMs: int(env, 'ORDERS_GRACE_MS', 30_000),
    dedupeRetentionMs: int(env, 'ORDERS_DEDUPE_RETENTION_MS', 24 * 3_600_000, 1),
    maxTimeSkewMs: int(env, 'ORDERS_MAX_TIME_SKEW_MS', 365 * 24 * 3_600_000, 1),
    windowChangelogAdditionalRetentionMs: optionalInt(
      env,
      'TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS',
    ),
    lmdbMapSizeBytes: optionalInt(env, 'TRIBUTARY_LMDB_MAP_SIZE_BYTES', 1024 ** 2),
    instanceId: env['TRIBUTARY_INSTANCE_ID'] || undefined,
  }
}

/**
 * ORDERS_FORMAT: `json` (default) or `avro`; with avro, SCHEMA_REGISTRY_URL (default: the embedded
 * registry on the app's log) and ORDERS_AVRO_VERSION (the OrderPlaced schema version, 1 or 2; default 2).
 */
export function avroSettings(env: Env = process.env): AvroSettings | undefined {
  const format = (env['ORDERS_FORMAT'] || 'json').toLowerCase()
  if (format === 'json') return undefined
  if (format !== 'avro')
    throw new TributaryError('CONFIG', `ORDERS_FORMAT must be json or avro, got '${format}'`)
  const version = env['ORDERS_AVRO_VERSION'] || '2'
  if (version !== '1' && version !== '2')
    throw new TributaryError('CONFIG', `ORDERS_AVRO_VERSION must be 1 or 2, got '${version}'`)
  return { registryUrl: env['SCHEMA_REGISTRY_URL'] || undefined, orderPlacedVersion: version === '1' ? 1 : 2 }
}

/**
 * The embedded log's defaults for topics (as a Kafka broker's log.retention.ms, log.retention.bytes
 * and log.segment.bytes): TRIBUTARY_LOG_RETENTION_MS, TRIBUTARY_LOG_RETENTION_BYTES (-1: no
 * limit) and TRIBUTARY_LOG_SEGMENT_BYTES; unset, the library's (7 days, no limit, 16 MiB).
 */
export function embeddedTopicDefaults(
  env: Env = process.env,
): NonNullable<EmbeddedLogOptions['topicDefaults']> {
  const setting = (name: string, min: number): number | undefined => optionalInt(env, name, min)
  const retentionMs = setting('TRIBUTARY_LOG_RETENTION_MS', -1)
  const retentionBytes = setting('TRIBUTARY_LOG_RETENTION_BYTES', -1)
  const segmentBytes = setting('TRIBUTARY_LOG_SEGMENT_BYTES', 1)
  return {
    ...(retentionMs === undefined ? {} : { retentionMs }),
    ...(retentionBytes === undefined ? {} : { retentionBytes }),
    ...(segmentBytes === undefined ? {} : { segmentBytes }),
  }
}

/**
 * Opens the log the environment names: Kafka when KAFKA_BROKERS is set (with TLS and SASL from
 * KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*: see kafkaOptionsFromEnv), else the embedded log.
 */
async function openLog(env: Env, dataDir: string, problems: StorageProblems): Promise<Log> {
  const brokers = env['KAFKA_BROKERS']
  if (brokers === undefined || brokers === '')
    return EmbeddedLog.open({
      dataDir: `${dataDir}/log`,
      problems,
      topicDefaults: embeddedTopicDefaults(env),
    })
  // Loaded only when asked for: the embedded mode never touches the Kafka client.
  const { KafkaLog, kafkaOptionsFromEnv } = await import('tributary-streams/kafka')
  return KafkaLog.connect(kafkaOptionsFromEnv(env, env['TRIBUTARY_APPLICATION_ID'] || 'order-analytics')!)
}

/** TRIBUTARY_STORAGE_ERRORS: `stop` (default) or `retry` (see AppContext.storageErrors). */
export function storageErrorsFromEnv(env: Env = process.env): 'stop' | 'retry' {
  const value = (env['TRIBUTARY_STORAGE_ERRORS'] || 'stop').toLowerCase()
  if (value === 'stop' || value === 'retry') return value
  throw new TributaryError('CONFIG', `TRIBUTARY_STORAGE_ERRORS must be stop or retry, got '${value}'`)
}

/** The AppContext of the environment (issue 5's variables, plus ORDERS_TOPIC_PREFIX, ORDERS_PARTITIONS and the Avro ones). */
export async function contextFromEnv(env: Env = process.env): Promise<AppContext> {
  const dataDir = env['TRIBUTARY_DATA_DIR'] || '.data/order-analytics'
  // Every setting is checked before the log opens: a bad one fails fast, holding nothing open.
  const avro = avroSettings(env)
  const partitions = int(env, 'ORDERS_PARTITIONS', 4, 1)
  const port = int(env, 'PORT', 3000)
  if (port > 65535) throw new TributaryError('CONFIG', `PORT must be a port number 0-65535, got '${port}'`)
  pipelineEnv(env)
  embeddedTopicDefaults(env)
  const storageErrors = storageErrorsFromEnv(env)
  const storageProblems = new StorageProblems()
  return {
    log: await openLog(env, dataDir, storageProblems),
    storageProblems,
    storageErrors,
    topics: topicNames(env['ORDERS_TOPIC_PREFIX'] ?? ''),
    partitions,
    dataDir,
    applicationId: env['TRIBUTARY_APPLICATION_ID'] || 'order-analytics',
    port,
    http: httpSecurityFromEnv(env),
    databaseUrl: env['DATABASE_URL'] || undefined,
    ...(avro === undefined ? {} : { avro }),
  }
}
