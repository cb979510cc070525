import type { DataDir } from './data-dir.ts'
import { markedStart, segmentBase } from './data-dir.ts'
import type { FileHandles } from './file-handles.ts'
import { scanFile } from './file-scan.ts'
import { fsyncDir } from './fs-util.ts'
import { PartitionFile } from './partition-file.ts'
import type { PartitionLog } from './partition-log.ts'
import { decodeEntry, ENTRY_MIN_BYTES } from './record-codec.ts'
import { refusal, type StorageContext } from './storage-context.ts'
import { attempt } from './storage-failure.ts'

/**
 * Recovers one partition from its segment files, given the log start offset the journal holds
 * (0 when it holds none; the mark in its directory may hold a later one, see LogStarts). What it
 * may remove, each because a durable decision says so:
 * - segments wholly below the log start (retention or deleteRecordsBefore decided it and crashed
 *   before deleting them);
 * - a segment whose entries all lie below the end of the segments before it: compaction rewrote
 *   it into the first closed segment and crashed before deleting it (see compactRound).
 * It refuses (CORRUPT, naming the path) when the first segment starts after the log start, or a
 * later one after the end of the one before (a segment file is missing; unless recovery cut a
 * damaged end off that one, a loss it reports), when a segment partly overlaps the one before,
 * or when no segment is there. A partition file of the format before segments (`<topic>/<n>.log`) is moved into place
 * as the partition's first segment. Each segment file recovers as PartitionFile.open says.
 */
export function recoverPartition(
  ctx: StorageContext,
  handles: FileHandles,
  dataDir: DataDir,
  log: PartitionLog,
  journaled: number,
  committed: Set<number>,
): void {
  const { fs } = ctx
  const { topic, partition } = log
  const dir = dataDir.partitionDir(topic, partition)
  migrateSingleFile(ctx, dataDir, topic, partition)
  if (!fs.existsSync(dir)) throw refusal(ctx, dir, `the directory of partition ${partition} is missing`)
  const names = attempt(dir, 'list', () => fs.readdirSync(dir))
  const bases = names.flatMap((n) => segmentBase(n) ?? []).sort((a, b) => a - b)
  const start = recoverStart(dataDir, topic, partition, journaled, names)
  if (bases.length === 0) throw refusal(ctx, dir, `holds no segment file of partition ${partition}`)
  let first = 0
  while (first < bases.length - 1 && bases[first + 1]! <= start) first++
  const path = (base: number): string => dataDir.segmentPath(topic, partition, base)
  if (bases[first]! > start) {
    throw refusal(
      ctx,
      path(bases[first]!),
      `is the first segment, but the log starts at offset ${start} (${dataDir.journalPath}): the segment with offsets ${start}-${bases[first]! - 1} is missing`,
    )
  }
  for (const base of bases.slice(0, first)) attempt(path(base), 'remove', () => fs.rmSync(path(base)))
  log.startOffset = start
  const now = Date.now()
  let removed = first > 0
  let cut = false // recovery cut the end off the segment before (a loss it has dealt with)
  for (const [i, base] of bases.slice(first).entries()) {
    if (base < log.nextOffset) {
      removeMerged(ctx, path(base), log.nextOffset)
      removed = true
      continue
    }
    // Each segment ends where the next starts (rolls and compaction keep it so): a gap is a
    // segment file that was deleted or lost, never skipped silently.
    if (i > 0 && base > log.nextOffset && !cut) {
      throw refusal(
        ctx,
        path(log.nextOffset),
        `is missing: the segments of partition ${partition} hold offsets up to ${log.nextOffset - 1} and from ${base} on, so offsets ${log.nextOffset}-${base - 1} are gone (a segment file deleted or lost)`,
      )
    }
    const size = attempt(path(base), 'stat', () => fs.statSync(path(base)).size)
    const segment = log.addSegment(base, null, now)
    const file = PartitionFile.open(
      ctx,
      handles,
      path(base),
      (entry, position) => log.restore(entry, position, committed),
      (entry) => Number.isSafeInteger(entry.offset) && entry.offset >= log.nextOffset,
    )
    segment.file = file
    segment.bytes = file.length
    cut = file.length < size
    const written = attempt(path(base), 'stat', () => fs.statSync(path(base)).mtimeMs)
    if (file.length > 0 && written > segment.maxTimestamp) segment.maxTimestamp = Math.floor(written)
  }
  if (start > log.nextOffset) log.nextOffset = start
  if (removed) fsyncDir(fs, dir)
}

/**
 * The log start offset: the highest of the journal's and the marks' in the partition directory
 * (see LogStarts; either may be lost). Leaves exactly one mark, of that start (none for 0).
 */
function recoverStart(
  dataDir: DataDir,
  topic: string,
  partition: number,
  journaled: number,
  names: readonly string[],
): number {
  const marks = names.flatMap((n) => markedStart(n) ?? [])
  const start = Math.max(journaled, ...marks)
  for (const mark of marks) if (mark < start) dataDir.markLogStart(topic, partition, start, mark)
  if (start > 0 && !marks.includes(start)) dataDir.markLogStart(topic, partition, start, start)
  return start
}

/** Deletes a segment that compaction merged into an earlier one; refuses if it holds anything
 *  the earlier segments do not (offsets at or beyond `end`) or damaged bytes. */
function removeMerged(ctx: StorageContext, path: string, end: number): void {
  const scan = scanFile(ctx.fs, path, ENTRY_MIN_BYTES, (body) => decodeEntry(body))
  const covered = scan.damaged.length === 0 && scan.entries.every((e) => e.entry.offset < end)
  if (!covered) {
    throw refusal(
      ctx,
      path,
      `overlaps the segment before it (which ends at offset ${end - 1}) and holds more`,
    )
  }
  attempt(path, 'remove', () => ctx.fs.rmSync(path))
}

/** Moves `<topic>/<n>.log` (one file per partition, before segments) to `<topic>/<n>/<0>.log`. */
function migrateSingleFile(ctx: StorageContext, dataDir: DataDir, topic: string, partition: number): void {
  const { fs } = ctx
  const single = dataDir.legacyPartitionPath(topic, partition)
  fs.rmSync(`${single}.tmp`, { force: true }) // an interrupted compaction leaves the old file intact
  if (!fs.existsSync(single)) return
  const dir = dataDir.partitionDir(topic, partition)
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((n) => segmentBase(n) !== undefined)) {
    throw refusal(ctx, single, `and the segments in ${dir} both hold partition ${partition}`)
  }
  const target = dataDir.segmentPath(topic, partition, 0)
  attempt(dir, 'mkdir', () => fs.mkdirSync(dir, { recursive: true }))
  attempt(single, 'rename', () => fs.renameSync(single, target))
  fsyncDir(fs, dir)
  fsyncDir(fs, dataDir.topicDir(topic))
}
