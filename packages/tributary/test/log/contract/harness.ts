import assert from 'node:assert/strict'
import { isTributaryError, type ErrorCode } from '../../../src/errors.ts'
import type { TopicPartition } from '../../../src/record.ts'
import type { CleanupPolicy, Consumer, ConsumerRecord, Log, RebalanceListener } from '../../../src/log/log.ts'

export interface LogUnderTest {
  readonly log: Log
  readonly cleanup: () => Promise<void>
  /** Forces compaction of a compacted topic. It may append records whose key starts with `__`
   *  (Kafka needs one to roll its active segment); checks leave those out. */
  readonly compact: (topic: string) => Promise<void>
}

/** What each contract section gets: the log of the running test and fresh names. */
export interface ContractContext {
  readonly log: Log
  readonly subject: LogUnderTest
  /** A name no other test (or earlier run against the same broker) uses. */
  unique(prefix: string): string
  /** Creates a topic with a unique name and returns the name. */
  topic(partitions?: number, cleanupPolicy?: CleanupPolicy): Promise<string>
}

export const buf = (s: string): Buffer => Buffer.from(s)
export const str = (b: Buffer | null): string | null => (b === null ? null : b.toString())

/** Polls until `count` records arrived (or fails after `timeoutMs`). */
export async function collect(
  consumer: Consumer,
  count: number,
  timeoutMs = 15_000,
): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (records.length < count) {
    if (Date.now() > deadline) assert.fail(`expected ${count} records, got ${records.length}`)
    records.push(...(await consumer.poll({ timeoutMs: 200 })))
  }
  return records
}

/** Polls for `ms` and returns everything that arrived (used to show records stay invisible). */
export async function drain(consumer: Consumer, ms = 500): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = []
  const deadline = Date.now() + ms
  while (Date.now() < deadline)
    records.push(...(await consumer.poll({ timeoutMs: Math.max(1, deadline - Date.now()) })))
  return records
}

export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  mention?: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isTributaryError(err, code), `expected TributaryError ${code}, got ${String(err)}`)
    if (mention !== undefined)
      assert.match(err.message, new RegExp(mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    return true
  })
}

export const tp = (topic: string): TopicPartition => ({ topic, partition: 0 })
export const sortTps = (tps: readonly TopicPartition[]): string[] =>
  tps.map((tp) => `${tp.topic}:${tp.partition}`).sort()

/** Records rebalance callbacks and keeps the set of partitions the listener believes it owns. */
export class RecordingListener implements RebalanceListener {
  readonly owned = new Set<string>()
  readonly calls: string[] = []
  async onRevoked(partitions: TopicPartition[]): Promise<void> {
    this.calls.push('revoked')
    for (const p of sortTps(partitions)) this.owned.delete(p)
  }
  async onAssigned(partitions: TopicPartition[]): Promise<void> {
    this.calls.push('assigned')
    for (const p of sortTps(partitions)) this.owned.add(p)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail('condition not reached in time')
  }
}
