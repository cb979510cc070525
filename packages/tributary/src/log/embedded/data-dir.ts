import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DirLock } from './dir-lock.ts'
import { fsyncDir } from './fs-util.ts'
import type { StorageFs } from './storage-fs.ts'
import { attempt } from './storage-failure.ts'

/**
 * The on-disk layout of a durable embedded log: `LOCK` (see DirLock), `metadata.journal`,
 * `topics/<topic>/<partition>.log`, and `trash/`, where a deleted topic's directory is moved
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

  /** Path of a partition's file (the topic directory must exist). */
  partitionPath(topic: string, partition: number): string {
    return join(this.topicDir(topic), `${partition}.log`)
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

  /** Files in a topic directory. */
  topicFiles(topic: string): string[] {
    const dir = this.topicDir(topic)
    return attempt(dir, 'list', () => this.fs.readdirSync(dir))
  }

  release(): void {
    this.lock.release()
  }
}
