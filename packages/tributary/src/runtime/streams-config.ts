import { z } from 'zod'
import { TributaryError } from '../errors.ts'
import type { Log } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import { DEFAULT_MAP_SIZE_BYTES, MIN_MAP_SIZE_BYTES } from '../state/lmdb/map-size.ts'
import { StorageProblems } from '../storage-problems.ts'
import { DEFAULT_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS } from './changelog-topic.ts'
import type { ErrorPolicy } from './error-handling.ts'
import type { RuntimeObserver } from './runtime-observer.ts'

export type ProcessingGuarantee = 'at-least-once' | 'exactly-once'

/** Settings of a StreamsApp. Only `applicationId` is required. */
export interface StreamsConfig {
  /** Names the consumer group, the internal topics (`<applicationId>-...`) and the state directory. */
  readonly applicationId: string
  /** Root of local data: state stores live in `<dataDir>/state/<applicationId>`; the default
   *  embedded log in `<dataDir>/log`. Default `./.tributary`. */
  readonly dataDir?: string
  /** The log to run on. Default: an embedded log in `<dataDir>/log`, owned and closed by the app. */
  readonly log?: Log
  /** Default at-least-once. */
  readonly processingGuarantee?: ProcessingGuarantee
  /** Default 30000 at-least-once, 100 exactly-once (as Kafka Streams). */
  readonly commitIntervalMs?: number
  /** Default dead-letter. */
  readonly deserializationErrors?: ErrorPolicy
  /** Default dead-letter. */
  readonly processingErrors?: ErrorPolicy
  /** Default `<applicationId>-dlq`; created with the internal topics. */
  readonly deadLetterTopic?: string
  /** How long a task waits for an empty input partition before processing its other inputs out of
   *  event-time order. Default 0: never wait. */
  readonly maxTaskIdleMs?: number
  /**
   * Event-time alignment (default on): the tasks of a sub-topology, in this instance and across
   * instances, process their inputs in event-time step, so a task draining a backlog faster than
   * the others cannot fill a repartition topic out of order and have windows downstream drop the
   * others' records as late. The price: a task waits for the slowest active input of its
   * sub-topology (and, across instances, for its commits). Turn off with `false` to let each task
   * run at its own pace (as Kafka Streams does), e.g. when no stateful time-based operation
   * follows a repartition.
   */
  readonly eventTimeAlignment?: boolean
  /** Also align with the input partitions other instances own, through the frontiers stored in
   *  the offset commit metadata (see docs/kafka.md). Default true (with `eventTimeAlignment`):
   *  without it, instances draining a backlog at different speeds drop each other's records as
   *  late downstream. The price: an instance waits for the slowest, and commits more often while
   *  others own input partitions. `false`: each instance aligns only its own tasks. */
  readonly eventTimeAlignmentAcrossInstances?: boolean
  /** How far in event time a task may run ahead of the slowest active input of its sub-topology;
   *  keep it well under the smallest grace of the windows downstream. Default 5000. */
  readonly maxEventTimeDriftMs?: number
  /** How long an input with nothing buffered and nothing to fetch still holds the others back at
   *  its last event time before it counts as idle and is ignored until it has data. Default 1000. */
  readonly idleTimeoutMs?: number
  /** Records fetched per poll. Default 1000. */
  readonly maxPollRecords?: number
  /** How long a poll waits for records when there are none (as Kafka Streams' poll.ms). Default 100. */
  readonly pollMs?: number
  /** How often consumed records are deleted from repartition topics, on logs that can (Kafka).
   *  Default 30000 (as Kafka Streams' repartition.purge.interval.ms). */
  readonly repartitionPurgeIntervalMs?: number
  /** How much longer than its store's retention a windowed or session store's changelog
   *  (`compact,delete`) keeps records; Kafka Streams' windowstore.changelog.additional.retention.ms.
   *  Default 86400000 (one day). Applies when the changelog is created. */
  readonly windowStoreChangelogAdditionalRetentionMs?: number
  /**
   * Distinguishes instances of one application: exactly-once uses the transactional id
   * `<applicationId>-<instanceId>`, so two live instances must never share it (the newer fences
   * the older), and a restarted instance should reuse its own (fencing its crashed predecessor at
   * once rather than after the transaction timeout). Default: a random id kept in the state
   * directory (`<dataDir>/state/<applicationId>/instance-id`), i.e. stable per data directory.
   */
  readonly instanceId?: string
  /** How long the app keeps retrying after a recoverable log failure (broker unreachable, a
   *  rebalance that took its tasks) before it fails; as Kafka Streams' task.timeout.ms.
   *  Default 300000. */
  readonly taskTimeoutMs?: number
  /**
   * What a storage error (ENOSPC, EDQUOT, EIO, EROFS: see storageErrorOf) in a commit does. The
   * commit fails whole either way: nothing of it is acknowledged (under exactly-once its
   * transaction is aborted, or completed by recovery if its commit decision reached the disk).
   * 'stop' (default): the app stops, `done` rejecting with the error naming the path; a restart
   * once the disk has room resumes with nothing lost or doubled. 'retry': the app stays up: it
   * drops its uncommitted work, closes its tasks and clients (reopening an embedded log the
   * failure stopped: clients others made of a shared log are closed too), and starts again after
   * `storageRetryBackoffMs`, doubling up to 60 s, until the disk takes the commit; meanwhile
   * `storageFailure` names the error and `storageProblems` holds it (commit-failed).
   */
  readonly storageErrors?: 'stop' | 'retry'
  /** First wait before a 'retry' of storage errors; default 1000. */
  readonly storageRetryBackoffMs?: number
  /** With storageErrors 'retry': how long storage may keep failing before the app stops as with
   *  'stop'. Default: no limit. */
  readonly storageRetryTimeoutMs?: number
  /** Address space each persistent (lmdb) state store maps up front, in bytes: virtual, neither
   *  disk nor memory; a store that outgrows it still grows. Lower it when the process's address
   *  space is limited (`ulimit -v`): every store needs its map. Default 8589934592 (8 GiB). */
  readonly lmdbMapSizeBytes?: number
  readonly logger?: Logger
  /** Where the app reports storage problems (a damaged state store it rebuilt; the embedded log it
   *  owns reports its own there too). Default: a list of its own (`StreamsApp.storageProblems`). */
  readonly storageProblems?: StorageProblems
  /** Metrics and tracing of the runtime (`runtimeMetrics`, `tracingObserver` and
   *  `combineObservers` in `tributary-streams/observe`). Default: none, nothing recorded. */
  readonly observer?: RuntimeObserver
  /** The wall clock of wall-clock punctuations and task idling (not of commits). Default
   *  `Date.now`; a test driver moves its own by hand. */
  readonly clock?: () => number
}

const policy = z.enum(['fail', 'continue', 'dead-letter'])
const schema = z.object({
  applicationId: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/, 'use letters, digits, ".", "_" or "-" (it names topics and folders)'),
  dataDir: z.string().min(1).optional(),
  processingGuarantee: z.enum(['at-least-once', 'exactly-once']).optional(),
  commitIntervalMs: z.number().int().min(1).optional(),
  deserializationErrors: policy.optional(),
  processingErrors: policy.optional(),
  deadLetterTopic: z.string().min(1).optional(),
  maxPollRecords: z.number().int().min(1).optional(),
  pollMs: z.number().int().min(0).optional(),
  repartitionPurgeIntervalMs: z.number().int().min(0).optional(),
  windowStoreChangelogAdditionalRetentionMs: z.number().int().min(0).optional(),
  maxTaskIdleMs: z.number().int().min(0).optional(),
  eventTimeAlignment: z.boolean().optional(),
  eventTimeAlignmentAcrossInstances: z.boolean().optional(),
  maxEventTimeDriftMs: z.number().int().min(0).optional(),
  idleTimeoutMs: z.number().int().min(0).optional(),
  taskTimeoutMs: z.number().int().min(0).optional(),
  storageErrors: z.enum(['stop', 'retry']).optional(),
  storageRetryBackoffMs: z.number().int().min(1).optional(),
  storageRetryTimeoutMs: z.number().int().min(0).optional(),
  lmdbMapSizeBytes: z
    .number()
    .int()
    .min(
      MIN_MAP_SIZE_BYTES,
      `use at least ${MIN_MAP_SIZE_BYTES} (1 MiB): the address space each lmdb store maps`,
    )
    .optional(),
  instanceId: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .optional(),
})

type Unresolved = 'log' | 'logger' | 'instanceId' | 'observer'
export type ResolvedConfig = Required<Omit<StreamsConfig, Unresolved>> & Pick<StreamsConfig, Unresolved>

/** Applies defaults; an invalid setting fails with code CONFIG naming the key and what it accepts. */
export function resolveConfig(config: StreamsConfig): ResolvedConfig {
  const parsed = schema.safeParse(config)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = issue.path.join('.') || '(config)'
    throw new TributaryError('CONFIG', `invalid setting ${key}: ${issue.message}`)
  }
  const eos = config.processingGuarantee === 'exactly-once'
  return {
    ...config,
    dataDir: config.dataDir ?? './.tributary',
    processingGuarantee: config.processingGuarantee ?? 'at-least-once',
    commitIntervalMs: config.commitIntervalMs ?? (eos ? 100 : 30_000),
    deserializationErrors: config.deserializationErrors ?? 'dead-letter',
    processingErrors: config.processingErrors ?? 'dead-letter',
    deadLetterTopic: config.deadLetterTopic ?? `${config.applicationId}-dlq`,
    maxPollRecords: config.maxPollRecords ?? 1000,
    pollMs: config.pollMs ?? 100,
    repartitionPurgeIntervalMs: config.repartitionPurgeIntervalMs ?? 30_000,
    windowStoreChangelogAdditionalRetentionMs:
      config.windowStoreChangelogAdditionalRetentionMs ?? DEFAULT_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS,
    maxTaskIdleMs: config.maxTaskIdleMs ?? 0,
    eventTimeAlignment: config.eventTimeAlignment ?? true,
    eventTimeAlignmentAcrossInstances: config.eventTimeAlignmentAcrossInstances ?? true,
    maxEventTimeDriftMs: config.maxEventTimeDriftMs ?? 5000,
    idleTimeoutMs: config.idleTimeoutMs ?? 1000,
    taskTimeoutMs: config.taskTimeoutMs ?? 300_000,
    storageErrors: config.storageErrors ?? 'stop',
    storageRetryBackoffMs: config.storageRetryBackoffMs ?? 1000,
    storageRetryTimeoutMs: config.storageRetryTimeoutMs ?? Number.POSITIVE_INFINITY,
    lmdbMapSizeBytes: config.lmdbMapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
    clock: config.clock ?? Date.now,
    storageProblems: config.storageProblems ?? new StorageProblems(),
  }
}
