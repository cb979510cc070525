import { join } from 'node:path'
import type { TopicDescription } from '../log.ts'
import { DirLock } from './dir-lock.ts'
import { scanFile, type ByteRange, type FileScan } from './file-scan.ts'
import { parseEntry } from './journal.ts'
import type { MetadataEntry, OffsetTuple } from './metadata-entry.ts'
import { decodeEntry, ENTRY_MIN_BYTES, type DecodedEntry } from './record-codec.ts'
import { nodeFs, type StorageFs } from './storage-fs.ts'

/** One damaged or inconsistent thing in a data directory. */
export interface Finding {
  readonly path: string
  readonly problem: string
}

export interface PartitionScan {
  readonly topic: string
  readonly partition: number
  readonly path: string
  /** null: the file is missing. */
  readonly scan: FileScan<DecodedEntry> | null
}

/** Everything `tributary log check` found, and what `repair` works from. */
export interface DataDirCheck {
  readonly dir: string
  readonly findings: Finding[]
  readonly journalPath: string
  /** null: the journal is missing. */
  readonly journal: FileScan<MetadataEntry> | null
  /** Topics the journal lists. */
  readonly topics: Map<string, TopicDescription>
  readonly partitions: PartitionScan[]
  /** Topic directories holding data the journal does not list, with their partition count. */
  readonly unlisted: { readonly name: string; readonly partitions: number }[]
}

/**
 * Reads a data directory without changing it and lists every damaged file (with the byte ranges
 * and, for partitions, the offsets that are lost), journaled topics whose files are missing,
 * directories with data the journal does not list, and group offsets beyond their partition's end.
 * Takes the directory lock, so it fails (code LOG) while a log has the directory open.
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
  const offsets = new Map<string, { group: string; topic: string; partition: number; offset: number }>()
  const commit = (group: string, tuples: readonly OffsetTuple[]): void => {
    for (const [topic, partition, offset] of tuples)
      offsets.set(`${group}\0${topic}\0${partition}`, { group, topic, partition, offset })
  }
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
    } else if (entry.t === 'offsets') commit(entry.group, entry.offsets)
    else if (entry.t === 'txn' && entry.commit) for (const o of entry.offsets) commit(o.group, o.offsets)
  }
  const onDisk = fs.existsSync(topicsDir) ? fs.readdirSync(topicsDir) : []
  const unlisted: DataDirCheck['unlisted'] = []
  for (const name of onDisk) {
    if (topics.has(name) || deleted.has(name)) continue
    const files = fs.readdirSync(join(topicsDir, name))
    if (files.every((f) => fs.statSync(join(topicsDir, name, f)).size === 0)) continue
    const partitions = 1 + Math.max(-1, ...files.map((f) => Number(/^(\d+)\.log$/.exec(f)?.[1] ?? -1)))
    unlisted.push({ name, partitions })
    const journalState = journal === null ? 'missing' : 'does not list it'
    findings.push({
      path: join(topicsDir, name),
      problem: `holds data of a topic the journal (${journalState}) does not list`,
    })
  }
  const partitions: PartitionScan[] = []
  for (const { name, partitions: count } of topics.values()) {
    for (let partition = 0; partition < count; partition++) {
      const path = join(topicsDir, name, `${partition}.log`)
      const scan = fs.existsSync(path) ? scanFile(fs, path, ENTRY_MIN_BYTES, decodePartitionEntry) : null
      partitions.push({ topic: name, partition, path, scan })
      if (scan === null) findings.push({ path, problem: `is missing (the journal lists topic ${name})` })
      for (const range of scan?.damaged ?? []) findings.push({ path, problem: describeLoss(scan!, range) })
    }
  }
  for (const o of offsets.values()) {
    const p = partitions.find((s) => s.topic === o.topic && s.partition === o.partition)
    if (p === undefined) continue
    const end = endOffset(p.scan)
    if (o.offset > end) {
      findings.push({
        path: p.path,
        problem: `group ${o.group}: committed offset ${o.offset} is beyond the partition's end (${end})`,
      })
    }
  }
  return { dir, findings, journalPath, journal, topics, partitions, unlisted }
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
