import { TributaryError } from '../../errors.ts'
import type { CleanupPolicy, TopicConfig, TopicDescription } from '../log.ts'

/** A topic as the journal records it: the configs given at creation (absent: the log's default). */
export interface TopicSpec extends TopicDescription {
  readonly retentionMs?: number
  readonly retentionBytes?: number
  readonly segmentBytes?: number
  readonly segmentMs?: number
  readonly deleteRetentionMs?: number
}

/** Kafka's retention.ms, retention.bytes, segment.bytes, segment.ms and delete.retention.ms,
 *  resolved; -1 = no limit. */
export interface TopicSettings {
  readonly retentionMs: number
  readonly retentionBytes: number
  readonly segmentBytes: number
  readonly segmentMs: number
  /** How long compaction keeps a tombstone after it first cleaned it (see CleanRange). */
  readonly deleteRetentionMs: number
}

/**
 * Defaults of the embedded log: Kafka's (retention.ms 7 days, retention.bytes -1, segment.ms 7
 * days, delete.retention.ms 1 day) except segment.bytes, 16 MiB instead of 1 GiB: retention deletes whole segments, so a
 * laptop running dozens of partitions would otherwise hold up to a GiB per partition beyond its
 * retention before anything could go.
 */
export const DEFAULT_TOPIC_SETTINGS: TopicSettings = {
  retentionMs: 7 * 24 * 3600_000,
  retentionBytes: -1,
  segmentBytes: 16 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600_000,
  deleteRetentionMs: 24 * 3600_000,
}

const POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete']

/** The settings of a topic: its own configs, else `defaults`. */
export const resolveSettings = (spec: TopicSpec, defaults: TopicSettings): TopicSettings => ({
  retentionMs: spec.retentionMs ?? defaults.retentionMs,
  retentionBytes: spec.retentionBytes ?? defaults.retentionBytes,
  segmentBytes: spec.segmentBytes ?? defaults.segmentBytes,
  segmentMs: spec.segmentMs ?? defaults.segmentMs,
  deleteRetentionMs: spec.deleteRetentionMs ?? defaults.deleteRetentionMs,
})

/** Whether retention deletes old segments of a topic (cleanup.policy delete or compact,delete). */
export const deletes = (policy: CleanupPolicy): boolean => policy !== 'compact'
/** Whether a topic is compacted (cleanup.policy compact or compact,delete). */
export const compacts = (policy: CleanupPolicy): boolean => policy !== 'delete'

/** Fails with code CONFIG naming the key unless each given setting is one Kafka would accept. */
export function checkSettings(
  what: string,
  settings: { readonly [K in keyof TopicSettings]?: number | undefined },
): void {
  /** `unlimited`: -1 (no limit) is accepted too. */
  const check = (key: keyof TopicSettings, kafkaName: string, min: number, unlimited = false): void => {
    const value = settings[key]
    if (value === undefined || (Number.isSafeInteger(value) && (value >= min || (value === -1 && unlimited))))
      return
    throw new TributaryError(
      'CONFIG',
      `${what}: ${key} (${kafkaName}) must be an integer >= ${min}${unlimited ? ', or -1 for no limit' : ''}, got ${String(value)}`,
    )
  }
  check('retentionMs', 'retention.ms', 0, true)
  check('retentionBytes', 'retention.bytes', 0, true)
  check('segmentBytes', 'segment.bytes', 1)
  check('segmentMs', 'segment.ms', 1)
  check('deleteRetentionMs', 'delete.retention.ms', 0)
}

/** Validates a topic's cleanup policy and configs into the spec the journal records. */
export function topicSpec(config: TopicConfig): TopicSpec {
  const cleanupPolicy = config.cleanupPolicy ?? 'delete'
  if (!POLICIES.includes(cleanupPolicy)) {
    throw new TributaryError(
      'CONFIG',
      `topic ${config.name}: cleanupPolicy must be 'delete', 'compact' or 'compact,delete', got ${String(cleanupPolicy)}`,
    )
  }
  const { retentionMs, retentionBytes, segmentBytes, segmentMs, deleteRetentionMs } = config
  const given = { retentionMs, retentionBytes, segmentBytes, segmentMs, deleteRetentionMs }
  checkSettings(`topic ${config.name}`, given)
  const spec: { -readonly [K in keyof TopicSpec]: TopicSpec[K] } = {
    name: config.name,
    partitions: config.partitions,
    cleanupPolicy,
  }
  for (const [key, value] of Object.entries(given) as [keyof TopicSettings, number | undefined][])
    if (value !== undefined) spec[key] = value
  return spec
}
