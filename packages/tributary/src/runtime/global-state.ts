import { TributaryError } from '../errors.ts'
import type { Admin, Consumer, ConsumerRecord, Log } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import type { TopicPartition } from '../record.ts'
import { BufferedKeyValueStore } from '../state/buffered-store.ts'
import { MemoryBackend } from '../state/memory/memory-backend.ts'
import { TypedKeyValueStore } from '../state/typed-key-value-store.ts'
import type { GlobalStoreSpec, Topology } from '../topology/topology.ts'
import { markGlobalStore } from './global-store-handles.ts'
import { readToEnd } from './lag-tracker.ts'

interface GlobalStore {
  readonly spec: GlobalStoreSpec
  readonly bytes: BufferedKeyValueStore
  readonly typed: TypedKeyValueStore<unknown, unknown>
}

/**
 * The global stores of one instance: each holds all partitions of its topic (the topic is its own
 * changelog, so there is none). Stores live in memory and are rebuilt from the whole topic at
 * every start: `restore` reads every partition (read_committed) from the beginning to the end
 * offsets taken when it starts, before any task runs; afterwards `poll` (called from the main
 * loop, between task turns) applies what arrived since. A null value deletes its key, a null key
 * is skipped, and a record that cannot be deserialized is logged and skipped.
 */
export class GlobalStateManager {
  private readonly byTopic = new Map<string, GlobalStore>()
  private consumer: Consumer | undefined

  constructor(
    topology: Topology,
    private readonly logger: Logger,
  ) {
    for (const spec of topology.globalStores.values()) {
      const bytes = new BufferedKeyValueStore(spec.name, new MemoryBackend())
      const typed = new TypedKeyValueStore(bytes, spec.key, spec.value)
      markGlobalStore(typed)
      this.byTopic.set(spec.topic, { spec, bytes, typed })
    }
  }

  /** Store handles by name, to add to every task's stores. */
  handles(): Map<string, unknown> {
    return new Map([...this.byTopic.values()].map((s) => [s.spec.name, s.typed]))
  }

  topics(): string[] {
    return [...this.byTopic.keys()]
  }

  /** Applies one record of a global topic to its store (uncommitted until `commit`). */
  apply(record: ConsumerRecord): void {
    const store = this.byTopic.get(record.topic)
    if (store === undefined || record.key === null) return
    try {
      const key = store.spec.key.deserialize(record.key, record.topic)
      if (record.value === null) store.typed.delete(key)
      else store.typed.put(key, store.spec.value.deserialize(record.value, record.topic))
    } catch (err) {
      this.logger.warn(
        { topic: record.topic, partition: record.partition, offset: record.offset, err: String(err) },
        'skipping global table record that cannot be deserialized',
      )
    }
  }

  /** Reads every global topic from the beginning to its current end. */
  async restore(log: Log, groupId: string): Promise<void> {
    if (this.byTopic.size === 0) return
    const existing = new Set(await log.admin.listTopics())
    const missing = this.topics().filter((t) => !existing.has(t))
    if (missing.length > 0)
      throw new TributaryError(
        'CONFIG',
        `global table topic(s) ${missing.join(', ')} do not exist; create them before starting the application`,
      )
    const partitions: TopicPartition[] = (await log.admin.describeTopics(this.topics())).flatMap((d) =>
      Array.from({ length: d.partitions }, (_, partition) => ({ topic: d.name, partition })),
    )
    this.consumer = await log.consumer({ groupId, isolation: 'read_committed' })
    await this.consumer.assign(partitions)
    for (const b of await log.admin.beginningOffsets(partitions)) this.consumer.seek(b, b.offset)
    const ends = await log.admin.endOffsets(partitions, 'read_committed')
    const behind = (): boolean => ends.some((e) => this.consumer!.position(e) < e.offset)
    let restored = 0
    while (behind()) {
      const records = await this.consumer.poll({ maxRecords: 10_000, timeoutMs: 1000 })
      records.forEach((r) => this.apply(r))
      restored += records.length
      await this.commit()
    }
    this.logger.info({ topics: this.topics(), restored }, 'global stores restored')
  }

  /** Applies records that arrived since the last call; does not wait for new ones. */
  async poll(): Promise<number> {
    if (this.consumer === undefined) return 0
    const records = await this.consumer.poll({ maxRecords: 10_000, timeoutMs: 0 })
    records.forEach((r) => this.apply(r))
    await this.commit()
    return records.length
  }

  /** True when every global partition has been read to its (read_committed) end. */
  async caughtUp(admin: Admin): Promise<boolean> {
    return this.consumer === undefined || readToEnd(this.consumer, admin, 'read_committed')
  }

  async close(): Promise<void> {
    await this.consumer?.close()
    this.consumer = undefined
    await Promise.all([...this.byTopic.values()].map((s) => s.bytes.backend.close()))
  }

  private async commit(): Promise<void> {
    for (const s of this.byTopic.values()) if (s.bytes.hasPending()) await s.bytes.commit()
  }
}
