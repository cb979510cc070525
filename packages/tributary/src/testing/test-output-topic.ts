import type { ConsumerRecord } from '../log/log.ts'
import type { Serde } from '../serde/serde.ts'
import type { TestRecord } from './test-record.ts'

/** Reads typed records a TopologyTestDriver's topology wrote to one topic, oldest first; reading consumes them. */
export class TestOutputTopic<K, V> {
  private position = 0

  /** @internal */
  constructor(
    private readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly records: () => readonly ConsumerRecord[],
  ) {}

  isEmpty(): boolean {
    return this.getQueueSize() === 0
  }

  getQueueSize(): number {
    return this.records().length - this.position
  }

  readRecord(): TestRecord<K, V> {
    const raw = this.records()[this.position]
    if (raw === undefined) throw new Error(`no more records in ${this.topic}`)
    this.position++
    return {
      key: (raw.key === null ? null : this.keySerde.deserialize(raw.key, this.topic)) as K,
      value: (raw.value === null ? null : this.valueSerde.deserialize(raw.value, this.topic)) as V,
      timestamp: raw.timestamp,
      headers: raw.headers,
    }
  }

  readValue(): V {
    return this.readRecord().value
  }

  readKeyValue(): [K, V] {
    const { key, value } = this.readRecord()
    return [key, value]
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = []
    while (!this.isEmpty()) out.push(this.readRecord())
    return out
  }

  readValuesToList(): V[] {
    return this.readRecordsToList().map((r) => r.value)
  }

  readKeyValuesToList(): Array<[K, V]> {
    return this.readRecordsToList().map((r) => [r.key, r.value])
  }

  /** The latest value per key; a null value (tombstone) removes the key. */
  readKeyValuesToMap(): Map<K, V> {
    const map = new Map<K, V>()
    for (const { key, value } of this.readRecordsToList()) {
      if (value === null) map.delete(key)
      else map.set(key, value)
    }
    return map
  }
}
