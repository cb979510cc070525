import { TributaryError } from '../../errors.ts'
import { StorageProblems } from '../../storage-problems.ts'
import { DEFAULT_MAX_RECORD_BYTES } from '../produce-validation.ts'
import type { Admin, Consumer, ConsumerOptions, Log, Producer, ProducerOptions } from '../log.ts'
import { Broker, type BrokerSettings } from './broker.ts'
import { DEFAULT_COMPACT_BUFFER_BYTES } from './compactor.ts'
import { EmbeddedAdmin } from './embedded-admin.ts'
import { EmbeddedConsumer } from './embedded-consumer.ts'
import { EmbeddedProducer } from './embedded-producer.ts'
import type { FsyncMode } from './fsync-policy.ts'
import { Journal } from './journal.ts'
import { openDurableBroker } from './recovery.ts'
import { MAX_BODY_BYTES } from './frame.ts'
import { nodeFs, type StorageFs } from './storage-fs.ts'
import { checkSettings, DEFAULT_TOPIC_SETTINGS, type TopicSettings } from './topic-settings.ts'
import { SyncFacet } from './sync-facet.ts'

/** The longest a Node.js timer waits (2^31-1 ms); setTimeout fires after 1 ms past it. */
const MAX_TIMER_MS = 2_147_483_647

export interface EmbeddedLogOptions {
  /** Where partitions and metadata live. Absent: memory only (lost on close), for tests. */
  readonly dataDir?: string
  /** When appends reach the disk; default 'interval'. See FsyncPolicy. */
  readonly fsync?: FsyncMode
  /** Period of 'interval' syncing; default 1000. */
  readonly fsyncIntervalMs?: number
  /** New entries a compacted partition needs before it is compacted automatically (and at least
   *  as many as it kept last time); default 10000, 0 = only `compact()`. */
  readonly compactAfterEntries?: number
  /** Bytes of keys a compaction round holds at most (Kafka's log.cleaner.dedupe.buffer.size):
   *  a key costs its length plus 24 bytes; a partition with more distinct keys since its last
   *  compaction is compacted in several rounds, each reading the log once. Default 67108864
   *  (64 MiB). */
  readonly compactBufferBytes?: number
  /** Records kept in memory across all partitions of a durable log (older ones are read back from
   *  disk when asked for); default 250000. Memory mode keeps everything. */
  readonly cacheRecords?: number
  /** Settings of topics created without their own `retentionMs`, `retentionBytes`,
   *  `segmentBytes`, `segmentMs`, `deleteRetentionMs` (Kafka's broker-level log.retention.ms and
   *  so on). Default: retention 7 days, no size limit, 16 MiB segments rolled at least every 7
   *  days, tombstones kept 1 day. Applies to existing topics too, except where they were created
   *  with their own. */
  readonly topicDefaults?: Partial<TopicSettings>
  /** How often retention deletes expired segments; default 60000 (Kafka's check runs every
   *  300000; segments are small here, so sooner). */
  readonly retentionCheckIntervalMs?: number
  /** Largest record `send` accepts, counting key, value and headers; default 1048588 (Kafka's
   *  default `max.message.bytes`), at most 512 MiB. */
  readonly maxRecordBytes?: number
  /** How long `producer({ transactionalId })` waits for a commit still in flight of the previous
   *  producer with that id (Kafka's max.block.ms for initTransactions) before failing with code
   *  TRANSACTION; default 60000, at most 2147483647 (a Node.js timer's limit). Only a disk that does
   *  not answer a sync makes it wait that long. */
  readonly maxBlockMs?: number
  /** Where storage problems are reported (data recovered with loss, a failed write); default a
   *  new list, available as `log.problems`. Pass one list to share it with state stores. */
  readonly problems?: StorageProblems
  /** Where recovery and storage problems are also written as one line; default process.emitWarning. */
  readonly onWarning?: (message: string) => void
  /** The file-system calls the log makes (for fault-injection tests); default node:fs. */
  readonly fs?: StorageFs
}

/**
 * The in-process, durable, partitioned log (see DESIGN.md): topics, keyed partitioning as Kafka,
 * consumer groups, transactions, compaction. One EmbeddedLog owns its data directory (an OS-level
 * lock stops a second one, in this or another process; see DirLock).
 *
 * Durability: opening recovers to the last durable state or refuses (code CORRUPT) naming the
 * damaged file and the repair command; a storage failure (ENOSPC, EIO, EROFS) fails the call
 * that met it and stops the log (every later call fails with code LOG naming the path), so a
 * restart resumes from what is durable. What recovery cut off and what failed is in `problems`.
 */
export class EmbeddedLog implements Log {
  readonly admin: Admin
  /** Storage problems of this log (recovered with loss, failed writes) until acknowledged. */
  readonly problems: StorageProblems
  /** INTERNAL synchronous facet for the TopologyTestDriver; not part of the public API. */
  readonly sync: SyncFacet

  private reopening: Promise<void> | undefined

  private constructor(
    private broker: Broker,
    private readonly dataDir: string | undefined,
  ) {
    this.problems = broker.settings.problems
    this.admin = new EmbeddedAdmin(() => this.broker)
    this.sync = new SyncFacet(() => this.broker)
  }

  /** The storage failure (code LOG, naming the path and the errno) that stopped this log, or
   *  null while it runs: every call fails until `reopen` (or a restart) recovers it. */
  get failure(): TributaryError | null {
    return this.broker.failure
  }

  /**
   * Closes the data directory and opens it again, recovering to what is durable (a commit that
   * failed is whole or invisible, never half): how a log stopped by a storage failure resumes
   * once the disk accepts writes again, without restarting the process (StreamsApp with
   * `storageErrors: 'retry'` calls it). Producers and consumers made before are closed (their
   * calls fail with code CLOSED): make new ones. `admin`, `problems` and the options stay. Fails
   * as `open` does (e.g. LOG while the disk still refuses); the log is then closed, and `reopen`
   * may be called again. An in-memory log cannot be reopened (CONFIG).
   */
  reopen(): Promise<void> {
    const dataDir = this.dataDir
    if (dataDir === undefined)
      return Promise.reject(new TributaryError('CONFIG', 'an in-memory embedded log cannot be reopened'))
    // Calls made while one runs share it (two components of one process may both retry).
    this.reopening ??= (async () => {
      try {
        await this.broker.close().catch(() => {}) // a stopped log closes without writing more
        this.broker = openDurableBroker(dataDir, this.broker.settings)
      } finally {
        this.reopening = undefined
      }
    })()
    return this.reopening
  }

  /** Opens (recovering a durable data directory). Fails with CONFIG for bad options, LOG if locked. */
  static async open(options: EmbeddedLogOptions = {}): Promise<EmbeddedLog> {
    // Synchronous on purpose: see openSync.
    return EmbeddedLog.openSync(options)
  }

  /** INTERNAL: `open` for synchronous callers (the TopologyTestDriver). */
  static openSync(options: EmbeddedLogOptions = {}): EmbeddedLog {
    const settings = toSettings(options)
    const broker =
      options.dataDir === undefined
        ? new Broker(settings, Journal.memory(), null)
        : openDurableBroker(options.dataDir, settings)
    return new EmbeddedLog(broker, options.dataDir)
  }

  async producer(options: ProducerOptions = {}): Promise<Producer> {
    return EmbeddedProducer.create(this.broker, options.transactionalId)
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    return new EmbeddedConsumer(this.broker, options)
  }

  /**
   * Compacts the compacted topics now (all, or only `topic`, which must exist) and resolves with
   * the number of entries removed. Compaction also runs by itself as partitions grow.
   */
  async compact(topic?: string): Promise<number> {
    return this.broker.compact(topic)
  }

  /**
   * Deletes the segments retention says are due now (it also runs by itself every
   * `retentionCheckIntervalMs`): whole segments of `delete` and `compact,delete` topics older than
   * their retention.ms or beyond their retention.bytes. The log start offset moves past them.
   */
  async enforceRetention(): Promise<void> {
    this.broker.enforceRetention(Date.now())
  }

  /** Closes all clients (aborting open transactions), syncs and releases the data directory. */
  async close(): Promise<void> {
    await this.broker.close()
  }
}

function toSettings(options: EmbeddedLogOptions): BrokerSettings {
  const fsync = options.fsync ?? 'interval'
  if (fsync !== 'always' && fsync !== 'interval' && fsync !== 'never') {
    throw new TributaryError('CONFIG', `fsync must be 'always', 'interval' or 'never', got ${String(fsync)}`)
  }
  const fsyncIntervalMs = options.fsyncIntervalMs ?? 1000
  if (!(fsyncIntervalMs > 0))
    throw new TributaryError('CONFIG', `fsyncIntervalMs must be > 0, got ${fsyncIntervalMs}`)
  const compactAfterEntries = options.compactAfterEntries ?? 10_000
  if (!(compactAfterEntries >= 0)) {
    throw new TributaryError('CONFIG', `compactAfterEntries must be >= 0, got ${compactAfterEntries}`)
  }
  const compactBufferBytes = options.compactBufferBytes ?? DEFAULT_COMPACT_BUFFER_BYTES
  if (!(Number.isSafeInteger(compactBufferBytes) && compactBufferBytes > 0)) {
    throw new TributaryError(
      'CONFIG',
      `compactBufferBytes must be a positive integer (bytes), got ${String(compactBufferBytes)}`,
    )
  }
  const cacheRecords = options.cacheRecords ?? 250_000
  if (!(cacheRecords >= 0))
    throw new TributaryError('CONFIG', `cacheRecords must be >= 0, got ${cacheRecords}`)
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  if (!(Number.isInteger(maxRecordBytes) && maxRecordBytes > 0 && maxRecordBytes <= MAX_BODY_BYTES - 1024)) {
    throw new TributaryError(
      'CONFIG',
      `maxRecordBytes must be an integer from 1 to ${MAX_BODY_BYTES - 1024}, got ${maxRecordBytes}`,
    )
  }
  checkSettings('topicDefaults', options.topicDefaults ?? {})
  const topicDefaults = { ...DEFAULT_TOPIC_SETTINGS, ...options.topicDefaults }
  const retentionCheckIntervalMs = options.retentionCheckIntervalMs ?? 60_000
  if (!(Number.isSafeInteger(retentionCheckIntervalMs) && retentionCheckIntervalMs > 0)) {
    throw new TributaryError(
      'CONFIG',
      `retentionCheckIntervalMs must be a positive integer, got ${retentionCheckIntervalMs}`,
    )
  }
  // Rejected above what a Node.js timer can wait (setTimeout would fire after 1 ms instead) rather
  // than waited in chunks: Kafka's max.block.ms is a long, but no initTransactions needs 24 days.
  const maxBlockMs = options.maxBlockMs ?? 60_000
  if (!(Number.isSafeInteger(maxBlockMs) && maxBlockMs > 0 && maxBlockMs <= MAX_TIMER_MS)) {
    throw new TributaryError(
      'CONFIG',
      `maxBlockMs must be a positive integer (ms) of at most ${MAX_TIMER_MS} (about 24.8 days, the ` +
        `longest a Node.js timer waits; Kafka's max.block.ms is a long, but no wait here can be longer), ` +
        `got ${maxBlockMs}`,
    )
  }
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'TributaryWarning'))
  const problems = options.problems ?? new StorageProblems()
  const fs = options.fs ?? nodeFs
  return {
    fsync,
    fsyncIntervalMs,
    compactAfterEntries,
    compactBufferBytes,
    cacheRecords,
    maxRecordBytes,
    topicDefaults,
    retentionCheckIntervalMs,
    maxBlockMs,
    warn,
    problems,
    fs,
  }
}
