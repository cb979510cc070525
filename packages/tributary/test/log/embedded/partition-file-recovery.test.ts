import assert from 'node:assert/strict'
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, tempDir, values } from './helpers.ts'

describe('partition file recovery', () => {
  let tmp: ReturnType<typeof tempDir>
  let warnings: string[]
  const open = () => EmbeddedLog.open({ dataDir: tmp.dir, onWarning: (m) => warnings.push(m) })
  const file = () => join(tmp.dir, 'topics', 'events', '0.log')

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

  it('never serves a record whose checksum fails and warns naming the file', async () => {
    const bytes = readFileSync(file())
    const at = bytes.indexOf('value-4')
    bytes[at + 6] = 'X'.charCodeAt(0)
    writeFileSync(file(), bytes)
    const log = await open()
    assert.deepEqual(values(log, 'events'), ['value-0', 'value-1', 'value-2', 'value-3'])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /0\.log/)
    assert.match(warnings[0]!, /corrupt/)
    assert.equal(log.sync.endOffset({ topic: 'events', partition: 0 }), 4)
    await log.close()
  })

  it('treats a damaged length field as corruption, not as a huge record', async () => {
    const bytes = readFileSync(file())
    const second = bytes.readUInt32LE(0) + 8
    bytes.writeUInt32LE(0xfffffff0, second)
    writeFileSync(file(), bytes)
    const log = await open()
    assert.deepEqual(values(log, 'events'), ['value-0'])
    assert.equal(warnings.length, 1)
    await log.close()
  })
})
