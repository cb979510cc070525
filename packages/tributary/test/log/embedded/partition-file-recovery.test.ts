import assert from 'node:assert/strict'
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

describe('partition file recovery', () => {
  let tmp: ReturnType<typeof tempDir>
  let warnings: string[]
  const open = () => EmbeddedLog.open({ dataDir: tmp.dir, onWarning: (m) => warnings.push(m) })
  const file = () => join(tmp.dir, 'topics', 'events', '0', FIRST_SEGMENT)

  beforeEach(async () => {
    tmp = tempDir()
    warnings = []
    const log = await open()
    await log.admin.createTopics([{ name: 'events', partitions: 1 }])
    const producer = await log.producer()
    for (let i = 0; i < 10; i++)
      await producer.send([{ topic: 'events', key: buf(`k${i}`), value: buf(`value-${i}`) }])
    await log.close()
  })
  afterEach(() => tmp.remove())

  it('truncates a torn tail and keeps every whole record', async () => {
    truncateSync(file(), statSync(file()).size - 5)
    const log = await open()
    assert.deepEqual(
      values(log, 'events'),
      Array.from({ length: 9 }, (_, i) => `value-${i}`),
    )
    assert.deepEqual(warnings, [], 'a torn tail is the normal result of a crash, not corruption')
    const [meta] = log.sync.append([{ topic: 'events', key: null, value: buf('next') }])
    assert.equal(meta?.offset, 9, 'the torn record offset is reused by the next append')
    await log.close()
    const reopened = await open()
    assert.deepEqual(values(reopened, 'events').slice(-2), ['value-8', 'next'])
    await reopened.close()
  })

  it('refuses to open when a damaged record sits before intact ones, naming the file and the repair', async () => {
    const bytes = readFileSync(file())
    const at = bytes.indexOf('value-4')
    bytes[at + 6] = 'X'.charCodeAt(0)
    writeFileSync(file(), bytes)
    await assert.rejects(open(), (err: Error) => {
      assert.ok(isTributaryError(err, 'CORRUPT'))
      assert.match(err.message, /events\/0\/0{20}\.log/)
      assert.match(err.message, /checksum mismatch/)
      assert.match(err.message, new RegExp(`tributary log repair --data-dir ${tmp.dir}`))
      return true
    })
    assert.deepEqual(readFileSync(file()), bytes, 'nothing was cut off')
  })

  it('treats a damaged length field as damage, not as a huge record or a torn tail', async () => {
    const bytes = readFileSync(file())
    const second = bytes.readUInt32LE(0) + 8
    bytes.writeUInt32LE(0xfffffff0, second)
    writeFileSync(file(), bytes)
    await assert.rejects(open(), /intact records follow/)
    bytes.writeUInt32LE(0x00fffff0, second) // within the 512 MiB frame limit but past the end
    writeFileSync(file(), bytes)
    await assert.rejects(open(), /intact records follow/)
  })

  it('cuts off a damaged last record and reports the loss', async () => {
    const bytes = readFileSync(file())
    bytes[bytes.indexOf('value-9') + 6] = 'X'.charCodeAt(0)
    writeFileSync(file(), bytes)
    const log = await open()
    assert.deepEqual(
      values(log, 'events'),
      Array.from({ length: 9 }, (_, i) => `value-${i}`),
    )
    assert.equal(warnings.length, 1)
    assert.deepEqual(
      log.problems.list().map((p) => [p.kind, p.path]),
      [['recovered-with-loss', file()]],
    )
    await log.close()
  })

  it('cuts off a zero-filled tail silently (space allocated by a crash, never written)', async () => {
    writeFileSync(file(), Buffer.concat([readFileSync(file()), Buffer.alloc(100)]))
    const log = await open()
    assert.equal(values(log, 'events').length, 10)
    assert.deepEqual(warnings, [])
    assert.deepEqual(log.problems.list(), [])
    await log.close()
  })
})
