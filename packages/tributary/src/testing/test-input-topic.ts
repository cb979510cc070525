import type { Headers } from '../record.ts'
import type { Serde } from '../serde/serde.ts'

export interface TestInputTopicOptions {
  /** Timestamp of the first record piped without one. Default 0. */
  readonly startTimestampMs?: number
  /** Added to the implicit timestamp after each record piped without one. Default 0. */
  readonly autoAdvanceMs?: number
}

/** Writes typed records into a topic of a TopologyTestDriver; each pipe is processed before it returns. */
export class TestInputTopic<K, V> {
  private nextTimestamp: number
  private readonly autoAdvanceMs: number

  /** @internal */
  constructor(
    private readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly deliver: (
      topic: string,
      key: Buffer | null,
      value: Buffer | null,
      timestamp: number,
      headers: Headers,
    ) => void,
    options: TestInputTopicOptions,
  ) {
    this.nextTimestamp = options.startTimestampMs ?? 0
    this.autoAdvanceMs = options.autoAdvanceMs ?? 0
  }

  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}): void {
    const ts = timestamp ?? this.implicitTimestamp()
    const keyBytes = key === null ? null : this.keySerde.serialize(key, this.topic)
    const valueBytes = value === null ? null : this.valueSerde.serialize(value, this.topic)
    this.deliver(this.topic, keyBytes, valueBytes, ts, headers)
  }

  /** Pipes a record with a null key. */
  pipeValue(value: V | null, timestamp?: number): void {
    this.pipeInput(null, value, timestamp)
  }

  pipeKeyValueList(entries: Iterable<readonly [K | null, V | null]>, timestamp?: number): void {
    for (const [key, value] of entries) this.pipeInput(key, value, timestamp)
  }

  pipeValueList(values: Iterable<V | null>): void {
    for (const value of values) this.pipeValue(value)
  }

  /** Pipes bytes as they are, e.g. to test how bad input is handled. */
  pipeRaw(key: Buffer | null, value: Buffer | null, timestamp?: number, headers: Headers = {}): void {
    this.deliver(this.topic, key, value, timestamp ?? this.implicitTimestamp(), headers)
  }

  advanceTime(ms: number): void {
    this.nextTimestamp += ms
  }

  private implicitTimestamp(): number {
    const ts = this.nextTimestamp
    this.nextTimestamp += this.autoAdvanceMs
    return ts
  }
}
