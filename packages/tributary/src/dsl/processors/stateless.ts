import type { StreamRecord } from '../../record.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'

type Forward<K, V> = (record: StreamRecord<K, V>) => void

/** A processor without state: `step` maps one record to zero or more forwarded records. */
export function stateless<KIn, VIn, KOut, VOut>(
  step: (record: StreamRecord<KIn, VIn>, forward: Forward<KOut, VOut>) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let forward: Forward<KOut, VOut> = () => {}
    return {
      init(context: ProcessorContext<KOut, VOut>) {
        forward = (record) => context.forward(record)
      },
      process(record) {
        step(record, forward)
      },
    }
  }
}
