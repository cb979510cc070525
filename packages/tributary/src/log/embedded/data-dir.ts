import { randomUUID } from 'node:crypto'
import { constants, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DirLock } from './dir-lock.ts'
import { fsyncDir } from './fs-util.ts'
import type { StorageFs } from './storage-fs.ts'
import { attempt } from './storage-failure.ts'

/**
 * The on-disk layout of a durable embedded log: `LOCK` (see DirLock), `metadata.journal`,
 * `topics/<topic>/<partition>/<base offset, 20 digits>.log` (segments) beside
 * `<log start offset, 20 digits>.start` (see LogStarts) and, once compacted, `cleaner.checkpoint`
 * (see CleanerCheckpoint), and `trash/`, where a deleted topic's directory is moved
 * (after its deletion is journaled) before it is removed. Recovery only ever removes what is in
 * `trash/` or what the journal says was deleted: never a directory it merely does not know.
 */
export class DataDir {
  readonly journalPath: string
  readonly topicsDir: string
  private readonly trashDir: string

  private constructor(
    readonly dir: string,
    private readonly fs: StorageFs,
    private readonly lock: DirLock,
  ) {
    this.journalPath = join(dir, 'metadata.journal')
    this.topicsDir = join(dir, 'topics')
    this.trashDir = join(dir, 'trash')
  }

  /** Creates the directory if needed, takes its lock (code LOG if held) and empties `trash/`. */
  static open(dir: string, fs: StorageFs): DataDir {
    mkdirSync(dir, { recursive: true })
    const lock = DirLock.acquire(dir)
    try {
      const dataDir = new DataDir(dir, fs, lock)
      attempt(dataDir.topicsDir, 'mkdir', () => fs.mkdirSync(dataDir.topicsDir, { recursive: true }))
      attempt(dataDir.trashDir, 'remove', () => fs.rmSync(dataDir.trashDir, { recursive: true, force: true }))
      return dataDir
    } catch (err) {
      lock.release()
      throw err
    }
  }

  topicDir(topic: string): string {
    return join(this.topicsDir, topic)
  }

  /** Directory of a partition's segment files. */
  partitionDir(topic: string, partition: number): string {
    return join(this.topicDir(topic), String(partition))
  }

  /** Path of the segment whose first offset is `base` (named as Kafka names them). */
  segmentPath(topic: string, partition: number, base: number): string {
    return join(this.partitionDir(topic, partition), segmentName(base))
  }

  /** Path of a partition's compaction checkpoint (see cleaner-checkpoint-file.ts). */
  checkpointPath(topic: string, partition: number): string {
    return join(this.partitionDir(topic, partition), CHECKPOINT_NAME)
  }

  /** Where a partition's single file was before segments (see partition-recovery.ts). */
  legacyPartitionPath(topic: string, partition: number): string {
    return join(this.topicDir(topic), `${partition}.log`)
  }

  /**
   * Marks `start` as a partition's log start offset in its directory, durably: an empty file named
   * after it (see LogStarts), then the mark of the previous start `previous` is removed.
   */
  markLogStart(topic: string, partition: number, start: number, previous: number): void {
    const dir = this.partitionDir(topic, partition)
    const path = join(dir, startMarkName(start))
    attempt(path, 'create', () =>
      this.fs.closeSync(this.fs.openSync(path, constants.O_WRONLY | constants.O_CREAT)),
    )
    fsyncDir(this.fs, dir)
    if (previous === start) return
    const old = join(dir, startMarkName(previous))
    attempt(old, 'remove', () => this.fs.rmSync(old, { force: true }))
  }

  /** Creates an empty topic directory (replacing leftovers of a creation that never completed). */
  createTopicDir(topic: string): void {
    const dir = this.topicDir(topic)
    attempt(dir, 'create', () => {
      this.fs.rmSync(dir, { recursive: true, force: true })
      this.fs.mkdirSync(dir, { recursive: true })
    })
    fsyncDir(this.fs, this.topicsDir)
  }

  /** Creates the (empty) directory of a partition's segments in a new topic directory. */
  createPartitionDir(topic: string, partition: number): void {
    const dir = this.partitionDir(topic, partition)
    attempt(dir, 'create', () => this.fs.mkdirSync(dir))
  }

  /** Makes the partition directories just created in a topic directory survive power loss. */
  syncTopicDir(topic: string): void {
    fsyncDir(this.fs, this.topicDir(topic))
  }

  /** Moves a topic's directory to `trash/`, then removes it (a crash in between: removed at the next open). */
  removeTopic(topic: string): void {
    const dir = this.topicDir(topic)
    if (!this.fs.existsSync(dir)) return
    const trashed = join(this.trashDir, `${topic}.${randomUUID()}`)
    attempt(dir, 'remove', () => {
      this.fs.mkdirSync(this.trashDir, { recursive: true })
      this.fs.renameSync(dir, trashed)
    })
    fsyncDir(this.fs, this.topicsDir)
    attempt(trashed, 'remove', () => this.fs.rmSync(trashed, { recursive: true, force: true }))
  }

  /** Names of the topic directories on disk. */
  topicDirs(): string[] {
    return attempt(this.topicsDir, 'list', () => this.fs.readdirSync(this.topicsDir))
  }

  /** Paths of the files in a topic directory and in its partition directories. */
  topicFiles(topic: string): string[] {
    const list = (dir: string): string[] =>
      attempt(dir, 'list', () => this.fs.readdirSync(dir)).flatMap((name) => {
        const path = join(dir, name)
        return this.fs.statSync(path).isDirectory() ? list(path) : [path]
      })
    return list(this.topicDir(topic))
  }

  release(): void {
    this.lock.release()
  }
}

/** A segment's file name: its base offset in 20 digits, as Kafka's. */
export const segmentName = (base: number): string => `${String(base).padStart(20, '0')}.log`

/** The base offset a segment file name stands for, or undefined for any other name. */
export function segmentBase(name: string): number | undefined {
  const match = /^(\d{20})\.log$/.exec(name)
  return match === null ? undefined : Number(match[1])
}

/** The file name of a partition's compaction checkpoint, as Kafka's cleaner-offset-checkpoint. */
export const CHECKPOINT_NAME = 'cleaner.checkpoint'

/** A log start mark's file name: the offset in 20 digits (see DataDir.markLogStart). */
const startMarkName = (start: number): string => `${String(start).padStart(20, '0')}.start`

/** The log start offset a mark's file name stands for, or undefined for any other name. */
export function markedStart(name: string): number | undefined {
  const match = /^(\d{20})\.start$/.exec(name)
  return match === null ? undefined : Number(match[1])
}
