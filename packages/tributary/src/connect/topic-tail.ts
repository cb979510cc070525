import type { Consumer, ConsumerRecord, Isolation, Log, PartitionOffset } from '../log/log.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { tpKey, type TopicPartition } from '../record.ts'

/** Where a TopicTail starts each partition. */
export type TailStart =
  | 'beginning'
  | 'end'
  /** The last `n` offsets of each partition (fewer if the partition is shorter). */
  | { readonly last: number }
  /** Explicit next offsets; partitions not listed start at the beginning. */
  | { readonly offsets: readonly PartitionOffset[] }

export interface TopicTailOptions {
  readonly log: Log
  readonly topics: readonly string[]
  /** Only names the consumer; a tail never commits offsets and joins no group. */
  readonly groupId: string
  /** Default read_committed. */
  readonly isolation?: Isolation
  /** Default 'end'. */
  readonly start?: TailStart
  /** Called with each non-empty poll, in order; the next poll waits for it. Throwing stops the
   *  tail (`done` rejects). */
  readonly onRecords: (records: readonly ConsumerRecord[]) => void | Promise<void>
  readonly pollTimeoutMs?: number
  readonly logger?: Logger
}

/**
 * Follows every partition of some topics as they grow, outside any consumer group: what a
 * dashboard, an outbox consumer feeding a UI, or a monitor needs. Partitions are those that exist
 * at start. Nothing is committed, so a restarted tail starts again from `start`.
 */
export class TopicTail {
  private consumer: Consumer | undefined
  private loop: Promise<void> | undefined
  private running = false
  private settle!: { resolve: () => void; reject: (err: unknown) => void }
  /** Resolves when the tail has closed; rejects with the error that stopped it. */
  readonly done: Promise<void>

  constructor(private readonly options: TopicTailOptions) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }))
    this.done.catch(() => {})
  }

  /** Assigns the partitions and positions them; resolves before the first record is delivered. */
  async start(): Promise<void> {
    const { log, topics, groupId } = this.options
    const described = await log.admin.describeTopics(topics)
    const partitions: TopicPartition[] = described.flatMap((t) =>
      Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })),
    )
    const isolation = this.options.isolation ?? 'read_committed'
    this.consumer = await log.consumer({ groupId, isolation })
    await this.consumer.assign(partitions)
    const positions = await this.startOffsets(partitions, isolation)
    for (const tp of partitions) this.consumer.seek(tp, positions.get(tpKey(tp)) ?? 0)
    this.running = true
    this.loop = this.run()
  }

  /** Next offset per partition (what has been delivered). */
  positions(): PartitionOffset[] {
    const c = this.consumer
    if (c === undefined) return []
    return c.assignment().map((tp) => ({ ...tp, offset: c.position(tp) }))
  }

  async close(): Promise<void> {
    this.running = false
    await this.loop
  }

  private async startOffsets(
    partitions: TopicPartition[],
    isolation: Isolation,
  ): Promise<Map<string, number>> {
    const { admin } = this.options.log
    const start = this.options.start ?? 'end'
    const begins = new Map((await admin.beginningOffsets(partitions)).map((o) => [tpKey(o), o.offset]))
    if (start === 'beginning') return begins
    if (typeof start === 'object' && 'offsets' in start) {
      const given = new Map(start.offsets.map((o) => [tpKey(o), o.offset]))
      return new Map(partitions.map((tp) => [tpKey(tp), given.get(tpKey(tp)) ?? begins.get(tpKey(tp)) ?? 0]))
    }
    const ends = await admin.endOffsets(partitions, isolation)
    const back = start === 'end' ? 0 : start.last
    return new Map(ends.map((o) => [tpKey(o), Math.max(begins.get(tpKey(o)) ?? 0, o.offset - back)]))
  }

  private async run(): Promise<void> {
    let failure: unknown
    try {
      while (this.running) {
        const records = await this.consumer!.poll({ timeoutMs: this.options.pollTimeoutMs ?? 200 })
        if (records.length > 0 && this.running) await this.options.onRecords(records)
      }
    } catch (err) {
      failure = err
      const logger = this.options.logger ?? silentLogger
      logger.error({ topics: this.options.topics, err: String(err) }, 'topic tail failed; stopping')
    }
    this.running = false
    await this.consumer?.close().catch(() => {})
    if (failure === undefined) this.settle.resolve()
    else this.settle.reject(failure)
  }
}
