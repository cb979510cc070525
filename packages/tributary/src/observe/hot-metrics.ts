import type { Registry } from 'prom-client'

/** What prom-client's registry reads from a metric at scrape time (`get()`). */
interface MetricSnapshot {
  name: string
  help: string
  type: 'histogram' | 'counter'
  aggregator: 'sum'
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>
}

/** One label combination of a HotHistogram: bucket counts (not cumulative), sum and count. */
export class HistogramChild {
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length)
  }

  /** Observes `value` `times` times (e.g. each record of a run with the run's average). */
  observe(value: number, times = 1): void {
    this.sum += value * times
    this.count += times
    const bounds = this.bounds
    for (let i = 0; i < bounds.length; i++)
      if (value <= bounds[i]!) {
        this.counts[i]! += times
        return
      }
  }
}

interface Entry {
  readonly labels: Record<string, string>
  readonly child: HistogramChild
}

/**
 * A histogram for the per-record path, registered on a prom-client registry as an ordinary metric
 * (same exposition and JSON). An observation is a field update on a child found by one map lookup
 * per label value (the runtime passes the same string instances every time, whose hashes V8
 * caches); prom-client's own metrics build and hash a label object on every call, which doubled
 * the cost of processing a record. At most two labels.
 */
export class HotHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly byFirst = new Map<string, Map<string, Entry>>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly [string] | readonly [string, string],
    private readonly buckets: readonly number[],
  ) {}

  /** The child for these label values (in `labelNames` order), created on first use. */
  child(first: string, second = ''): HistogramChild {
    let bySecond = this.byFirst.get(first)
    if (bySecond === undefined) this.byFirst.set(first, (bySecond = new Map()))
    let entry = bySecond.get(second)
    if (entry === undefined) {
      const labels: Record<string, string> = { [this.labelNames[0]]: first }
      if (this.labelNames[1] !== undefined) labels[this.labelNames[1]] = second
      bySecond.set(second, (entry = { labels, child: new HistogramChild(this.buckets) }))
    }
    return entry.child
  }

  *entries(): Iterable<Entry> {
    for (const bySecond of this.byFirst.values()) yield* bySecond.values()
  }

  get(): Promise<MetricSnapshot> {
    const values: MetricSnapshot['values'] = []
    const bucket = `${this.name}_bucket`
    for (const { labels, child } of this.entries()) {
      let cumulative = 0
      this.buckets.forEach((le, i) => {
        cumulative += child.counts[i]!
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: bucket })
      })
      values.push(
        { labels: { ...labels, le: '+Inf' }, value: child.count, metricName: bucket },
        { labels, value: child.sum, metricName: `${this.name}_sum` },
        { labels, value: child.count, metricName: `${this.name}_count` },
      )
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: 'sum', values })
  }
}

/**
 * A counter that is the `_count` of a HotHistogram under its own name (e.g. records produced per
 * topic = observations of end-to-end latency per topic): one observation updates both.
 */
export class HistogramCount {
  readonly type = 'counter'
  readonly aggregator = 'sum'

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly histogram: HotHistogram,
  ) {}

  get(): Promise<MetricSnapshot> {
    const values = [...this.histogram.entries()].map(({ labels, child }) => ({ labels, value: child.count }))
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: 'sum', values })
  }
}

/** `metric` registered on `registry`, or the one of its name registered before (an app restarted
 *  in the same process keeps its series). */
export function registerHot<M extends HotHistogram | HistogramCount>(registry: Registry, metric: M): M {
  const existing = registry.getSingleMetric(metric.name) as unknown
  if (existing instanceof metric.constructor) return existing as M
  registry.registerMetric(metric as never)
  return metric
}
