/** The JSON of GET /api/summary and of the SSE `summary` event. Money in currency units, 2 decimals. */
export interface Summary {
  readonly generatedAt: number
  /** Window starts shown (ms, ascending): up to 30 minutes ending at the latest window, none before the first window known. */
  readonly minutes: readonly number[]
  readonly regions: readonly string[]
  readonly segments: readonly string[]
  /**
   * Per region (and segment), revenue of each minute of `minutes`; null in a minute with no data at
   * all (no window of any region), 0 for a region without orders in a minute that has data.
   */
  readonly revenueByRegion: Readonly<Record<string, readonly (number | null)[]>>
  readonly revenueBySegment: Readonly<Record<string, readonly (number | null)[]>>
  readonly ordersPerMinute: readonly (number | null)[]
  readonly revenuePerMinute: readonly (number | null)[]
  /** Over all of `minutes`: revenue as text with 2 decimals (exact sum of the table's cents). */
  readonly totals: { readonly revenue: string; readonly orders: number }
  readonly currentWindow: CurrentWindow | null
  readonly alerts: readonly Alert[]
  readonly health: Health
}

export interface CurrentWindow {
  readonly windowStart: number
  /** Every (region, segment) of the window has its final result. */
  readonly final: boolean
  readonly revenue: string
  readonly orders: number
  /** Top (region, segment) pairs by revenue. */
  readonly leaders: readonly { region: string; segment: string; orders: number; revenue: string }[]
}

export interface Alert {
  readonly eventId: string
  readonly windowStart: number
  readonly region: string
  readonly segment: string
  readonly revenue: number
  readonly trailingAverage: number
  readonly ratio: number
  /** When the alert was raised (envelope timestamp). */
  readonly at: number
}

/** null = not available in this process (shown as "n/a"). */
export interface Health {
  readonly status: 'ok' | 'degraded' | 'down'
  readonly log: 'ok' | 'error'
  readonly database: 'ok' | 'error'
  /** Streams app of this process, if any. */
  readonly streams: string | null
  /** Sink of this process, if any. */
  readonly sink: string | null
  /** Records/s processed by the streams app; else the append rate of orders-raw. */
  readonly recordsPerSecond: number | null
  readonly recordsPerSecondSource: 'streams' | 'orders-raw' | null
  /** Records the streams app's group has still to read (orders-raw, users-raw, repartitions). */
  readonly streamsLag: number | null
  /** Records of orders-processed not yet in the table (offsets stored in the database). */
  readonly sinkLag: number | null
  /** Records on orders-dlq (committed). */
  readonly dlqCount: number | null
  readonly lateRecords: number | null
  /** Late records per processor of the topology (summed over its tasks). */
  readonly lateByProcessor: readonly LateByProcessor[] | null
  /** The windows late records were dropped from, newest first (at most LATE_WINDOWS_SHOWN). */
  readonly lateWindows: readonly LateWindowRow[] | null
  readonly duplicates: number | null
  readonly problems: readonly string[]
}

export interface LateByProcessor {
  readonly processor: string
  readonly records: number
}

/** Late records of one processor in one window, over all tasks. */
export interface LateWindowRow {
  readonly processor: string
  /** null: the processor reported no window. */
  readonly windowStart: number | null
  readonly windowEnd: number | null
  readonly records: number
  /** The most any of them was behind stream time. */
  readonly maxLatenessMs: number
}
