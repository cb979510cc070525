import type { ConsumerRecord, ProducerRecord } from '../log/log.ts'
import { TributaryError } from '../errors.ts'

/**
 * What to do with a record that cannot be deserialized or whose processing throws:
 * - `fail`: stop the application; the error names topic, partition and offset.
 * - `continue`: log it, count it, move on.
 * - `dead-letter`: write the raw record to the dead-letter topic with headers naming its origin
 *   and the error (inside the same transaction as the task's other output), count it, move on.
 */
export type ErrorPolicy = 'fail' | 'continue' | 'dead-letter'

export type ErrorStage = 'deserialization' | 'processing'

/** Header names on dead-letter records. */
export const DLQ_HEADERS = {
  stage: 'tributary.dlq.stage',
  topic: 'tributary.dlq.topic',
  partition: 'tributary.dlq.partition',
  offset: 'tributary.dlq.offset',
  errorClass: 'tributary.dlq.error.class',
  errorMessage: 'tributary.dlq.error.message',
  errorStack: 'tributary.dlq.error.stack',
} as const

const describeError = (err: unknown): { name: string; message: string; stack: string } =>
  err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack ?? '' }
    : { name: typeof err, message: String(err), stack: '' }

export function deadLetterRecord(
  dlqTopic: string,
  /** `sink`: a record a sink's database refused (connect/). */
  stage: ErrorStage | 'sink',
  raw: ConsumerRecord,
  err: unknown,
): ProducerRecord {
  const { name, message, stack } = describeError(err)
  return {
    topic: dlqTopic,
    key: raw.key,
    value: raw.value,
    timestamp: raw.timestamp,
    headers: {
      ...raw.headers,
      [DLQ_HEADERS.stage]: Buffer.from(stage),
      [DLQ_HEADERS.topic]: Buffer.from(raw.topic),
      [DLQ_HEADERS.partition]: Buffer.from(String(raw.partition)),
      [DLQ_HEADERS.offset]: Buffer.from(String(raw.offset)),
      [DLQ_HEADERS.errorClass]: Buffer.from(name),
      [DLQ_HEADERS.errorMessage]: Buffer.from(message),
      [DLQ_HEADERS.errorStack]: Buffer.from(stack),
    },
  }
}

/** The error `fail` stops the application with. */
export function fatalRecordError(stage: ErrorStage, raw: ConsumerRecord, err: unknown): TributaryError {
  const code = stage === 'deserialization' ? 'SERDE' : 'PROCESSING'
  const { message } = describeError(err)
  return new TributaryError(
    code,
    `${stage} failed for ${raw.topic}-${raw.partition} at offset ${raw.offset}: ${message} (error policy 'fail')`,
    { cause: err },
  )
}
