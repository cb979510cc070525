import { TributaryError, isTributaryError } from '../errors.ts'
import type { Consumer, ConsumerRecord, Isolation, Log, PartitionOffset, ProducerRecord } from '../log/log.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { OffsetBeyondEnd } from '../log/offset-beyond-end.ts'
import { RetryWindow } from '../retry-window.ts'
import { storageErrorOf } from '../storage-error.ts'
import { tpKey, type TopicPartition } from '../record.ts'
import { isRecordError, SinkDeadLetters } from './sink-dead-letters.ts'
import type { SqlClient } from './sql-client.ts'
import { offsetOf, SqlOffsetStore } from './sql-offset-store.ts'

export interface PostgresSinkOptions {
  readonly log: Log
  readonly sql: SqlClient
  readonly topics: readonly string[]
  /** Consumer group: sink instances with one group share the partitions. Also the key of the
   *  stored offsets, so a new group id starts from the beginning. */
  readonly groupId: string
  /** Default read_committed: only records of committed transactions reach the database. */
  readonly isolation?: Isolation
  /** Run once per record with `toParams(record)`; typically INSERT … ON CONFLICT … DO UPDATE. */
  readonly upsert: string
  /** The upsert's `$1…$n` for a record; null skips it (its offset still counts). Throwing stops
   *  the sink with code PROCESSING naming the record; nothing of its batch is written. */
  readonly toParams: (record: ConsumerRecord) => readonly unknown[] | null
  /** When set, of the records of one batch with equal keys only the last is written. Correct only
   *  when the upsert is last-write-wins per that key (a plain replace, not an increment). */
  readonly coalesceKey?: (record: ConsumerRecord) => string
  /** Default `tributary_offsets`. */
  readonly offsetsTable?: string
  /** Records per poll and per database transaction; default 1000. */
  readonly maxBatchRecords?: number
  /** Longest wait for records before checking for close; default 200 ms. */
  readonly pollTimeoutMs?: number
  /** Also commit the offsets to the log after each database commit (default true). Only for tools
   *  that read group lag from the log: the sink itself never starts from them. */
  readonly commitToLog?: boolean
  /** How long the sink keeps retrying while the log fails (code LOG: broker unreachable or
   *  restarting) before it stops; each retry resumes from the offsets stored in the database.
   *  Default 300000. Database errors and unmappable records stop it at once (unless
   *  `deadLetterTopic` takes the records the database refuses), and so do a storage error under
   *  the log (a full disk: see StorageError) and an offset stored in the database beyond the end
   *  of its partition (see OffsetBeyondEnd). */
  readonly logRetryTimeoutMs?: number
  /**
   * Where records the database refuses go instead of stopping the sink: a record whose upsert
   * fails with a data error (SQLSTATE class 22, e.g. numeric overflow or U+0000 in text, or 23, an
   * integrity violation) or whose `toParams` throws is written to this topic, its key, value and
   * headers as consumed plus `tributary.dlq.*` headers (origin topic, partition and offset, error
   * class and message, stage `sink`, and `tributary.dlq.error.sqlstate`), and the rest of its batch
   * is written. At-least-once: the dead letter is acknowledged before the transaction that skips
   * its record commits, so a crash between the two may repeat it. Unset: such a record stops the sink.
   */
  readonly deadLetterTopic?: string
  /** Called after each database commit. */
  readonly onCommit?: (batch: SinkBatch) => void
  readonly logger?: Logger
}

export interface SinkBatch {
  readonly records: readonly ConsumerRecord[]
  readonly offsets: readonly PartitionOffset[]
}

export type SinkState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed'

export interface SinkMetrics {
  readonly state: SinkState
  /** Records consumed and committed to the database (skipped and coalesced ones included). */
  readonly records: number
  /** Upsert statements run in committed transactions. */
  readonly rowsWritten: number
  /** Records sent to the dead-letter topic. */
  readonly deadLettered: number
  readonly transactions: number
  /** Times another writer had moved this group's stored offsets (a zombie after a rebalance). */
  readonly fenced: number
  /** Wall-clock ms of the last database commit, 0 before the first. */
  readonly lastCommitAt: number
}

export interface PartitionLag extends TopicPartition {
  /** End offset of the partition (last stable offset under read_committed). */
  readonly end: number
  /** Next offset stored in the database (the beginning offset if none stored). */
  readonly next: number
  readonly lag: number
}

class OffsetsMoved extends Error {}

/**
 * A sink in the manner of Kafka Connect's JDBC sink, exactly-once into PostgreSQL: each poll's
 * records are upserted and the consumed offsets stored in one database transaction, and a
 * partition's position on assignment is read back from that table (never from the log's committed
 * offsets; a partition with none starts at its beginning). A crash at any point therefore leaves
 * the rows and the offsets consistent, and the restarted sink applies each record exactly once.
 * Inside the transaction the stored offsets are locked and compared with what this instance last
 * wrote, so a zombie that lost its partitions in a rebalance cannot write behind the new owner.
 */
export class PostgresSink {
  private readonly store: SqlOffsetStore
  private readonly logger: Logger
  private readonly isolation: Isolation
  private consumer: Consumer | undefined
  /** What this instance believes the database holds for its partitions (undefined = no row). */
  private readonly stored = new Map<string, number | undefined>()
  private loop: Promise<void> | undefined
  private settle!: { resolve: () => void; reject: (err: unknown) => void }
  private counters = { records: 0, rowsWritten: 0, transactions: 0, fenced: 0, lastCommitAt: 0 }
  private readonly deadLetters: SinkDeadLetters | undefined
  state: SinkState = 'created'
  /** Resolves when the sink has closed; rejects with the error that stopped it. */
  readonly done: Promise<void>

  constructor(private readonly options: PostgresSinkOptions) {
    if (options.topics.length === 0)
      throw new TributaryError('CONFIG', 'PostgresSink needs at least one topic')
    this.store = new SqlOffsetStore(options.offsetsTable)
    this.logger = options.logger ?? silentLogger
    this.isolation = options.isolation ?? 'read_committed'
    this.deadLetters =
      options.deadLetterTopic === undefined
        ? undefined
        : new SinkDeadLetters(options.log, options.deadLetterTopic)
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }))
    this.done.catch(() => {})
  }

  /** Creates the offsets table if missing, joins the group and starts; resolves once running. */
  async start(): Promise<void> {
    if (this.state !== 'created') throw new TributaryError('CONFIG', `start() called in state ${this.state}`)
    this.state = 'starting'
    const { log, groupId, topics } = this.options
    try {
      await this.store.ensureTable(this.options.sql)
      this.consumer = await log.consumer({ groupId, isolation: this.isolation, autoOffsetReset: 'earliest' })
      await this.consumer.subscribe(topics, {
        listener: {
          onAssigned: (partitions) => this.seekToStored(partitions),
          onRevoked: async (partitions) => {
            for (const tp of partitions) this.stored.delete(tpKey(tp))
          },
        },
      })
    } catch (err) {
      this.state = 'failed'
      await this.consumer?.close().catch(() => {})
      this.settle.reject(err)
      throw err
    }
    this.state = 'running'
    this.loop = this.run()
  }

  /** Finishes the batch in progress, leaves the group. Safe in any state; never throws. */
  async close(): Promise<void> {
    if (this.state === 'running') this.state = 'closing'
    await this.loop
  }

  metrics(): SinkMetrics {
    return { state: this.state, ...this.counters, deadLettered: this.deadLetters?.count ?? 0 }
  }

  /** Per partition of the sink's topics: end offset against the offset stored in the database. */
  async lag(): Promise<PartitionLag[]> {
    const { log, sql, groupId, topics } = this.options
    const described = await log.admin.describeTopics(topics)
    const partitions = described.flatMap((t) =>
      Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })),
    )
    const [ends, begins, stored] = await Promise.all([
      log.admin.endOffsets(partitions, this.isolation),
      log.admin.beginningOffsets(partitions),
      this.store.read(sql, groupId, topics),
    ])
    return partitions.map((tp) => {
      const end = offsetOf(ends, tp) ?? 0
      const next = offsetOf(stored, tp) ?? offsetOf(begins, tp) ?? 0
      return { ...tp, end, next, lag: Math.max(0, end - next) }
    })
  }

  /** Resolves once the database holds every record up to the end offsets seen at each check. */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (true) {
      if (this.state === 'failed') await this.done
      const lag = await this.lag()
      if (lag.every((p) => p.lag === 0)) return
      if (Date.now() > deadline) {
        const behind = lag.filter((p) => p.lag > 0).map((p) => `${tpKey(p)}: ${p.lag}`)
        throw new TributaryError(
          'LOG',
          `sink ${this.options.groupId} not caught up after ${timeoutMs} ms (${behind.join(', ')})`,
        )
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** A stored offset beyond its partition's end fails with OffsetBeyondEnd (never a silent rewind). */
  private async checkNotBeyondEnd(stored: readonly PartitionOffset[]): Promise<void> {
    if (stored.length === 0) return
    const ends = await this.options.log.admin.endOffsets(stored, 'read_uncommitted')
    for (const o of stored) {
      const end = offsetOf(ends, o)
      if (end === undefined || o.offset <= end) continue
      throw new OffsetBeyondEnd(
        `sink ${this.options.groupId}`,
        'offset stored in the database',
        o,
        o.offset,
        end,
        `set next_offset of (group_id '${this.options.groupId}', topic '${o.topic}', partition ${o.partition}) ` +
          `in ${this.store.table} to the offset to resume from (at most ${end}) and restart the sink`,
      )
    }
  }

  private async seekToStored(partitions: TopicPartition[]): Promise<void> {
    const { sql, groupId, log } = this.options
    const topics = [...new Set(partitions.map((tp) => tp.topic))]
    const stored = await this.store.read(sql, groupId, topics)
    const missing = partitions.filter((tp) => offsetOf(stored, tp) === undefined)
    const begins = missing.length > 0 ? await log.admin.beginningOffsets(missing) : []
    await this.checkNotBeyondEnd(stored.filter((o) => partitions.some((tp) => tpKey(tp) === tpKey(o))))
    for (const tp of partitions) {
      const at = offsetOf(stored, tp)
      this.stored.set(tpKey(tp), at)
      this.consumer!.seek(tp, at ?? offsetOf(begins, tp) ?? 0)
    }
    this.logger.info(
      { groupId, partitions: partitions.map((tp) => `${tpKey(tp)}@${this.consumer!.position(tp)}`) },
      'sink partitions assigned',
    )
  }

  private async run(): Promise<void> {
    let failure: unknown
    const retry = new RetryWindow(this.options.logRetryTimeoutMs ?? 300_000)
    while (this.state === 'running') {
      try {
        if (retry.failing) await this.seekToStored(this.consumer!.assignment())
        await this.step()
        retry.succeeded()
      } catch (err) {
        // Neither a storage error (the embedded log's disk full or failing) nor a stored offset
        // beyond the end passes by retrying.
        const retryable =
          isTributaryError(err, 'LOG') &&
          storageErrorOf(err) === undefined &&
          !(err instanceof OffsetBeyondEnd)
        if (!retry.failed() || !retryable) {
          failure = err
          this.logger.error({ groupId: this.options.groupId, err: String(err) }, 'sink failed; stopping')
          break
        }
        this.logger.warn(
          { groupId: this.options.groupId, err: String(err), retryInMs: retry.nextWaitMs },
          'log failure; resuming from the offsets stored in the database',
        )
        await retry.wait()
      }
    }
    await this.consumer?.close().catch(() => {})
    await this.deadLetters?.close().catch(() => {})
    this.state = failure === undefined ? 'closed' : 'failed'
    if (failure === undefined) this.settle.resolve()
    else this.settle.reject(failure)
  }

  private async step(): Promise<void> {
    const consumer = this.consumer!
    const records = await consumer.poll({
      maxRecords: this.options.maxBatchRecords ?? 1000,
      timeoutMs: this.options.pollTimeoutMs ?? 200,
    })
    const offsets = this.advancedPositions(consumer, records)
    if (offsets.length === 0) return
    try {
      await this.writeBatch(records, offsets, false).catch((err: unknown) => {
        if (this.deadLetters === undefined || !isRecordError(err)) throw err
        // Some record of the batch is refused: write the batch again, one savepoint per record.
        return this.writeBatch(records, offsets, true)
      })
    } catch (err) {
      if (!(err instanceof OffsetsMoved)) throw err
      this.counters.fenced++
      this.logger.warn(
        { groupId: this.options.groupId, partition: err.message },
        'stored offsets moved by another writer; re-reading them',
      )
      await this.seekToStored(consumer.assignment())
      return
    }
    for (const o of offsets) this.stored.set(tpKey(o), o.offset)
    this.counters.records += records.length
    this.counters.transactions++
    this.counters.lastCommitAt = Date.now()
    this.options.onCommit?.({ records, offsets })
    if (this.options.commitToLog ?? true) {
      await consumer
        .commit(offsets)
        .catch((err: unknown) =>
          this.logger.warn({ err: String(err) }, 'informational offset commit to the log failed'),
        )
    }
  }

  /**
   * One database transaction: the stored offsets checked, the records upserted, the offsets
   * written. `careful` runs each upsert under a savepoint, so that a record the database refuses
   * is rolled back alone and dead-lettered (before the commit) while the others are written.
   */
  private async writeBatch(
    records: readonly ConsumerRecord[],
    offsets: readonly PartitionOffset[],
    careful: boolean,
  ): Promise<void> {
    await this.options.sql.transaction(async (tx) => {
      const topics = [...new Set(offsets.map((o) => o.topic))]
      const current = await this.store.read(tx, this.options.groupId, topics, true)
      for (const o of offsets) {
        if (offsetOf(current, o) !== this.stored.get(tpKey(o))) throw new OffsetsMoved(tpKey(o))
      }
      let rows = 0
      const rejected: ProducerRecord[] = []
      for (const record of this.coalesce(records)) {
        if (!careful) {
          const params = this.params(record)
          if (params === null) continue
          await tx.query(this.options.upsert, params)
          rows++
          continue
        }
        await tx.query('SAVEPOINT tributary_record')
        try {
          const params = this.params(record)
          if (params !== null) await tx.query(this.options.upsert, params)
          await tx.query('RELEASE SAVEPOINT tributary_record')
          if (params !== null) rows++
        } catch (err) {
          if (!isRecordError(err)) throw err
          await tx.query('ROLLBACK TO SAVEPOINT tributary_record')
          this.logger.warn(
            { groupId: this.options.groupId, record: `${tpKey(record)}@${record.offset}`, err: String(err) },
            'the database refused a record; sending it to the dead-letter topic',
          )
          rejected.push(this.deadLetters!.record(record, err))
        }
      }
      await this.deadLetters?.send(rejected)
      await this.store.write(tx, this.options.groupId, offsets)
      this.counters.rowsWritten += rows
    })
  }

  /** Positions that moved since the last commit: after records, or past markers and aborted data. */
  private advancedPositions(consumer: Consumer, records: readonly ConsumerRecord[]): PartitionOffset[] {
    const last = new Map<string, number>()
    for (const r of records) last.set(tpKey(r), r.offset + 1)
    const out: PartitionOffset[] = []
    for (const tp of consumer.assignment()) {
      const key = tpKey(tp)
      let position: number | undefined
      try {
        position = consumer.position(tp)
      } catch {
        position = last.get(key)
      }
      if (position === undefined || position === this.stored.get(key)) continue
      const stored = this.stored.get(key)
      if (stored !== undefined && position < stored && !last.has(key)) continue
      out.push({ topic: tp.topic, partition: tp.partition, offset: position })
    }
    return out
  }

  private coalesce(records: readonly ConsumerRecord[]): readonly ConsumerRecord[] {
    const keyOf = this.options.coalesceKey
    if (keyOf === undefined) return records
    const latest = new Map<string, ConsumerRecord>()
    for (const r of records) {
      const key = keyOf(r)
      latest.delete(key) // re-insert so the map keeps the order of last occurrences
      latest.set(key, r)
    }
    return [...latest.values()]
  }

  private params(record: ConsumerRecord): readonly unknown[] | null {
    try {
      return this.options.toParams(record)
    } catch (err) {
      throw new TributaryError(
        'PROCESSING',
        `sink could not map ${tpKey(record)}@${record.offset}: ${String(err)}`,
        { cause: err },
      )
    }
  }
}
