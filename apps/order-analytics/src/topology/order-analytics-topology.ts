import {
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type TimestampExtractor,
  type Topology,
} from 'tributary-streams'
import type { DlqRecord } from '../contract/dlq-record.ts'
import type { RawValue } from '../contract/parse-json.ts'
import { outboxEvent, type OutboxEvent, type ProcessedRow } from '../contract/processed-row.ts'
import type { ValidOrder } from '../contract/validate-order.ts'
import { UNKNOWN } from '../contract/validate-user.ts'
import { anomalyDetector, revenueHistoryStore, REVENUE_HISTORY_STORE } from './anomaly-detector.ts'
import type { Checked } from './checked.ts'
import { deadLetter } from './dead-letter.ts'
import { dedupeOrders, orderIdsStore, ORDER_IDS_STORE } from './dedupe.ts'
import { resolveTopologyOptions, WINDOW_SIZE_MS, type TopologyOptions } from './options.ts'
import {
  addOrder,
  emptyAggregate,
  groupKey,
  rowKey,
  toRow,
  type EnrichedOrder,
  type RevenueAggregate,
} from './revenue.ts'
import { DEFAULT_MAX_TIME_SKEW_MS, orderTimeWithin } from './event-time.ts'
import { usersTable } from './users-table.ts'
import { validateOrders } from './validate-orders.ts'

export const REVENUE_STORE = 'revenue-windows'
export const FINALS_STORE = 'revenue-finals'

/** An order's event time: payload.timestamp within the default window (see `orderTimeWithin`). */
export const orderTime: TimestampExtractor<string | null, RawValue> =
  orderTimeWithin(DEFAULT_MAX_TIME_SKEW_MS)

/**
 * The order-analytics topology (issue 5): validate orders and users (rejects to orders-dlq),
 * drop duplicate orders, re-key by user_id and left-join the users table, count and sum orders in
 * 1-minute windows per (region, segment), and write updates and final results to
 * orders-processed, final results and anomalies to orders-outbox.
 */
export function orderAnalyticsTopology(options: TopologyOptions): Topology {
  const o = resolveTopologyOptions(options)
  const { topics, metrics } = o
  const builder = new StreamsBuilder()
  const dlq = { key: Serdes.string(), value: Serdes.json<DlqRecord>() }

  const users = usersTable(builder, o)
  users.rejected.process(deadLetter(metrics), { name: 'users-dead-letter' }).to(topics.ordersDlq, dlq)

  const checked = builder
    .stream<string | null, RawValue>(topics.ordersRaw, {
      key: Serdes.string(),
      value: o.rawValues.orders,
      timestampExtractor: orderTimeWithin(o.maxTimeSkewMs),
      name: 'orders-source',
    })
    .process(validateOrders(o.maxTimeSkewMs), { name: 'orders-validate' })
  const branches = checked
    .split({ name: 'orders-' })
    .branch((_k, v) => v.ok, { name: 'valid' })
    .defaultBranch({ name: 'rejected' })
  branches['orders-rejected']!.process(deadLetter(metrics), { name: 'orders-dead-letter' }).to(
    topics.ordersDlq,
    dlq,
  )

  builder.addStateStore(orderIdsStore(o.dedupeRetentionMs, o.persistentStores))
  const enriched = branches['orders-valid']!.mapValues(
    (v) => (v as Extract<Checked<ValidOrder>, { ok: true }>).value,
    { name: 'orders-accepted' },
  )
    .process(dedupeOrders(metrics), { stores: [ORDER_IDS_STORE], name: 'orders-dedupe' })
    .selectKey((_k, order) => order.user_id, { name: 'orders-by-user' })
    .leftJoin(
      users.table,
      (order, user): EnrichedOrder => {
        if (user === null) metrics.unknownUsers++
        return {
          order_id: order.order_id,
          region: user?.region ?? UNKNOWN,
          segment: user?.segment ?? UNKNOWN,
          total: order.total,
        }
      },
      { name: 'orders-join-users', key: Serdes.string(), value: Serdes.json<ValidOrder>() },
    )

  const windows = enriched
    .groupBy((_k, e) => groupKey(e.region, e.segment), {
      name: 'orders-by-region-segment',
      key: Serdes.string(),
      value: Serdes.json<EnrichedOrder>(),
    })
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_SIZE_MS, o.graceMs))
    .aggregate(emptyAggregate, (_k, order, agg) => addOrder(order, agg), {
      name: REVENUE_STORE,
      key: Serdes.string(),
      value: Serdes.json<RevenueAggregate>(),
      persistent: o.persistentStores,
    })

  const processed = { key: Serdes.string(), value: Serdes.json<ProcessedRow>() }
  windows
    .toStream({ name: 'revenue-updates' })
    .filter((_k, agg) => agg !== null)
    .map((wk, agg) => {
      const row = toRow(wk.window, agg!, false)
      return [rowKey(row), row] as const
    })
    .to(topics.ordersProcessed, processed)

  const finals = windows
    .suppress(Suppressed.untilWindowCloses({}, FINALS_STORE))
    .toStream({ name: 'revenue-finals-stream' })
    .filter((_k, agg) => agg !== null)
    .map((wk, agg) => {
      metrics.windowsClosed++
      const row = toRow(wk.window, agg!, true)
      return [rowKey(row), row] as const
    })
  finals.to(topics.ordersProcessed, processed)

  const outbox = { key: Serdes.string(), value: Serdes.json<OutboxEvent>() }
  finals
    .mapValues((row, key): OutboxEvent => outboxEvent('WindowClosed', key, row.window_end, row), {
      name: 'window-closed',
    })
    .to(topics.ordersOutbox, outbox)
  builder.addStateStore(revenueHistoryStore(o.persistentStores))
  finals
    .process(anomalyDetector(o.anomaly, metrics), { stores: [REVENUE_HISTORY_STORE], name: 'anomalies' })
    .to(topics.ordersOutbox, outbox)

  return builder.build()
}
