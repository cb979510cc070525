import type { TimeWindow } from 'tributary-streams'
import { processedKey, type ProcessedRow } from '../contract/processed-row.ts'

/** An accepted order after the join: what the windows aggregate. */
export interface EnrichedOrder {
  readonly order_id: string
  readonly region: string
  readonly segment: string
  readonly total: number
}

/**
 * The state of one (window, region, segment). Revenue is kept in integer millionths so sums are
 * exact and independent of order for totals with up to 6 decimals; rows round it to cents.
 */
export interface RevenueAggregate {
  readonly region: string
  readonly segment: string
  readonly order_count: number
  readonly revenue_micros: number
}

export const emptyAggregate = (): RevenueAggregate => ({
  region: '',
  segment: '',
  order_count: 0,
  revenue_micros: 0,
})

export const addOrder = (order: EnrichedOrder, agg: RevenueAggregate): RevenueAggregate => ({
  region: order.region,
  segment: order.segment,
  order_count: agg.order_count + 1,
  revenue_micros: agg.revenue_micros + Math.round(order.total * 1e6),
})

/** Rounds millionths to cents, half up. */
export const microsToCents = (micros: number): number => Math.round(micros / 1e4)

/** The grouping key of a (region, segment): a JSON pair, so no region or segment text can collide. */
export const groupKey = (region: string, segment: string): string => JSON.stringify([region, segment])

export function toRow(window: TimeWindow, agg: RevenueAggregate, final: boolean): ProcessedRow {
  return {
    window_start: window.start,
    window_end: window.end,
    region: agg.region,
    segment: agg.segment,
    order_count: agg.order_count,
    revenue: microsToCents(agg.revenue_micros) / 100,
    final,
  }
}

export const rowKey = (row: ProcessedRow): string => processedKey(row.window_start, row.region, row.segment)
