import { Gauge, type Registry } from 'prom-client'

export interface LagSource {
  /** Label `group` of the series. */
  readonly group: string
  readonly lag: () => Promise<readonly { topic: string; partition: number; lag: number }[]>
}

/**
 * A gauge `tributary_consumer_lag{group,topic,partition}` filled at every scrape from each
 * source (e.g. `groupLag` for groups that commit to the log, or a sink's own `lag()`). A source
 * that fails is left out of that scrape rather than failing the scrape.
 */
export function registerLagMetrics(
  registry: Registry,
  sources: () => readonly LagSource[],
  name = 'tributary_consumer_lag',
): void {
  new Gauge({
    name,
    help: 'Records a consumer group has still to read, per partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      this.reset()
      await Promise.all(
        sources().map(async (source) => {
          const lag = await source.lag().catch(() => [])
          for (const p of lag) this.labels(source.group, p.topic, String(p.partition)).set(p.lag)
        }),
      )
    },
  })
}
