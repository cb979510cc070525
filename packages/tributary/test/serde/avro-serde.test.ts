import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  DLQ_HEADERS,
  EmbeddedLog,
  Serdes,
  StreamsBuilder,
  isTributaryError,
  type Logger,
} from 'tributary-streams'
import { EmbeddedSchemaRegistry, avro } from 'tributary-streams/schema'
import { TopologyTestDriver } from 'tributary-streams/testing'

interface OrderV1 {
  id: string
  total: number
}
interface OrderV2 extends OrderV1 {
  coupon: string | null
}

const v1 = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'total', type: 'double' },
  ],
}
const v2 = { ...v1, fields: [...v1.fields, { name: 'coupon', type: ['null', 'string'], default: null }] }

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
const serdeError = (pattern: RegExp) => (err: unknown) =>
  isTributaryError(err, 'SERDE') && pattern.test((err as Error).message)

describe('avro serde', () => {
  let log: EmbeddedLog
  let registry: EmbeddedSchemaRegistry
  before(async () => {
    log = await EmbeddedLog.open()
    registry = await EmbeddedSchemaRegistry.open({ log })
  })
  after(async () => {
    await registry.close()
    await log.close()
  })

  it('writes magic byte 0, the schema id big-endian, then the Avro payload, under <topic>-value', async () => {
    const serde = avro<OrderV1>({ registry, schema: v1 })
    await serde.prepare(['orders'])
    const bytes = serde.serialize({ id: 'o-1', total: 9.5 }, 'orders')
    const id = (await registry.version('orders-value', 'latest')).id
    assert.equal(bytes[0], 0)
    assert.equal(bytes.readUInt32BE(1), id)
    assert.deepEqual(plain(serde.deserialize(bytes, 'orders')), { id: 'o-1', total: 9.5 })
    assert.equal(serde.subjectFor('orders'), 'orders-value')
    assert.equal(avro({ registry, schema: v1, isKey: true }).subjectFor('orders'), 'orders-key')
  })

  it('decodes records of an older and a newer writer schema into the reader schema', async () => {
    const oldSerde = avro<OrderV1>({ registry, schema: v1 })
    const newSerde = avro<OrderV2>({ registry, schema: v2 })
    await oldSerde.prepare(['evolving'])
    await newSerde.prepare(['evolving'])
    const fromOld = oldSerde.serialize({ id: 'a', total: 1 }, 'evolving')
    const fromNew = newSerde.serialize({ id: 'b', total: 2, coupon: 'SPRING' }, 'evolving')
    assert.notEqual(fromOld.readUInt32BE(1), fromNew.readUInt32BE(1))
    assert.deepEqual(plain(newSerde.deserialize(fromOld, 'evolving')), { id: 'a', total: 1, coupon: null })
    assert.deepEqual(plain(oldSerde.deserialize(fromNew, 'evolving')), { id: 'b', total: 2 })
  })

  it('uses the record name as subject with RecordNameStrategy', async () => {
    const serde = avro<OrderV1>({ registry, schema: v1, subjectNameStrategy: 'record' })
    await serde.prepare()
    assert.equal(serde.subjectFor('anything'), 'shop.Order')
    assert.ok((await registry.subjects()).includes('shop.Order'))
    assert.deepEqual(plain(serde.deserialize(serde.serialize({ id: 'x', total: 3 }, 't1'), 't2')), {
      id: 'x',
      total: 3,
    })
    assert.equal(
      avro({ registry, schema: v1, subjectNameStrategy: 'topic-record' }).subjectFor('t'),
      't-shop.Order',
    )
  })

  it('refuses to register an incompatible schema at prepare time', async () => {
    const breaking = { ...v1, fields: [...v1.fields, { name: 'sku', type: 'string' }] }
    await assert.rejects(
      avro({ registry, schema: breaking }).prepare(['orders']),
      /READER_FIELD_MISSING_DEFAULT_VALUE at shop\.Order\.sku/,
    )
  })

  it('fails with SERDE on bad input, naming the reason', async () => {
    const serde = avro<OrderV1>({ registry, schema: v1 })
    await serde.prepare(['orders'])
    const good = serde.serialize({ id: 'o', total: 1 }, 'orders')
    const withId = (id: number): Buffer => {
      const copy = Buffer.from(good)
      copy.writeUInt32BE(id, 1)
      return copy
    }
    assert.throws(() => serde.deserialize(Buffer.from([0, 0]), 'orders'), serdeError(/fewer than the 5-byte/))
    assert.throws(
      () => serde.deserialize(Buffer.concat([Buffer.from([1]), good.subarray(1)]), 'orders'),
      serdeError(/magic byte 1/),
    )
    assert.throws(() => serde.deserialize(withId(200), 'orders'), serdeError(/unknown schema id 200/))
    assert.throws(
      () => serde.deserialize(good.subarray(0, good.length - 3), 'orders'),
      serdeError(/truncated/),
    )
    assert.throws(
      () => serde.deserialize(Buffer.concat([good, Buffer.from([7])]), 'orders'),
      serdeError(/trailing/),
    )
    assert.throws(
      () => serde.serialize({ id: 'o', total: 'lots' } as never, 'orders'),
      serdeError(/total: "lots" is not a valid double/),
    )
    assert.throws(
      () => serde.serialize({ id: 'o', total: 1 }, 'unprepared'),
      serdeError(/prepare\(\['unprepared'\]\)/),
    )
  })

  it('with autoRegister off, writes only a schema someone registered', async () => {
    const reader = avro<OrderV1>({ registry, schema: v1, autoRegister: false })
    await reader.prepare(['orders', 'nowhere'])
    assert.equal(reader.serialize({ id: 'o', total: 1 }, 'orders')[0], 0)
    assert.throws(() => reader.serialize({ id: 'o', total: 1 }, 'nowhere'), serdeError(/autoRegister is off/))
  })

  it('sends undecodable records to the DLQ with the reason instead of crashing the app', async () => {
    const serde = avro<OrderV1>({ registry, schema: v1 })
    await serde.prepare(['in', 'out'])
    const builder = new StreamsBuilder()
    builder
      .stream('in', { key: Serdes.string(), value: serde })
      .mapValues((o) => ({ ...o, total: o.total * 2 }))
      .to('out', { key: Serdes.string(), value: serde })
    const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }
    const driver = new TopologyTestDriver(builder.build(), {
      applicationId: 'shop',
      logger: silent,
      deserializationErrors: 'dead-letter',
    })
    try {
      const input = driver.createInputTopic('in', Serdes.string(), serde)
      input.pipeInput('k1', { id: 'a', total: 1 }, 10)
      input.pipeRaw(Buffer.from('k2'), Buffer.from('{"id":"b"}'), 20)
      input.pipeInput('k3', { id: 'c', total: 3 }, 30)
      const out = driver.createOutputTopic('out', Serdes.string(), serde).readValuesToList().map(plain)
      assert.deepEqual(out, [
        { id: 'a', total: 2 },
        { id: 'c', total: 6 },
      ])
      const [dead] = driver.createOutputTopic('shop-dlq', Serdes.bytes(), Serdes.bytes()).readRecordsToList()
      assert.match(dead!.headers[DLQ_HEADERS.errorMessage]!.toString(), /magic byte 123/)
    } finally {
      driver.close()
    }
  })
})
