import type { FieldMask, Serde } from 'tributary-streams'
import type { TopicNames } from '../context.ts'
import type { RawValue } from '../contract/parse-json.ts'
import { DEFAULT_USER_MASK } from './mask-users.ts'
import { DEFAULT_MAX_TIME_SKEW_MS } from './event-time.ts'
import { PipelineMetrics } from './pipeline-metrics.ts'
import { rawValueSerde } from './raw-value-serde.ts'

/** The anomaly rule: a final window whose revenue exceeds `factor` × the mean of the same
 *  (region, segment)'s last `windows` final windows, once at least `minWindows` of them exist. */
export interface AnomalyRule {
  readonly factor: number
  readonly windows: number
  readonly minWindows: number
}

/** How the values of users-raw and orders-raw are decoded. Such serdes never throw (see RawValue.error). */
export interface RawValueSerdes {
  readonly users: Serde<RawValue>
  readonly orders: Serde<RawValue>
}

export interface TopologyOptions {
  readonly topics: TopicNames
  /** Default UTF-8 JSON (`rawValueSerde`); Avro: `avroRawValueSerdes` (ORDERS_FORMAT=avro). */
  readonly rawValues?: RawValueSerdes
  /** Grace of the 1-minute windows; env ORDERS_GRACE_MS, default 30000. */
  readonly graceMs?: number
  /** Event time an accepted order_id is remembered for duplicates; default 24 h. */
  readonly dedupeRetentionMs?: number
  /** How far an order's payload.timestamp may be from its partition's stream time, or ahead of the
   *  wall clock, before it is rejected (`invalid-timestamp`); env ORDERS_MAX_TIME_SKEW_MS, default 1 year. */
  readonly maxTimeSkewMs?: number
  readonly anomaly?: Partial<AnomalyRule>
  /** Where the counters go; pass one to read them (default: a fresh, unread object). */
  readonly metrics?: PipelineMetrics
  /** lmdb stores (default) or memory stores restored from their changelogs. */
  readonly persistentStores?: boolean
  /** How users' personal fields (USER_PERSONAL_FIELDS) are masked in orders-dlq; default redacted.
   *  The streams job passes a keyed HMAC (ORDERS_MASK_KEY). */
  readonly userMask?: FieldMask
}

export const WINDOW_SIZE_MS = 60_000
export const DEFAULT_GRACE_MS = 30_000
export const DEFAULT_DEDUPE_RETENTION_MS = 24 * 60 * 60 * 1000
export const DEFAULT_ANOMALY: AnomalyRule = { factor: 3, windows: 10, minWindows: 3 }

export interface ResolvedTopologyOptions {
  readonly topics: TopicNames
  readonly rawValues: RawValueSerdes
  readonly graceMs: number
  readonly dedupeRetentionMs: number
  readonly maxTimeSkewMs: number
  readonly anomaly: AnomalyRule
  readonly metrics: PipelineMetrics
  readonly persistentStores: boolean
  readonly userMask: FieldMask
}

export function resolveTopologyOptions(options: TopologyOptions): ResolvedTopologyOptions {
  return {
    topics: options.topics,
    rawValues: options.rawValues ?? { users: rawValueSerde, orders: rawValueSerde },
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    dedupeRetentionMs: options.dedupeRetentionMs ?? DEFAULT_DEDUPE_RETENTION_MS,
    maxTimeSkewMs: options.maxTimeSkewMs ?? DEFAULT_MAX_TIME_SKEW_MS,
    anomaly: { ...DEFAULT_ANOMALY, ...options.anomaly },
    metrics: options.metrics ?? new PipelineMetrics(),
    persistentStores: options.persistentStores ?? true,
    userMask: options.userMask ?? DEFAULT_USER_MASK,
  }
}
