import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { OrderPlaced } from '../../src/contract/envelope.ts'
import { anOrder, avroPipelineDriver, avroRegistry, T0, type AvroRegistryFixture } from './avro-fixture.ts'

describe('topology with ORDERS_FORMAT=avro', () => {
  let fixture: AvroRegistryFixture
  before(async () => {
    fixture = await avroRegistry()
  })
  after(() => fixture.close())

  it('an Avro order of a known Avro user flows to orders-processed', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0 + 1000, 2)
    p.order('o-2', 'u-1', 2.5, T0 + 2000, 2)
    const rows = p.processed.readValuesToList()
    assert.deepEqual(rows.at(-1), {
      window_start: T0,
      window_end: T0 + 60_000,
      region: 'eu',
      segment: 'retail',
      order_count: 2,
      revenue: 12.5,
      final: false,
    })
    assert.ok(p.dlq.isEmpty())
    assert.equal(p.metrics.ordersAccepted, 2)
    assert.equal(p.metrics.usersAccepted, 1)
    assert.equal(p.metrics.unknownUsers, 0)
    p.driver.close()
  })

  it('uses payload.timestamp of the Avro record as event time (windows close on it)', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.user('u-1', 'eu', 'retail')
    p.order('o-1', 'u-1', 10, T0 + 1000, 2)
    p.order('o-2', 'u-1', 1, T0 + 2 * 60_000 + 30_000, 2) // stream time past end + grace of the first window
    const finals = p.processed.readValuesToList().filter((r) => r.final)
    assert.deepEqual(
      finals.map((r) => [r.window_start, r.order_count, r.revenue]),
      [[T0, 1, 10]],
    )
    p.driver.close()
  })

  const corrupt: Array<[string, (valid: Buffer) => Buffer, RegExp]> = [
    [
      'truncated Avro',
      (b) => b.subarray(0, b.length - 4),
      /^invalid-avro: cannot decode Avro record in orders-raw/,
    ],
    ['trailing bytes', (b) => Buffer.concat([b, Buffer.from([1, 2, 3])]), /^invalid-avro: .*orders-raw/],
    ['JSON text (magic byte 123)', () => Buffer.from('{"event_id":"x"}'), /^invalid-avro: .*magic byte 123/],
    ['fewer than 5 bytes', () => Buffer.from([0, 0]), /^invalid-avro: .*2 bytes/],
    [
      'an unknown schema id',
      (b) => Buffer.concat([Buffer.from([0, 0, 0, 0x27, 0x0f]), b.subarray(5)]),
      /^invalid-avro: .*unknown schema id 9999/,
    ],
    [
      'random bytes after a valid header',
      (b) => Buffer.concat([b.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]),
      /^invalid-avro: /,
    ],
  ]
  for (const [name, breakIt, reason] of corrupt)
    it(`dead-letters ${name} to orders-dlq with its reason, origin and raw bytes`, async () => {
      const p = await avroPipelineDriver(fixture, 2)
      p.user('u-1', 'eu', 'retail')
      p.order('o-0', 'u-1', 3, T0 + 500, 2) // offset 0
      const bytes = breakIt(p.orderBytes(anOrder('o-1', 'u-1', 10, T0 + 1000), 2))
      p.orders.pipeInput('o-1', bytes, T0 + 1000) // offset 1
      const dlq = p.dlq.readKeyValuesToList()
      assert.equal(dlq.length, 1)
      const [key, value] = dlq[0]!
      assert.equal(key, 'o-1')
      assert.match(value.reason, reason)
      assert.deepEqual(
        { topic: value.topic, partition: value.partition, offset: value.offset, key: value.key },
        { topic: 'orders-raw', partition: 0, offset: 1, key: 'o-1' },
      )
      assert.equal(value.value_encoding, 'base64')
      assert.deepEqual(Buffer.from(value.value!, 'base64'), bytes)
      assert.deepEqual(p.metrics.deadLetteredByReason, { 'invalid-avro': 1 })
      // the app keeps going: the good order before it was counted, the next one is too
      p.order('o-2', 'u-1', 4, T0 + 2000, 2)
      assert.equal(p.processed.readValuesToList().at(-1)!.order_count, 2)
      p.driver.close()
    })

  it('dead-letters a record written with another registered schema the reader cannot resolve (UserCreated on orders-raw)', async () => {
    const p = await avroPipelineDriver(fixture, 1)
    const user = p.userBytes({
      event_id: 'e',
      timestamp: T0,
      source: 's',
      type: 'UserCreated',
      payload: { user_id: 'u', name: 'n', email: 'e', region: 'r', segment: 's', created_at: T0 },
    })
    p.orders.pipeInput('o-1', user, T0)
    const [dlq] = p.dlq.readValuesToList()
    assert.match(
      dlq!.reason,
      /^invalid-avro: cannot read schema id \d+ \(orders-raw\) as orderanalytics\.events\.OrderPlaced/,
    )
    p.driver.close()
  })

  it('dead-letters undecodable users-raw records with topic users-raw', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.users.pipeInput('u-1', Buffer.from('not avro'), T0)
    const [dlq] = p.dlq.readValuesToList()
    assert.match(dlq!.reason, /^invalid-avro: .*users-raw/)
    assert.equal(dlq!.topic, 'users-raw')
    assert.equal(p.metrics.usersAccepted, 0)
    p.driver.close()
  })

  it('dead-letters a tombstone as before (null value)', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.orders.pipeInput('o-1', null, T0)
    const [dlq] = p.dlq.readValuesToList()
    assert.equal(dlq!.reason, 'invalid-json: null value')
    assert.equal(dlq!.value, null)
    p.driver.close()
  })

  // What Avro can carry but the contract (issue 5) refuses: the validators still run on decoded records.
  const rules: Array<[string, (o: OrderPlaced) => OrderPlaced, string]> = [
    [
      'another event type',
      (o) => ({ ...o, type: 'OrderCancelled' }) as unknown as OrderPlaced,
      'wrong-event-type',
    ],
    [
      'a negative payload.timestamp',
      (o) => ({ ...o, payload: { ...o.payload, timestamp: -5 } }),
      'invalid-timestamp',
    ],
    ['no items', (o) => ({ ...o, payload: { ...o.payload, items: [], total: 0 } }), 'no-items'],
    [
      'a quantity of 0',
      (o) => ({ ...o, payload: { ...o.payload, items: [{ sku: 'a', quantity: 0, price: 5 }], total: 0 } }),
      'invalid-quantity',
    ],
    [
      'a negative price',
      (o) => ({ ...o, payload: { ...o.payload, items: [{ sku: 'a', quantity: 1, price: -5 }], total: -5 } }),
      'invalid-price',
    ],
    [
      'a NaN price',
      (o) => ({ ...o, payload: { ...o.payload, items: [{ sku: 'a', quantity: 1, price: NaN }] } }),
      'invalid-price',
    ],
    [
      'a total that does not add up',
      (o) => ({ ...o, payload: { ...o.payload, total: 99 } }),
      'total-mismatch',
    ],
    ['a NaN total', (o) => ({ ...o, payload: { ...o.payload, total: NaN } }), 'wrong-type: payload.total'],
  ]
  for (const [name, breakIt, reason] of rules)
    it(`applies the contract to decoded Avro: ${name} -> ${reason}`, async () => {
      const p = await avroPipelineDriver(fixture, 2)
      const bytes = p.orderBytes(breakIt(anOrder('o-1', 'u-1', 10, T0 + 1000)), 2)
      p.orders.pipeInput('o-1', bytes, T0 + 1000)
      const [dlq] = p.dlq.readValuesToList()
      assert.ok(dlq!.reason.startsWith(reason), dlq!.reason)
      assert.equal(dlq!.offset, 0)
      assert.ok(p.processed.isEmpty())
      p.driver.close()
    })

  it('drops a second copy of an order as a duplicate', async () => {
    const p = await avroPipelineDriver(fixture, 2)
    p.order('o-1', 'u-1', 10, T0 + 1000, 2)
    p.order('o-1', 'u-1', 10, T0 + 1000, 2)
    assert.equal(p.metrics.duplicates, 1)
    assert.equal(p.processed.readValuesToList().at(-1)!.order_count, 1)
    p.driver.close()
  })
})
