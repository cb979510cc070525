import { TributaryError } from '../../errors.ts'
import type { GroupMetadata, PartitionOffset, Producer, ProducerRecord, RecordMetadata } from '../log.ts'
import type { Broker } from './broker.ts'
import { Partitioner } from './partitioner.ts'
import { requireOpenTransaction, requireTransactionalId } from '../transaction-guards.ts'
import type { Transaction } from './transaction-coordinator.ts'

/**
 * A producer of the embedded log. Every call but a commit is applied synchronously before its
 * promise resolves; a commit waits for its syncs, off the main thread.
 * Transactional calls check the epoch first and fail with FENCED once a newer producer with the
 * same transactional id exists; out-of-order transaction calls fail with TRANSACTION.
 */
export class EmbeddedProducer implements Producer {
  private readonly partitioner = new Partitioner()
  private txn: Transaction | null = null
  /** The commit in flight (its syncs run off the main thread): no transaction begins meanwhile. */
  private committing: Promise<void> | null = null
  private closed = false

  private constructor(
    private readonly broker: Broker,
    readonly transactionalId: string | undefined,
    /** The epoch this producer got at initialisation (transactional producers only, else -1). */
    readonly epoch: number,
  ) {}

  /** Initialising a transactional producer fences older ones and aborts their open transaction,
   *  once a commit of theirs still in flight has ended (see TransactionCoordinator.settled). It
   *  waits for that commit at most `maxBlockMs` (Kafka's max.block.ms for initTransactions), then
   *  fails with code TRANSACTION having changed nothing (the older producer is not fenced). */
  static async create(broker: Broker, transactionalId: string | undefined): Promise<EmbeddedProducer> {
    broker.ensureOpen()
    if (transactionalId !== undefined && transactionalId.length === 0) {
      throw new TributaryError('CONFIG', 'transactionalId must not be empty')
    }
    if (transactionalId !== undefined) {
      await predecessorSettled(broker, transactionalId)
      broker.ensureOpen()
    }
    const epoch = transactionalId === undefined ? -1 : broker.guard(() => broker.txns.init(transactionalId))
    const producer = new EmbeddedProducer(broker, transactionalId, epoch)
    broker.clients.add(producer)
    return producer
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.check()
    if (this.transactionalId !== undefined && this.txn === null) {
      throw new TributaryError('TRANSACTION', `producer ${this.transactionalId}: send outside a transaction`)
    }
    return this.broker.append(records, this.partitioner, this.txn)
  }

  async beginTransaction(): Promise<void> {
    const id = this.requireTransactional('beginTransaction')
    if (this.txn !== null)
      throw new TributaryError('TRANSACTION', `producer ${id}: a transaction is already open`)
    if (this.committing !== null)
      throw new TributaryError('TRANSACTION', `producer ${id}: the previous commit has not finished`)
    this.txn = this.broker.txns.begin(id, this.epoch)
  }

  async sendOffsets(group: string | GroupMetadata, offsets: readonly PartitionOffset[]): Promise<void> {
    // In one process the group's generation needs no check: revocation runs before reassignment.
    const groupId = typeof group === 'string' ? group : group.groupId
    const txn = this.requireOpen('sendOffsets')
    for (const o of offsets) this.broker.registry.partition(o)
    this.broker.txns.addOffsets(txn, groupId, offsets)
  }

  /** Resolves once the commit is decided and durable (see TransactionCoordinator.commit); the
   *  syncs run off the main thread. A storage failure fails it and stops the log: recovery then
   *  decides the transaction (committed only if its decision reached the disk), never half. */
  async commitTransaction(): Promise<void> {
    const txn = this.requireOpen('commitTransaction')
    this.txn = null
    const commit = this.broker.commit(txn)
    this.committing = commit
    try {
      await commit
    } finally {
      this.committing = null
    }
    this.broker.maybeRewriteJournal()
  }

  async abortTransaction(): Promise<void> {
    const txn = this.requireOpen('abortTransaction')
    this.txn = null
    this.broker.guard(() => this.broker.txns.abort(txn))
    this.broker.maybeRewriteJournal()
  }

  /** Aborts an open transaction (unless this producer was fenced: the new one already did). A
   *  commit in flight goes on (closing the log waits for it). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.broker.clients.delete(this)
    const txn = this.txn
    this.txn = null
    if (
      txn === null ||
      this.broker.closed ||
      this.broker.failure !== null ||
      this.transactionalId === undefined
    )
      return
    try {
      this.broker.txns.check(this.transactionalId, this.epoch)
    } catch {
      return
    }
    this.broker.guard(() => this.broker.txns.abort(txn))
  }

  private check(): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the producer is closed')
    this.broker.ensureOpen()
    if (this.transactionalId !== undefined) this.broker.txns.check(this.transactionalId, this.epoch)
  }

  private requireTransactional(call: string): string {
    this.check()
    return requireTransactionalId(this.transactionalId, call)
  }

  private requireOpen(call: string): Transaction {
    return requireOpenTransaction(this.requireTransactional(call), this.txn, call)
  }
}

/** Resolves once no commit of `transactionalId` is in flight; rejects after `maxBlockMs`. */
async function predecessorSettled(broker: Broker, transactionalId: string): Promise<void> {
  const ms = broker.settings.maxBlockMs
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const id = JSON.stringify(transactionalId)
      reject(
        new TributaryError(
          'TRANSACTION',
          `initialising transactional producer ${id} waited ${ms} ms for the commit of the previous producer ` +
            `with that id, which still waits for the disk to sync it; check the disk, or raise maxBlockMs ` +
            `(EmbeddedLog option, Kafka's max.block.ms) to wait longer`,
        ),
      )
    }, ms)
  })
  try {
    await Promise.race([broker.txns.settled(transactionalId), timeout])
  } finally {
    clearTimeout(timer)
  }
}
