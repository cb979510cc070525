import { randomUUID } from 'node:crypto'
import { TributaryError } from '../../errors.ts'
import { sameTopicPartition, tpKey, type TopicPartition } from '../../record.ts'
import { OffsetBeyondEnd } from '../offset-beyond-end.ts'
import type {
  Consumer,
  ConsumerOptions,
  ConsumerRecord,
  Isolation,
  PartitionOffset,
  RebalanceListener,
  SubscribeOptions,
} from '../log.ts'
import type { Broker } from './broker.ts'
import { groupWakeKey } from './group-coordinator.ts'
import type { PartitionLog } from './partition-log.ts'
import { rangeAssignor } from './range-assignor.ts'

export const DEFAULT_MAX_RECORDS = 1000
export const DEFAULT_POLL_TIMEOUT_MS = 1000
let memberSeq = 0

/**
 * A consumer of the embedded log. `poll` first settles group changes (runs onRevoked for
 * partitions it must give up, then onAssigned for partitions it gained; each only when non-empty)
 * and then returns records of its partitions, `maxRecords` shared among them (see fetch),
 * long-polling until data, a group change, `close` or the timeout. Positions of newly owned
 * partitions start at the committed offset, else at `autoOffsetReset`; a position out of range
 * (a seek past the end, records deleted by retention) is reset likewise, a committed offset past
 * the end is an error (see positionOf).
 */
export class EmbeddedConsumer implements Consumer {
  readonly memberId = `member-${String(++memberSeq).padStart(6, '0')}-${randomUUID().slice(0, 8)}`
  private readonly groupId: string
  private readonly isolation: Isolation
  private readonly reset: 'earliest' | 'latest'
  private mode: 'none' | 'assign' | 'subscribe' = 'none'
  private manual: TopicPartition[] = []
  private topics: string[] = []
  private listener: RebalanceListener | undefined
  private readonly positions = new Map<string, number>()
  private readonly paused = new Set<string>()
  private cursor = 0
  private closed = false
  /** Partitions whose out-of-range committed offset was already reported. */
  private readonly reported = new Set<string>()

  constructor(
    private readonly broker: Broker,
    options: ConsumerOptions,
  ) {
    broker.ensureOpen()
    this.groupId = options.groupId
    this.isolation = options.isolation ?? 'read_uncommitted'
    this.reset = options.autoOffsetReset ?? 'earliest'
    broker.clients.add(this)
  }

  assignment(): TopicPartition[] {
    if (this.mode === 'subscribe') return this.broker.groups.owned(this.groupId, this.memberId)
    return [...this.manual]
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.check()
    if (this.mode === 'subscribe')
      throw new TributaryError('LOG', 'assign after subscribe: use one or the other')
    for (const tp of partitions) this.broker.registry.partition(tp)
    const unique = new Map(partitions.map((tp) => [tpKey(tp), { topic: tp.topic, partition: tp.partition }]))
    for (const key of this.positions.keys()) if (!unique.has(key)) this.positions.delete(key)
    this.manual = [...unique.values()]
    this.mode = 'assign'
  }

  async subscribe(topics: readonly string[], options: SubscribeOptions = {}): Promise<void> {
    this.check()
    if (this.mode === 'assign')
      throw new TributaryError('LOG', 'subscribe after assign: use one or the other')
    this.topics = [...topics]
    this.listener = options.listener
    this.mode = 'subscribe'
    this.broker.groups.join(
      this.groupId,
      this.memberId,
      topics,
      options.assignor ?? rangeAssignor,
      options.userData,
    )
  }

  async poll(options: { maxRecords?: number; timeoutMs?: number } = {}): Promise<ConsumerRecord[]> {
    this.check()
    if (this.mode === 'none') throw new TributaryError('LOG', 'poll before assign or subscribe')
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS)
    while (true) {
      if (this.mode === 'subscribe') await this.settleGroup()
      if (this.closed || this.broker.closed) return []
      const { records, advanced } = this.fetch(maxRecords)
      const remaining = deadline - Date.now()
      // Skipping only markers or aborted records also returns at once, so callers waiting for a
      // position (e.g. restoring to an end offset) need not wait out the timeout.
      if (records.length > 0 || advanced || remaining <= 0) return records
      await this.broker.signal.wait(this.wakeKeys(), remaining)
    }
  }

  seek(partition: TopicPartition, offset: number): void {
    this.requireAssigned(partition)
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new TributaryError('LOG', `invalid offset ${offset}`)
    this.positions.set(tpKey(partition), offset)
  }

  position(partition: TopicPartition): number {
    this.requireAssigned(partition)
    return this.positionOf(partition, this.broker.registry.partition(partition))
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(tpKey(tp))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tpKey(tp))
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    this.check()
    for (const o of offsets) this.broker.registry.partition(o)
    this.broker.guard(() =>
      this.broker.offsets.commit(this.groupId, offsets, this.broker.fsync.syncEachEntry),
    )
    this.broker.maybeRewriteJournal()
  }

  async committed(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    this.check()
    return this.broker.offsets.get(this.groupId, partitions)
  }

  /** Revokes owned partitions through the listener, leaves the group and ends any pending poll. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.broker.clients.delete(this)
    if (this.mode === 'subscribe') {
      const owned = this.assignment()
      try {
        if (owned.length > 0 && !this.broker.closed) await this.listener?.onRevoked(owned)
      } finally {
        this.broker.groups.leave(this.groupId, this.memberId)
      }
    }
    this.broker.signal.notify(this.ownWakeKey())
  }

  /** Runs the listener for a rebalance; partitions are released even if onRevoked throws. */
  private async settleGroup(): Promise<void> {
    const groups = this.broker.groups
    const revoked = groups.revocations(this.groupId, this.memberId)
    if (revoked.length > 0) {
      try {
        await this.listener?.onRevoked(revoked)
      } finally {
        groups.release(this.groupId, this.memberId, revoked)
        for (const tp of revoked) this.forget(tp)
      }
    }
    if (this.closed) return
    const gained = groups.acquire(this.groupId, this.memberId)
    if (gained.length > 0) {
      for (const tp of gained) this.forget(tp)
      await this.listener?.onAssigned(gained)
    }
  }

  /**
   * Up to `max` records of the unpaused partitions, starting each poll at the next partition in
   * turn. `max` is shared evenly among the partitions with records (what one leaves goes to the
   * others), so a partition with a backlog does not fill whole polls while the others wait (the
   * Kafka consumer shares its fetched records likewise), and the runtime, which keeps its tasks in
   * event-time step, gets records of every partition in each poll rather than one partition's
   * far ahead of the rest.
   */
  private fetch(max: number): { records: ConsumerRecord[]; advanced: boolean } {
    const partitions = this.assignment()
    const out: ConsumerRecord[] = []
    let open: [TopicPartition, string, PartitionLog][] = []
    const count = partitions.length
    for (let k = 0; k < count; k++) {
      const tp = partitions[(this.cursor + k) % count]!
      const key = tpKey(tp)
      if (this.paused.has(key)) continue
      const log = this.broker.registry.find(tp.topic)?.partitions[tp.partition]
      if (log !== undefined) open.push([tp, key, log])
    }
    this.cursor = count === 0 ? 0 : (this.cursor + 1) % count
    let advanced = false
    // Each pass gives every partition that filled its share in the last an equal share of what
    // is left; one that returns less has nothing more to read now.
    while (open.length > 0 && out.length < max) {
      const share = Math.ceil((max - out.length) / open.length)
      const filled: typeof open = []
      for (const entry of open) {
        const [tp, key, log] = entry
        const want = Math.min(share, max - out.length)
        if (want === 0) break
        const from = this.positionOf(tp, log)
        const before = out.length
        const next = log.read(from, want, this.isolation, out)
        if (next !== from) advanced = true
        this.positions.set(key, next)
        if (out.length - before === want) filled.push(entry)
      }
      open = filled
    }
    return { records: out, advanced }
  }

  /**
   * The position of an owned partition. A position out of range (past the end after a seek, or
   * below the log start offset after retention or deleteRecordsBefore) starts over from the
   * committed offset, or `autoOffsetReset` when there is none or it is below the log start (as
   * Kafka's OffsetOutOfRange handling). A committed offset past the end fails with code LOG (as
   * Kafka's auto.offset.reset=none): the records the group had read are gone, and resetting
   * silently would re-read or skip data, so an operator decides (reported as 'offset-out-of-range').
   */
  private positionOf(tp: TopicPartition, log: PartitionLog): number {
    const key = tpKey(tp)
    const position = this.positions.get(key)
    if (position !== undefined && position <= log.nextOffset && position >= log.startOffset) return position
    const committed = this.broker.offsets.offsetOf(this.groupId, tp)
    if (committed !== undefined && committed > log.nextOffset) throw this.beyondEnd(key, committed, log)
    const start =
      committed !== undefined && committed >= log.startOffset
        ? committed
        : this.reset === 'earliest'
          ? log.startOffset
          : log.endOffset(this.isolation)
    if (committed !== undefined && committed < log.startOffset) {
      this.broker.settings.warn(
        `tributary: group ${this.groupId}: committed offset ${committed} of ${key} is below the log start offset ` +
          `${log.startOffset} (retention or deleteRecordsBefore deleted records it had not read); continuing from ${start} (autoOffsetReset '${this.reset}')`,
      )
    }
    this.positions.set(key, start)
    return start
  }

  private beyondEnd(key: string, committed: number, log: PartitionLog): OffsetBeyondEnd {
    const error = new OffsetBeyondEnd(
      `group ${this.groupId}`,
      'committed offset',
      { topic: log.topic, partition: log.partition },
      committed,
      log.nextOffset,
      'commit the offset to resume from for this group',
    )
    if (!this.reported.has(key)) {
      this.reported.add(key)
      this.broker.settings.problems.report('offset-out-of-range', log.file?.path ?? key, error.message)
    }
    return error
  }

  private forget(tp: TopicPartition): void {
    this.positions.delete(tpKey(tp))
    this.paused.delete(tpKey(tp))
  }

  private wakeKeys(): string[] {
    const topics = this.mode === 'subscribe' ? this.topics : this.manual.map((tp) => tp.topic)
    return [...new Set(topics), groupWakeKey(this.groupId), this.ownWakeKey()]
  }

  private ownWakeKey(): string {
    return `consumer:${this.memberId}`
  }

  private requireAssigned(tp: TopicPartition): void {
    // Called per position(), which the runtime asks often: no key strings unless it fails.
    if (!this.assignment().some((a) => sameTopicPartition(a, tp))) {
      throw new TributaryError('LOG', `partition ${tpKey(tp)} is not assigned to this consumer`)
    }
  }

  private check(): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the consumer is closed')
    this.broker.ensureOpen()
  }
}
