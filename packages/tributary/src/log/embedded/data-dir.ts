import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { TributaryError } from '../../errors.ts'
import { fsyncDir } from './fs-util.ts'

/**
 * The on-disk layout of a durable embedded log and its single-owner lock:
 * `LOCK` (pid of the owner), `metadata.journal`, `topics/<topic>/<partition>.log`.
 */
export class DataDir {
  readonly journalPath: string
  private readonly topicsDir: string
  private readonly lockPath: string
  private locked = false

  private constructor(readonly dir: string) {
    this.journalPath = join(dir, 'metadata.journal')
    this.topicsDir = join(dir, 'topics')
    this.lockPath = join(dir, 'LOCK')
  }

  /**
   * Creates the directory if needed and takes its lock. Fails with code LOG naming the directory
   * while another live process (or another open log in this process) holds it; a lock left by a
   * dead process is taken over.
   */
  static open(dir: string): DataDir {
    mkdirSync(join(dir, 'topics'), { recursive: true })
    const dataDir = new DataDir(dir)
    dataDir.lock()
    return dataDir
  }

  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx')
        writeSync(fd, String(process.pid))
        closeSync(fd)
        this.locked = true
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const owner = Number.parseInt(readFileSync(this.lockPath, 'utf8'), 10)
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new TributaryError(
          'LOG',
          `data dir ${this.dir} is already open in process ${owner} (lock file ${this.lockPath}); ` +
            `close that log first or choose another dataDir`,
        )
      }
      rmSync(this.lockPath, { force: true }) // stale: its owner died without closing
    }
    throw new TributaryError('LOG', `could not lock data dir ${this.dir} (lock file ${this.lockPath})`)
  }

  topicDir(topic: string): string {
    return join(this.topicsDir, topic)
  }

  /** Path of a partition's file; creates the topic directory on first use. */
  partitionPath(topic: string, partition: number): string {
    const dir = this.topicDir(topic)
    mkdirSync(dir, { recursive: true })
    return join(dir, `${partition}.log`)
  }

  removeTopic(topic: string): void {
    rmSync(this.topicDir(topic), { recursive: true, force: true })
    fsyncDir(this.topicsDir)
  }

  /** Deletes topic directories the metadata does not know (left by a crash during deletion). */
  removeUnknownTopics(known: ReadonlySet<string>): void {
    for (const name of readdirSync(this.topicsDir)) if (!known.has(name)) this.removeTopic(name)
  }

  release(): void {
    if (!this.locked) return
    this.locked = false
    rmSync(this.lockPath, { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
