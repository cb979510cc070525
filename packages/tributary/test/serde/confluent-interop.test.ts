import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { EmbeddedLog } from 'tributary-streams'
import {
  EmbeddedSchemaRegistry,
  RestSchemaRegistry,
  avro,
  jsonSchema,
  startRegistryServer,
  type RegistryServer,
} from 'tributary-streams/schema'

/**
 * Interoperability with the standard JavaScript client of Confluent's registry: it registers,
 * checks compatibility, encodes and decodes against our REST server, and the bytes it writes are
 * read by our serdes and the reverse (same wire format, same ids).
 */
const order = {
  type: 'record',
  name: 'OrderPlaced',
  namespace: 'shop',
  fields: [
    { name: 'order_id', type: 'string' },
    { name: 'total', type: 'double' },
    { name: 'items', type: { type: 'array', items: 'string' } },
  ],
}
const orderV2 = {
  ...order,
  fields: [...order.fields, { name: 'coupon', type: ['null', 'string'], default: null }],
}
const breaking = { ...order, fields: [...order.fields, { name: 'region', type: 'string' }] }
const event = {
  type: 'object',
  title: 'UserUpdated',
  properties: { user_id: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['user_id'],
}

/** The client checks compatibility through its (typed-private) API resource, as its own register does. */
type CompatibleCall = (args: {
  subject: string
  version: string
  body: { schema: string }
}) => Promise<{ data(): unknown }>
const api = (client: SchemaRegistry) =>
  (client as unknown as { api: { Subject: { compatible: CompatibleCall } } }).api

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe('interoperability with @kafkajs/confluent-schema-registry', () => {
  let log: EmbeddedLog
  let registry: EmbeddedSchemaRegistry
  let server: RegistryServer
  let confluent: SchemaRegistry
  let ours: RestSchemaRegistry

  before(async () => {
    log = await EmbeddedLog.open()
    registry = await EmbeddedSchemaRegistry.open({ log })
    server = await startRegistryServer({ registry, port: 0 })
    confluent = new SchemaRegistry({ host: server.url, retry: { retries: 0 } })
    ours = new RestSchemaRegistry({ url: server.url })
  })
  after(async () => {
    await server.close()
    await registry.close()
    await log.close()
  })

  it('registers (setting the subject level on first registration) and reads back', async () => {
    const { id } = await confluent.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(order) },
      { subject: 'orders-value' },
    )
    assert.equal(id, 1)
    assert.equal(await registry.subjectCompatibility('orders-value'), 'BACKWARD')
    const again = await confluent.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(order) },
      { subject: 'orders-value' },
    )
    assert.equal(again.id, 1)
    assert.equal(await confluent.getLatestSchemaId('orders-value'), 1)
    assert.equal(await confluent.getRegistryId('orders-value', 1), 1)
    assert.equal(
      await confluent.getRegistryIdBySchema('orders-value', {
        type: SchemaType.AVRO,
        schema: JSON.stringify(order),
      }),
      1,
    )
  })

  it('checks compatibility and is refused an incompatible schema', async () => {
    const compatible = await api(confluent).Subject.compatible({
      subject: 'orders-value',
      version: 'latest',
      body: { schema: JSON.stringify(orderV2) },
    })
    assert.deepEqual(compatible.data(), { is_compatible: true })
    const incompatible = await api(confluent).Subject.compatible({
      subject: 'orders-value',
      version: 'latest',
      body: { schema: JSON.stringify(breaking) },
    })
    assert.deepEqual(incompatible.data(), { is_compatible: false })
    await assert.rejects(
      confluent.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(breaking) },
        { subject: 'orders-value' },
      ),
      (err: Error & { status?: number }) => err.status === 409 || /409|incompatible/i.test(err.message),
    )
    const v2 = await confluent.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV2) },
      { subject: 'orders-value' },
    )
    assert.equal(v2.id, 2)
  })

  it('encodes and decodes against our server', async () => {
    const value = { order_id: 'o-1', total: 12.5, items: ['a', 'b'] }
    const bytes = await confluent.encode(1, value)
    assert.equal(bytes[0], 0)
    assert.equal(bytes.readUInt32BE(1), 1)
    assert.deepEqual(plain(await confluent.decode(bytes)), value)
  })

  it('reads what it encodes with our Avro serde, into a newer reader schema', async () => {
    const serde = avro<unknown>({ registry: ours, schema: orderV2 })
    await serde.prepare(['orders'])
    const fromThem = await confluent.encode(1, { order_id: 'o-2', total: 3, items: [] })
    assert.deepEqual(plain(serde.deserialize(fromThem, 'orders')), {
      order_id: 'o-2',
      total: 3,
      items: [],
      coupon: null,
    })
    const fromUs = serde.serialize({ order_id: 'o-3', total: 4, items: ['x'], coupon: 'C' }, 'orders')
    assert.equal(fromUs.readUInt32BE(1), 2)
    assert.deepEqual(plain(await confluent.decode(fromUs)), {
      order_id: 'o-3',
      total: 4,
      items: ['x'],
      coupon: 'C',
    })
  })

  it('does the same for JSON Schema', async () => {
    const { id } = await confluent.register(
      { type: SchemaType.JSON, schema: JSON.stringify(event) },
      { subject: 'users-value' },
    )
    const serde = jsonSchema<{ user_id: string; age?: number }>({ registry: ours, schema: event })
    await serde.prepare(['users'])
    const fromThem = await confluent.encode(id, { user_id: 'u-1', age: 30 })
    assert.deepEqual(serde.deserialize(fromThem, 'users'), { user_id: 'u-1', age: 30 })
    const fromUs = serde.serialize({ user_id: 'u-2' }, 'users')
    assert.equal(fromUs.readUInt32BE(1), id)
    assert.deepEqual(await confluent.decode(fromUs), { user_id: 'u-2' })
  })

  it('works with the in-process registry directly, without HTTP', async () => {
    const serde = avro<unknown>({ registry, schema: order })
    await serde.prepare(['orders'])
    const bytes = serde.serialize({ order_id: 'o-4', total: 1, items: [] }, 'orders')
    assert.deepEqual(plain(await confluent.decode(bytes)), { order_id: 'o-4', total: 1, items: [] })
  })
})
