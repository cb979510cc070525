import { dirname, join } from 'node:path'
import type { TopicDescription } from '../log.ts'
import { readCheckpointFile } from './cleaner-checkpoint-file.ts'
import { CHECKPOINT_NAME, markedStart, segmentBase, segmentName } from './data-dir.ts'
import { DirLock } from './dir-lock.ts'
import { scanFile, type ByteRange, type FileScan } from './file-scan.ts'
import { GroupOffsets } from './group-offsets.ts'
import { Journal, parseEntry } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import { decodeEntry, ENTRY_MIN_BYTES, type DecodedEntry } from './record-codec.ts'
import { nodeFs, type StorageFs } from './storage-fs.ts'
import { compacts, deletes } from './topic-settings.ts'

/** One damaged or inconsistent thing in a data directory. */
export interface Finding {
  readonly path: string
  readonly problem: string
}

/** One segment file of a partition (or, with `scan` null, a partition without any). */
export interface PartitionScan {
  readonly topic: string
  readonly partition: number
  /** The segment file (or a partition file of the format before segments); the partition's
   *  directory when it has no segment. */
  readonly path: string
  /** null: the partition has no segment file. */
  readonly scan: FileScan<DecodedEntry> | null
}

/** Everything `tributary log check` found, and what `repair` works from. */
export interface DataDirCheck {
  readonly dir: string
  readonly findings: Finding[]
  /** What is amiss but loses nothing (a compaction checkpoint the log will ignore). */
  readonly notes: Finding[]
  readonly journalPath: string
  /** null: the journal is missing. */
  readonly journal: FileScan<MetadataEntry> | null
  /** Topics the journal lists. */
  readonly topics: Map<string, TopicDescription>
  /** Every segment of every listed partition, in offset order per partition. */
  readonly partitions: PartitionScan[]
  /** Partitions whose first segment starts after their journaled log start (a segment missing). */
  readonly gaps: {
    readonly topic: string
    readonly partition: number
    readonly from: number
    readonly to: number
  }[]
  /** Offsets missing between two segments of a partition (a segment file deleted or lost, or the
   *  damaged end of the one before): `[from, to)`, `before` the segment they follow. */
  readonly holes: {
    readonly topic: string
    readonly partition: number
    readonly before: string
    readonly from: number
    readonly to: number
  }[]
  /** Topic directories holding data the journal does not list, with their partition count. */
  readonly unlisted: { readonly name: string; readonly partitions: number }[]
}

/**
 * Reads a data directory without changing it and lists every damaged file (with the byte ranges
 * and, for partitions, the offsets that are lost), journaled partitions without segment files or
 * whose first segment starts after their log start, segment files missing between others,
 * directories with data the journal does not list, and group offsets beyond their partition's end;
 * notes compaction checkpoints the log would ignore. Takes the directory lock, so it fails (code
 * LOG) while a log has the directory open.
 */
export function checkDataDir(dir: string, fs: StorageFs = nodeFs): DataDirCheck {
  const lock = DirLock.acquire(dir)
  try {
    return inspectDataDir(dir, fs)
  } finally {
    lock.release()
  }
}

/** `checkDataDir` for a caller that holds the directory lock. */
export function inspectDataDir(dir: string, fs: StorageFs): DataDirCheck {
  const findings: Finding[] = []
  const notes: Finding[] = []
  const journalPath = join(dir, 'metadata.journal')
  const topicsDir = join(dir, 'topics')
  const journal = fs.existsSync(journalPath) ? scanFile(fs, journalPath, 2, parseEntry) : null
  for (const range of journal?.damaged ?? [])
    findings.push({
      path: journalPath,
      problem: `bytes ${range.from}-${range.to} are damaged (entries there are lost)`,
    })
  const topics = new Map<string, TopicDescription>()
  const deleted = new Set<string>()
  const starts = new Map<string, number>()
  const offsets = new GroupOffsets(Journal.memory()) // ordered as the log orders them
  for (const { entry } of journal?.entries ?? []) {
    if (entry.t === 'topic') {
      topics.set(entry.name, {
        name: entry.name,
        partitions: entry.partitions,
        cleanupPolicy: entry.cleanupPolicy,
      })
      deleted.delete(entry.name)
    } else if (entry.t === 'topic-deleted') {
      topics.delete(entry.name)
      deleted.add(entry.name)
      offsets.dropTopic(entry.name)
      for (const key of starts.keys()) if (key.startsWith(`${entry.name}\0`)) starts.delete(key)
    } else if (entry.t === 'log-start') {
      const key = `${entry.topic}\0${entry.partition}`
      starts.set(key, Math.max(starts.get(key) ?? 0, entry.offset))
    } else if (entry.t === 'offsets') offsets.apply(entry.group, entry.offsets, entry.ticks)
    else if (entry.t === 'txn' && entry.commit)
      for (const o of entry.offsets) offsets.apply(o.group, o.offsets, o.ticks)
  }
  const onDisk = fs.existsSync(topicsDir) ? fs.readdirSync(topicsDir) : []
  const unlisted: DataDirCheck['unlisted'] = []
  for (const name of onDisk) {
    if (topics.has(name) || deleted.has(name)) continue
    const files = fs.readdirSync(join(topicsDir, name))
    if (files.every((f) => holdsNoData(fs, join(topicsDir, name, f)))) continue
    const partitions = 1 + Math.max(-1, ...files.map((f) => Number(/^(\d+)(\.log)?$/.exec(f)?.[1] ?? -1)))
    unlisted.push({ name, partitions })
    const journalState = journal === null ? 'missing' : 'does not list it'
    findings.push({
      path: join(topicsDir, name),
      problem: `holds data of a topic the journal (${journalState}) does not list`,
    })
  }
  const partitions: PartitionScan[] = []
  const gaps: DataDirCheck['gaps'] = []
  const holes: DataDirCheck['holes'] = []
  const ends = new Map<string, { path: string; end: number }>()
  for (const { name, partitions: count } of topics.values()) {
    for (let partition = 0; partition < count; partition++) {
      const start = Math.max(
        starts.get(`${name}\0${partition}`) ?? 0,
        ...marks(fs, join(topicsDir, name, String(partition))),
      )
      const segments = segmentFiles(fs, join(topicsDir, name), partition)
      let end = start
      if (segments.length === 0) {
        const path = join(topicsDir, name, String(partition))
        partitions.push({ topic: name, partition, path, scan: null })
        findings.push({ path, problem: `has no segment file (the journal lists topic ${name})` })
      }
      const live = segments.filter((_, i) => (segments[i + 1]?.base ?? Infinity) > start)
      if (live.length > 0 && live[0]!.base > start) {
        gaps.push({ topic: name, partition, from: start, to: live[0]!.base })
        findings.push({
          path: live[0]!.path,
          problem: `is the first segment, but the log starts at offset ${start}: offsets ${start}-${live[0]!.base - 1} are missing`,
        })
      }
      let previous: { path: string; end: number; damaged: boolean } | undefined
      for (const { path, base } of live) {
        const scan = scanFile(fs, path, ENTRY_MIN_BYTES, decodePartitionEntry)
        partitions.push({ topic: name, partition, path, scan })
        for (const range of scan.damaged) findings.push({ path, problem: describeLoss(scan, range) })
        if (previous !== undefined && base > previous.end) {
          holes.push({ topic: name, partition, before: previous.path, from: previous.end, to: base })
          if (!previous.damaged)
            findings.push({
              path: join(dirname(path), segmentName(previous.end)),
              problem: `is missing: offsets ${previous.end}-${base - 1} of ${name}-${partition} are gone (the segments hold offsets up to ${previous.end - 1} and from ${base} on)`,
            })
        }
        end = Math.max(end, base, endOffset(scan))
        previous = { path, end: Math.max(base, endOffset(scan)), damaged: scan.damaged.length > 0 }
      }
      ends.set(`${name}\0${partition}`, { path: live.at(-1)?.path ?? join(topicsDir, name), end })
      const { cleanupPolicy } = topics.get(name)!
      const checkpoint = join(topicsDir, name, String(partition), CHECKPOINT_NAME)
      const read = compacts(cleanupPolicy)
        ? readCheckpointFile(fs, checkpoint, start, end, deletes(cleanupPolicy))
        : undefined
      if (read !== undefined && 'ignored' in read && !read.routine)
        notes.push({
          path: checkpoint,
          problem: `${read.ignored}: the log ignores it and compacts the partition from its start again (nothing is lost)`,
        })
    }
  }
  for (const { group, offset: o } of offsets.all()) {
    const p = ends.get(`${o.topic}\0${o.partition}`)
    if (p === undefined) continue
    const end = p.end
    if (o.offset > end) {
      findings.push({
        path: p.path,
        problem: `group ${group}: committed offset ${o.offset} is beyond the partition's end (${end})`,
      })
    }
  }
  return { dir, findings, notes, journalPath, journal, topics, partitions, gaps, holes, unlisted }
}

/** A partition's segment files by base offset (a partition file of the format before segments
 *  counts as the segment at 0). */
function segmentFiles(fs: StorageFs, topicDir: string, partition: number): { path: string; base: number }[] {
  const single = join(topicDir, `${partition}.log`)
  if (fs.existsSync(single)) return [{ path: single, base: 0 }]
  const dir = join(topicDir, String(partition))
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .flatMap((name) => {
      const base = segmentBase(name)
      return base === undefined ? [] : [{ path: join(dir, name), base }]
    })
    .sort((a, b) => a.base - b.base)
}

/** The log starts marked in a partition directory (see LogStarts). */
function marks(fs: StorageFs, dir: string): number[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((name) => markedStart(name) ?? []) : []
}

function holdsNoData(fs: StorageFs, path: string): boolean {
  if (!fs.statSync(path).isDirectory()) return fs.statSync(path).size === 0
  return fs.readdirSync(path).every((name) => holdsNoData(fs, join(path, name)))
}

/** The offset the next record of a scanned partition would get. */
export const endOffset = (scan: FileScan<DecodedEntry> | null): number =>
  (scan?.entries.at(-1)?.entry.offset ?? -1) + 1

/** "bytes a-b are damaged: offsets x-y are lost" from the intact entries around the range. */
export function describeLoss(scan: FileScan<DecodedEntry>, range: ByteRange): string {
  const before = scan.entries.filter((e) => e.to <= range.from).at(-1)?.entry.offset
  const after = scan.entries.find((e) => e.from >= range.to)?.entry.offset
  const first = (before ?? -1) + 1
  const lost =
    after === undefined
      ? `records from offset ${first} on are lost`
      : after > first
        ? `offsets ${first}-${after - 1} are lost; the records from offset ${after} on are intact`
        : `no offset is lost`
  return `bytes ${range.from}-${range.to} are damaged: ${lost}`
}

function decodePartitionEntry(body: Buffer, previous: DecodedEntry | undefined): DecodedEntry | undefined {
  const entry = decodeEntry(body)
  if (entry === undefined || !Number.isSafeInteger(entry.offset) || entry.offset < 0) return undefined
  return previous === undefined || entry.offset > previous.offset ? entry : undefined
}
