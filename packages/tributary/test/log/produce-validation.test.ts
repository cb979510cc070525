import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../src/errors.ts'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import type { ProducerRecord } from '../../src/log/log.ts'

const ok: ProducerRecord = { topic: 't', key: Buffer.from('k'), value: Buffer.from('v') }

describe('produce validation', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a string value', { ...ok, value: 'text' }, /record 1: value must be a Buffer or null, got a string/],
    ['a number key', { ...ok, key: 42 }, /record 1: key must be a Buffer or null, got the number 42/],
    ['a null header', { ...ok, headers: { h: null } }, /record 1: header "h" must be a Buffer, got null/],
    [
      '70,000 headers',
      {
        ...ok,
        headers: Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`h${i}`, Buffer.alloc(0)])),
      },
      /record 1: headers has more than 65535 headers/,
    ],
    [
      'a 70 KB header name',
      { ...ok, headers: { ['x'.repeat(70_000)]: Buffer.alloc(0) } },
      /record 1: header name "x+…" is 70000 bytes; the limit is 65535/,
    ],
    ['a negative timestamp', { ...ok, timestamp: -5 }, /record 1: timestamp must be a non-negative integer/],
    [
      'a fractional partition',
      { ...ok, partition: 0.5 },
      /record 1: partition must be a non-negative integer/,
    ],
    ['a missing topic', { ...ok, topic: '' }, /record 1: topic must be a non-empty string/],
    [
      'a record over the limit',
      { ...ok, value: Buffer.alloc(2000) },
      /record 1: size is 2\d{3} bytes .*the limit is 1024 \(option maxRecordBytes\)/,
    ],
  ]
  for (const [name, bad, message] of cases) {
    it(`refuses ${name} naming the field and the limit, leaving no record visible`, async () => {
      const log = await EmbeddedLog.open({ maxRecordBytes: 1024 })
      await log.admin.createTopics([{ name: 't', partitions: 1 }])
      const producer = await log.producer()
      await assert.rejects(producer.send([ok, bad as ProducerRecord]), (err: Error) => {
        assert.ok(isTributaryError(err, 'LOG'), String(err))
        assert.match(err.message, message)
        return true
      })
      assert.equal(
        log.sync.endOffset({ topic: 't', partition: 0 }),
        0,
        'the valid record of the batch is not written either',
      )
      await log.close()
    })
  }

  it('refuses a maxRecordBytes above the frame limit', async () => {
    await assert.rejects(
      EmbeddedLog.open({ maxRecordBytes: 2 ** 30 }),
      /maxRecordBytes must be an integer from 1 to/,
    )
  })
})
