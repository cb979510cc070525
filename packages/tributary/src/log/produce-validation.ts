import { TributaryError } from '../errors.ts'
import type { ProducerRecord } from './log.ts'

/** Kafka's default `max.message.bytes` (1 MiB plus batch overhead): the default record limit. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_588
/** Header count and header name bytes are stored as 16-bit numbers. */
export const MAX_HEADERS = 65_535
export const MAX_HEADER_NAME_BYTES = 65_535
/** Bytes a record takes besides its key, value and headers (an upper bound of the log's framing). */
const RECORD_OVERHEAD_BYTES = 64

/**
 * Checks every record of a `send` before anything is written, failing with code LOG naming the
 * record, the field and the limit: topic a non-empty string; key and value Buffers or null;
 * partition a non-negative integer; timestamp a non-negative safe integer; headers a plain object
 * of at most MAX_HEADERS Buffers with names of at most MAX_HEADER_NAME_BYTES UTF-8 bytes; and the
 * record's size (key, value, header names and values, plus framing) at most `maxRecordBytes`.
 */
export function validateProducerRecords(records: readonly ProducerRecord[], maxRecordBytes: number): void {
  if (!Array.isArray(records)) throw invalid(-1, 'records', `must be an array, got ${describe(records)}`)
  for (let i = 0; i < records.length; i++) validateRecord(records[i], i, maxRecordBytes)
}

function validateRecord(record: ProducerRecord | undefined, i: number, maxRecordBytes: number): void {
  if (typeof record !== 'object' || record === null)
    throw invalid(i, 'record', `must be an object, got ${describe(record)}`)
  const { topic, key, value, partition, timestamp, headers } = record
  if (typeof topic !== 'string' || topic.length === 0)
    throw invalid(i, 'topic', `must be a non-empty string, got ${describe(topic)}`)
  if (key !== null && !Buffer.isBuffer(key))
    throw invalid(i, 'key', `must be a Buffer or null, got ${describe(key)}`)
  if (value !== null && !Buffer.isBuffer(value))
    throw invalid(i, 'value', `must be a Buffer or null, got ${describe(value)}`)
  if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0))
    throw invalid(i, 'partition', `must be a non-negative integer, got ${describe(partition)}`)
  if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && timestamp >= 0))
    throw invalid(
      i,
      'timestamp',
      `must be a non-negative integer of milliseconds, got ${describe(timestamp)}`,
    )
  let size = RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + (value?.length ?? 0)
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
      throw invalid(i, 'headers', `must be an object of Buffers, got ${describe(headers)}`)
    let count = 0
    for (const name in headers) {
      if (++count > MAX_HEADERS) throw invalid(i, 'headers', `has more than ${MAX_HEADERS} headers`)
      const bytes = headers[name]
      if (!Buffer.isBuffer(bytes))
        throw invalid(i, `header ${clip(name)}`, `must be a Buffer, got ${describe(bytes)}`)
      const nameBytes = Buffer.byteLength(name)
      if (nameBytes > MAX_HEADER_NAME_BYTES)
        throw invalid(
          i,
          'header name',
          `${clip(name)} is ${nameBytes} bytes; the limit is ${MAX_HEADER_NAME_BYTES}`,
        )
      size += 6 + nameBytes + bytes.length
    }
  }
  if (size > maxRecordBytes) {
    throw invalid(
      i,
      'size',
      `is ${size} bytes (key, value and headers); the limit is ${maxRecordBytes} (option maxRecordBytes)`,
    )
  }
}

function invalid(index: number, field: string, problem: string): TributaryError {
  const where = index < 0 ? 'send' : `send: record ${index}`
  return new TributaryError('LOG', `${where}: ${field} ${problem}`)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `a string`
  if (typeof v === 'number') return `the number ${v}`
  return typeof v
}

const clip = (name: string): string => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)
