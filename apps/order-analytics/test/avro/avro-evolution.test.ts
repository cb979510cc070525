import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isTributaryError } from 'tributary-streams'
import { AVRO_SCHEMAS, avroSubjects } from '../../src/contract/avro/schemas.ts'
import { appAvroSerdes } from '../../src/contract/avro/registry.ts'
import { avroRawValueSerde } from '../../src/topology/avro-raw-value-serde.ts'
import { anOrder, avroPipelineDriver, avroRegistry, T0, type AvroRegistryFixture } from './avro-fixture.ts'

describe('OrderPlaced evolution (v2 adds payload.coupon, default null)', () => {
  let fixture: AvroRegistryFixture
  before(async () => {
    fixture = await avroRegistry()
  })
  after(() => fixture.close())

  it('v1 and v2 are registered as two versions with distinct ids; v2 is FULL_TRANSITIVE-compatible with v1', async () => {
    const { registry, topics } = fixture
    const subject = avroSubjects(topics).orders
    assert.deepEqual(await registry.versions(subject), [1, 2])
    const v1 = await registry.version(subject, 1)
    const v2 = await registry.version(subject, 2)
    assert.notEqual(v1.id, v2.id)
    assert.deepEqual(JSON.parse(v2.schema), AVRO_SCHEMAS.orderPlaced[2])
    await registry.setCompatibility('FULL_TRANSITIVE', subject)
    try {
      for (const schema of [AVRO_SCHEMAS.orderPlaced[1], AVRO_SCHEMAS.orderPlaced[2]]) {
        const result = await registry.testCompatibility(subject, { schema: JSON.stringify(schema) })
        assert.deepEqual(result, { compatible: true, messages: [] })
      }
    } finally {
      await registry.setCompatibility('BACKWARD', subject)
    }
  })

  it('a v2 reader decodes v1 records with coupon null; a v1 reader decodes v2 records without it', async () => {
    const { topics } = fixture
    const [v1, v2] = [await fixture.serdes(1), await fixture.serdes(2)]
    const order = anOrder('o-1', 'u-1', 10, T0)
    const v1Bytes = v1.orders.serialize(
      { ...order, payload: { ...order.payload, items: [...order.payload.items] } },
      topics.ordersRaw,
    )
    const v2Bytes = v2.orders.serialize(
      { ...order, payload: { ...order.payload, items: [...order.payload.items], coupon: 'SPRING' } },
      topics.ordersRaw,
    )
    assert.notEqual(v1Bytes.readUInt32BE(1), v2Bytes.readUInt32BE(1)) // each names its writer's schema id
    const asV2 = avroRawValueSerde(v2.orders).deserialize(v1Bytes, topics.ordersRaw)
    assert.equal(asV2.error, undefined)
    assert.equal((asV2.json as { payload: { coupon: unknown } }).payload.coupon, null)
    const asV1 = avroRawValueSerde(v1.orders).deserialize(v2Bytes, topics.ordersRaw)
    assert.equal(asV1.error, undefined)
    assert.ok(!('coupon' in (asV1.json as { payload: object }).payload))
    // avsc decodes records as instances of generated classes: compare their data
    assert.deepEqual(JSON.parse(JSON.stringify(asV1.json)), order)
  })

  it('v1 writer, v2-reader topology: orders are processed', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0 + 1000, 1)
    p.order('o-2', 'u-1', 5, T0 + 2000, 1)
    assert.ok(p.dlq.isEmpty(), JSON.stringify(p.dlq.readValuesToList()))
    assert.deepEqual(
      p.processed.readValuesToList().map((r) => [r.region, r.segment, r.order_count, r.revenue]),
      [
        ['eu', 'retail', 1, 10],
        ['eu', 'retail', 2, 15],
      ],
    )
    p.driver.close()
  })

  it('v2 writer (with coupons), v1-reader topology: orders are processed', async () => {
    const p = await avroPipelineDriver(fixture, 1)
    p.user('u-1', 'us', 'enterprise')
    p.orders.pipeInput('o-1', p.orderBytes(anOrder('o-1', 'u-1', 10, T0 + 1000), 2, 'WELCOME10'), T0 + 1000)
    p.orders.pipeInput('o-2', p.orderBytes(anOrder('o-2', 'u-1', 7, T0 + 2000), 2, null), T0 + 2000)
    assert.ok(p.dlq.isEmpty(), JSON.stringify(p.dlq.readValuesToList()))
    assert.deepEqual(p.processed.readValuesToList().at(-1), {
      window_start: T0,
      window_end: T0 + 60_000,
      region: 'us',
      segment: 'enterprise',
      order_count: 2,
      revenue: 17,
      final: false,
    })
    p.driver.close()
  })

  for (const reader of [1, 2] as const)
    it(`a v${reader} reader takes both versions mixed on one topic; a copy in the other version is a duplicate`, async () => {
      const p = await avroPipelineDriver(fixture, reader)
      p.user('u-1', 'eu', 'retail')
      p.order('o-1', 'u-1', 10, T0 + 1000, 1)
      p.order('o-2', 'u-1', 20, T0 + 2000, 2)
      p.order('o-1', 'u-1', 10, T0 + 3000, 2) // the same order again, now written with v2
      assert.ok(p.dlq.isEmpty())
      assert.equal(p.metrics.ordersAccepted, 2)
      assert.equal(p.metrics.duplicates, 1)
      assert.equal(p.processed.readValuesToList().at(-1)!.revenue, 30)
      p.driver.close()
    })

  it('a serde refuses to start when its schema is not registered, and names `init`', async () => {
    const { log } = fixture
    const { EmbeddedSchemaRegistry } = await import('tributary-streams/schema')
    const empty = await EmbeddedSchemaRegistry.open({ log, topic: '_schemas_empty' })
    try {
      await assert.rejects(
        () => appAvroSerdes(empty, fixture.topics, 2),
        (err: unknown) =>
          isTributaryError(err, 'CONFIG') &&
          /OrderPlaced v2 is not registered under subject 'orders-raw-value'.*order-analytics init/.test(
            err.message,
          ),
      )
    } finally {
      await empty.close()
    }
  })
})
