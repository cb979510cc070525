import type { TopicPartition } from '../../record.ts'

/**
 * Kafka's embedded consumer protocol (ConsumerProtocolSubscription and ConsumerProtocolAssignment,
 * version 0), the bytes group members exchange through JoinGroup and SyncGroup. Using the standard
 * layout keeps groups readable by Kafka's own tools (kafka-consumer-groups --describe).
 */
export interface Subscription {
  readonly topics: string[]
  readonly userData?: Buffer
}

export function encodeSubscription(subscription: Subscription): Buffer {
  return Buffer.concat([int16(0), stringArray(subscription.topics), bytes(subscription.userData ?? null)])
}

export function decodeSubscription(buffer: Buffer | null): Subscription {
  if (buffer === null || buffer.length < 2) return { topics: [] }
  const reader = new Reader(buffer)
  reader.int16()
  const topics = reader.array(() => reader.string())
  const userData = reader.remaining() >= 4 ? reader.bytes() : null
  return userData === null ? { topics } : { topics, userData }
}

export function encodeAssignment(partitions: readonly TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
  const topics = [...byTopic].map(([topic, list]) => {
    const ints = Buffer.alloc(4 + list.length * 4)
    ints.writeInt32BE(list.length, 0)
    list.forEach((p, i) => ints.writeInt32BE(p, 4 + i * 4))
    return Buffer.concat([string(topic), ints])
  })
  return Buffer.concat([int16(0), int32(topics.length), ...topics, bytes(null)])
}

export function decodeAssignment(buffer: Buffer | null): TopicPartition[] {
  if (buffer === null || buffer.length < 6) return []
  const reader = new Reader(buffer)
  reader.int16()
  return reader
    .array(() => {
      const topic = reader.string()
      return reader.array(() => reader.int32()).map((partition) => ({ topic, partition }))
    })
    .flat()
}

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}
const string = (s: string): Buffer => {
  const body = Buffer.from(s, 'utf8')
  return Buffer.concat([int16(body.length), body])
}
const stringArray = (list: readonly string[]): Buffer =>
  Buffer.concat([int32(list.length), ...list.map(string)])
const bytes = (b: Buffer | null): Buffer => (b === null ? int32(-1) : Buffer.concat([int32(b.length), b]))

class Reader {
  private at = 0
  constructor(private readonly buffer: Buffer) {}
  remaining(): number {
    return this.buffer.length - this.at
  }
  int16(): number {
    const v = this.buffer.readInt16BE(this.at)
    this.at += 2
    return v
  }
  int32(): number {
    const v = this.buffer.readInt32BE(this.at)
    this.at += 4
    return v
  }
  string(): string {
    const length = this.int16()
    const v = this.buffer.toString('utf8', this.at, this.at + length)
    this.at += length
    return v
  }
  bytes(): Buffer | null {
    const length = this.int32()
    if (length < 0) return null
    const v = Buffer.from(this.buffer.subarray(this.at, this.at + length))
    this.at += length
    return v
  }
  array<T>(item: () => T): T[] {
    const length = this.int32()
    const out: T[] = []
    for (let i = 0; i < length; i++) out.push(item())
    return out
  }
}
