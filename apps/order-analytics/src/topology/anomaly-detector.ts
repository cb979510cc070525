import {
  Serdes,
  Stores,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type StoreDefinition,
} from 'tributary-streams'
import { outboxEvent, type OutboxEvent, type ProcessedRow } from '../contract/processed-row.ts'
import type { AnomalyRule } from './options.ts'
import type { PipelineMetrics } from './pipeline-metrics.ts'
import { groupKey, rowKey } from './revenue.ts'

export const REVENUE_HISTORY_STORE = 'revenue-history'

/** Per (region, segment): the revenues in cents of its last final windows, oldest first. */
export function revenueHistoryStore(persistent: boolean): StoreDefinition {
  const supplier = persistent
    ? Stores.persistentKeyValueStore(REVENUE_HISTORY_STORE)
    : Stores.inMemoryKeyValueStore(REVENUE_HISTORY_STORE)
  return Stores.keyValueStoreBuilder(supplier, Serdes.string(), Serdes.json<number[]>())
}

/**
 * The anomaly rule over final windows (which arrive per key in window order): a window whose
 * revenue exceeds `factor` × the mean of the same (region, segment)'s previous `windows` final
 * windows, when at least `minWindows` of them exist, gives an AnomalyDetected event. Every final
 * window, anomalous or not, then joins the history. A zero average never alerts.
 */
export const anomalyDetector =
  (rule: AnomalyRule, metrics: PipelineMetrics) =>
  (): Processor<string, ProcessedRow, string, OutboxEvent> => {
    let context: ProcessorContext<string, OutboxEvent>
    let history: KeyValueStore<string, number[]>
    return {
      init(c) {
        context = c
        history = c.getStateStore(REVENUE_HISTORY_STORE)
      },
      process(record) {
        const row = record.value
        const key = groupKey(row.region, row.segment)
        const past = history.get(key) ?? []
        const cents = Math.round(row.revenue * 100)
        if (past.length >= rule.minWindows) {
          const averageCents = past.reduce((a, b) => a + b, 0) / past.length
          if (averageCents > 0 && cents > rule.factor * averageCents) {
            metrics.anomalies++
            const id = rowKey(row)
            context.forward({
              ...record,
              key: id,
              value: outboxEvent('AnomalyDetected', id, row.window_end, {
                window_start: row.window_start,
                region: row.region,
                segment: row.segment,
                revenue: row.revenue,
                trailing_average: Math.round(averageCents) / 100,
                ratio: Math.round((cents / averageCents) * 1000) / 1000,
              }),
            })
          }
        }
        history.put(key, [...past, cents].slice(-rule.windows))
      },
    }
  }
