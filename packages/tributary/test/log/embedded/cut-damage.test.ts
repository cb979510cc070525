import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'
import { PassThroughFs } from './pass-through-fs.ts'

/** Records, per file, the truncations, syncs and closes of its descriptors. */
class RecordingFs extends PassThroughFs {
  readonly ops: string[] = []
  private readonly paths = new Map<number, string>()
  override openSync(path: string, flags: number | string): number {
    const fd = super.openSync(path, flags)
    this.paths.set(fd, path)
    return fd
  }
  override closeSync(fd: number): void {
    this.ops.push(`close ${this.paths.get(fd)}`)
    super.closeSync(fd)
  }
  override ftruncateSync(fd: number, length: number): void {
    this.ops.push(`truncate ${this.paths.get(fd)}`)
    super.ftruncateSync(fd, length)
  }
  override fdatasyncSync(fd: number): void {
    this.ops.push(`sync ${this.paths.get(fd)}`)
    super.fdatasyncSync(fd)
  }
  override fsyncSync(fd: number): void {
    this.ops.push(`sync ${this.paths.get(fd)}`)
    super.fsyncSync(fd)
  }
  /** What happened to `path` from its first truncation on. */
  afterTruncate(path: string): string[] {
    const mine = this.ops.filter((op) => op.endsWith(` ${path}`)).map((op) => op.split(' ')[0]!)
    return mine.slice(mine.indexOf('truncate'))
  }
}

describe('cutting a damaged tail off at recovery', () => {
  let tmp: ReturnType<typeof tempDir>
  const journal = () => join(tmp.dir, 'metadata.journal')
  const partitionFile = () => join(tmp.dir, 'topics', 'events', '0', FIRST_SEGMENT)
  const flip = (path: string, at: (bytes: Buffer) => number): void => {
    const bytes = readFileSync(path)
    bytes[at(bytes)]! ^= 0x01
    writeFileSync(path, bytes)
  }

  beforeEach(async () => {
    tmp = tempDir()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 'events', partitions: 1 }])
    const producer = await log.producer()
    for (const v of ['a', 'b', 'last']) await producer.send([{ topic: 'events', key: null, value: buf(v) }])
    const consumer = await log.consumer({ groupId: 'g' })
    await consumer.commit([{ topic: 'events', partition: 0, offset: 1 }]) // the journal's last entry
    await log.close()
  })
  afterEach(() => tmp.remove())

  for (const [file, damage, kept] of [
    ['metadata journal', () => flip(journal(), (b) => b.length - 3), ['a', 'b', 'last']],
    ['partition file', () => flip(partitionFile(), (b) => b.lastIndexOf('last')), ['a', 'b']],
  ] as const) {
    it(`syncs the cut ${file} before anything else touches it, and reports the loss`, async () => {
      damage()
      const path = file === 'metadata journal' ? journal() : partitionFile()
      const fs = new RecordingFs()
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, fs, onWarning: () => undefined })
      try {
        assert.deepEqual(values(log, 'events'), kept)
        assert.deepEqual(
          log.problems.list().map((p) => [p.kind, p.path]),
          [['recovered-with-loss', path]],
        )
        assert.deepEqual(fs.afterTruncate(path).slice(0, 2), ['truncate', 'sync'])
      } finally {
        await log.close()
      }
    })
  }
})
