import { Counter, Histogram, type Registry } from 'prom-client'
import { coarseClock } from './coarse-clock.ts'
import { HistogramCount, HotHistogram, registerHot } from './hot-metrics.ts'
import type { DropReason, RuntimeObserver } from '../runtime/runtime-observer.ts'

/**
 * How much the runtime records, as Kafka Streams' `metrics.recording.level`: `info` (default) the
 * task, topic, commit, poll, punctuate, rebalance, restore and end-to-end series; `debug` adds
 * state-store operation latencies and per-processor drops, and times each record on its own
 * (`info` times runs of records, see runtime/run-timer.ts); `off` records nothing.
 */
export type RecordingLevel = 'off' | 'info' | 'debug'

export interface RuntimeMetricsOptions {
  readonly registry: Registry
  readonly level?: RecordingLevel
  /** Default `tributary_streams_`. */
  readonly prefix?: string
}

/** Sub-millisecond to one second: the cost of one record or one store call. */
const FAST_BUCKETS = [1e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.05, 0.25, 1]
/** Ten milliseconds to five minutes: commits, polls, rebalances, record age. */
const SLOW_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

/**
 * The runtime's push metrics on a prom-client registry: give the returned observer to
 * `StreamsConfig.observer` (undefined at level `off`). Histograms are `_seconds` (their `_count` is
 * the number of events, e.g. records processed per task and topic); counters end in `_total`.
 * Labelled children are cached, so an observation is a map lookup and a bucket search.
 */
export function runtimeMetrics(options: RuntimeMetricsOptions): RuntimeObserver | undefined {
  const level = options.level ?? 'info'
  if (level === 'off') return undefined
  const prefix = options.prefix ?? 'tributary_streams_'
  const registers = [options.registry]
  // A registry may outlive an app (a restart in the same process): its series are reused.
  const existing = <M>(name: string): M | undefined =>
    options.registry.getSingleMetric(`${prefix}${name}`) as M
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    existing<Histogram>(name) ??
    new Histogram({ name: `${prefix}${name}`, help, labelNames, buckets, registers })
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    existing<Counter>(name) ?? new Counter({ name: `${prefix}${name}`, help, labelNames, registers })

  // The per-record series (and per store call, at debug) are hot metrics: see hot-metrics.ts.
  const hotHistogram = (
    name: string,
    help: string,
    labelNames: [string] | [string, string],
    buckets: number[],
  ) => registerHot(options.registry, new HotHistogram(`${prefix}${name}`, help, labelNames, buckets))
  const process = hotHistogram(
    'process_latency_seconds',
    'Time to process one input record, per task and input topic (info: the average of a run of records in one batch; debug: each record)',
    ['task', 'topic'],
    FAST_BUCKETS,
  )
  const e2e = hotHistogram(
    'record_e2e_latency_seconds',
    'Wall-clock time minus record timestamp when the app writes a record, per output topic',
    ['topic'],
    SLOW_BUCKETS,
  )
  registerHot(
    options.registry,
    new HistogramCount(`${prefix}records_produced_total`, 'Records the app wrote, per topic', e2e),
  )
  const dropped = cached(
    counter(
      'records_dropped_total',
      'Records not processed or not counted, per task, reason and (at debug) processor',
      ['task', 'reason', 'processor'],
    ),
  )
  const poll = histogram('poll_latency_seconds', 'Time of one poll of the input log', [], SLOW_BUCKETS)
  const polledRecords = counter('records_consumed_total', 'Records returned by polls')
  const commit = histogram(
    'commit_latency_seconds',
    'Time of one commit (changelogs, outputs, offsets, stores)',
    [],
    SLOW_BUCKETS,
  )
  const punctuate = cached(
    histogram('punctuate_latency_seconds', 'Time of one punctuation, per task', ['task'], FAST_BUCKETS),
  )
  const rebalance = histogram(
    'rebalance_duration_seconds',
    'Time from revocation to the new assignment being restored',
    [],
    SLOW_BUCKETS,
  )
  const restored = cached(
    counter('restore_records_total', 'Changelog records restored, per store', ['store']),
  )
  const store =
    level === 'debug'
      ? hotHistogram(
          'state_store_operation_seconds',
          'Time of one state-store call, per store and operation',
          ['store', 'operation'],
          FAST_BUCKETS,
        )
      : undefined

  const wallClock = coarseClock()

  return {
    recordsProcessed: (taskId, topic, records, ms) =>
      process.child(taskId, topic).observe(ms / 1000 / records, records),
    ...(level === 'debug' ? { timeEachRecord: true } : {}),
    recordDropped: (taskId, reason: DropReason, processor) =>
      dropped(taskId, reason, level === 'debug' ? (processor ?? '') : '').inc(),
    recordSent: (topic, timestamp) => e2e.child(topic).observe(Math.max(0, wallClock() - timestamp) / 1000),
    polled: (ms, records) => {
      poll.observe(ms / 1000)
      polledRecords.inc(records)
    },
    committed: (ms) => commit.observe(ms / 1000),
    punctuated: (taskId, ms) => punctuate(taskId).observe(ms / 1000),
    rebalanced: (ms) => rebalance.observe(ms / 1000),
    restored: (name, records) => restored(name).inc(records),
    ...(store === undefined
      ? {}
      : {
          storeOperation: (name: string, op: string, ms: number) => store.child(name, op).observe(ms / 1000),
        }),
  }
}

/** A labelled metric's children, looked up once per label combination. */
function cached<C>(metric: { labels(...values: string[]): C }): (...values: string[]) => C {
  const children = new Map<string, C>()
  return (...values) => {
    const key = values.join('\u0000')
    let child = children.get(key)
    if (child === undefined) children.set(key, (child = metric.labels(...values)))
    return child
  }
}
