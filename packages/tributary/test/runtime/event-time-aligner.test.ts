import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from 'tributary-streams'

const str = Serdes.string()
const HOUR = 3_600_000

/**
 * Two upstream tasks with skewed backlogs: partition 0 of `in` holds 3000 records over an hour of
 * event time, partition 1 only 300 over the same hour. Both are re-keyed into one repartition
 * partition read by one downstream task, which records how far each record is behind the largest
 * event time it has seen (its out-of-orderness).
 */
async function outOfOrderness(alignment: { eventTimeAlignment: boolean; maxEventTimeDriftMs?: number }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-align-'))
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([{ name: 'in', partitions: 2 }])
  const producer = await log.producer()
  for (const [partition, count] of [
    [0, 3000],
    [1, 300],
  ] as const)
    await producer.send(
      Array.from({ length: count }, (_, i) => ({
        topic: 'in',
        partition,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`p${partition}`),
        timestamp: Math.floor((i * HOUR) / count),
      })),
    )
  await producer.close()
  let maxSeen = -Infinity
  let worst = 0
  let seen = 0
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: str })
    .selectKey(() => 'all')
    .repartition({ name: 'all', key: str, value: str, partitions: 1 })
    .process(() => ({
      process(record) {
        seen++
        maxSeen = Math.max(maxSeen, record.timestamp)
        worst = Math.max(worst, maxSeen - record.timestamp)
      },
    }))
  const app = new StreamsApp(builder.build(), {
    applicationId: 'align',
    dataDir,
    log,
    maxPollRecords: 500,
    ...alignment,
  })
  try {
    await app.start()
    await app.settle()
  } finally {
    await app.close()
    await log.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  assert.equal(seen, 3300, 'every record reaches the downstream task')
  return worst
}

describe('event-time alignment within one instance', () => {
  it('keeps the downstream task of two skewed backlogs within the configured drift', async () => {
    const worst = await outOfOrderness({ eventTimeAlignment: true, maxEventTimeDriftMs: 2000 })
    assert.ok(worst <= 2000, `out-of-orderness ${worst} ms`)
  })

  it('lets the backlogs run apart when turned off (what alignment prevents)', async () => {
    const worst = await outOfOrderness({ eventTimeAlignment: false })
    assert.ok(worst > 60_000, `out-of-orderness ${worst} ms`)
  })
})
