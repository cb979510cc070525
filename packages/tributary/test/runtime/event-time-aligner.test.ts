import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from 'tributary-streams'

const str = Serdes.string()
const HOUR = 3_600_000
/** Event time the backlog spans across instances: each drift of it is a round of commits. */
const SPAN = 600_000

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

/**
 * The same across two instances on one embedded log: four input partitions (two dense, two
 * sparse over the same ten minutes), the second instance started while the first drains, so the tasks
 * move between them mid-backlog. Each instance owns upstream tasks of both kinds only part of the
 * time, so only the frontiers it reads from the other's commits keep it in step.
 */
async function outOfOrdernessAcrossInstances(maxEventTimeDriftMs: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-align-'))
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([{ name: 'in', partitions: 4 }])
  const producer = await log.producer()
  const counts = [3000, 300, 3000, 300]
  for (const [partition, count] of counts.entries())
    await producer.send(
      Array.from({ length: count }, (_, i) => ({
        topic: 'in',
        partition,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`p${partition}`),
        timestamp: Math.floor((i * SPAN) / count),
      })),
    )
  await producer.close()
  const total = counts.reduce((a, b) => a + b)
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
  const topology = builder.build()
  const instance = (id: string) =>
    new StreamsApp(topology, {
      applicationId: 'align-across',
      instanceId: id,
      dataDir: join(dataDir, id),
      log,
      maxPollRecords: 200,
      maxEventTimeDriftMs,
    })
  const apps = [instance('a'), instance('b')]
  try {
    await apps[0]!.start()
    await apps[1]!.start()
    const deadline = Date.now() + 60_000
    while (seen < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  } finally {
    for (const app of apps) await app.close()
    await log.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  assert.equal(seen, total, 'every record reaches the downstream task')
  return worst
}

describe('event-time alignment across instances', () => {
  it('keeps the downstream task within the drift while tasks move between instances', async () => {
    const worst = await outOfOrdernessAcrossInstances(2000)
    assert.ok(worst <= 2000, `out-of-orderness ${worst} ms`)
  })
})

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
