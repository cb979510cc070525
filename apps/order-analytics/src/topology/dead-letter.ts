import type { Processor, ProcessorContext, StreamRecord } from 'tributary-streams'
import type { DlqRecord } from '../contract/dlq-record.ts'
import type { Checked } from './checked.ts'
import type { PipelineMetrics } from './pipeline-metrics.ts'

/**
 * Turns a rejected record into its orders-dlq value: the reason, where the record came from
 * (`recordOrigin()`: topic, partition, offset of the raw record being processed) and its raw key
 * and value as text. Accepted records never reach it.
 */
export const deadLetter =
  (metrics: PipelineMetrics) => (): Processor<string | null, Checked<unknown>, string | null, DlqRecord> => {
    let context: ProcessorContext<string | null, DlqRecord>
    return {
      init(c) {
        context = c
      },
      process(record: StreamRecord<string | null, Checked<unknown>>) {
        if (record.value.ok) return
        const origin = context.recordOrigin()
        metrics.recordDeadLetter(record.value.reason)
        context.forward({
          ...record,
          value: {
            reason: record.value.reason,
            topic: origin?.topic ?? '',
            partition: origin?.partition ?? -1,
            offset: origin?.offset ?? -1,
            key: record.key ?? null,
            value: record.value.raw.text,
            ...(record.value.raw.encoding === undefined ? {} : { value_encoding: record.value.raw.encoding }),
            ...(record.value.raw.withheld ? { value_withheld: true } : {}),
          },
        })
      },
    }
  }
