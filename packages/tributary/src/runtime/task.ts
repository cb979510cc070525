import type { ConsumerRecord, PartitionOffset, ProducerRecord } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import type { StorageProblems } from '../storage-problems.ts'
import type { StreamRecord, TopicPartition } from '../record.ts'
import { tpKey } from '../record.ts'
import type { SinkNode, SourceNode } from '../topology/nodes.ts'
import type { Processor, RecordOrigin } from '../topology/processor.ts'
import type { SubTopology } from '../topology/sub-topology.ts'
import type { Topology } from '../topology/topology.ts'
import { deadLetterRecord, fatalRecordError, type ErrorPolicy, type ErrorStage } from './error-handling.ts'
import { LateRecordLog } from './late-record-log.ts'
import { PartitionGroup, type QueuedRecord } from './partition-group.ts'
import { NodeContext, type TaskScope } from './node-context.ts'
import { PunctuationSchedule } from './punctuation-schedule.ts'
import type { RecordScope, RuntimeObserver } from './runtime-observer.ts'
import { lineageStores } from './state-lineage.ts'
import { recordLogFields } from './record-log-fields.ts'
import { RunTimer } from './run-timer.ts'
import type { PartitionTimes } from './stream-time-metadata.ts'
import { newTaskMetrics } from './task-metrics.ts'

export interface TaskEnvironment {
  readonly applicationId: string
  /** Physical name of a topology topic (internal topics get the application id prefix). */
  resolveTopic(topic: string): string
  /** Partition count of a physical topic, for user partitioners. */
  partitionsFor(topic: string): number
  /** Receives every output record, in order; the runtime sends them to the log. */
  emit(record: ProducerRecord): void
  readonly deserializationErrors: ErrorPolicy
  readonly processingErrors: ErrorPolicy
  readonly deadLetterTopic: string
  /** How long a task with several inputs waits for an empty one before processing the others
   *  (out of time order); 0 never waits. */
  readonly maxTaskIdleMs: number
  /** Whether any of these input partitions has data in the log that has not reached the task yet,
   *  or may have: no look at the log's ends begun after mark `afterLook` (from `looks`) has said
   *  otherwise (lag-aware idling, as Kafka Streams since KIP-695); absent means "no". */
  lagging?(partitions: readonly TopicPartition[], afterLook: number): boolean
  /** How many looks at the log's end offsets have begun. */
  looks?(): number
  readonly logger: Logger
  /** Where opening a task's stores reports a damaged store it set aside. */
  readonly storageProblems?: StorageProblems
  /** Address space each of the task's lmdb stores maps (StreamsConfig.lmdbMapSizeBytes). */
  readonly lmdbMapSizeBytes?: number
  /** Metrics and tracing; absent records nothing. */
  readonly observer?: RuntimeObserver | undefined
  now(): number
}

type Runner = (record: StreamRecord<unknown, unknown>) => void

/** Longest a task waits for a lagging input before processing the others anyway. */
const LAG_WAIT_CAP_MS = 30_000

/**
 * Runs one sub-topology for one partition number. Synchronous: the runtime buffers input with
 * `push`, calls `process` to run records through the processors, and reads `consumedOffsets` when
 * it commits. A record's failure is handled by the error policies; `fail` throws out of `process`.
 */
export class Task {
  readonly id: string
  readonly metrics = newTaskMetrics()
  readonly inputs = new PartitionGroup()
  readonly late: LateRecordLog
  private readonly sourceByTopic = new Map<string, SourceNode>()
  private readonly runners = new Map<string, Runner>()
  private readonly processors: Processor[] = []
  private readonly consumed = new Map<string, PartitionOffset>()
  private readonly streamTimePunctuations = new PunctuationSchedule('stream-time')
  private readonly wallClockPunctuations = new PunctuationSchedule('wall-clock')
  /** Times processed records for the observer, if it records them. */
  private readonly timer: RunTimer | undefined
  private current: ConsumerRecord | undefined
  /** The observer's scope of the record being processed (its outputs are decorated by it). */
  private scope: RecordScope | undefined
  private streamTime = -Infinity
  /** Since when some input partition has been empty while others had data; undefined if none is. */
  private idleSince: number | undefined
  /** The look at the log's ends under way when an input went empty (see `mayProcess`). */
  private idleLook = 0
  commitRequested = false

  constructor(
    private readonly topology: Topology,
    readonly subTopology: SubTopology,
    readonly partition: number,
    private readonly stores: ReadonlyMap<string, unknown>,
    private readonly env: TaskEnvironment,
  ) {
    this.id = `${subTopology.id}_${partition}`
    this.late = new LateRecordLog(this.id, env.logger)
    const observer = env.observer
    this.timer =
      observer?.recordsProcessed === undefined
        ? undefined
        : new RunTimer(
            (topic, records, ms) => observer.recordsProcessed!(this.id, topic, records, ms),
            observer.timeEachRecord === true,
          )
    for (const name of subTopology.nodes) {
      const node = topology.node(name)
      if (node.kind === 'source') {
        for (const topic of node.topics) {
          const physical = env.resolveTopic(topic)
          this.sourceByTopic.set(physical, node)
          this.inputs.add({ topic: physical, partition })
        }
      }
    }
  }

  /** Instantiates processors (children first, so `init` may forward) and calls their `init`. */
  initialize(): void {
    const scope: TaskScope = {
      applicationId: this.env.applicationId,
      taskId: this.id,
      stores:
        this.env.observer?.recordStarted === undefined
          ? this.stores
          : lineageStores(this.stores, () => this.scope),
      origin: () => this.origin(),
      streamTime: () => this.streamTime,
      now: () => this.env.now(),
      requestCommit: () => {
        this.commitRequested = true
      },
      recordLate: (processor, details) => {
        this.metrics.lateRecords++
        this.env.observer?.recordDropped?.(this.id, 'late', processor)
        const raw = this.current
        this.late.record(processor, this.streamTime, details, raw && recordLogFields(this.id, raw))
      },
      recordDropped: (processor, reason) => {
        this.metrics.nullDropped++
        this.env.observer?.recordDropped?.(this.id, reason, processor)
      },
      schedule: (interval, type, callback) =>
        type === 'stream-time'
          ? this.streamTimePunctuations.add(interval, callback, this.streamTime)
          : this.wallClockPunctuations.add(interval, callback, this.env.now()),
    }
    const pending: Array<[Processor, NodeContext]> = []
    for (const name of [...this.subTopology.nodes].reverse()) {
      const node = this.topology.node(name)
      if (node.kind === 'sink') this.runners.set(name, this.sinkRunner(node))
      if (node.kind === 'processor') {
        const processor = node.supplier()
        const context = new NodeContext(node, scope, this.childRunners(node.children))
        this.processors.push(processor)
        this.runners.set(name, (record) => processor.process(record))
        pending.push([processor, context])
      }
    }
    for (const [processor, context] of pending.reverse()) processor.init?.(context)
  }

  /** Buffers records of one input partition, decoding each and extracting its event time. */
  push(partition: TopicPartition, records: readonly ConsumerRecord[]): void {
    const source = this.sourceByTopic.get(partition.topic)!
    for (const raw of records) {
      const partitionTime = this.inputs.partitionTime(partition)
      try {
        const record = this.deserialize(source, raw, partitionTime)
        this.inputs.push(partition, { raw, record, timestamp: record.timestamp })
      } catch (error) {
        this.inputs.push(partition, { raw, error, timestamp: partitionTime })
      }
    }
  }

  /**
   * Processes up to `max` buffered records in event-time order; returns how many were taken. When
   * an input partition is empty it waits (returns early) until `maxTaskIdleMs` has passed since it
   * went empty, so records of several inputs are not processed out of time order needlessly. Stops
   * at the first record later than `until` (event-time alignment across tasks).
   */
  process(max = Infinity, now = this.env.now(), until = Infinity): number {
    let done = 0
    const timer = this.timer
    // Whether the task may go on changes within one call only when another input runs empty (no
    // records arrive, `now` and the log's known ends stay put), so it is asked again only then,
    // not per record: asking looks up the lag of every empty input.
    let askedWithEmpty = -1
    while (done < max && this.inputs.size() > 0) {
      const empty = this.inputs.emptyCount()
      if (empty !== askedWithEmpty) {
        if (!this.mayProcess(now)) break
        askedWithEmpty = empty
      }
      const entry = this.inputs.next(until)
      if (entry === undefined) break
      timer?.next(entry.raw.topic)
      this.processRecord(entry)
      done++
    }
    // A record that throws out of here (policy `fail`) stops the task: its run is not reported.
    timer?.flush()
    return done
  }

  /**
   * With an input partition empty, wait `maxTaskIdleMs`, and beyond that for as long as the empty
   * partition is known to lag (its data is in the log but not here yet; at most LAG_WAIT_CAP_MS),
   * so records are not processed ahead of earlier ones still on their way. With a wait configured,
   * the partition's end must come from a look at the log begun after it went empty: a busy event
   * loop can let `maxTaskIdleMs` pass without one, and an older end misses what was written since.
   */
  private mayProcess(now: number): boolean {
    if (this.inputs.allBuffered()) {
      this.idleSince = undefined
      return true
    }
    if (this.idleSince === undefined) {
      this.idleSince = now
      this.idleLook = this.env.looks?.() ?? 0
    }
    const waited = now - this.idleSince
    if (waited < this.env.maxTaskIdleMs) return false
    if (waited >= LAG_WAIT_CAP_MS) return true
    const afterLook = this.env.maxTaskIdleMs > 0 ? this.idleLook : 0
    return !this.env.lagging?.(this.inputs.emptyPartitions(), afterLook)
  }

  /** Next offsets to commit for the partitions this task has consumed from since the last call. */
  consumedOffsets(): PartitionOffset[] {
    const offsets = [...this.consumed.values()]
    this.consumed.clear()
    return offsets
  }

  /** What a commit stores with the partition's offset (see stream-time-metadata.ts). */
  partitionTimes(partition: TopicPartition): PartitionTimes {
    const processed = this.inputs.processedTime(partition)
    return { processed, frontier: this.inputs.headTime(partition) ?? processed }
  }

  /** Resumes stream time and partition times from the times committed with the offsets. */
  restoreTimes(times: ReadonlyMap<string, number>): void {
    for (const tp of this.inputs.partitions()) {
      const time = times.get(tpKey(tp))
      if (time === undefined) continue
      this.inputs.restoreTime(tp, time)
      if (time > this.streamTime) this.streamTime = time
    }
  }

  /** Fires wall-clock punctuations that are due at `now`. */
  punctuateWallClock(now: number): number {
    return this.wallClockPunctuations.fire(now, (run) => this.runPunctuation(run))
  }

  currentStreamTime(): number {
    return this.streamTime
  }

  close(): void {
    for (const p of this.processors) p.close?.()
    this.inputs.clear()
  }

  /** Processes one record inside its observer's scope (tracing), if it opens one. */
  private processRecord(entry: QueuedRecord): void {
    const observer = this.env.observer
    if (observer?.recordStarted === undefined) return this.processEntry(entry)
    this.scope = observer.recordStarted(this.id, entry.raw)
    let error: unknown
    try {
      this.processEntry(entry)
    } catch (err) {
      error = err
      throw err
    } finally {
      this.scope?.end(error)
      this.scope = undefined
    }
  }

  private processEntry(entry: QueuedRecord): void {
    const raw = entry.raw
    this.current = raw
    this.consumed.set(tpKey(raw), { topic: raw.topic, partition: raw.partition, offset: raw.offset + 1 })
    const source = this.sourceByTopic.get(raw.topic)!
    const record =
      entry.record ??
      this.guard('deserialization', raw, () => {
        throw entry.error
      })
    if (record === undefined) return this.finishRecord()
    if (record.timestamp < 0 || !Number.isFinite(record.timestamp)) {
      this.metrics.invalidTimestamps++
      this.env.observer?.recordDropped?.(this.id, 'invalid-timestamp')
      this.env.logger.warn(recordLogFields(this.id, raw), 'skipping record with invalid timestamp')
      return this.finishRecord()
    }
    if (record.timestamp > this.streamTime) this.streamTime = record.timestamp
    this.guard('processing', raw, () => {
      for (const child of source.children) this.runners.get(child)!(record)
      return true
    })
    this.metrics.processed++
    this.finishRecord()
    this.streamTimePunctuations.fire(this.streamTime, (run) => this.runPunctuation(run))
  }

  private finishRecord(): void {
    this.current = undefined
  }

  private deserialize(
    source: SourceNode,
    raw: ConsumerRecord,
    partitionTime: number,
  ): StreamRecord<unknown, unknown> {
    const key = raw.key === null ? null : source.keySerde.deserialize(raw.key, raw.topic)
    const value = raw.value === null ? null : source.valueSerde.deserialize(raw.value, raw.topic)
    const record = { key, value, timestamp: raw.timestamp, headers: raw.headers }
    const extractor = source.timestampExtractor
    if (extractor === undefined) return record
    const origin = { topic: raw.topic, partition: raw.partition, offset: raw.offset }
    return { ...record, timestamp: extractor({ ...record, ...origin }, partitionTime) }
  }

  /** Runs `work` for `raw`; on error applies the stage's policy and returns undefined. */
  private guard<T>(stage: ErrorStage, raw: ConsumerRecord, work: () => T): T | undefined {
    try {
      return work()
    } catch (err) {
      const policy = stage === 'deserialization' ? this.env.deserializationErrors : this.env.processingErrors
      if (policy === 'fail') throw fatalRecordError(stage, raw, err)
      const where = { ...recordLogFields(this.id, raw), stage, err: String(err) }
      this.env.logger.warn(where, `skipping record: ${stage} failed`)
      if (stage === 'deserialization') this.metrics.skippedDeserialization++
      else this.metrics.skippedProcessing++
      this.env.observer?.recordDropped?.(this.id, stage)
      if (policy === 'dead-letter') {
        this.emit(deadLetterRecord(this.env.deadLetterTopic, stage, raw, err))
        this.metrics.deadLettered++
      }
      return undefined
    }
  }

  private runPunctuation(run: () => void): void {
    this.metrics.punctuations++
    const started = performance.now()
    try {
      run()
    } catch (err) {
      if (this.env.processingErrors === 'fail') throw err
      this.metrics.skippedProcessing++
      this.env.logger.warn({ task: this.id, err: String(err) }, 'punctuation failed; continuing')
    } finally {
      this.env.observer?.punctuated?.(this.id, performance.now() - started)
    }
  }

  /** Sends an output, through the record's observer scope when one is open (e.g. its trace). */
  private emit(record: ProducerRecord): void {
    this.env.emit(this.scope === undefined ? record : this.scope.decorate(record))
  }

  private childRunners(children: readonly string[]): Map<string, Runner> {
    return new Map(
      children.map((c) => [c, (record: StreamRecord<unknown, unknown>) => this.runners.get(c)!(record)]),
    )
  }

  private origin(): RecordOrigin | undefined {
    const raw = this.current
    return raw === undefined ? undefined : { topic: raw.topic, partition: raw.partition, offset: raw.offset }
  }

  private sinkRunner(sink: SinkNode): Runner {
    const target = sink.topic
    // A fixed topic is resolved once: the same string every record (cheap to hash for metrics).
    const fixed = typeof target === 'string' ? this.env.resolveTopic(target) : ''
    return (record) => {
      const topic =
        typeof target === 'string'
          ? fixed
          : this.env.resolveTopic(target(record.key, record.value, this.origin()))
      const partition = sink.partitioner?.(topic, record.key, record.value, this.env.partitionsFor(topic))
      this.emit({
        topic,
        ...(partition === undefined ? {} : { partition }),
        key:
          record.key === null || record.key === undefined ? null : sink.keySerde.serialize(record.key, topic),
        value:
          record.value === null || record.value === undefined
            ? null
            : sink.valueSerde.serialize(record.value, topic),
        timestamp: record.timestamp,
        headers: record.headers,
      })
    }
  }
}
