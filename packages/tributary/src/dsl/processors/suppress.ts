import { TributaryError } from '../../errors.ts'
import type { Serde } from '../../serde/serde.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import type { BufferConfig } from '../suppressed.ts'

/** Whether an update deletes the buffered entry instead of being buffered (session merges). */
export interface SuppressPolicy<K> {
  /** Stream time at which a key's buffered update is emitted; `firstBuffered` is its first buffering time. */
  deadline(key: K, firstBuffered: number): number
  /** Deletions drop the buffered entry and are not emitted (until-window-closes). */
  readonly dropDeletes: boolean
}

const INDEX = 0
const QUEUE = 1

const u64 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(8)
  b.writeBigUInt64BE(BigInt(Math.max(0, n)))
  return b
}

/**
 * Holds table updates back in a changelogged buffer store, one entry per key (the first old value,
 * the latest new value), and forwards each once stream time reaches its deadline. The store keeps
 * an index entry [0][key] -> deadline and a queue entry [1][deadline][key] -> payload, so due
 * entries are a prefix scan in deadline order.
 */
export function suppress<K, V>(
  storeName: string,
  keySerde: Serde<K>,
  changeSerde: Serde<Change<V>>,
  policy: SuppressPolicy<K>,
  buffer: BufferConfig,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let store: KeyValueStore<Buffer, Buffer>
    let context: ProcessorContext<K, Change<V>>
    let size = 0

    const payloadOf = (timestamp: number, newValue: V | null, oldValue: V | null): Buffer =>
      Buffer.concat([u64(timestamp), changeSerde.serialize({ newValue, oldValue }, storeName)])

    const emit = (queueKey: Buffer, payload: Buffer): void => {
      const keyBytes = queueKey.subarray(9)
      store.delete(queueKey)
      store.delete(Buffer.concat([Buffer.from([INDEX]), keyBytes]))
      size--
      const timestamp = Number(payload.readBigUInt64BE(0))
      const change = changeSerde.deserialize(payload.subarray(8), storeName)
      context.forward({
        key: keySerde.deserialize(keyBytes, storeName),
        value: change,
        timestamp,
        headers: {},
      })
    }

    // No queue entry's deadline is below this (a lower bound: entries only leave the queue), so
    // a record whose stream time is below it evicts nothing without scanning. Scanning on every
    // record walked, until the next commit, every entry emitted (deleted) since the last one.
    // A scan that fails part-way (a downstream error the task skips) leaves the bound at -Infinity,
    // so the next record scans again.
    let earliestDeadline = -Infinity
    const evict = (streamTime: number): void => {
      if (streamTime < earliestDeadline) return
      earliestDeadline = -Infinity
      let next = Infinity
      for (const { key, value } of store.range(Buffer.from([QUEUE]), Buffer.from([QUEUE + 1]))) {
        const deadline = Number(key.readBigUInt64BE(1))
        if (deadline > streamTime) {
          next = deadline
          break
        }
        emit(key, value)
      }
      earliestDeadline = next
    }

    return {
      init(c) {
        context = c
        store = c.getStateStore(storeName)
        for (const { key } of store.range(Buffer.from([INDEX]), Buffer.from([QUEUE])))
          if (key[0] === INDEX) size++
      },
      process(record) {
        const keyBytes = keySerde.serialize(record.key, storeName)
        const indexKey = Buffer.concat([Buffer.from([INDEX]), keyBytes])
        const existing = store.get(indexKey)
        const drop = record.value.newValue === null && policy.dropDeletes
        if (existing !== undefined) {
          // The key keeps its deadline and its first old value: only the queue entry's payload changes.
          const queueKey = Buffer.concat([Buffer.from([QUEUE]), existing, keyBytes])
          if (drop) {
            store.delete(queueKey)
            store.delete(indexKey)
            size--
          } else {
            const firstOld = changeSerde.deserialize(store.get(queueKey)!.subarray(8), storeName).oldValue
            store.put(queueKey, payloadOf(record.timestamp, record.value.newValue, firstOld))
          }
        } else if (!drop) {
          const deadline = policy.deadline(record.key, record.timestamp)
          store.put(indexKey, u64(deadline))
          earliestDeadline = Math.min(earliestDeadline, deadline)
          store.put(
            Buffer.concat([Buffer.from([QUEUE]), u64(deadline), keyBytes]),
            payloadOf(record.timestamp, record.value.newValue, record.value.oldValue),
          )
          size++
        }
        evict(context.currentStreamTimeMs())
        if (buffer.maxRecords !== undefined && size > buffer.maxRecords) {
          if (buffer.whenFull === 'shut-down') {
            throw new TributaryError(
              'STATE',
              `suppression buffer ${storeName} is full (${buffer.maxRecords} records) and whenFull is 'shut-down'`,
            )
          }
          const [oldest] = store.range(Buffer.from([QUEUE]), Buffer.from([QUEUE + 1]))
          if (oldest !== undefined) emit(oldest.key, oldest.value)
        }
      },
    }
  }
}
