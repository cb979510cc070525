import type { TopicConfig } from '../log/log.ts'
import type { StoreDefinition } from '../state/stores.ts'

/** Kafka Streams' default `windowstore.changelog.additional.retention.ms`: one day. */
export const DEFAULT_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 3600_000

/**
 * The changelog topic of a logged store, as Kafka Streams configures it: a key-value store's is
 * `compact` (every key's latest value, forever); a windowed or session store's is
 * `compact,delete` with retention.ms = the store's retention + `additionalRetentionMs` (capped at
 * the largest safe integer), so windows the store has expired leave the changelog too instead
 * of piling up forever (each window is a key of its own, which compaction alone never removes).
 * The extra retention keeps a window the store still holds in the changelog however late the
 * log deletes by time (a segment goes only once all of it is older).
 */
export function changelogTopic(
  name: string,
  partitions: number,
  store: Pick<StoreDefinition, 'retentionMs'>,
  additionalRetentionMs: number,
): TopicConfig {
  if (store.retentionMs === undefined) return { name, partitions, cleanupPolicy: 'compact' }
  const retentionMs = Math.min(store.retentionMs + additionalRetentionMs, Number.MAX_SAFE_INTEGER)
  return { name, partitions, cleanupPolicy: 'compact,delete', retentionMs }
}
