import type { ConsumerRecord } from '../log/log.ts'
import { traceParentOf } from '../trace-parent.ts'

/** The correlation fields of every log line about a record: task, origin, and trace id if any. */
export function recordLogFields(taskId: string, raw: ConsumerRecord): Record<string, string | number> {
  const traceId = traceParentOf(raw.headers)?.traceId
  return {
    task: taskId,
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    ...(traceId === undefined ? {} : { traceId }),
  }
}
