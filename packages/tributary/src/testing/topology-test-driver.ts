import { plainValues } from './plain-values.ts'
import type { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'
import type { TimestampedWindowStore } from '../state/window/timestamped-window-store.ts'
import { TributaryError } from '../errors.ts'
import type { ConsumerRecord, ProducerRecord } from '../log/log.ts'
import { EmbeddedLog } from '../log/embedded/embedded-log.ts'
import { silentLogger, type Logger } from '../logger.ts'
import type { Headers } from '../record.ts'
import type { Serde } from '../serde/serde.ts'
import { BufferedKeyValueStore } from '../state/buffered-store.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import { sumTaskMetrics, type TaskMetrics } from '../runtime/task-metrics.ts'
import { MemoryBackend } from '../state/memory/memory-backend.ts'
import type { ErrorPolicy } from '../runtime/error-handling.ts'
import { GlobalStateManager } from '../runtime/global-state.ts'
import { Task } from '../runtime/task.ts'
import type { Topology } from '../topology/topology.ts'
import { TestInputTopic, type TestInputTopicOptions } from './test-input-topic.ts'
import { TestOutputTopic } from './test-output-topic.ts'
import type { StreamsTestDriver } from './streams-test-driver.ts'

export interface TestDriverConfig {
  /** Prefix of internal topic names. Default 'test-driver'. */
  readonly applicationId?: string
  /** Start of the driver's wall clock. Default 0. */
  readonly initialWallClockTimeMs?: number
  /** Default 'fail', as Kafka Streams' TopologyTestDriver: `pipeInput` throws, naming the offset
   *  (a dead-lettered bug would silently shrink a test's output). */
  readonly deserializationErrors?: ErrorPolicy
  /** Default 'fail' (see `deserializationErrors`). */
  readonly processingErrors?: ErrorPolicy
  /** Default `<applicationId>-dlq`. */
  readonly deadLetterTopic?: string
  readonly logger?: Logger
}

/**
 * Runs a topology synchronously, without a runtime: every topic has one partition, so there is one
 * task per sub-topology; each piped record is processed (through repartition topics too) before
 * `pipeInput` returns. Stores are in memory whatever the topology asks for, and nothing is
 * committed: reads see every write. Wall-clock time moves only with `advanceWallClockTime`.
 * A record piped into a global table's topic updates its store before `pipeInput` returns. With
 * one partition per topic, co-partitioning of join inputs cannot be checked here (StreamsApp
 * checks it at start).
 */
export class TopologyTestDriver implements StreamsTestDriver {
  private readonly log = EmbeddedLog.openSync()
  private readonly taskByTopic = new Map<string, Task>()
  private readonly tasks: Task[] = []
  private readonly stores = new Map<string, unknown>()
  private readonly pending: ConsumerRecord[] = []
  /** Topics the topology wrote to, in order of first write (piped input does not count). */
  private readonly produced = new Set<string>()
  private readonly applicationId: string
  private readonly global: GlobalStateManager
  private wallClock: number
  private closed = false

  constructor(topology: Topology, config: TestDriverConfig = {}) {
    this.applicationId = config.applicationId ?? 'test-driver'
    this.wallClock = config.initialWallClockTimeMs ?? 0
    const env = {
      applicationId: this.applicationId,
      resolveTopic: (topic: string) =>
        topology.isInternal(topic) ? `${this.applicationId}-${topic}` : topic,
      partitionsFor: () => 1,
      emit: (record: ProducerRecord) => {
        this.produced.add(record.topic)
        this.append(record)
      },
      deserializationErrors: config.deserializationErrors ?? 'fail',
      processingErrors: config.processingErrors ?? 'fail',
      deadLetterTopic: config.deadLetterTopic ?? `${this.applicationId}-dlq`,
      maxTaskIdleMs: 0,
      logger: config.logger ?? silentLogger,
      now: () => this.wallClock,
    }
    // Global stores are shared by every task; piping into a global topic updates them at once.
    this.global = new GlobalStateManager(topology, env.logger)
    const globalStores = this.global.handles()
    for (const [name, store] of globalStores) this.stores.set(name, store)
    for (const sub of topology.subTopologies()) {
      const taskStores = new Map<string, unknown>(globalStores)
      for (const name of sub.stores) {
        const builder = topology.stores.get(name)!
        const store = builder.wrap(new BufferedKeyValueStore(name, new MemoryBackend()))
        taskStores.set(name, store)
        this.stores.set(name, store)
      }
      const task = new Task(topology, sub, 0, taskStores, env)
      for (const { topic } of task.inputs.partitions()) this.taskByTopic.set(topic, task)
      this.tasks.push(task)
    }
    this.tasks.forEach((t) => t.initialize())
    this.drain()
  }

  createInputTopic<K, V>(
    topic: string,
    key: Serde<K>,
    value: Serde<V>,
    options: TestInputTopicOptions = {},
  ): TestInputTopic<K, V> {
    if (!this.taskByTopic.has(topic) && !this.global.topics().includes(topic)) {
      throw new TributaryError(
        'TOPOLOGY',
        `topic ${topic} is not read by this topology; its sources read: ${[...this.taskByTopic.keys()].join(', ')}`,
      )
    }
    return new TestInputTopic(topic, key, value, (t, k, v, ts, h) => this.pipe(t, k, v, ts, h), options)
  }

  createOutputTopic<K, V>(topic: string, key: Serde<K>, value: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(topic, key, value, () => this.readAll(topic))
  }

  /** A table's store (timestamped) reads here as plain values; `getTimestampedKeyValueStore` keeps the timestamps. */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return plainValues(this.getStateStore(name)) as KeyValueStore<K, V>
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> {
    return this.getStateStore<TimestampedKeyValueStore<K, V>>(name)
  }

  /** A windowed aggregation's store (timestamped) reads here as plain values; `getTimestampedWindowStore` keeps the timestamps. */
  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return plainValues(this.getStateStore(name)) as WindowStore<K, V>
  }

  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> {
    return this.getStateStore<TimestampedWindowStore<K, V>>(name)
  }

  getSessionStore<K, A>(name: string): SessionStore<K, A> {
    return this.getStateStore<SessionStore<K, A>>(name)
  }

  /** Counters summed over the driver's tasks (processed, lateRecords, deadLettered, ...). */
  metrics(): TaskMetrics {
    return sumTaskMetrics(this.tasks.map((t) => t.metrics))
  }

  getStateStore<S>(name: string): S {
    const store = this.stores.get(name)
    if (store === undefined)
      throw new TributaryError(
        'STATE',
        `no store named ${name}; stores: ${[...this.stores.keys()].join(', ') || 'none'}`,
      )
    return store as S
  }

  /** Moves the wall clock and fires the wall-clock punctuations that fall due. */
  advanceWallClockTime(ms: number): void {
    this.wallClock += ms
    for (const task of this.tasks) task.punctuateWallClock(this.wallClock)
    this.drain()
  }

  /**
   * Names of the topics the topology has written to (internal ones with their prefix), including
   * topics it also reads, in order of first write.
   */
  producedTopicNames(): string[] {
    return [...this.produced]
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.tasks.forEach((t) => t.close())
    void this.log.close() // in memory: nothing to flush
  }

  private pipe(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the test driver is closed')
    this.append({ topic, key, value, timestamp, headers })
    this.drain()
  }

  /** Appends to the in-memory log (creating the topic); a record on a topic the topology reads is queued for processing. */
  private append(record: ProducerRecord): void {
    if (!this.log.sync.hasTopic(record.topic))
      this.log.sync.createTopic({ name: record.topic, partitions: 1 })
    const [meta] = this.log.sync.append([
      { ...record, partition: 0, timestamp: record.timestamp ?? this.wallClock },
    ])
    if (this.taskByTopic.has(record.topic)) this.pending.push(...this.log.sync.read(meta!, meta!.offset, 1))
    else if (this.global.topics().includes(record.topic))
      this.log.sync.read(meta!, meta!.offset, 1).forEach((r) => this.global.apply(r))
  }

  /** Processes queued records in arrival order until no task has input left. */
  private drain(): void {
    for (let record = this.pending.shift(); record !== undefined; record = this.pending.shift()) {
      const task = this.taskByTopic.get(record.topic)!
      task.push(record, [record])
      task.process()
    }
  }

  private readAll(topic: string): readonly ConsumerRecord[] {
    if (!this.log.sync.hasTopic(topic)) return []
    return this.log.sync.read({ topic, partition: 0 }, 0, Number.MAX_SAFE_INTEGER)
  }
}
