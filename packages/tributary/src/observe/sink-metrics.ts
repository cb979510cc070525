import { Counter, Gauge, type Registry } from 'prom-client'
import type { SinkMetrics } from '../connect/postgres-sink.ts'

/** Registers a PostgresSink's counters (label `sink`), read at every scrape; absent when undefined. */
export function registerSinkMetrics(
  registry: Registry,
  source: () => { metrics(): SinkMetrics } | undefined,
  sinkName: string,
  prefix = 'tributary_sink_',
): void {
  const counter = (name: string, help: string, read: (m: SinkMetrics) => number): void => {
    new Counter({
      name: `${prefix}${name}`,
      help,
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        this.reset()
        const sink = source()
        if (sink !== undefined) this.labels(sinkName).inc(read(sink.metrics()))
      },
    })
  }
  counter('records_total', 'Records consumed and committed to the database', (m) => m.records)
  counter('rows_written_total', 'Upsert statements run in committed transactions', (m) => m.rowsWritten)
  counter('transactions_total', 'Database transactions committed', (m) => m.transactions)
  counter(
    'fenced_total',
    'Batches dropped because another writer had moved the stored offsets',
    (m) => m.fenced,
  )
  new Gauge({
    name: `${prefix}last_commit_timestamp_seconds`,
    help: 'Wall-clock time of the last database commit',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      this.reset()
      const sink = source()
      if (sink !== undefined) this.labels(sinkName).set(sink.metrics().lastCommitAt / 1000)
    },
  })
  new Gauge({
    name: `${prefix}up`,
    help: '1 while the sink is running',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      this.reset()
      const sink = source()
      if (sink !== undefined) this.labels(sinkName).set(sink.metrics().state === 'running' ? 1 : 0)
    },
  })
}
