import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { nodeFs } from '../../../src/log/embedded/storage-fs.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'
import { PassThroughFs } from './pass-through-fs.ts'

/** node:fs, except that the first read of `path` returns only `cut` bytes, or flips the bit
 *  `flip` (counted from the start of the file) of what it returns. */
class OneBadRead extends PassThroughFs {
  private readonly fds = new Set<number>()
  private done = false

  constructor(
    private readonly path: string,
    private readonly fault: { cut: number } | { flip: number },
  ) {
    super()
  }

  override openSync(path: string, flags: number | string): number {
    const fd = nodeFs.openSync(path, flags)
    if (path === this.path) this.fds.add(fd)
    return fd
  }

  override readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    if (this.done || !this.fds.has(fd)) return nodeFs.readSync(fd, buffer, offset, length, position)
    this.done = true
    if ('cut' in this.fault) return nodeFs.readSync(fd, buffer, offset, this.fault.cut - position, position)
    const got = nodeFs.readSync(fd, buffer, offset, length, position)
    const byte = (this.fault.flip >> 3) - position
    buffer[offset + byte]! ^= 1 << (this.fault.flip & 7)
    return got
  }
}

/** Where each frame of a framed file ends ([u32 length][u32 crc][body]). */
function frameEnds(path: string): number[] {
  const bytes = readFileSync(path)
  const ends: number[] = []
  for (let p = 0; p < bytes.length; p += 8 + bytes.readUInt32LE(p)) ends.push(p + 8 + bytes.readUInt32LE(p))
  return ends
}

describe('a read that fails during recovery', () => {
  let tmp: ReturnType<typeof tempDir>
  const segment = () => join(tmp.dir, 'topics', 'events', '0', FIRST_SEGMENT)
  const journal = () => join(tmp.dir, 'metadata.journal')

  beforeEach(async () => {
    tmp = tempDir()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 'events', partitions: 1 }])
    const producer = await log.producer()
    for (const v of ['a', 'b', 'c']) await producer.send([{ topic: 'events', key: null, value: buf(v) }])
    await (await log.consumer({ groupId: 'g' })).commit([{ topic: 'events', partition: 0, offset: 3 }])
    await log.close()
  })
  afterEach(() => tmp.remove())

  /** Opens on `fs`: either everything is there or it refuses with a read error naming `path`;
   *  the segment is left as it was, and the next (healthy) open has everything. */
  async function exactOrReadError(fs: PassThroughFs, path: string): Promise<void> {
    const before = readFileSync(segment())
    try {
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, fs, onWarning: () => undefined })
      assert.deepEqual(values(log, 'events'), ['a', 'b', 'c'])
      assert.deepEqual(log.problems.list(), [])
      await log.close()
    } catch (err) {
      assert.ok(isTributaryError(err, 'LOG'), String(err))
      assert.match((err as Error).message, new RegExp(`read of ${path} failed \\(EIO: two reads`))
    }
    assert.ok(!existsSync(join(tmp.dir, 'quarantine')), 'nothing was set aside as damaged')
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(log, 'events'), ['a', 'b', 'c'])
    const [offset] = await log.admin.committedOffsets('g', [{ topic: 'events', partition: 0 }])
    assert.equal(offset?.offset, 3)
    await log.close()
    assert.deepEqual(readFileSync(segment()), before, 'no byte was cut or changed')
  }

  it('reads on after a short read that ends on a frame boundary of a segment', async () => {
    await exactOrReadError(new OneBadRead(segment(), { cut: frameEnds(segment())[0]! }), segment())
  })

  it('reads on after a short read that ends on a frame boundary of the journal', async () => {
    await exactOrReadError(new OneBadRead(journal(), { cut: frameEnds(journal())[0]! }), journal())
  })

  it('does not take a bit flipped by a read of the last record for damage', async () => {
    const size = readFileSync(segment()).length
    await exactOrReadError(new OneBadRead(segment(), { flip: (size - 2) * 8 }), segment())
  })

  it('does not take a bit flipped by a read of a middle record for damage', async () => {
    const [first] = frameEnds(segment())
    await exactOrReadError(new OneBadRead(segment(), { flip: (first! + 10) * 8 + 3 }), segment())
  })

  it('does not take a bit flipped by a read of the last journal entry for damage', async () => {
    const size = readFileSync(journal()).length
    await exactOrReadError(new OneBadRead(journal(), { flip: (size - 3) * 8 }), journal())
  })
})
