import type { AnomalyPayload, Envelope, ProcessedRow } from '../contract/index.ts'
import type { RevenueRow } from '../sink/read-table.ts'
import type { Alert, CurrentWindow, Health, Summary } from './summary.ts'

const MINUTE = 60_000
/** Rows of the leaders table: what fits a wall screen's panel. */
export const LEADERS = 6

interface Cell {
  readonly windowStart: number
  readonly region: string
  readonly segment: string
  readonly orders: number
  /** Integer cents, rounded as PostgreSQL rounds the value into numeric(18,2). */
  readonly cents: number
  readonly final: boolean
}

/**
 * The dashboard's view of revenue_per_minute: seeded from the table, then kept current from
 * orders-processed (the same last-write-wins per window, region and segment the sink applies), so
 * once the sink has caught up the figures equal the table's. Keeps `keepMinutes` minutes back
 * from the latest window; alerts from orders-outbox, newest first.
 */
export class RevenueModel {
  private readonly cells = new Map<string, Cell>()
  private alerts: Alert[] = []
  private latest = 0
  /** Bumped on every change; the dashboard pushes a new summary when it moved. */
  version = 0

  constructor(
    private readonly minutes = 30,
    private readonly keepMinutes = 120,
    private readonly maxAlerts = 12,
  ) {}

  seed(rows: readonly RevenueRow[]): void {
    for (const r of rows)
      this.put({
        windowStart: r.window_start.getTime(),
        region: r.region,
        segment: r.segment,
        orders: r.order_count,
        cents: centsOf(r.revenue),
        final: false,
      })
    this.prune()
  }

  applyProcessed(row: ProcessedRow): void {
    this.put({
      windowStart: row.window_start,
      region: row.region,
      segment: row.segment,
      orders: row.order_count,
      cents: centsOf(String(row.revenue)),
      final: row.final,
    })
  }

  applyOutbox(event: Envelope): void {
    if (event.type === 'WindowClosed') {
      this.applyProcessed({ ...(event.payload as ProcessedRow), final: true })
    } else if (event.type === 'AnomalyDetected') {
      const p = event.payload as AnomalyPayload
      if (this.alerts.some((a) => a.eventId === event.event_id)) return
      this.alerts.unshift({
        eventId: event.event_id,
        windowStart: p.window_start,
        region: p.region,
        segment: p.segment,
        revenue: p.revenue,
        trailingAverage: p.trailing_average,
        ratio: p.ratio,
        at: event.timestamp,
      })
      this.alerts.sort((a, b) => b.windowStart - a.windowStart || b.at - a.at)
      this.alerts = this.alerts.slice(0, this.maxAlerts)
      this.version++
    }
  }

  /** Drops windows older than `keepMinutes` before the latest. */
  prune(): void {
    const cutoff = this.latest - this.keepMinutes * MINUTE
    for (const [key, c] of this.cells) if (c.windowStart < cutoff) this.cells.delete(key)
  }

  summary(health: Health, now = Date.now()): Summary {
    const last = this.latest
    let first = last
    for (const c of this.cells.values()) if (c.windowStart < first) first = c.windowStart
    const count = last === 0 ? 0 : Math.min(this.minutes, (last - first) / MINUTE + 1)
    const minutes = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * MINUTE)
    const index = new Map(minutes.map((m, i) => [m, i]))
    const regions = new Set<string>()
    const segments = new Set<string>()
    const byRegion = new Map<string, number[]>()
    const bySegment = new Map<string, number[]>()
    const orders = minutes.map(() => 0)
    const revenue = minutes.map(() => 0)
    let totalCents = 0
    let totalOrders = 0
    const add = (map: Map<string, number[]>, name: string, i: number, cents: number) => {
      let series = map.get(name)
      if (series === undefined) map.set(name, (series = minutes.map(() => 0)))
      series[i]! += cents
    }
    for (const c of this.cells.values()) {
      const i = index.get(c.windowStart)
      if (i === undefined) continue
      regions.add(c.region)
      segments.add(c.segment)
      add(byRegion, c.region, i, c.cents)
      add(bySegment, c.segment, i, c.cents)
      orders[i]! += c.orders
      revenue[i]! += c.cents
      totalCents += c.cents
      totalOrders += c.orders
    }
    // A minute no cell falls in has no data (the pipeline was down, or nothing arrived): null,
    // drawn as a gap. In a minute with data, a region or segment without a cell sold nothing: 0.
    const seen = minutes.map(() => false)
    for (const c of this.cells.values()) {
      const i = index.get(c.windowStart)
      if (i !== undefined) seen[i] = true
    }
    const known = <T>(series: T[]): Array<T | null> => series.map((v, i) => (seen[i] ? v : null))
    const units = (series: number[]) => known(series.map((cents) => cents / 100))
    const sortedRegions = [...regions].sort(byteOrder)
    const sortedSegments = [...segments].sort(byteOrder)
    return {
      generatedAt: now,
      minutes,
      regions: sortedRegions,
      segments: sortedSegments,
      revenueByRegion: Object.fromEntries(sortedRegions.map((r) => [r, units(byRegion.get(r)!)])),
      revenueBySegment: Object.fromEntries(sortedSegments.map((s) => [s, units(bySegment.get(s)!)])),
      ordersPerMinute: known(orders),
      revenuePerMinute: units(revenue),
      totals: { revenue: formatCents(totalCents), orders: totalOrders },
      currentWindow: this.currentWindow(),
      alerts: this.alerts,
      health,
    }
  }

  private currentWindow(): CurrentWindow | null {
    if (this.latest === 0) return null
    const cells = [...this.cells.values()].filter((c) => c.windowStart === this.latest)
    cells.sort(
      (a, b) => b.cents - a.cents || byteOrder(a.region, b.region) || byteOrder(a.segment, b.segment),
    )
    return {
      windowStart: this.latest,
      final: cells.every((c) => c.final),
      revenue: formatCents(cells.reduce((s, c) => s + c.cents, 0)),
      orders: cells.reduce((s, c) => s + c.orders, 0),
      leaders: cells.slice(0, LEADERS).map((c) => ({
        region: c.region,
        segment: c.segment,
        orders: c.orders,
        revenue: formatCents(c.cents),
      })),
    }
  }

  private put(cell: Cell): void {
    const key = `${cell.windowStart}|${cell.region}|${cell.segment}`
    const old = this.cells.get(key)
    if (
      old !== undefined &&
      old.orders === cell.orders &&
      old.cents === cell.cents &&
      old.final === cell.final
    )
      return
    this.cells.set(key, cell)
    if (cell.windowStart > this.latest) this.latest = cell.windowStart
    this.version++
  }
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Integer cents of a decimal string, rounding half away from zero as PostgreSQL does when it
 * stores the text into numeric(18,2). Exponent notation ('1e-7') rounds to 0.
 */
export function centsOf(decimal: string): number {
  const text = decimal.trim()
  if (/e/i.test(text)) return Math.round(Number(text) * 100)
  const negative = text.startsWith('-')
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.')
  const padded = (fraction + '000').slice(0, 3)
  let cents = Number(whole) * 100 + Number(padded.slice(0, 2))
  if (Number(padded[2]) >= 5) cents += 1
  return negative ? -cents : cents
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
