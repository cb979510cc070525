import { isTributaryError } from '../errors.ts'
import type { ConsumerRecord, Log, Producer, ProducerRecord } from '../log/log.ts'
import { deadLetterRecord } from '../runtime/error-handling.ts'

/** Header carrying the database's SQLSTATE on a sink's dead-letter record. */
export const SQLSTATE_HEADER = 'tributary.dlq.error.sqlstate'

/**
 * Whether `err` is the fault of one record rather than of the database or the connection: a
 * PostgreSQL data exception (SQLSTATE class 22: numeric overflow, U+0000 in text, an invalid
 * date) or integrity violation (class 23), or a record `toParams` could not map (PROCESSING).
 * Anything else (a lost connection, a full disk, a serialization failure) is not the record's
 * fault and must not send it to a dead-letter topic.
 */
export function isRecordError(err: unknown): boolean {
  if (isTributaryError(err, 'PROCESSING')) return true
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)
}

/** The dead-letter records of a sink: produced (acknowledged) before the batch that skips them commits. */
export class SinkDeadLetters {
  private producer: Producer | undefined
  /** Records dead-lettered so far. */
  count = 0

  constructor(
    private readonly log: Log,
    readonly topic: string,
  ) {}

  record(raw: ConsumerRecord, err: unknown): ProducerRecord {
    const record = deadLetterRecord(this.topic, 'sink', raw, err)
    const code = (err as { code?: unknown } | null)?.code
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return record // not a SQLSTATE
    return { ...record, headers: { ...record.headers, [SQLSTATE_HEADER]: Buffer.from(code) } }
  }

  async send(records: readonly ProducerRecord[]): Promise<void> {
    if (records.length === 0) return
    this.producer ??= await this.log.producer()
    await this.producer.send([...records])
    this.count += records.length
  }

  async close(): Promise<void> {
    await this.producer?.close()
    this.producer = undefined
  }
}
