import { Producer as KafkaProducerClient, ProduceAcks } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import { partitionForKey } from '../murmur2.ts'
import type { GroupMetadata, PartitionOffset, Producer, ProducerRecord, RecordMetadata } from '../log.ts'
import { clientOptions, type ClientSettings } from './client-settings.ts'
import { retryCoordinator } from './coordinator-retry.ts'
import { useClientApiVersions } from './client-api-versions.ts'
import { toTributaryError } from './kafka-errors.ts'
import type { TopicMetadata } from './topic-metadata.ts'
import { awaitTransactionEnd } from './transaction-completion.ts'
import { requireOpenTransaction, requireTransactionalId } from '../transaction-guards.ts'
import { GroupCoordinator } from './wire.ts'

type Transaction = NonNullable<KafkaProducerClient['transaction']>
type State = 'ready' | 'in-transaction' | 'fenced' | 'closed'

/**
 * A producer of a KafkaLog. Partitions are chosen here (murmur2 of the key as Kafka's default
 * partitioner, round robin for null keys) and checked against the topic, so an unknown topic or
 * partition fails with LOG naming it. Producers are idempotent and wait for all in-sync replicas.
 * A transactional producer is initialised when created: that fences older producers with the same
 * transactional id (their later calls fail with FENCED) and makes the coordinator abort the
 * transaction they left open.
 */
export class KafkaProducer implements Producer {
  private readonly roundRobin = new Map<string, number>()
  /** Sends not yet answered; `close` lets them finish first, as Kafka's producer does. */
  private readonly inflight = new Set<Promise<unknown>>()
  private closing: Promise<void> | undefined
  private state: State = 'ready'
  private txn: Transaction | null = null
  /** Whether the open transaction has partitions or offsets on the broker (else ending it is local). */
  private txnTouched = false

  private constructor(
    private readonly client: KafkaProducerClient,
    /** Topic checks go through the log's admin client (the producer client would retry forever). */
    private readonly metadata: TopicMetadata,
    readonly transactionalId: string | undefined,
    private readonly onClose: () => void,
  ) {}

  static async create(
    settings: ClientSettings,
    metadata: TopicMetadata,
    transactionalId: string | undefined,
    onClose: () => void,
  ): Promise<KafkaProducer> {
    if (transactionalId !== undefined && transactionalId.length === 0) {
      throw new TributaryError('CONFIG', 'transactionalId must not be empty')
    }
    const transactional = transactionalId !== undefined
    const base = clientOptions(settings, transactional ? 'txn-producer' : 'producer')
    const client = new KafkaProducerClient({
      ...base,
      // An idempotent client turns retries <= 1 into "retry forever"; keep a bound.
      ...(typeof base.retries === 'number' && base.retries < 2 ? { retries: 2 } : {}),
      // Idempotent always (Kafka's default since 3.0): the client resends a whole request when
      // one of its partitions fails, and the broker must drop what already landed.
      idempotent: true,
      ...(transactional ? { transactionalId, timeout: settings.transactionTimeoutMs } : {}),
    })
    useClientApiVersions(client)
    const producer = new KafkaProducer(client, metadata, transactionalId, onClose)
    if (transactional) {
      try {
        // Beginning a transaction runs FindCoordinator and InitProducerId (the fencing step);
        // nothing reaches the broker's transaction log until a partition is added, so
        // cancelling it is local.
        const txn = await beginTransaction(client, { producerId: -1n, producerEpoch: -1 })
        await txn.cancel()
      } catch (err) {
        await client.close().catch(() => undefined)
        throw toTributaryError(err, `initialising transactional producer ${transactionalId}`)
      }
    }
    return producer
  }

  async send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    this.check()
    const sending = this.doSend(records)
    this.inflight.add(sending)
    try {
      return await sending
    } finally {
      this.inflight.delete(sending)
    }
  }

  private async doSend(records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (this.transactionalId !== undefined && this.txn === null) {
      throw new TributaryError('TRANSACTION', `producer ${this.transactionalId}: send outside a transaction`)
    }
    if (records.length === 0) return []
    const partitions = await this.partitionsFor(records)
    const messages = records.map((r, i) => ({
      topic: r.topic,
      partition: partitions[i]!,
      ...(r.key === null ? {} : { key: r.key }),
      ...(r.value === null ? {} : { value: r.value }),
      timestamp: BigInt(r.timestamp ?? Date.now()),
      headers: new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), v])),
    }))
    const topics = [...new Set(records.map((r) => r.topic))].join(', ')
    let result
    try {
      if (this.txn !== null) {
        this.txnTouched = true
        // The client adds the partitions to the transaction (AddPartitionsToTxn, at the
        // coordinator) before it produces anything, so a coordinator error means nothing was
        // written and the send can be repeated whole.
        const txn = this.txn
        result = await retryCoordinator(() => txn.send({ messages }))
      } else {
        result = await this.client.send({ messages, acks: ProduceAcks.ALL })
      }
    } catch (err) {
      throw this.fail(err, `send to ${topics}`)
    }
    // The broker reports a base offset per partition; records of a partition follow it in order.
    const next = new Map<string, number>()
    for (const o of result.offsets ?? []) next.set(`${o.topic}:${o.partition}`, Number(o.offset))
    return messages.map((m) => {
      const key = `${m.topic}:${m.partition}`
      const offset = next.get(key)
      if (offset === undefined) throw new TributaryError('LOG', `no offset reported for ${key}`)
      next.set(key, offset + 1)
      return { topic: m.topic, partition: m.partition, offset }
    })
  }

  async beginTransaction(): Promise<void> {
    const id = this.requireTransactional('beginTransaction')
    if (this.txn !== null)
      throw new TributaryError('TRANSACTION', `producer ${id}: a transaction is already open`)
    try {
      this.txn = await beginTransaction(this.client)
      this.txnTouched = false
      this.state = 'in-transaction'
    } catch (err) {
      throw this.fail(err, `producer ${id}: beginTransaction`)
    }
  }

  /**
   * Adds the offsets through TxnOffsetCommit. With a consumer's GroupMetadata the request carries
   * its generation and member id and the group coordinator refuses it (ILLEGAL_GENERATION,
   * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID: code LOG) once the group has moved on, as Java's
   * `sendOffsetsToTransaction(offsets, consumer.groupMetadata())`; with only a group id the
   * generation is -1 and not checked.
   */
  async sendOffsets(group: string | GroupMetadata, offsets: readonly PartitionOffset[]): Promise<void> {
    const txn = this.requireOpen('sendOffsets')
    const { groupId, generationId, memberId } =
      typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '' } : group
    if (offsets.length === 0) return
    await this.metadata.check(offsets)
    try {
      this.txnTouched = true
      // AddOffsetsToTxn is safe to repeat within a transaction (the same group again); the
      // TxnOffsetCommit below retries through GroupCoordinator.
      await retryCoordinator(() => txn.addConsumer({ groupId } as never))
      // One raw TxnOffsetCommit for all offsets (the client's addOffset sends one per offset and
      // drops the commit metadata).
      const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
        name,
        partitions: offsets
          .filter((o) => o.topic === name)
          .map((o) => ({
            partitionIndex: o.partition,
            committedOffset: BigInt(o.offset),
            committedLeaderEpoch: -1,
            committedMetadata: o.metadata ?? null,
          })),
      }))
      await new GroupCoordinator(this.client, groupId).call(
        'TxnOffsetCommit',
        this.transactionalId,
        groupId,
        this.client.producerId,
        this.client.producerEpoch,
        generationId,
        memberId,
        null,
        topics,
      )
    } catch (err) {
      throw this.fail(err, `producer ${this.transactionalId}: sendOffsets for group ${groupId}`)
    }
  }

  async commitTransaction(): Promise<void> {
    await this.end('commitTransaction', true)
  }

  async abortTransaction(): Promise<void> {
    await this.end('abortTransaction', false)
  }

  /** Lets pending sends finish, aborts an open transaction (unless fenced: the successor
   *  already did) and disconnects. Calls made meanwhile fail with CLOSED. */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inflight])
    const abort = this.state === 'in-transaction' && this.txnTouched
    this.state = 'closed'
    const txn = this.txn
    this.txn = null
    try {
      if (txn !== null) await (abort ? txn.abort() : txn.cancel()).catch(() => undefined)
      await this.client.close(true)
    } finally {
      this.onClose()
    }
  }

  private async end(call: string, commit: boolean): Promise<void> {
    const txn = this.requireOpen(call)
    try {
      if (!this.txnTouched) await txn.cancel()
      else {
        // EndTxn refused by a moved or loading coordinator was not acted on: ask again.
        await retryCoordinator(() => (commit ? txn.commit() : txn.abort()))
        const coordinatorId = this.client.coordinatorId
        if (coordinatorId !== undefined)
          await awaitTransactionEnd(this.client, coordinatorId, this.transactionalId!)
      }
    } catch (err) {
      throw this.fail(err, `producer ${this.transactionalId}: ${call}`)
    }
    this.txn = null
    this.state = 'ready'
  }

  private async partitionsFor(records: readonly ProducerRecord[]): Promise<number[]> {
    const topics = [...new Set(records.map((r) => r.topic))]
    let layouts = await this.metadata.get(topics)
    const explicit = records
      .filter((r) => r.partition !== undefined)
      .map((r) => ({ topic: r.topic, partition: r.partition! }))
    // The check refreshes a topic that has grown: read the counts again after it.
    if (explicit.length > 0) {
      await this.metadata.check(explicit)
      layouts = await this.metadata.get(topics)
    }
    const counts = new Map(topics.map((topic, i) => [topic, layouts[i]!.partitionsCount]))
    const out: number[] = []
    for (const r of records) {
      if (r.partition !== undefined) out.push(r.partition)
      else {
        const count = counts.get(r.topic)!
        if (r.key !== null) out.push(partitionForKey(r.key, count))
        else {
          const n = this.roundRobin.get(r.topic) ?? 0
          this.roundRobin.set(r.topic, n + 1)
          out.push(n % count)
        }
      }
    }
    return out
  }

  /** Maps a client error; a fenced producer stays fenced. */
  private fail(err: unknown, what: string): TributaryError {
    const mapped = toTributaryError(err, what)
    if (mapped.code === 'FENCED') {
      this.state = 'fenced'
      this.txn = null
    }
    return mapped
  }

  private check(): void {
    if (this.closing !== undefined) throw new TributaryError('CLOSED', 'the producer is closed')
    if (this.state === 'fenced') {
      throw new TributaryError(
        'FENCED',
        `producer ${this.transactionalId} was fenced by a newer producer with its id`,
      )
    }
  }

  private requireTransactional(call: string): string {
    this.check()
    return requireTransactionalId(this.transactionalId, call)
  }

  private requireOpen(call: string): Transaction {
    return requireOpenTransaction(this.requireTransactional(call), this.txn, call)
  }
}

/**
 * Begins a transaction on the client, repeating FindCoordinator/InitProducerId on coordinator
 * errors. A failed begin leaves the client holding the half-begun transaction (its next begin
 * would say "already active"), so it is cancelled before the next attempt.
 */
function beginTransaction(
  client: KafkaProducerClient,
  options?: { producerId: bigint; producerEpoch: number },
): Promise<Transaction> {
  return retryCoordinator(() => client.beginTransaction(options), {
    beforeRetry: async () => {
      await client.transaction?.cancel().catch(() => undefined)
    },
  })
}
