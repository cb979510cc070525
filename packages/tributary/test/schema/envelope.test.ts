import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EmbeddedLog, envelopes, isTributaryError, type EnvelopeOf } from 'tributary-streams'
import {
  EmbeddedSchemaRegistry,
  avro,
  envelopeAvroSchema,
  envelopeJsonSchema,
  jsonSchema,
} from 'tributary-streams/schema'

interface OrderPlaced {
  order_id: string
  total: number
}
interface OrderCancelled {
  order_id: string
  reason: string
}
type ShopEvents = { OrderPlaced: OrderPlaced; OrderCancelled: OrderCancelled }

const shop = envelopes<ShopEvents>({
  source: 'checkout',
  payloads: {
    OrderPlaced: (p) => (typeof (p as OrderPlaced).total === 'number' ? [] : ['total must be a number']),
    OrderCancelled: () => [],
  },
})

describe('envelope', () => {
  it('creates envelopes with an id, the time and the source', () => {
    const e = shop.create('OrderPlaced', { order_id: 'o-1', total: 5 }, { timestamp: 1000 })
    assert.equal(e.type, 'OrderPlaced')
    assert.equal(e.source, 'checkout')
    assert.equal(e.timestamp, 1000)
    assert.match(e.event_id, /^[0-9a-f-]{36}$/)
    assert.deepEqual(shop.validate(JSON.parse(JSON.stringify(e))), e)
  })

  it('rejects bad envelopes and payloads with every reason, as SERDE', () => {
    assert.throws(
      () => shop.validate({ event_id: '', timestamp: 'now', type: 'OrderPlaced', payload: {} }),
      (err) => isTributaryError(err, 'SERDE') && /event_id.*timestamp.*source/.test((err as Error).message),
    )
    const base = { event_id: 'e', timestamp: 1, source: 's' }
    assert.throws(
      () => shop.validate({ ...base, type: 'OrderPlaced', payload: { order_id: 'o' } }),
      /payload: total must be a number/,
    )
    assert.throws(
      () => shop.validate({ ...base, type: 'Refund', payload: {} }),
      /unknown event type 'Refund'/,
    )
  })

  it('routes by type and narrows with is()', () => {
    const describeEvent = shop.route<string>({
      OrderPlaced: (e) => `placed ${e.payload.order_id} for ${e.payload.total}`,
      OrderCancelled: (e) => `cancelled ${e.payload.order_id}: ${e.payload.reason}`,
    })
    const events: EnvelopeOf<ShopEvents>[] = [
      shop.create('OrderPlaced', { order_id: 'a', total: 2 }),
      shop.create('OrderCancelled', { order_id: 'a', reason: 'late' }),
    ]
    assert.deepEqual(events.map(describeEvent), ['placed a for 2', 'cancelled a: late'])
    const placed = events.filter(shop.is('OrderPlaced'))
    assert.equal(placed.length, 1)
    assert.equal(placed[0]!.payload.total, 2)
    const partial = shop.route<string>({ OrderPlaced: () => 'p' })
    assert.throws(() => partial(events[1]!), /no route for event type 'OrderCancelled'/)
    assert.equal(shop.route({}, (e) => e.type)(events[1]!), 'OrderCancelled')
  })

  it('has Avro and JSON Schema forms that round-trip through the serdes', async () => {
    const log = await EmbeddedLog.open()
    const registry = await EmbeddedSchemaRegistry.open({ log })
    try {
      const cancelled = {
        type: 'record',
        name: 'OrderCancelled',
        fields: [
          { name: 'order_id', type: 'string' },
          { name: 'reason', type: 'string' },
        ],
      }
      const avroSerde = avro<EnvelopeOf<ShopEvents>>({
        registry,
        schema: envelopeAvroSchema({ name: 'OrderCancelledEvent', namespace: 'shop', payload: cancelled }),
        subjectNameStrategy: 'topic-record',
      })
      const jsonSerde = jsonSchema<EnvelopeOf<ShopEvents>>({
        registry,
        schema: envelopeJsonSchema({
          title: 'ShopEvent',
          payloads: {
            OrderPlaced: {
              type: 'object',
              properties: { total: { type: 'number' } },
              required: ['order_id', 'total'],
            },
            OrderCancelled: { type: 'object', required: ['order_id', 'reason'] },
          },
        }),
      })
      await avroSerde.prepare(['shop-avro'])
      assert.deepEqual(await registry.subjects(), ['shop-avro-shop.OrderCancelledEvent'])
      await jsonSerde.prepare(['shop-json'])
      const e = shop.create('OrderCancelled', { order_id: 'o', reason: 'r' })
      assert.deepEqual(
        JSON.parse(JSON.stringify(avroSerde.deserialize(avroSerde.serialize(e, 'shop-avro'), 'shop-avro'))),
        e,
      )
      assert.deepEqual(jsonSerde.deserialize(jsonSerde.serialize(e, 'shop-json'), 'shop-json'), e)
      assert.throws(
        () => jsonSerde.serialize({ ...e, payload: { order_id: 'o' } } as never, 'shop-json'),
        /reason/,
      )
    } finally {
      await registry.close()
      await log.close()
    }
  })
})
