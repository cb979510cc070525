import { TributaryError } from '../../errors.ts'
import type { Headers } from '../../record.ts'
import type { ConsumerRecord } from '../log.ts'
import type { PartitionFile } from './partition-file.ts'
import { scanFrames } from './frame.ts'
import { DATA, decodeEntry } from './record-codec.ts'

const EMPTY_HEADERS: Headers = Object.freeze({}) as Headers

/**
 * Builds the immutable record the log stores and hands to every reader (frozen, so a reader that
 * tries to change it fails loudly instead of corrupting what others read).
 */
export function storedRecord(
  topic: string,
  partition: number,
  offset: number,
  key: Buffer | null,
  value: Buffer | null,
  timestamp: number,
  headers: Headers | undefined,
): ConsumerRecord {
  const frozenHeaders =
    headers === undefined || Object.keys(headers).length === 0 ? EMPTY_HEADERS : Object.freeze({ ...headers })
  return Object.freeze({ topic, partition, offset, key, value, timestamp, headers: frozenHeaders })
}

/**
 * Reads entries [from, to) of a partition back from one segment file (their frames start at
 * `positions[i]`; the last one ends at `end`). Markers come back as undefined. Fails with CORRUPT
 * if the bytes no longer decode (the file changed under us).
 */
export function loadRecords(
  file: PartitionFile,
  positions: readonly number[],
  from: number,
  to: number,
  end: number,
  topic: string,
  partition: number,
): (ConsumerRecord | undefined)[] {
  const start = positions[from]!
  const bytes = file.read(start, end)
  const records: (ConsumerRecord | undefined)[] = []
  const { stop } = scanFrames(bytes, 0, bytes.length, (body) => {
    const e = decodeEntry(body)
    if (e === undefined) return false
    records.push(
      e.kind === DATA
        ? storedRecord(topic, partition, e.offset, e.key, e.value, e.timestamp, e.headers)
        : undefined,
    )
    return true
  })
  if (stop !== 'end' || records.length !== to - from) {
    throw new TributaryError('CORRUPT', `${file.path}: entries ${from}-${to} could not be read back`)
  }
  return records
}
