import type { fetchV17 } from '@platformatic/kafka'
import type { Headers } from '../../record.ts'
import type { ConsumerRecord, Isolation } from '../log.ts'

const TRANSACTIONAL = 1 << 4
const CONTROL = 1 << 5
const LOG_APPEND_TIME = 1 << 3
/** Control record type of an abort marker (the key is version int16 + type int16). */
const ABORT_MARKER = 0

export interface DecodedPartition {
  readonly records: ConsumerRecord[]
  /** The position after everything this response covered, markers and aborted data included. */
  readonly next: number
}

/**
 * The records of one partition of a fetch response, from offset `from` on. Control batches
 * (transaction markers) are skipped. Under read_committed, data of aborted transactions is
 * skipped as Kafka's Java consumer does: a producer's batches count as aborted from the first
 * offset the broker lists for its aborted transaction until its abort marker. Offsets of skipped
 * records leave gaps; `next` still moves past them.
 */
export function decodePartition(
  topic: string,
  partition: number,
  response: fetchV17.FetchResponsePartition,
  from: number,
  isolation: Isolation,
): DecodedPartition {
  const records: ConsumerRecord[] = []
  let next = from
  const aborted =
    isolation === 'read_committed'
      ? [...(response.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
      : []
  const abortedProducers = new Set<bigint>()
  for (const batch of response.records ?? []) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    if (last < BigInt(from)) continue
    while (aborted.length > 0 && aborted[0]!.firstOffset <= last)
      abortedProducers.add(aborted.shift()!.producerId)
    next = Number(last) + 1
    if (batch.attributes & CONTROL) {
      const type = batch.records[0]?.key?.readInt16BE(2)
      if (type === ABORT_MARKER) abortedProducers.delete(batch.producerId)
      continue
    }
    if (batch.attributes & TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0
    for (const record of batch.records) {
      const offset = Number(batch.firstOffset) + record.offsetDelta
      if (offset < from) continue
      records.push({
        topic,
        partition,
        offset,
        key: record.key ?? null,
        value: record.value ?? null,
        timestamp: Number(appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
        headers: toHeaders(record.headers),
      })
    }
  }
  return { records, next }
}

function toHeaders(raw: readonly [Buffer | null, Buffer | null][]): Headers {
  const headers: Headers = {}
  for (const [key, value] of raw) if (key !== null) headers[key.toString()] = value ?? Buffer.alloc(0)
  return headers
}
