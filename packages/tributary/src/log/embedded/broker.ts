import { TributaryError } from '../../errors.ts'
import type { StorageProblems } from '../../storage-problems.ts'
import type { PartitionOffset, ProducerRecord, RecordMetadata, TopicConfig } from '../log.ts'
import { validateProducerRecords } from '../produce-validation.ts'
import { loadCheckpoint, saveCheckpoint } from './cleaner-checkpoint-file.ts'
import { CompactionScheduler } from './compaction-scheduler.ts'
import type { DataDir } from './data-dir.ts'
import { FsyncPolicy, type FsyncMode } from './fsync-policy.ts'
import { GroupCoordinator } from './group-coordinator.ts'
import { GroupOffsets } from './group-offsets.ts'
import { InFlight } from './in-flight.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import { FileHandles } from './file-handles.ts'
import { fsyncDir } from './fs-util.ts'
import { PartitionFile } from './partition-file.ts'
import { PartitionLog, type CacheLimit } from './partition-log.ts'
import { recoverPartition } from './partition-recovery.ts'
import { LogStarts } from './log-starts.ts'
import type { SegmentStore } from './segment.ts'
import type { Partitioner } from './partitioner.ts'
import { Signal } from './signal.ts'
import { reportProblem, type StorageContext } from './storage-context.ts'
import { StorageFailure } from './storage-failure.ts'
import type { StorageFs } from './storage-fs.ts'
import { TopicRegistry, validateTopicConfig } from './topic-registry.ts'
import { compacts, deletes, resolveSettings, type TopicSettings, type TopicSpec } from './topic-settings.ts'
import { TransactionCoordinator, type Transaction } from './transaction-coordinator.ts'

export interface BrokerSettings {
  readonly fsync: FsyncMode
  readonly fsyncIntervalMs: number
  /** Automatic compaction runs once a compacted partition has this many new entries (and at least
   *  as many as it had after its last compaction). 0 disables it. */
  readonly compactAfterEntries: number
  /** Bytes of keys one compaction round holds at most (Kafka's log.cleaner.dedupe.buffer.size). */
  readonly compactBufferBytes: number
  /** Records kept in memory across all durable partitions (older ones are read from disk). */
  readonly cacheRecords: number
  /** Largest record `send` accepts (key, value and headers). */
  readonly maxRecordBytes: number
  /** Settings of topics created without their own (Kafka's broker-level log.* defaults). */
  readonly topicDefaults: TopicSettings
  /** How often retention deletes expired segments (Kafka's log.retention.check.interval.ms). */
  readonly retentionCheckIntervalMs: number
  /** How long a new transactional producer waits for its predecessor's commit (max.block.ms). */
  readonly maxBlockMs: number
  readonly warn: (message: string) => void
  readonly problems: StorageProblems
  readonly fs: StorageFs
}

/** Journal snapshots are written once this many bytes were appended since the last one. */
const JOURNAL_REWRITE_BYTES = 8 * 1024 * 1024
/** How long close waits for commits still waiting for the disk before closing under them. */
const CLOSE_WAIT_MS = 10_000

/**
 * The state one EmbeddedLog shares between its clients: topics and partitions, coordinators,
 * durability. Every mutation is synchronous, so clients never observe a half-applied operation;
 * only a commit waits (for its syncs, off the main thread) between its steps, and its partial
 * state is invisible to readers (see TransactionCoordinator).
 */
export class Broker {
  readonly signal = new Signal()
  readonly registry = new TopicRegistry()
  readonly fsync: FsyncPolicy
  readonly offsets: GroupOffsets
  readonly txns: TransactionCoordinator
  readonly groups: GroupCoordinator
  private readonly starts: LogStarts
  /** Clients to close with the log (producers and consumers remove themselves when closed). */
  readonly clients = new Set<{ close(): Promise<void> }>()
  closed = false
  /** The storage failure that stopped this log (see StorageFailure); every later call fails. */
  failure: StorageFailure | null = null
  /** Descriptors of partition files (durable mode). */
  private readonly handles: FileHandles | null
  private readonly compaction: CompactionScheduler
  /** Shared by all partitions; resized as topics come and go. Infinite in memory mode. */
  private readonly cacheLimit: CacheLimit = { recordsPerPartition: Infinity }
  private readonly retentionTimer: NodeJS.Timeout
  private readonly commits = new InFlight()

  constructor(
    readonly settings: BrokerSettings,
    readonly journal: Journal,
    readonly dataDir: DataDir | null,
    private readonly ctx: StorageContext | null = null,
  ) {
    this.handles = ctx === null ? null : new FileHandles(ctx.fs)
    this.fsync = new FsyncPolicy(settings.fsync, settings.fsyncIntervalMs, journal, dataDir !== null, (err) =>
      this.guard(() => {
        throw err
      }),
    )
    this.offsets = new GroupOffsets(journal)
    this.txns = new TransactionCoordinator(journal, this.offsets, this.fsync, this.signal, () =>
      this.ensureOpen(),
    )
    this.groups = new GroupCoordinator(this.registry, this.signal)
    this.starts = new LogStarts(journal, this.registry, dataDir)
    this.compaction = new CompactionScheduler(
      this.registry,
      settings.compactAfterEntries,
      settings.compactBufferBytes,
      (compaction) =>
        this.guardAsync(() => {
          this.ensureOpen() // a round due after a storage failure stopped the log writes nothing
          return compaction()
        }),
      () => this.ensureOpen(),
      settings.warn,
      (log) => {
        if (ctx !== null && dataDir !== null)
          saveCheckpoint(ctx, dataDir.checkpointPath(log.topic, log.partition), log)
      },
    )
    this.retentionTimer = setInterval(() => {
      try {
        if (!this.closed && this.failure === null) this.enforceRetention(Date.now())
      } catch (err) {
        settings.warn(`tributary: retention failed: ${String(err)}`)
      }
    }, settings.retentionCheckIntervalMs)
    this.retentionTimer.unref()
  }

  /** Fails with code CLOSED once the log is closed, and with LOG after a storage failure. */
  ensureOpen(): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the embedded log is closed')
    if (this.failure !== null) {
      throw new TributaryError(
        'LOG',
        `the embedded log stopped after a storage failure: ${this.failure.message}`,
        {
          cause: this.failure,
        },
      )
    }
  }

  /**
   * Runs a call that writes to disk. A StorageFailure stops the log (fail-stop: memory may no
   * longer match the disk, so nothing more is written; recovery at the next start resolves it)
   * and is reported once as 'commit-failed'.
   */
  guard<T>(call: () => T): T {
    try {
      return call()
    } catch (err) {
      if (err instanceof StorageFailure && this.failure === null) {
        this.failure = err
        if (this.ctx !== null) reportProblem(this.ctx, 'commit-failed', err.path, err.message)
      }
      throw err
    }
  }

  /** `guard` for an asynchronous call (a commit). */
  async guardAsync<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (err) {
      return this.guard(() => {
        throw err
      })
    }
  }

  /** Commits a transaction (see TransactionCoordinator.commit); close waits for it. */
  commit(txn: Transaction): Promise<void> {
    return this.commits.track(this.guardAsync(() => this.txns.commit(txn)))
  }

  /**
   * Recovers the partitions of a journaled topic from their segment files (see recoverPartition);
   * `starts` holds the journaled log start offsets by `topic\0partition`; `committed` collects the
   * transactions known to be committed (see PartitionLog.restore).
   */
  recoverTopic(description: TopicSpec, committed: Set<number>, starts: ReadonlyMap<string, number>): void {
    this.resizeCache(this.partitionCount() + description.partitions)
    const settings = resolveSettings(description, this.settings.topicDefaults)
    const partitions: PartitionLog[] = []
    for (let p = 0; p < description.partitions; p++) {
      const log = this.partitionLog(description.name, p, settings)
      const start = starts.get(`${description.name}\0${p}`) ?? 0
      recoverPartition(this.ctx!, this.handles!, this.dataDir!, log, start, committed)
      if (compacts(description.cleanupPolicy))
        loadCheckpoint(
          this.ctx!,
          this.dataDir!.checkpointPath(log.topic, p),
          log,
          deletes(description.cleanupPolicy),
        )
      partitions.push(log)
    }
    this.registry.add({ description, settings, partitions })
  }

  private partitionLog(topic: string, partition: number, settings: TopicSettings): PartitionLog {
    return new PartitionLog(topic, partition, this.cacheLimit, settings, this.segmentStore(topic, partition))
  }

  /** Creates and deletes a durable partition's segment files; null in memory mode. */
  private segmentStore(topic: string, partition: number): SegmentStore | null {
    const { dataDir, ctx, handles } = this
    if (dataDir === null || ctx === null || handles === null) return null
    return {
      create: (base) => {
        const file = PartitionFile.create(ctx, handles, dataDir.segmentPath(topic, partition, base))
        fsyncDir(ctx.fs, dataDir.partitionDir(topic, partition))
        return file
      },
      remove: (files) => {
        for (const file of files) file.delete()
      },
    }
  }

  /**
   * Creates a topic: its files first (a failure removes them again), then the journal entry, so
   * the journal never lists a topic whose files could not be made.
   */
  private createTopic(description: TopicSpec): void {
    const settings = resolveSettings(description, this.settings.topicDefaults)
    const partitions: PartitionLog[] = []
    for (let p = 0; p < description.partitions; p++)
      partitions.push(this.partitionLog(description.name, p, settings))
    const dataDir = this.dataDir
    const now = Date.now()
    if (dataDir === null) for (const log of partitions) log.addSegment(0, null, now)
    else {
      try {
        dataDir.createTopicDir(description.name)
        for (const log of partitions) dataDir.createPartitionDir(description.name, log.partition)
        dataDir.syncTopicDir(description.name)
        for (const log of partitions) {
          const file = PartitionFile.create(
            this.ctx!,
            this.handles!,
            dataDir.segmentPath(log.topic, log.partition, 0),
          )
          log.addSegment(0, file, now)
        }
      } catch (err) {
        try {
          dataDir.removeTopic(description.name)
        } catch {
          // an incomplete topic directory holds no data; recovery removes it
        }
        throw err
      }
    }
    this.journal.append({ t: 'topic', ...description }, this.fsync.syncDecisions)
    this.resizeCache(this.partitionCount() + description.partitions)
    this.registry.add({ description, settings, partitions })
  }

  private partitionCount(): number {
    let n = 0
    for (const t of this.registry.all()) n += t.partitions.length
    return n
  }

  /** Spreads the record cache evenly over the partitions (durable mode only). */
  private resizeCache(partitions: number): void {
    if (this.dataDir === null) return
    this.cacheLimit.recordsPerPartition = Math.max(
      1000,
      Math.floor(this.settings.cacheRecords / Math.max(1, partitions)),
    )
  }

  /** Creates missing topics (validating every config first); existing ones are left as they are. */
  createTopics(configs: readonly TopicConfig[]): void {
    this.ensureOpen()
    const created: string[] = []
    try {
      for (const description of configs.map(validateTopicConfig)) {
        if (this.registry.find(description.name) !== undefined || created.includes(description.name)) continue
        this.guard(() => this.createTopic(description))
        created.push(description.name)
      }
    } finally {
      if (created.length > 0) this.groups.topicsChanged(created)
    }
  }

  /** Deletes topics, their data and committed offsets. Fails with code LOG (deleting nothing) if one is unknown. */
  deleteTopics(names: readonly string[]): void {
    this.ensureOpen()
    for (const name of names) this.registry.get(name)
    for (const name of names) {
      const topic = this.registry.find(name)
      if (topic === undefined) continue
      this.guard(() => this.journal.append({ t: 'topic-deleted', name }, this.fsync.syncDecisions))
      this.registry.remove(name)
      for (const p of topic.partitions) {
        p.deleted = true
        this.fsync.forget(p)
        this.compaction.forget(p)
        p.closeFiles(false)
      }
      this.offsets.dropTopic(name)
      this.signal.notify(name)
      this.guard(() => this.dataDir?.removeTopic(name))
    }
    this.resizeCache(this.partitionCount())
    this.groups.topicsChanged(names)
  }

  /**
   * Appends records, all or nothing: partitions are resolved (and validated) before anything is
   * written; then one batch per partition. Transactional records join `txn`. Returns metadata in
   * the order of `records`.
   */
  append(
    records: readonly ProducerRecord[],
    partitioner: Partitioner,
    txn: Transaction | null,
  ): RecordMetadata[] {
    this.ensureOpen()
    validateProducerRecords(records, this.settings.maxRecordBytes)
    const batches = new Map<PartitionLog, { records: ProducerRecord[]; indexes: number[] }>()
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      const topic = this.registry.get(record.topic)
      const log = topic.partitions[partitioner.partition(record, topic.partitions.length)]!
      let batch = batches.get(log)
      if (batch === undefined) batches.set(log, (batch = { records: [], indexes: [] }))
      batch.records.push(record)
      batch.indexes.push(i)
    }
    const metadata = new Array<RecordMetadata>(records.length)
    const now = Date.now()
    for (const [log, batch] of batches) {
      txn?.partitions.add(log)
      const base = this.guard(() => log.append(batch.records, txn?.id ?? 0, now))
      for (let j = 0; j < batch.indexes.length; j++) {
        metadata[batch.indexes[j]!] = { topic: log.topic, partition: log.partition, offset: base + j }
      }
      this.guard(() => this.fsync.appended(log))
    }
    for (const log of batches.keys()) {
      this.signal.notify(log.topic)
      this.compaction.appended(log)
    }
    return metadata
  }

  /** Compacts every partition of compacted topics (or only `topic`). Resolves with the entries
   *  removed. */
  async compact(topic?: string): Promise<number> {
    this.ensureOpen()
    return this.compaction.compactNow(topic)
  }

  /** Deletes the segments retention says are due now (see LogStarts). */
  enforceRetention(now: number): void {
    this.ensureOpen()
    this.guard(() => this.starts.enforceRetention(now))
    this.maybeRewriteJournal()
  }

  /** Kafka's DeleteRecords (see LogStarts.deleteRecordsBefore). */
  deleteRecordsBefore(offsets: readonly PartitionOffset[]): void {
    this.ensureOpen()
    this.guard(() => this.starts.deleteRecordsBefore(offsets))
    this.maybeRewriteJournal()
  }

  /** Everything the journal must hold to rebuild the metadata (journal snapshot). */
  snapshot(): MetadataEntry[] {
    const topics: MetadataEntry[] = [...this.registry.all()].map((t) => ({ t: 'topic', ...t.description }))
    return [...topics, ...this.starts.snapshot(), ...this.offsets.snapshot(), ...this.txns.snapshot()]
  }

  /** Rewrites the journal as a snapshot once it has grown; data is synced first so no
   *  transaction decision is dropped before its markers are durable (decisions of commits still
   *  waiting for their syncs are part of the snapshot: see TransactionCoordinator). */
  maybeRewriteJournal(): void {
    if (this.journal.appendedBytes < JOURNAL_REWRITE_BYTES) return
    this.guard(() => {
      this.fsync.flush()
      for (const t of this.registry.all()) for (const p of t.partitions) p.file?.sync()
      this.journal.rewrite(this.snapshot())
    })
  }

  /**
   * Closes every client, aborts undecided transactions, flushes and releases the data directory.
   * After a storage failure nothing more is written (recovery finishes what was decided); the
   * lock is released in every case.
   */
  async close(): Promise<void> {
    if (this.closed) return
    const failedBefore = this.failure
    try {
      if (!(await this.compaction.close(CLOSE_WAIT_MS)))
        this.settings.warn(
          `tributary: closing the embedded log while a compaction round still waits for the disk after ${CLOSE_WAIT_MS} ms; the file it was writing is removed at the next start`,
        )
      for (const client of [...this.clients]) await client.close()
      const commits = this.commits.size
      if (!(await this.commits.settled(CLOSE_WAIT_MS, [this.fsync.close()]))) {
        this.settings.warn(
          `tributary: closing the embedded log while ${commits} commit(s) still wait for the disk after ` +
            `${CLOSE_WAIT_MS} ms; they fail, and recovery decides them at the next start`,
        )
      }
      if (this.failure === null) this.guard(() => this.txns.abortAll())
    } finally {
      this.closed = true
      clearInterval(this.retentionTimer)
      this.signal.notifyAll()
      void this.fsync.close()
      try {
        for (const t of this.registry.all())
          for (const p of t.partitions) this.guard(() => p.closeFiles(this.failure === null))
        this.guard(() => this.journal.close(this.failure === null))
      } catch {
        // reported through `failure`; the rest is closed without syncing below
      } finally {
        for (const t of this.registry.all()) for (const p of t.partitions) p.closeFiles(false)
        this.journal.close(false)
        this.dataDir?.release()
      }
    }
    if (this.failure !== null && failedBefore === null) throw this.failure
  }
}
