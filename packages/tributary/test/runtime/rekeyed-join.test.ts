import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder } from 'tributary-streams'

const str = Serdes.string()

describe('a join of two re-keyed inputs on 4 partitions', () => {
  it('co-partitions both repartition topics by the table key serde, so every record finds its row', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-rekeyed-'))
    const log = await EmbeddedLog.open()
    await log.admin.createTopics(['users', 'orders', 'enriched'].map((name) => ({ name, partitions: 4 })))
    const builder = new StreamsBuilder()
    const users = builder
      .stream('users', { key: str, value: str }) // key: a record id; value: "userId:region"
      .selectKey((_k, v) => v.split(':')[0]!)
      .toTable({ name: 'users-by-id', key: str, value: str })
    builder
      .stream('orders', { key: str, value: str }) // key: order id; value: user id
      .selectKey((_k, userId) => userId)
      .leftJoin(users, (userId, user) => `${userId}->${user ?? 'unknown'}`)
      .to('enriched', { key: str, value: str })
    const producer = await log.producer()
    const ids = Array.from({ length: 40 }, (_, i) => `user-${i}`)
    await producer.send(
      ids.map((id, i) => ({
        topic: 'users',
        key: Buffer.from(`rec-${i}`),
        value: Buffer.from(`${id}:r${i % 3}`),
        timestamp: 1,
      })),
    )
    await producer.send(
      ids.map((id, i) => ({
        topic: 'orders',
        key: Buffer.from(`order-${i}`),
        value: Buffer.from(id),
        timestamp: 2,
      })),
    )
    const app = new StreamsApp(builder.build(), {
      applicationId: 'rekeyed',
      dataDir,
      log,
      maxTaskIdleMs: 500,
      commitIntervalMs: 20,
    })
    await app.start()
    const reader = await log.consumer({ groupId: 'read' })
    await reader.subscribe(['enriched'])
    const out: string[] = []
    for (let tries = 0; out.length < ids.length && tries < 100; tries++)
      out.push(...(await reader.poll({ timeoutMs: 100 })).map((r) => r.value!.toString()))
    await app.close()
    await log.close()
    rmSync(dataDir, { recursive: true, force: true })
    assert.equal(out.length, ids.length)
    assert.deepEqual(
      out.filter((v) => v.endsWith('unknown')),
      [],
      'no order missed its user',
    )
  })
})
