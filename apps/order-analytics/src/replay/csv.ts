/** A row of the replay's output table. */
export interface TableRow {
  readonly window_start: Date
  readonly region: string
  readonly segment: string
  readonly order_count: number
  /** Two decimals, e.g. '1234.50'. */
  readonly revenue: string
}

export const CSV_HEADER = 'window_start,region,segment,order_count,revenue'

/** RFC 4180 quoting, only where needed. */
const field = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The table as CSV: header, then rows sorted by window_start, region, segment; one trailing newline. */
export function toCsv(rows: readonly TableRow[]): string {
  const lines = rows
    .map(
      (r) => [r.window_start.toISOString(), r.region, r.segment, String(r.order_count), r.revenue] as const,
    )
    .sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]) || cmp(a[2], b[2]))
    .map((cols) => cols.map(field).join(','))
  return [CSV_HEADER, ...lines].join('\n') + '\n'
}
