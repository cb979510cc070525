import { plainValues } from './plain-values.ts'
import type { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'
import type { TimestampedWindowStore } from '../state/window/timestamped-window-store.ts'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TributaryError } from '../errors.ts'
import { EmbeddedLog } from '../log/embedded/embedded-log.ts'
import type { Log, Producer, ProducerRecord } from '../log/log.ts'
import { namespacedLog } from '../log/namespaced-log.ts'
import { silentLogger } from '../logger.ts'
import type { Serde } from '../serde/serde.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import { StreamsApp, type AppMetrics } from '../runtime/streams-app.ts'
import type { ProcessingGuarantee } from '../runtime/streams-config.ts'
import type { Topology } from '../topology/topology.ts'
import { LogInputTopic, LogOutputTopic, TopicReader } from './log-test-topics.ts'
import type { StreamsTestDriver } from './streams-test-driver.ts'
import type { TestInputTopicOptions } from './test-input-topic.ts'
import type { TestDriverConfig } from './topology-test-driver.ts'

export interface LogTestDriverConfig extends TestDriverConfig {
  /** The log to run on (e.g. `await KafkaLog.connect(...)`); not closed by the driver. Default: a
   *  new in-memory embedded log, closed with the driver. */
  readonly log?: Log
  /** Prefix of every topic, group and transactional id on `log` (see `namespacedLog`), so drivers
   *  sharing a cluster never meet. Default with `log`: a random `tributary-test-<hex>-`. */
  readonly namespace?: string
  /** Default exactly-once. */
  readonly processingGuarantee?: ProcessingGuarantee
  /** Where the app keeps its state. Default: a temporary directory, removed at close. */
  readonly dataDir?: string
}

/**
 * Runs a topology in a real StreamsApp on a log (embedded or Kafka) behind TopologyTestDriver's
 * surface, so one test can check both. The app starts at the first pipe (or clock move) after
 * creating, with one partition each, the topology's external topics and those given to
 * createInputTopic/createOutputTopic. Each pipe resolves once the app has processed it, through
 * repartition topics too, and committed (forced commits: `StreamsApp.settle`); outputs are read
 * read_committed. Stores are the running tasks' (read them after an awaited pipe). The app's wall
 * clock is the driver's, moved only by `advanceWallClockTime`. Repartition topics are never purged.
 */
export class LogTestDriver implements StreamsTestDriver {
  private readonly log: Log
  private readonly app: StreamsApp
  /** Topics to create before the next send. */
  private readonly newTopics = new Set<string>()
  private readonly staged: ProducerRecord[] = []
  private readonly produced = new Set<string>()
  private readonly readers: TopicReader[] = []
  private readonly tempDir: string | undefined
  private producer: Producer | undefined
  private starting: Promise<void> | undefined
  private wallClock: number
  private closed = false

  constructor(
    topology: Topology,
    private readonly config: LogTestDriverConfig = {},
  ) {
    const applicationId = config.applicationId ?? 'test-driver'
    const base = config.log ?? EmbeddedLog.openSync()
    const namespace =
      config.namespace ?? (config.log ? `tributary-test-${randomBytes(6).toString('hex')}-` : '')
    this.log = namespace === '' ? base : namespacedLog(base, namespace)
    this.wallClock = config.initialWallClockTimeMs ?? 0
    this.tempDir = config.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'tributary-driver-')) : undefined
    for (const topic of externalTopics(topology)) this.newTopics.add(topic)
    const changelog = (topic: string): boolean =>
      topic.startsWith(`${applicationId}-`) && topic.endsWith('-changelog')
    this.app = new StreamsApp(topology, {
      applicationId,
      dataDir: config.dataDir ?? this.tempDir!,
      log: recordingWrites(this.log, (topic) => {
        if (!changelog(topic)) this.produced.add(topic)
      }),
      processingGuarantee: config.processingGuarantee ?? 'exactly-once',
      deserializationErrors: config.deserializationErrors ?? 'fail',
      processingErrors: config.processingErrors ?? 'fail',
      ...(config.deadLetterTopic === undefined ? {} : { deadLetterTopic: config.deadLetterTopic }),
      logger: config.logger ?? silentLogger,
      clock: () => this.wallClock,
      taskTimeoutMs: 30_000,
      pollMs: 10, // settle() and close() wait for the poll in progress
      repartitionPurgeIntervalMs: Number.MAX_SAFE_INTEGER, // tests may read repartition topics
    })
  }

  createInputTopic<K, V>(
    topic: string,
    key: Serde<K>,
    value: Serde<V>,
    options: TestInputTopicOptions = {},
  ): LogInputTopic<K, V> {
    this.newTopics.add(topic)
    return new LogInputTopic(
      topic,
      key,
      value,
      (record) => this.staged.push({ ...record, partition: 0 }),
      () => this.flush(),
      options,
    )
  }

  createOutputTopic<K, V>(topic: string, key: Serde<K>, value: Serde<V>): LogOutputTopic<K, V> {
    this.newTopics.add(topic)
    const reader = new TopicReader(this.log, topic)
    this.readers.push(reader)
    return new LogOutputTopic(topic, key, value, reader, () => this.flush())
  }

  /** A table's store (timestamped) reads here as plain values; `getTimestampedKeyValueStore` keeps the timestamps. */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.#handle<KeyValueStore<K, V>>(name, plainValues)
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> {
    return this.getStateStore<TimestampedKeyValueStore<K, V>>(name)
  }

  /** A windowed aggregation's store (timestamped) reads here as plain values; `getTimestampedWindowStore` keeps the timestamps. */
  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.#handle<WindowStore<K, V>>(name, plainValues)
  }

  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> {
    return this.getStateStore<TimestampedWindowStore<K, V>>(name)
  }

  getSessionStore<K, A>(name: string): SessionStore<K, A> {
    return this.getStateStore<SessionStore<K, A>>(name)
  }

  /** A handle that forwards each call to the store of the running task (one partition: one task). */
  getStateStore<S>(name: string): S {
    return this.#handle<S>(name, (store) => store)
  }

  #handle<S>(name: string, view: (store: unknown) => unknown): S {
    const app = this.app
    const shard = (): Record<PropertyKey, unknown> => {
      const shards = app.storeShards(name)
      if (shards.length !== 1)
        throw new TributaryError(
          'STATE',
          `store ${name} is not open yet (await start() or a pipe before reading it)`,
        )
      return view(shards[0]) as Record<PropertyKey, unknown>
    }
    app.store(name) // fails at once for an unknown store name
    return new Proxy({} as object, {
      get: (_target, property) => {
        const store = shard()
        const member = store[property]
        return typeof member === 'function' ? member.bind(store) : member
      },
    }) as S
  }

  metrics(): AppMetrics {
    return this.app.metrics()
  }

  async advanceWallClockTime(ms: number): Promise<void> {
    this.wallClock += ms
    await this.flush()
  }

  async producedTopicNames(): Promise<string[]> {
    await this.flush()
    return [...this.produced]
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.starting?.catch(() => undefined)
    await this.app.close()
    await Promise.all(this.readers.map((r) => r.close()))
    await this.producer?.close()
    if (this.config.log === undefined) await this.log.close()
    if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true })
  }

  /**
   * Creates the topology's external topics, starts the app and waits until it owns its tasks (so
   * stores can be read). Optional: the first pipe, read or clock move starts it too.
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      await this.createNewTopics()
      this.producer = await this.log.producer()
      await this.app.start()
      await this.settle()
    })()
    return this.starting
  }

  private async createNewTopics(): Promise<void> {
    const names = [...this.newTopics]
    this.newTopics.clear()
    if (names.length > 0)
      await this.log.admin.createTopics(names.map((name) => ({ name, partitions: 1, retentionMs: -1 })))
  }

  /** Starts the app if needed, sends what was piped, and waits until the app has settled. */
  private async flush(): Promise<void> {
    if (this.closed) throw new TributaryError('CLOSED', 'the test driver is closed')
    await this.start()
    await this.createNewTopics()
    const records = this.staged.splice(0)
    if (records.length > 0) await this.producer!.send(records)
    await this.settle()
  }

  private async settle(): Promise<void> {
    await this.app.settle().catch(async (err: unknown) => {
      await this.app.done // the error that stopped the app, if one did
      throw err
    })
  }
}

/** Topics a topology reads or writes that it does not own: sources, global tables, fixed sinks. */
function externalTopics(topology: Topology): string[] {
  const topics = new Set<string>()
  for (const node of topology.nodes.values()) {
    if (node.kind === 'source') node.topics.forEach((t) => topics.add(t))
    if (node.kind === 'sink' && typeof node.topic === 'string') topics.add(node.topic)
  }
  for (const spec of topology.globalStores.values()) topics.add(spec.topic)
  return [...topics].filter((t) => !topology.isInternal(t))
}

/** `log` whose producers report each topic they send to. */
function recordingWrites(log: Log, onWrite: (topic: string) => void): Log {
  return {
    admin: log.admin,
    close: () => log.close(),
    consumer: (options) => log.consumer(options),
    producer: async (options) => {
      const producer = await log.producer(options)
      return {
        send: (records) => {
          records.forEach((r) => onWrite(r.topic))
          return producer.send(records)
        },
        beginTransaction: () => producer.beginTransaction(),
        sendOffsets: (group, offsets) => producer.sendOffsets(group, offsets),
        commitTransaction: () => producer.commitTransaction(),
        abortTransaction: () => producer.abortTransaction(),
        close: () => producer.close(),
      }
    },
  }
}
