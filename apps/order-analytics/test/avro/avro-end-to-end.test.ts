import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog } from 'tributary-streams'
import { initAvroSchemas } from '../../src/cli/commands.ts'
import { createTopics } from '../../src/cli/create-topics.ts'
import { startStreams } from '../../src/cli/start-streams.ts'
import { topicNames, type AppContext } from '../../src/context.ts'
import { openSchemaRegistry, appAvroSerdes } from '../../src/contract/avro/registry.ts'
import type { DlqRecord } from '../../src/contract/dlq-record.ts'
import type { ProcessedRow } from '../../src/contract/processed-row.ts'
import { validateOrder } from '../../src/contract/validate-order.ts'
import { runProducer } from '../../src/generator/producer.ts'
import { readTopic } from '../../src/replay/read-topic.ts'
import { avroRawValueSerde } from '../../src/topology/avro-raw-value-serde.ts'

describe('producer + streams with ORDERS_FORMAT=avro, one process, in-memory embedded log', () => {
  it('orders written in Avro (v2) are read by the topology (v1 reader), corrupt bytes are dead-lettered', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oa-avro-e2e-'))
    const log = await EmbeddedLog.open()
    const base = {
      log,
      topics: topicNames(''),
      partitions: 2,
      dataDir,
      applicationId: 'oa-avro-e2e',
      port: 0,
      databaseUrl: undefined,
    }
    // The producer writes OrderPlaced v2 (some with coupons); the streams job reads with v1.
    const producerCtx: AppContext = { ...base, avro: { registryUrl: undefined, orderPlacedVersion: 2 } }
    const streamsCtx: AppContext = { ...base, avro: { registryUrl: undefined, orderPlacedVersion: 1 } }
    const log0 = console.log
    console.log = () => {}
    try {
      await createTopics(base)
      await initAvroSchemas(base, { registryUrl: undefined })
      const state = await runProducer(producerCtx, {
        rate: 100_000,
        seed: 11,
        maxOrders: 400,
        initialUsers: 30,
      })
      assert.equal(state.orders, 400)
      // A producer that is not Avro-aware: its record must reach orders-dlq, not stop the app.
      const stray = await log.producer()
      await stray.send([
        { topic: base.topics.ordersRaw, key: Buffer.from('stray'), value: Buffer.from('{"x":1}') },
      ])
      await stray.close()

      // What the topic holds, read independently with a v2 reader (the producer's topics end with
      // transaction markers, so "committed = end" cannot tell when the app is done: count instead).
      const open = await openSchemaRegistry(log, { registryUrl: undefined })
      const serdes = await appAvroSerdes(open.registry, base.topics, 2)
      await open.close()
      const reader = avroRawValueSerde(serdes.orders)
      const raw = (await readTopic(log, base.topics.ordersRaw)).map((r) => ({
        key: r.key?.toString() ?? null,
        value: reader.deserialize(r.value!, base.topics.ordersRaw),
      }))
      const decoded = raw.filter((r) => r.value.error === undefined)
      assert.ok(decoded.length >= 400, `${decoded.length} decodable orders`)
      assert.ok(
        decoded.some((r) => (r.value.json as { payload: { coupon: string | null } }).payload.coupon !== null),
        'some orders carry a coupon (v2)',
      )
      const accepted = new Set<string>()
      let rejected = raw.length - decoded.length
      for (const r of decoded) {
        const v = validateOrder(r.value)
        if (v.ok) accepted.add(v.value.order_id)
        else rejected++
      }
      assert.ok(rejected >= 1)

      const streams = await startStreams(streamsCtx, {
        processingGuarantee: 'at-least-once',
        persistentStores: false,
        commitIntervalMs: 50,
      })
      const { metrics } = streams
      const counted = async (): Promise<number> => {
        const latest = new Map<string, ProcessedRow>()
        for (const r of await readTopic(log, base.topics.ordersProcessed))
          latest.set(r.key!.toString(), JSON.parse(r.value!.toString()) as ProcessedRow)
        return [...latest.values()].reduce((n, row) => n + row.order_count, 0)
      }
      try {
        const deadline = Date.now() + 60_000
        while (
          metrics.ordersAccepted + metrics.duplicates + metrics.deadLettered < raw.length ||
          (await counted()) < accepted.size
        ) {
          assert.equal(streams.app.state, 'running')
          if (Date.now() > deadline)
            assert.fail(`not done after 60 s: ${JSON.stringify(metrics.snapshot())}, ${raw.length} records`)
          await new Promise((r) => setTimeout(r, 100))
        }
      } finally {
        await streams.close()
      }

      assert.equal(metrics.ordersAccepted, accepted.size)
      assert.equal(metrics.ordersAccepted + metrics.duplicates + rejected, raw.length)
      assert.ok(metrics.usersAccepted >= 30)
      assert.equal(metrics.unknownUsers <= metrics.ordersAccepted * 0.1, true)

      const dlq = (await readTopic(log, base.topics.ordersDlq)).map(
        (r) => JSON.parse(r.value!.toString()) as DlqRecord,
      )
      assert.equal(dlq.length, rejected)
      const stray2 = dlq.find((d) => d.key === 'stray')!
      assert.match(stray2.reason, /^invalid-avro: .*magic byte 123/)
      assert.equal(stray2.topic, base.topics.ordersRaw)
      assert.ok(stray2.offset >= 0 && stray2.partition >= 0)
      assert.equal(Buffer.from(stray2.value!, 'base64').toString(), '{"x":1}')
      for (const d of dlq) assert.equal(d.value_encoding, 'base64')

      // The last update of each window holds every accepted order once.
      assert.equal(await counted(), metrics.ordersAccepted)
    } finally {
      console.log = log0
      await log.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
