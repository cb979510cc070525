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

  observe(value: number): void {
    this.sum += value
    this.count++
    const bounds = this.bounds
    for (let i = 0; i < bounds.length; i++)
      if (value <= bounds[i]!) {
        this.counts[i]!++
        return
      }
  }
}

/** One label combination of a HotCounter. */
export class CounterChild {
  value = 0
  inc(by = 1): void {
    this.value += by
  }
}

/**
 * Histograms and counters for the per-record path, registered on a prom-client registry as
 * ordinary metrics (same exposition and JSON). An observation is a field update on a child that
 * the caller looked up once (`child(...labels)` caches by label values); prom-client's own
 * metrics hash their label object on every call, which doubled the cost of processing a record.
 */
abstract class HotMetric<C> {
  readonly aggregator = 'sum'
  protected readonly children = new Map<string, { labels: Record<string, string>; child: C }>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The child for these label values (in `labelNames` order), created on first use. */
  child(...values: string[]): C {
    const key = values.length === 1 ? values[0]! : values.join('\u0000')
    let entry = this.children.get(key)
    if (entry === undefined) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? '']))
      entry = { labels, child: this.create() }
      this.children.set(key, entry)
    }
    return entry.child
  }

  protected abstract create(): C
}

export class HotHistogram extends HotMetric<HistogramChild> {
  readonly type = 'histogram'

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames)
  }

  protected create(): HistogramChild {
    return new HistogramChild(this.buckets)
  }

  get(): Promise<MetricSnapshot> {
    const values: MetricSnapshot['values'] = []
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0
      this.buckets.forEach((le, i) => {
        cumulative += child.counts[i]!
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.name}_bucket` })
      })
      values.push(
        { labels: { ...labels, le: '+Inf' }, value: child.count, metricName: `${this.name}_bucket` },
        { labels, value: child.sum, metricName: `${this.name}_sum` },
        { labels, value: child.count, metricName: `${this.name}_count` },
      )
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: 'sum', values })
  }
}

export class HotCounter extends HotMetric<CounterChild> {
  readonly type = 'counter'

  protected create(): CounterChild {
    return new CounterChild()
  }

  get(): Promise<MetricSnapshot> {
    const values = [...this.children.values()].map(({ labels, child }) => ({ labels, value: child.value }))
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: 'sum', values })
  }
}

/** `metric` registered on `registry`, or the one of its name registered before (an app restarted
 *  in the same process keeps its series). */
export function registerHot<M extends HotHistogram | HotCounter>(registry: Registry, metric: M): M {
  const existing = registry.getSingleMetric(metric.name) as unknown
  if (existing instanceof metric.constructor) return existing as M
  registry.registerMetric(metric as never)
  return metric
}
