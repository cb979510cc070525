import { isTributaryError, TributaryError } from '../../errors.ts'
import { tpKey } from '../../record.ts'
import type { PartitionOffset } from '../log.ts'
import type { FsyncPolicy } from './fsync-policy.ts'
import type { GroupOffsets } from './group-offsets.ts'
import { toTuples } from './group-offsets.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import type { PartitionLog } from './partition-log.ts'
import type { Signal } from './signal.ts'
import { StorageFailure } from './storage-failure.ts'

/** One open transaction: the partitions it wrote to and the group offsets it will commit. */
export interface Transaction {
  readonly id: number
  readonly transactionalId: string
  readonly partitions: Set<PartitionLog>
  /** By group, then partition: offsets with the GroupOffsets tick they were sent at. */
  readonly offsets: Map<string, Map<string, { readonly offset: PartitionOffset; readonly sentAt: number }>>
}

type Decision = Extract<MetadataEntry, { t: 'txn' }>

interface ProducerState {
  readonly producerId: number
  epoch: number
  open: Transaction | undefined
}

/**
 * Producer epochs, fencing and the commit/abort protocol. A commit: (1) sync its data, (2) journal
 * the decision with its offsets and sync it, (3) apply the offsets (each with the tick it was sent
 * at, so a commit of their group made since then wins: see GroupOffsets), (4) write a marker to
 * every partition it touched (in 'always' mode synced before the commit resolves). The syncs run
 * off the main thread (every partition at once, then the journal); from the start of (1) the
 * transaction is no longer open, so nothing can abort it (fencing its producer or closing the
 * log lets it finish), and read_committed readers see none of it until (4). A crash or storage
 * failure after (2) is completed by recovery from the journal (or from a commit marker already
 * written); one before (2) leaves no decision and recovery aborts. A storage failure stops the
 * log (see Broker.guard), and a commit that finds the log stopped or closed after a sync writes
 * nothing more, so no abort marker ever follows a commit decision and no marker is visible
 * before its decision is on disk. Any other failure of a commit is resolved too: before the
 * decision the transaction is aborted, after it the log stops (see `undecided`,
 * `decidedButFailed`). An abort writes its markers at once (no decision is needed).
 */
export class TransactionCoordinator {
  private readonly producers = new Map<string, ProducerState>()
  private nextTxn = 1
  private nextProducerId = 1
  /** Decisions replayed from the journal; recovery uses them to finish interrupted transactions. */
  readonly decisions = new Map<number, boolean>()
  /** Commit decisions journaled whose markers are not written yet: a journal snapshot keeps them. */
  private readonly deciding = new Map<number, Decision>()
  /** The commit in flight of each transactional id (see `settled`). */
  private readonly committing = new Map<string, Promise<void>>()

  constructor(
    private readonly journal: Journal,
    private readonly offsets: GroupOffsets,
    private readonly fsync: FsyncPolicy,
    private readonly signal: Signal,
    /** Throws when the log was stopped by a storage failure or closed (checked after each sync). */
    private readonly ensureOpen: () => void,
  ) {}

  /** Replays a journal entry. */
  apply(entry: MetadataEntry): void {
    if (entry.t === 'producer') {
      this.producers.set(entry.id, { producerId: entry.producerId, epoch: entry.epoch, open: undefined })
      this.nextProducerId = Math.max(this.nextProducerId, entry.producerId + 1)
    } else if (entry.t === 'txn') {
      this.decisions.set(entry.txn, entry.commit)
      this.noteTxnId(entry.txn)
      if (entry.commit)
        for (const { group, offsets, ticks } of entry.offsets) this.offsets.apply(group, offsets, ticks)
    } else if (entry.t === 'txn-counter') {
      this.nextTxn = Math.max(this.nextTxn, entry.next)
      this.nextProducerId = Math.max(this.nextProducerId, entry.nextProducerId)
    }
  }

  /** Keeps new transaction ids above any id found in recovered partitions. */
  noteTxnId(id: number): void {
    if (id >= this.nextTxn) this.nextTxn = id + 1
  }

  /**
   * Registers a (new incarnation of a) transactional producer: bumps the epoch, which fences every
   * older producer with this id, and aborts the transaction the previous one left open.
   */
  init(transactionalId: string): number {
    const previous = this.producers.get(transactionalId)
    if (previous?.open !== undefined) this.abort(previous.open)
    const state: ProducerState = {
      producerId: previous?.producerId ?? this.nextProducerId++,
      epoch: previous === undefined ? 0 : previous.epoch + 1,
      open: undefined,
    }
    this.producers.set(transactionalId, state)
    this.journal.append(
      { t: 'producer', id: transactionalId, producerId: state.producerId, epoch: state.epoch },
      this.fsync.syncDecisions,
    )
    return state.epoch
  }

  /** Fails with code FENCED when a newer producer with this id was initialised. */
  check(transactionalId: string, epoch: number): ProducerState {
    const state = this.producers.get(transactionalId)
    if (state === undefined || state.epoch !== epoch) {
      throw new TributaryError(
        'FENCED',
        `producer ${transactionalId} (epoch ${epoch}) was fenced by a newer producer with the same transactional id`,
      )
    }
    return state
  }

  begin(transactionalId: string, epoch: number): Transaction {
    const state = this.check(transactionalId, epoch)
    if (state.open !== undefined) {
      throw new TributaryError('TRANSACTION', `producer ${transactionalId} already has an open transaction`)
    }
    const txn: Transaction = {
      id: this.nextTxn++,
      transactionalId,
      partitions: new Set(),
      offsets: new Map(),
    }
    state.open = txn
    return txn
  }

  /** Adds offsets the commit will set for `group` (Kafka's TxnOffsetCommit): a commit of the
   *  group made after this call wins over them (see GroupOffsets). */
  addOffsets(txn: Transaction, group: string, offsets: readonly PartitionOffset[]): void {
    let byPartition = txn.offsets.get(group)
    if (byPartition === undefined) txn.offsets.set(group, (byPartition = new Map()))
    const sentAt = this.offsets.tick()
    for (const o of offsets) {
      const { topic, partition, offset, metadata } = o
      byPartition.set(tpKey(o), {
        offset:
          metadata === undefined ? { topic, partition, offset } : { topic, partition, offset, metadata },
        sentAt,
      })
    }
  }

  /** Commits; see the class comment for the order of effects. */
  commit(txn: Transaction): Promise<void> {
    const id = txn.transactionalId
    const done = this.decide(txn)
    this.committing.set(id, done)
    const forget = (): void => {
      if (this.committing.get(id) === done) this.committing.delete(id)
    }
    done.then(forget, forget)
    return done
  }

  /**
   * Resolves once no commit of `transactionalId` is in flight, whatever its outcome. A new
   * incarnation of the producer initialises only then (as Kafka's InitProducerId waits for a
   * commit being completed), so it starts from that commit's offsets, or, had it failed, from
   * the ones before, and never processes the zombie's input a second time.
   */
  async settled(transactionalId: string): Promise<void> {
    for (
      let c = this.committing.get(transactionalId);
      c !== undefined;
      c = this.committing.get(transactionalId)
    )
      await c.catch(() => undefined)
  }

  private async decide(txn: Transaction): Promise<void> {
    this.detach(txn)
    let decision: Decision
    try {
      await this.fsync.beforeDecision(live(txn))
      this.ensureOpen()
      decision = { t: 'txn', txn: txn.id, commit: true, offsets: sentOffsets(txn) }
      this.journal.append(decision, false)
    } catch (err) {
      throw this.undecided(txn, err)
    }
    this.deciding.set(txn.id, decision)
    let partitions: PartitionLog[]
    try {
      await this.fsync.decided()
      this.ensureOpen()
      for (const { group, offsets, ticks } of decision.offsets) this.offsets.apply(group, offsets, ticks)
      partitions = live(txn)
      for (const p of partitions) p.appendMarker(txn.id, true)
    } catch (err) {
      throw this.decidedButFailed(txn, err)
    } finally {
      this.deciding.delete(txn.id)
    }
    for (const p of partitions) this.signal.notify(p.topic)
    await this.fsync.appendedAll(partitions)
  }

  /**
   * A commit failed before its decision was journaled. A storage failure stops the log, and so
   * does closing it: recovery aborts the transaction at the next start. Any other error (a bug,
   * an unexpected throw) leaves the log running, so the transaction is aborted now: read_committed
   * readers would otherwise wait on it for good. Returns the error the commit fails with.
   */
  private undecided(txn: Transaction, err: unknown): unknown {
    if (err instanceof StorageFailure) return err
    try {
      this.ensureOpen()
    } catch {
      return err
    }
    try {
      this.abort(txn)
    } catch (failed) {
      return failed // a storage failure writing the abort markers stops the log
    }
    return err
  }

  /**
   * A commit failed after its decision was journaled: it may be durable, so the transaction must
   * not be aborted, and the markers written so far may be partial. Unless the log already stopped
   * or closed, the failure becomes a StorageFailure, which stops the log (see Broker.guard):
   * recovery completes the commit at the next start.
   */
  private decidedButFailed(txn: Transaction, err: unknown): unknown {
    if (err instanceof StorageFailure || isTributaryError(err, 'CLOSED') || isTributaryError(err, 'LOG'))
      return err
    return new StorageFailure(this.journal.path ?? 'the embedded log', `commit of transaction ${txn.id}`, err)
  }

  /** Aborts: its markers are written (and in 'always' mode synced) before this returns. */
  abort(txn: Transaction): void {
    this.detach(txn)
    const partitions = live(txn)
    for (const p of partitions) {
      p.appendMarker(txn.id, false)
      this.fsync.appended(p)
    }
    for (const p of partitions) this.signal.notify(p.topic)
  }

  /** The transaction is no longer its producer's open one (nothing can abort it any more). */
  private detach(txn: Transaction): void {
    const state = this.producers.get(txn.transactionalId)
    if (state?.open === txn) state.open = undefined
  }

  /** Aborts every undecided transaction (log close). */
  abortAll(): void {
    for (const state of this.producers.values()) if (state.open !== undefined) this.abort(state.open)
  }

  snapshot(): MetadataEntry[] {
    const entries: MetadataEntry[] = [
      { t: 'txn-counter', next: this.nextTxn, nextProducerId: this.nextProducerId },
    ]
    for (const [id, s] of this.producers)
      entries.push({ t: 'producer', id, producerId: s.producerId, epoch: s.epoch })
    entries.push(...this.deciding.values())
    return entries
  }
}

/** The partitions a transaction wrote to whose topic still exists. */
const live = (txn: Transaction): PartitionLog[] => [...txn.partitions].filter((p) => !p.deleted)

/** A transaction's offsets by group, each with the tick it was sent at. */
const sentOffsets = (txn: Transaction): Decision['offsets'] =>
  [...txn.offsets].map(([group, byPartition]) => {
    const sent = [...byPartition.values()]
    return { group, offsets: toTuples(sent.map((s) => s.offset)), ticks: sent.map((s) => s.sentAt) }
  })
