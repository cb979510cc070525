import { TributaryError } from '../errors.ts'
import type { ProducerRecord } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import type { TopicPartition } from '../record.ts'
import type { ResolvedConfig } from './streams-config.ts'
import type { TaskEnvironment } from './task.ts'
import type { TopicNames } from './topic-plan.ts'

/** What a StreamsApp's tasks see of it: its settings, topic names, output and lag. */
export function appTaskEnvironment(
  config: ResolvedConfig,
  logger: Logger,
  names: TopicNames,
  app: {
    partitionCount(topic: string): number | undefined
    emit(record: ProducerRecord): void
    lagging(partitions: readonly TopicPartition[], afterLook: number): boolean
    looks(): number
  },
): TaskEnvironment {
  return {
    applicationId: config.applicationId,
    resolveTopic: (topic) => names.resolve(topic),
    partitionsFor: (topic) => {
      const count = app.partitionCount(topic)
      if (count !== undefined) return count
      throw new TributaryError(
        'LOG',
        `unknown partition count of ${topic}; a partitioner needs a topic that exists when the app starts`,
      )
    },
    emit: (record) => app.emit(record),
    deserializationErrors: config.deserializationErrors,
    processingErrors: config.processingErrors,
    deadLetterTopic: config.deadLetterTopic,
    maxTaskIdleMs: config.maxTaskIdleMs,
    lagging: (partitions, afterLook) => app.lagging(partitions, afterLook),
    looks: () => app.looks(),
    logger,
    storageProblems: config.storageProblems,
    lmdbMapSizeBytes: config.lmdbMapSizeBytes,
    observer: config.observer,
    now: config.clock,
  }
}
