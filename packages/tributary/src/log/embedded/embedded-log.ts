import { TributaryError } from '../../errors.ts'
import type { Admin, Consumer, ConsumerOptions, Log, Producer, ProducerOptions } from '../log.ts'
import { Broker, type BrokerSettings } from './broker.ts'
import { EmbeddedAdmin } from './embedded-admin.ts'
import { EmbeddedConsumer } from './embedded-consumer.ts'
import { EmbeddedProducer } from './embedded-producer.ts'
import type { FsyncMode } from './fsync-policy.ts'
import { Journal } from './journal.ts'
import { openDurableBroker } from './recovery.ts'
import { SyncFacet } from './sync-facet.ts'

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
  /** Records kept in memory across all partitions of a durable log (older ones are read back from
   *  disk when asked for); default 250000. Memory mode keeps everything. */
  readonly cacheRecords?: number
  /** Where recovery reports truncated corrupt data; default process.emitWarning. */
  readonly onWarning?: (message: string) => void
}

/**
 * The in-process, durable, partitioned log (see DESIGN.md): topics, keyed partitioning as Kafka,
 * consumer groups, transactions, compaction. One EmbeddedLog owns its data directory (a lock file
 * stops a second one, in this or another process).
 */
export class EmbeddedLog implements Log {
  readonly admin: Admin
  /** INTERNAL synchronous facet for the TopologyTestDriver; not part of the public API. */
  readonly sync: SyncFacet

  private constructor(private readonly broker: Broker) {
    this.admin = new EmbeddedAdmin(broker)
    this.sync = new SyncFacet(broker)
  }

  /** Opens (recovering a durable data directory). Fails with CONFIG for bad options, LOG if locked. */
  static async open(options: EmbeddedLogOptions = {}): Promise<EmbeddedLog> {
    return EmbeddedLog.openSync(options)
  }

  /** INTERNAL: `open` for synchronous callers (the TopologyTestDriver). */
  static openSync(options: EmbeddedLogOptions = {}): EmbeddedLog {
    const settings = toSettings(options)
    const broker =
      options.dataDir === undefined
        ? new Broker(settings, Journal.memory(), null)
        : openDurableBroker(options.dataDir, settings)
    return new EmbeddedLog(broker)
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
  const cacheRecords = options.cacheRecords ?? 250_000
  if (!(cacheRecords >= 0))
    throw new TributaryError('CONFIG', `cacheRecords must be >= 0, got ${cacheRecords}`)
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'TributaryWarning'))
  return { fsync, fsyncIntervalMs, compactAfterEntries, cacheRecords, warn }
}
