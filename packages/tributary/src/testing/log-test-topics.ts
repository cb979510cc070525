import type { Consumer, ConsumerRecord, Log, ProducerRecord } from '../log/log.ts'
import type { Headers } from '../record.ts'
import type { Serde } from '../serde/serde.ts'
import type { InputTopic, OutputTopic } from './streams-test-driver.ts'
import { TestInputTopic, type TestInputTopicOptions } from './test-input-topic.ts'
import { TestOutputTopic } from './test-output-topic.ts'
import type { TestRecord } from './test-record.ts'

/** A LogTestDriver's input topic: TestInputTopic's encoding, then one send and settle per call. */
export class LogInputTopic<K, V> implements InputTopic<K, V> {
  private readonly encoder: TestInputTopic<K, V>

  /** @internal */
  constructor(
    topic: string,
    key: Serde<K>,
    value: Serde<V>,
    stage: (record: ProducerRecord) => void,
    private readonly flush: () => Promise<void>,
    options: TestInputTopicOptions,
  ) {
    const deliver = (t: string, k: Buffer | null, v: Buffer | null, timestamp: number, headers: Headers) =>
      stage({ topic: t, key: k, value: v, timestamp, headers })
    this.encoder = new TestInputTopic(topic, key, value, deliver, options)
  }

  pipeInput(key: K | null, value: V | null, timestamp?: number, headers?: Headers): Promise<void> {
    this.encoder.pipeInput(key, value, timestamp, headers)
    return this.flush()
  }

  pipeValue(value: V | null, timestamp?: number): Promise<void> {
    this.encoder.pipeValue(value, timestamp)
    return this.flush()
  }

  pipeKeyValueList(entries: Iterable<readonly [K | null, V | null]>, timestamp?: number): Promise<void> {
    this.encoder.pipeKeyValueList(entries, timestamp)
    return this.flush()
  }

  pipeValueList(values: Iterable<V | null>): Promise<void> {
    this.encoder.pipeValueList(values)
    return this.flush()
  }

  pipeRaw(key: Buffer | null, value: Buffer | null, timestamp?: number, headers?: Headers): Promise<void> {
    this.encoder.pipeRaw(key, value, timestamp, headers)
    return this.flush()
  }

  advanceTime(ms: number): void {
    this.encoder.advanceTime(ms)
  }
}

/** Reads a topic's partition 0 read_committed, keeping what it has read. */
export class TopicReader {
  readonly records: ConsumerRecord[] = []
  private consumer: Consumer | undefined

  constructor(
    private readonly log: Log,
    private readonly topic: string,
  ) {}

  /** Reads up to the topic's current (last stable) end. */
  async catchUp(): Promise<void> {
    const tp = { topic: this.topic, partition: 0 }
    if (this.consumer === undefined) {
      this.consumer = await this.log.consumer({
        groupId: `reader-${this.topic}`,
        isolation: 'read_committed',
      })
      await this.consumer.assign([tp])
      const [start] = await this.log.admin.beginningOffsets([tp])
      this.consumer.seek(tp, start!.offset)
    }
    const [end] = await this.log.admin.endOffsets([tp], 'read_committed')
    while (this.consumer.position(tp) < end!.offset)
      this.records.push(...(await this.consumer.poll({ maxRecords: 10_000, timeoutMs: 200 })))
  }

  async close(): Promise<void> {
    await this.consumer?.close()
  }
}

/** A LogTestDriver's output topic: settles the app, reads what is new, then TestOutputTopic's reads. */
export class LogOutputTopic<K, V> implements OutputTopic<K, V> {
  private readonly decoder: TestOutputTopic<K, V>

  /** @internal */
  constructor(
    topic: string,
    key: Serde<K>,
    value: Serde<V>,
    private readonly reader: TopicReader,
    private readonly flush: () => Promise<void>,
  ) {
    this.decoder = new TestOutputTopic(topic, key, value, () => reader.records)
  }

  private async read<T>(take: (decoder: TestOutputTopic<K, V>) => T): Promise<T> {
    await this.flush()
    await this.reader.catchUp()
    return take(this.decoder)
  }

  isEmpty = (): Promise<boolean> => this.read((d) => d.isEmpty())
  getQueueSize = (): Promise<number> => this.read((d) => d.getQueueSize())
  readRecord = (): Promise<TestRecord<K, V>> => this.read((d) => d.readRecord())
  readValue = (): Promise<V> => this.read((d) => d.readValue())
  readKeyValue = (): Promise<[K, V]> => this.read((d) => d.readKeyValue())
  readRecordsToList = (): Promise<TestRecord<K, V>[]> => this.read((d) => d.readRecordsToList())
  readValuesToList = (): Promise<V[]> => this.read((d) => d.readValuesToList())
  readKeyValuesToList = (): Promise<Array<[K, V]>> => this.read((d) => d.readKeyValuesToList())
  readKeyValuesToMap = (): Promise<Map<K, V>> => this.read((d) => d.readKeyValuesToMap())
}
