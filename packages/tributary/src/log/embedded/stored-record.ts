import type { Headers } from '../../record.ts'
import type { ConsumerRecord } from '../log.ts'

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
