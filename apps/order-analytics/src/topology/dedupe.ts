import {
  Serdes,
  Stores,
  type Processor,
  type ProcessorContext,
  type StoreDefinition,
  type WindowStore,
} from 'tributary-streams'
import type { ValidOrder } from '../contract/validate-order.ts'
import type { PipelineMetrics } from './pipeline-metrics.ts'

export const ORDER_IDS_STORE = 'accepted-order-ids'

/**
 * The store of accepted order ids: a window store keyed by order_id at the order's event time, so
 * ids are remembered for `retentionMs` of event time (counted from the latest accepted order) and
 * then dropped a segment at a time.
 */
export function orderIdsStore(retentionMs: number, persistent: boolean): StoreDefinition {
  const options = { retentionMs, windowSizeMs: 0 }
  const supplier = persistent
    ? Stores.persistentWindowStore(ORDER_IDS_STORE, options)
    : Stores.inMemoryWindowStore(ORDER_IDS_STORE, options)
  return Stores.windowStoreBuilder(supplier, Serdes.string(), Serdes.number())
}

/**
 * Passes an order on the first time its order_id is seen, drops (and counts) later ones. Runs
 * before the re-key, where orders are still partitioned by order_id, so one task sees every copy.
 */
export const dedupeOrders =
  (metrics: PipelineMetrics) => (): Processor<string | null, ValidOrder, string | null, ValidOrder> => {
    let context: ProcessorContext<string | null, ValidOrder>
    let seen: WindowStore<string, number>
    return {
      init(c) {
        context = c
        seen = c.getStateStore(ORDER_IDS_STORE)
      },
      process(record) {
        const order = record.value
        const earlier = seen.fetchRange(order.order_id, 0, Number.MAX_SAFE_INTEGER).next()
        if (!earlier.done) {
          metrics.duplicates++
          return
        }
        seen.put(order.order_id, 1, order.timestamp)
        metrics.ordersAccepted++
        context.forward(record)
      },
    }
  }
