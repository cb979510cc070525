import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { tempDir } from './helpers.ts'

/** A view of `text` inside a 64 KiB buffer, as Node's Buffer pool hands out small buffers. */
function inSlab(text: string): Buffer {
  const slab = Buffer.alloc(64 * 1024)
  slab.write(text, 1000)
  return slab.subarray(1000, 1000 + Buffer.byteLength(text))
}

describe('stored records own their bytes', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  for (const mode of ['durable', 'memory'] as const) {
    it(`never keep a sender's larger buffer alive (${mode})`, async () => {
      const log = await EmbeddedLog.open(mode === 'durable' ? { dataDir: tmp.dir } : {})
      log.sync.createTopic({ name: 't', partitions: 1 })
      const own = Buffer.allocUnsafeSlow(3).fill(7)
      log.sync.append([
        { topic: 't', key: inSlab('k1'), value: inSlab('v1'), headers: { h: inSlab('h1') } },
        { topic: 't', key: null, value: inSlab(''), headers: { own } },
      ])
      const [first, second] = log.sync.read({ topic: 't', partition: 0 }, 0, 10, 'read_uncommitted')
      assert.equal(first!.key!.toString(), 'k1')
      assert.equal(first!.value!.toString(), 'v1')
      assert.equal(first!.headers['h']!.toString(), 'h1')
      assert.equal(second!.key, null)
      assert.equal(second!.value!.length, 0)
      // Every byte the batch's records reference, and nothing else: 2 + 2 + 2 copied bytes.
      for (const bytes of [first!.key!, first!.value!, first!.headers['h']!, second!.value!]) {
        assert.equal(bytes.buffer.byteLength, 6)
      }
      assert.equal(second!.headers['own'], own, 'a buffer spanning its own memory is kept as it is')
      await log.close()
    })
  }
})
