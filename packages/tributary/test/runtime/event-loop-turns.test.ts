// A backlog on the embedded log is served without real I/O, so a processing loop that only awaits
// already-resolved promises would starve timers and I/O: /metrics, /health and signal handlers
// would not answer until the backlog is drained. The loop yields to the event loop every turn.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from 'tributary-streams'

const dir = mkdtempSync(join(tmpdir(), 'tributary-loop-turns-'))
after(() => rmSync(dir, { recursive: true, force: true }))

it('lets timers run while a backlog is processed', async () => {
  const total = 30_000
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([{ name: 'backlog', partitions: 1 }])
  const producer = await log.producer()
  for (let i = 0; i < total; i += 1000) {
    await producer.send(
      Array.from({ length: 1000 }, (_, j) => ({
        topic: 'backlog',
        key: Buffer.from(`k${i + j}`),
        value: Buffer.from('v'),
        timestamp: i + j,
      })),
    )
  }
  await producer.close()
  let processed = 0
  const builder = new StreamsBuilder()
  builder.stream('backlog', { key: Serdes.string(), value: Serdes.string() }).foreach(() => processed++)
  const app = new StreamsApp(builder.build(), { applicationId: 'loop-turns', dataDir: dir, log })
  const ticks: number[] = []
  const timer = setInterval(() => ticks.push(processed), 1)
  try {
    await app.start()
    await app.settle()
  } finally {
    clearInterval(timer)
    await app.close()
    await log.close()
  }
  assert.equal(processed, total)
  const during = ticks.filter((n) => n > 0 && n < total)
  assert.ok(
    during.length > 0,
    `a timer ran while records were processed (ticks at ${ticks.slice(0, 10).join(', ')})`,
  )
})
