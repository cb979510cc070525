import type { Processor, ProcessorContext, StreamRecord } from 'tributary-streams'
import type { RawValue } from '../contract/parse-json.ts'
import { validateOrder, type ValidOrder } from '../contract/validate-order.ts'
import { check, type Checked } from './checked.ts'
import { eventTimeProblem } from './event-time.ts'

/**
 * Validates raw orders (`validateOrder`), and rejects as `invalid-timestamp` an order that the
 * timestamp extractor did not place at its payload.timestamp (see `orderTimeWithin`): its record
 * time is then not its event time.
 */
export const validateOrders =
  (skewMs: number) => (): Processor<string | null, RawValue | null, string | null, Checked<ValidOrder>> => {
    let context: ProcessorContext<string | null, Checked<ValidOrder>>
    return {
      init(c) {
        context = c
      },
      process(record: StreamRecord<string | null, RawValue | null>) {
        let checked = check(record.value, validateOrder)
        if (checked.ok && checked.value.timestamp !== record.timestamp) {
          const time = checked.value.timestamp
          const problem =
            eventTimeProblem(time, context.currentStreamTimeMs(), context.currentSystemTimeMs(), skewMs) ??
            `payload.timestamp ${time} is outside the accepted window of its partition's stream time`
          checked = { ok: false, reason: `invalid-timestamp: ${problem}`, raw: record.value! }
        }
        context.forward({ ...record, value: checked })
      },
    }
  }
