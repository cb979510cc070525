import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { orderEnvelope, pipelineDriver, T0 } from '../helpers/pipeline-driver.ts'

const valid = () => orderEnvelope('o-1', 'u-1', [{ sku: 'a', quantity: 2, price: 5 }], T0 + 1000)
type Env = ReturnType<typeof valid>

/** Each case: how to break a valid order, and the reason it must be dead-lettered with. */
const cases: Array<[string, (e: Env) => unknown, string]> = [
  ['is not valid JSON', () => '{"event_id": ', 'invalid-json'],
  ['is JSON but not an object', () => [1, 2], 'wrong-type: value is array'],
  ['lacks the envelope field event_id', ({ event_id: _, ...rest }) => rest, 'missing-field: event_id'],
  ['lacks the envelope field timestamp', ({ timestamp: _, ...rest }) => rest, 'missing-field: timestamp'],
  ['lacks the envelope field source', ({ source: _, ...rest }) => rest, 'missing-field: source'],
  ['lacks the envelope field type', ({ type: _, ...rest }) => rest, 'missing-field: type'],
  ['lacks the payload', ({ payload: _, ...rest }) => rest, 'missing-field: payload'],
  ...(['order_id', 'user_id', 'items', 'total', 'timestamp'] as const).map(
    (field): [string, (e: Env) => unknown, string] => [
      `lacks the payload field ${field}`,
      (e) => ({ ...e, payload: { ...e.payload, [field]: undefined } }),
      `missing-field: payload.${field}`,
    ],
  ),
  [
    'has a string total',
    (e) => ({ ...e, payload: { ...e.payload, total: '10' } }),
    'wrong-type: payload.total is string',
  ],
  [
    'has a numeric order_id',
    (e) => ({ ...e, payload: { ...e.payload, order_id: 7 } }),
    'wrong-type: payload.order_id is number',
  ],
  [
    'has items that are an object',
    (e) => ({ ...e, payload: { ...e.payload, items: {} } }),
    'wrong-type: payload.items is object',
  ],
  [
    'has a null user_id',
    (e) => ({ ...e, payload: { ...e.payload, user_id: null } }),
    'wrong-type: payload.user_id is null',
  ],
  ['has a string envelope timestamp', (e) => ({ ...e, timestamp: 'now' }), 'wrong-type: timestamp is string'],
  ['has a payload that is a string', (e) => ({ ...e, payload: 'x' }), 'wrong-type: payload is string'],
  [
    'has an item without a sku',
    (e) => ({ ...e, payload: { ...e.payload, items: [{ quantity: 1, price: 1 }] } }),
    'missing-field: payload.items[0].sku',
  ],
  [
    'has an item with a string price',
    (e) => ({ ...e, payload: { ...e.payload, items: [{ sku: 'a', quantity: 1, price: '1' }] } }),
    'wrong-type: payload.items[0].price is string',
  ],
  ['has no items', (e) => ({ ...e, payload: { ...e.payload, items: [] } }), 'no-items'],
  [
    'has a quantity of 0',
    (e) => ({ ...e, payload: { ...e.payload, items: [{ sku: 'a', quantity: 0, price: 5 }], total: 0 } }),
    'invalid-quantity',
  ],
  [
    'has a fractional quantity',
    (e) => ({ ...e, payload: { ...e.payload, items: [{ sku: 'a', quantity: 1.5, price: 2 }], total: 3 } }),
    'invalid-quantity',
  ],
  [
    'has a negative price',
    (e) => ({ ...e, payload: { ...e.payload, items: [{ sku: 'a', quantity: 1, price: -1 }], total: -1 } }),
    'invalid-price',
  ],
  [
    'has a price that is not finite',
    () => JSON.stringify(valid()).replace('"price":5', '"price":1e999'),
    'invalid-price',
  ],
  [
    'has a total 0.02 off the items',
    (e) => ({ ...e, payload: { ...e.payload, total: 10.02 } }),
    'total-mismatch',
  ],
  ['is not an OrderPlaced', (e) => ({ ...e, type: 'OrderCancelled' }), 'wrong-event-type'],
  [
    'has a negative payload timestamp',
    (e) => ({ ...e, payload: { ...e.payload, timestamp: -5 } }),
    'invalid-timestamp',
  ],
]

describe('orders that break the contract go to orders-dlq', () => {
  for (const [what, breakIt, reason] of cases) {
    it(`an order that ${what} is dead-lettered with reason ${reason}`, () => {
      const p = pipelineDriver()
      const broken = breakIt(valid())
      const text = typeof broken === 'string' ? broken : JSON.stringify(broken)
      p.orders.pipeInput('o-1', 'x') // offset 0: a different bad record, so the offset below is checked
      p.dlq.readRecordsToList()
      p.orders.pipeInput('o-1', text, T0)
      const [record, ...more] = p.dlq.readRecordsToList()
      assert.equal(more.length, 0)
      assert.ok(record!.value.reason.startsWith(reason), `${record!.value.reason} starts with ${reason}`)
      assert.deepEqual(
        { ...record!.value, reason: undefined },
        {
          reason: undefined,
          topic: 'orders-raw',
          partition: 0,
          offset: 1,
          key: 'o-1',
          value: text,
        },
      )
      assert.equal(record!.key, 'o-1')
      assert.ok(p.processed.isEmpty(), 'nothing reaches orders-processed')
      assert.equal(p.metrics.deadLettered, 2)
      p.driver.close()
    })
  }

  it('an order whose total is within 0.01 of the items is accepted', () => {
    const p = pipelineDriver()
    const e = valid()
    p.orders.pipeInput('o-1', JSON.stringify({ ...e, payload: { ...e.payload, total: 10.01 } }), T0)
    assert.ok(p.dlq.isEmpty())
    assert.equal(p.processed.readValue().revenue, 10.01)
    p.driver.close()
  })

  it('a null value (tombstone) on orders-raw is dead-lettered as invalid JSON with a null value', () => {
    const p = pipelineDriver()
    p.orders.pipeInput('o-9', null, T0)
    const dlq = p.dlq.readValue()
    assert.equal(dlq.value, null)
    assert.ok(dlq.reason.startsWith('invalid-json'))
    p.driver.close()
  })
})

describe('users that break the contract go to orders-dlq', () => {
  it('a users record that is not valid JSON is dead-lettered with its origin, its value withheld', () => {
    const p = pipelineDriver()
    p.users.pipeInput('u-1', 'not json: ada@example.com', T0)
    const r = p.dlq.readValue()
    assert.deepEqual(r, {
      reason: 'invalid-json: value is not valid JSON',
      topic: 'users-raw',
      partition: 0,
      offset: 0,
      key: 'u-1',
      value: null,
      value_withheld: true,
    })
    p.driver.close()
  })

  it("a rejected user's name and e-mail are masked in its dead letter, the rest kept", () => {
    const p = pipelineDriver()
    const payload = { name: 'Ada Lovelace', email: 'ada@example.com', region: 'eu' }
    const event = { event_id: 'e', timestamp: T0, source: 's', type: 'UserCreated', payload }
    p.users.pipeInput('u-1', JSON.stringify(event), T0)
    const r = p.dlq.readValue()
    assert.equal(r.reason, 'missing-field: payload.user_id')
    assert.deepEqual(JSON.parse(r.value!), {
      ...event,
      payload: { name: '[redacted]', email: '[redacted]', region: 'eu' },
    })
    p.driver.close()
  })

  it('a users record without payload.user_id is dead-lettered', () => {
    const p = pipelineDriver()
    p.users.pipeInput(
      'u-1',
      JSON.stringify({
        event_id: 'e',
        timestamp: T0,
        source: 's',
        type: 'UserCreated',
        payload: { name: 'x' },
      }),
      T0,
    )
    assert.equal(p.dlq.readValue().reason, 'missing-field: payload.user_id')
    p.driver.close()
  })

  it('a user without region or segment is accepted with both unknown', () => {
    const p = pipelineDriver()
    p.users.pipeInput(
      'u-1',
      JSON.stringify({
        event_id: 'e',
        timestamp: 1,
        source: 's',
        type: 'UserCreated',
        payload: { user_id: 'u-1' },
      }),
      1,
    )
    p.order('o-1', 'u-1', 10, T0)
    assert.ok(p.dlq.isEmpty())
    const row = p.processed.readValue()
    assert.deepEqual([row.region, row.segment], ['unknown', 'unknown'])
    assert.equal(p.metrics.unknownUsers, 0, 'the user was known')
    p.driver.close()
  })
})
