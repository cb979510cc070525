import type { TopicSpec } from './topic-settings.ts'

/** [topic, partition, offset] or [topic, partition, offset, commit metadata] */
export type OffsetTuple = [string, number, number] | [string, number, number, string]

/**
 * Everything the embedded log persists besides partition data, as entries of the metadata
 * journal. Replaying the journal in order rebuilds topics, committed offsets, producer epochs
 * and transaction decisions.
 */
export type MetadataEntry =
  | ({ readonly t: 'topic' } & TopicSpec)
  /** A partition's log start offset moved (retention, deleteRecordsBefore); written and synced
   *  before any segment below it is deleted. */
  | { readonly t: 'log-start'; readonly topic: string; readonly partition: number; readonly offset: number }
  | { readonly t: 'topic-deleted'; readonly name: string }
  /** `ticks[i]` orders `offsets[i]` against the group's other commits (see GroupOffsets). */
  | {
      readonly t: 'offsets'
      readonly group: string
      readonly offsets: OffsetTuple[]
      readonly ticks?: number[]
    }
  | { readonly t: 'producer'; readonly id: string; readonly producerId: number; readonly epoch: number }
  /** The decision for a transaction, written (and synced) before any of its markers. Committed
   *  decisions carry the group offsets the transaction commits, each with the tick it was sent
   *  at. */
  | {
      readonly t: 'txn'
      readonly txn: number
      readonly commit: boolean
      readonly offsets: { group: string; offsets: OffsetTuple[]; ticks?: number[] }[]
    }
  /** Snapshot-only: the next transaction id, so ids are never reused after a rewrite. */
  | { readonly t: 'txn-counter'; readonly next: number; readonly nextProducerId: number }
