import type { PartitionOffset, Producer, ProducerRecord, RecordMetadata } from '../log/log.ts'

/**
 * The app's way out to the log: buffers what tasks emit and sends it in batches through one
 * producer. Transactional (exactly-once): the first send of a commit interval begins a transaction
 * and `commitTransaction` ends it together with the input offsets; `abort` drops both.
 */
export class OutputChannel {
  private outbox: ProducerRecord[] = []
  private inTransaction = false

  constructor(
    readonly producer: Producer,
    private readonly transactional: boolean,
  ) {}

  emit(record: ProducerRecord): void {
    this.outbox.push(record)
  }

  /** Whether a commit has anything to write: buffered output or an open transaction. */
  hasWork(): boolean {
    return this.outbox.length > 0 || this.inTransaction
  }

  /** Sends the buffered records (inside the transaction when transactional). */
  async send(): Promise<RecordMetadata[]> {
    if (this.outbox.length === 0) return []
    const records = this.outbox
    this.outbox = []
    await this.begin()
    return this.producer.send(records)
  }

  /** Commits the transaction with the consumed `offsets` of `group` (a group id or member metadata). */
  async commitTransaction(
    group: Parameters<Producer['sendOffsets']>[0],
    offsets: readonly PartitionOffset[],
  ): Promise<void> {
    await this.begin()
    if (offsets.length > 0) await this.producer.sendOffsets(group, offsets)
    await this.producer.commitTransaction()
    this.inTransaction = false
  }

  /** Drops buffered output and aborts the open transaction (errors ignored: the epoch may be gone). */
  async abort(): Promise<void> {
    this.outbox = []
    if (!this.inTransaction) return
    this.inTransaction = false
    await this.producer.abortTransaction().catch(() => undefined)
  }

  private async begin(): Promise<void> {
    if (this.transactional && !this.inTransaction) {
      await this.producer.beginTransaction()
      this.inTransaction = true
    }
  }
}
