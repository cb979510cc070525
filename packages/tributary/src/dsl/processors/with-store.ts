import type { StreamRecord } from '../../record.ts'
import type { NullDropReason, ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'

/**
 * A processor whose `step` runs with one connected store (looked up once, at init) and the
 * context. The store-backed DSL processors are all this shape.
 */
export function withStore<S, KIn, VIn, KOut, VOut>(
  storeName: string,
  step: (record: StreamRecord<KIn, VIn>, store: S, context: ProcessorContext<KOut, VOut>) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let store: S
    let context: ProcessorContext<KOut, VOut>
    return {
      init(c) {
        context = c
        store = c.getStateStore(storeName)
      },
      process(record) {
        step(record, store, context)
      },
    }
  }
}

/** Why a record without a key or a value is skipped (the dropped-records reason). */
export const nullReason = (record: StreamRecord<unknown, unknown>): NullDropReason =>
  record.key === null || record.key === undefined ? 'null-key' : 'null-value'

/** Aggregations skip records without a key or a value, as Kafka Streams does. */
export const hasKeyAndValue = <K, V>(
  record: StreamRecord<K, V>,
): record is StreamRecord<NonNullable<K>, NonNullable<V>> =>
  record.key !== null && record.key !== undefined && record.value !== null && record.value !== undefined
