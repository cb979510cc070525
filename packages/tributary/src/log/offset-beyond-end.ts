import { TributaryError } from '../errors.ts'
import { tpKey, type TopicPartition } from '../record.ts'

/**
 * A stored offset (a consumer group's committed offset, or a sink's offset kept in its database)
 * beyond the end of its partition: the records it accounts for are gone (a log replaced, truncated,
 * damaged and repaired). As with Kafka's auto.offset.reset=none this is an error, never a silent
 * reset: re-reading from the start would apply old records again, skipping to the end would drop
 * some. Not retried: an operator decides where to resume (the message says how).
 */
export class OffsetBeyondEnd extends TributaryError {
  constructor(
    /** Whose offset, e.g. `group g` or `sink s`. */
    readonly owner: string,
    /** What it is, e.g. `committed offset`. */
    what: string,
    readonly partition: TopicPartition,
    readonly stored: number,
    readonly end: number,
    howToReset: string,
  ) {
    super(
      'LOG',
      `${owner}: ${what} ${stored} of ${tpKey(partition)} is beyond the end of the partition (${end}): ` +
        `the records it accounts for are gone (a replaced, truncated or repaired log?). It is not reset ` +
        `silently; once you know why, ${howToReset}`,
    )
  }
}

/** How to move a Kafka consumer group's offset (the broker's own tool). */
export const kafkaResetHint = (groupId: string, tp: TopicPartition, end: number): string =>
  `reset the group with kafka-consumer-groups.sh --bootstrap-server <brokers> --group ${groupId} ` +
  `--topic ${tp.topic}:${tp.partition} --reset-offsets --to-offset <offset, at most ${end}> --execute`
