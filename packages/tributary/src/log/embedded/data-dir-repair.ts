import { constants } from 'node:fs'
import { join } from 'node:path'
import { StorageProblems } from '../../storage-problems.ts'
import { describeLoss, inspectDataDir, type DataDirCheck } from './data-dir-check.ts'
import { segmentBase, segmentName } from './data-dir.ts'
import { DirLock } from './dir-lock.ts'
import type { FileScan } from './file-scan.ts'
import { frame, read } from './frame.ts'
import { fsyncDir, replaceFileAtomically, writeFully } from './fs-util.ts'
import { quarantine } from './quarantine.ts'
import { COMMIT_MARKER, encodeEntries } from './record-codec.ts'
import type { StorageContext } from './storage-context.ts'
import { nodeFs, type StorageFs } from './storage-fs.ts'

export interface RepairReport {
  /** What repair did, one line each (files quarantined, rewritten, re-registered, created). */
  readonly actions: string[]
  /** What is lost for good, one line each. */
  readonly lost: string[]
}

/**
 * Repairs what `checkDataDir` finds, so the log opens again: a damaged partition file or journal
 * is copied whole to `quarantine/` and rewritten with every intact frame (records after a damaged
 * one are kept wherever framing allows resynchronising); topic directories the journal does not
 * list are registered again (partition count from their files; cleanup policy compact for
 * `-changelog` topics, else delete); partitions without a segment get an empty one; a partition
 * whose first segment starts after its log start gets its log start moved there (the records in
 * between are reported lost); a segment file missing between two others is reported lost and
 * the segment before it gets a marker at the missing range's last offset (so it ends where the
 * next begins). Group offsets
 * beyond an end are left as they are (consumers refuse them until an operator commits others).
 */
export function repairDataDir(dir: string, fs: StorageFs = nodeFs): RepairReport {
  const lock = DirLock.acquire(dir)
  try {
    return repair(inspectDataDir(dir, fs), fs)
  } finally {
    lock.release()
  }
}

function repair(found: DataDirCheck, fs: StorageFs): RepairReport {
  const ctx: StorageContext = {
    fs,
    problems: new StorageProblems(),
    warn: () => undefined,
    dataDir: found.dir,
  }
  const actions: string[] = []
  const lost: string[] = []
  const added: Buffer[] = []
  for (const p of found.partitions) {
    if (p.scan === null) {
      const path = createEmptySegment(fs, p.path)
      actions.push(`${path}: created empty`)
      lost.push(`${p.path}: every record of ${p.topic}-${p.partition} (no segment file was there)`)
    } else if (p.scan.damaged.length > 0) {
      for (const range of p.scan.damaged) lost.push(`${p.path}: ${describeLoss(p.scan, range)}`)
      actions.push(rewriteIntact(ctx, p.scan))
    }
  }
  for (const { topic, partition, before, from, to } of found.holes) {
    closeHole(fs, before, to)
    actions.push(`${before}: ends at offset ${to - 1} now (a marker there), where the next segment starts`)
    const damaged = found.partitions.some((p) => p.path === before && (p.scan?.damaged.length ?? 0) > 0)
    if (!damaged)
      lost.push(`${topic}-${partition}: offsets ${from}-${to - 1} (their segment file was missing)`)
  }
  for (const { topic, partition, from, to } of found.gaps) {
    added.push(frame(Buffer.from(JSON.stringify({ t: 'log-start', topic, partition, offset: to }))))
    actions.push(`${topic}-${partition}: log start offset moved to ${to}, where its first segment starts`)
    lost.push(`${topic}-${partition}: offsets ${from}-${to - 1} (their segment was missing)`)
  }
  const journal = found.journal
  for (const { name, partitions } of found.unlisted) {
    const cleanupPolicy = name.endsWith('-changelog') ? 'compact' : 'delete'
    added.push(frame(Buffer.from(JSON.stringify({ t: 'topic', name, partitions, cleanupPolicy }))))
    for (let p = 0; p < partitions; p++) {
      const topicDir = join(found.dir, 'topics', name)
      const dir = join(topicDir, String(p))
      if (fs.existsSync(join(topicDir, `${p}.log`))) continue
      if (!fs.existsSync(dir) || fs.readdirSync(dir).every((n) => segmentBase(n) === undefined))
        createEmptySegment(fs, dir)
    }
    actions.push(
      `topic ${name}: registered again with ${partitions} partitions, cleanup policy ${cleanupPolicy}`,
    )
  }
  if (found.unlisted.length > 0 && (journal === null || journal.damaged.length === 0)) {
    lost.push('group offsets, producer epochs and transaction decisions the journal held for these topics')
  }
  if ((journal !== null && journal.damaged.length > 0) || added.length > 0) {
    const reRegistered = found.unlisted.length > 0
    if (journal !== null && journal.damaged.length > 0) {
      for (const range of journal.damaged)
        lost.push(
          `${found.journalPath}: entries in bytes ${range.from}-${range.to} (offset commits, topics or decisions)`,
        )
    }
    const kept = journal === null ? [] : intactFrames(ctx, journal)
    if (journal !== null && journal.damaged.length > 0) actions.push(quarantineWhole(ctx, journal))
    replaceFileAtomically(fs, found.journalPath, Buffer.concat([...kept, ...added]))
    actions.push(
      `${found.journalPath}: rewritten with its intact entries${reRegistered ? ' and the re-registered topics' : ''}${found.gaps.length > 0 ? ' and the moved log starts' : ''}`,
    )
  }
  fsyncDir(fs, found.dir)
  return { actions, lost }
}

/**
 * Appends a control marker (a commit of no transaction, which readers skip) at offset `to - 1`
 * to the segment before a hole, so it ends where the next one starts, as recovery requires.
 */
function closeHole(fs: StorageFs, segment: string, to: number): void {
  const marker = encodeEntries(
    { offsets: [to - 1], kinds: [COMMIT_MARKER], txns: [0], records: [undefined] },
    0,
    1,
  )
  const fd = fs.openSync(segment, constants.O_WRONLY)
  try {
    writeFully(fs, fd, marker, fs.fstatSync(fd).size)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Creates an empty first segment in a partition directory (made if missing); returns its path. */
function createEmptySegment(fs: StorageFs, partitionDir: string): string {
  fs.mkdirSync(partitionDir, { recursive: true })
  const path = join(partitionDir, segmentName(0))
  fs.closeSync(fs.openSync(path, constants.O_RDWR | constants.O_CREAT))
  return path
}

/** Quarantines the whole file, then rewrites it with its intact frames only. */
function rewriteIntact(ctx: StorageContext, scan: FileScan<unknown>): string {
  const kept = intactFrames(ctx, scan)
  const copy = quarantineWhole(ctx, scan)
  replaceFileAtomically(ctx.fs, scan.path, Buffer.concat(kept))
  return `${copy}; ${scan.path}: rewritten with its ${scan.entries.length} intact entries`
}

function intactFrames(ctx: StorageContext, scan: FileScan<unknown>): Buffer[] {
  const fd = ctx.fs.openSync(scan.path, constants.O_RDONLY)
  try {
    return scan.entries.map((e) => read(ctx.fs, fd, e.from, e.to - e.from))
  } finally {
    ctx.fs.closeSync(fd)
  }
}

function quarantineWhole(ctx: StorageContext, scan: FileScan<unknown>): string {
  const fd = ctx.fs.openSync(scan.path, constants.O_RDONLY)
  try {
    return `${scan.path}: copied to ${quarantine(ctx, scan.path, fd, 0, scan.size)}`
  } finally {
    ctx.fs.closeSync(fd)
  }
}
