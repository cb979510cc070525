import { Counter, Gauge, type Registry } from 'prom-client'
import type { PartitionLag } from '../runtime/partition-lag.ts'
import type { AppMetrics, AppState } from '../runtime/streams-app.ts'

/** What the exposition reads: a StreamsApp, or anything shaped like one. */
export interface StreamsMetricsSource {
  readonly state: AppState
  metrics(): AppMetrics
  /** Per input partition; absent: no lag series. */
  partitionLag?(): Promise<readonly PartitionLag[]>
}

const STATES: readonly AppState[] = ['created', 'starting', 'running', 'closing', 'closed', 'failed']

/**
 * Registers a StreamsApp's counters on a prom-client registry, read at every scrape. `source`
 * may return undefined (no app in this process, or not yet): unlabelled series then read 0 and
 * labelled ones are absent; `tributary_streams_state` tells the cases apart. Counters
 * restart from zero with a new app instance, which Prometheus' rate() treats as a counter reset.
 */
export function registerStreamsMetrics(
  registry: Registry,
  source: () => StreamsMetricsSource | undefined,
  prefix = 'tributary_streams_',
): void {
  const counter = (name: string, help: string, read: (m: AppMetrics) => number): void => {
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset()
        const app = source()
        if (app !== undefined) this.inc(read(app.metrics()))
      },
    })
  }
  counter('records_processed_total', 'Input records processed by the tasks', (m) => m.processed)
  counter('records_dead_lettered_total', 'Records written to the dead-letter topic', (m) => m.deadLettered)
  counter(
    'late_records_total',
    'Records that arrived after their window closed (dropped)',
    (m) => m.lateRecords,
  )
  counter('punctuations_total', 'Punctuator invocations', (m) => m.punctuations)
  counter('commits_total', 'Commits of the processing loop', (m) => m.commits)
  counter('restored_records_total', 'Changelog records replayed into state stores', (m) => m.restoredRecords)
  new Counter({
    name: `${prefix}records_skipped_total`,
    help: 'Records skipped, by reason: the error policy (deserialization, processing), an invalid timestamp, a null key or value (as Kafka Streams drops them)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset()
      const app = source()
      if (app === undefined) return
      const m = app.metrics()
      this.labels('deserialization').inc(m.skippedDeserialization)
      this.labels('processing').inc(m.skippedProcessing)
      this.labels('invalid_timestamp').inc(m.invalidTimestamps)
      this.labels('null_key_or_value').inc(m.nullDropped)
    },
  })
  counter('recoveries_total', 'Recoveries from log failures by rewinding tasks', (m) => m.recoveries)
  const gauge = (name: string, help: string, read: (m: AppMetrics) => number): void => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset()
        const app = source()
        if (app !== undefined) this.set(read(app.metrics()))
      },
    })
  }
  gauge(
    'restore_remaining_records',
    'Changelog records the running restore still has to read',
    (m) => m.restoreRemaining,
  )
  gauge('restoring_tasks', 'Tasks restoring their stores before processing', (m) => m.restoringTasks)
  // One read of the log per scrape serves both the lag and the lead series.
  let lagRead: { at: number; partitions: Promise<readonly PartitionLag[]> } | undefined
  const partitionLag = (): Promise<readonly PartitionLag[]> => {
    const now = Date.now()
    if (lagRead === undefined || now - lagRead.at > 1000)
      lagRead = {
        at: now,
        partitions:
          source()
            ?.partitionLag?.()
            .catch(() => []) ?? Promise.resolve([]),
      }
    return lagRead.partitions
  }
  for (const [field, help] of [
    ['lag', 'Records in the input partition after the position of this instance (read at scrape)'],
    ['lead', 'Records between the log start and the position of this instance (read at scrape)'],
  ] as const) {
    new Gauge({
      name: `${prefix}records_${field}`,
      help,
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        this.reset()
        for (const p of await partitionLag()) this.labels(p.topic, String(p.partition)).set(p[field])
      },
    })
  }
  gauge('tasks', 'Tasks (sub-topology x partition) this instance runs', (m) => m.tasks)
  new Gauge({
    name: `${prefix}state`,
    help: 'State of the streams app: 1 for the current state, 0 for the others',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset()
      const app = source()
      if (app !== undefined) for (const s of STATES) this.labels(s).set(app.state === s ? 1 : 0)
    },
  })
}
