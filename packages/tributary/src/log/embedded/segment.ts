import type { PartitionFile } from './partition-file.ts'
import type { SparseIndex } from './sparse-index.ts'

/**
 * One segment of a partition: the entries from `base` up to the next segment's base, in one file
 * named by its base offset (durable mode) or only in memory. Only the last segment of a
 * partition (the active one) is appended to; the others are closed: synced when the next one was
 * rolled, and afterwards only read, rewritten by compaction or deleted whole by retention.
 */
export interface Segment {
  readonly base: number
  /** null in memory mode. */
  file: PartitionFile | null
  /** Where each offset's frame is in its file (durable mode; null in memory mode). */
  index: SparseIndex | null
  /** Entries its file holds (or held, in memory mode): a log start moved into it does not lower
   *  this until the segment is deleted or compacted. */
  entries: number
  /** Bytes it holds (the file's length; estimated in memory mode). */
  bytes: number
  /** The newest of its records' timestamps and of the times it was written to (on recovery: its
   *  file's modification time); -1 while it holds nothing. retention.ms compares this, so a
   *  record is never deleted sooner than retention.ms after it was written, whatever its
   *  timestamp (Kafka, with CreateTime, compares record timestamps only). */
  maxTimestamp: number
  /** When it became the active segment, or its oldest record's timestamp when recovered and
   *  earlier (segment.ms rolls from then). */
  rolledAt: number
}

/** Creates and deletes the files of one partition's segments (durable mode). */
export interface SegmentStore {
  /** Creates the empty file of a segment starting at `base` (code LOG naming it on failure). */
  create(base: number): PartitionFile
  /** Closes and deletes segment files whose deletion is already decided and durable. */
  remove(files: readonly PartitionFile[]): void
}

/** When a partition starts a new segment: Kafka's segment.bytes and segment.ms. */
export interface RollPolicy {
  readonly segmentBytes: number
  readonly segmentMs: number
}
