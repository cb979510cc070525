import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows, type Logger } from 'tributary-streams'

const str = Serdes.string()
const TRACE = '0af7651916cd43dd8448eb211c80319c'

describe('log lines about a record carry its correlation fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-log-fields-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('names task, topic, partition, offset and trace id of a late record and of a failed one', async () => {
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = []
    const capture = (fields: object, message: string) =>
      lines.push({ fields: fields as Record<string, unknown>, message })
    const logger: Logger = { debug() {}, info() {}, warn: capture, error: capture }
    const builder = new StreamsBuilder()
    const clicks = builder.stream('clicks', { key: str, value: str })
    clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count()
    clicks.mapValues((v) => {
      if (v === 'boom') throw new Error('cannot map boom')
      return v
    })
    const log = await EmbeddedLog.open()
    await log.admin.createTopics([{ name: 'clicks', partitions: 1 }])
    const app = new StreamsApp(builder.build(), {
      applicationId: 'log-fields',
      dataDir: dir,
      log,
      logger,
      processingErrors: 'continue',
    })
    await app.start()
    const producer = await log.producer()
    const traced = { traceparent: Buffer.from(`00-${TRACE}-b7ad6b7169203331-01`) }
    const send = (value: string, timestamp: number) =>
      producer.send([
        { topic: 'clicks', key: Buffer.from('k'), value: Buffer.from(value), timestamp, headers: traced },
      ])
    await send('a', 5000)
    await send('late', 1000) // its window [1000, 2000) closed at stream time 5000
    await send('boom', 6000)
    await producer.close()
    await app.settle()
    await app.close()
    await log.close()
    const late = lines.find((l) => l.message.startsWith('late record dropped'))
    assert.ok(late, lines.map((l) => l.message).join('\n'))
    assert.deepEqual(
      [
        late.fields['task'],
        late.fields['topic'],
        late.fields['partition'],
        late.fields['offset'],
        late.fields['traceId'],
      ],
      ['0_0', 'clicks', 0, 1, TRACE],
    )
    const failed = lines.find((l) => l.message.startsWith('skipping record: processing failed'))
    assert.ok(failed, lines.map((l) => l.message).join('\n'))
    assert.deepEqual(
      [failed.fields['task'], failed.fields['offset'], failed.fields['traceId']],
      ['0_0', 2, TRACE],
    )
    assert.match(String(failed.fields['err']), /cannot map boom/)
  })
})
