import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type StreamRecord } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'
import { fkRespond } from '../../src/dsl/joins/fk-processors.ts'
import { valueHash } from '../../src/dsl/joins/fk-wire.ts'
import { storeValueGetter } from '../../src/dsl/joins/value-getter.ts'

const str = Serdes.string()
interface Order {
  readonly product: string | null
  readonly qty: number
}
const orderSerde = Serdes.json<Order>()
const joiner = (o: Order, name: string | null): string => `${o.qty}x${name}`

function fkDriver(left: boolean) {
  const builder = new StreamsBuilder()
  const orders = builder.table('orders', { key: str, value: orderSerde })
  const products = builder.table('products', { key: str, value: str })
  const joined = left
    ? orders.leftJoin(products, (o) => o.product, joiner, { name: 'enriched', value: str })
    : orders.join(products, (o) => o.product, joiner, { name: 'enriched', value: str })
  joined.toStream().to('out', { key: str, value: str })
  const topology = builder.build()
  const driver = new TopologyTestDriver(topology)
  const subscriptionStore = [...topology.stores.keys()].find((n) => n.endsWith('-subscription-store'))!
  return {
    topology,
    driver,
    orders: driver.createInputTopic('orders', str, orderSerde),
    products: driver.createInputTopic('products', str, str),
    out: driver.createOutputTopic('out', str, str),
    subscriptions: () => driver.getKeyValueStore<Buffer, string>(subscriptionStore).approximateNumEntries(),
  }
}

describe('KTable-KTable foreign-key join', () => {
  it('inner join: follows both sides, moves with a foreign key change, and emits tombstones on deletes', () => {
    const { driver, orders, products, out, subscriptions } = fkDriver(false)
    products.pipeInput('p1', 'apple')
    orders.pipeInput('o1', { product: 'p1', qty: 2 })
    orders.pipeInput('o2', { product: 'p2', qty: 1 }) // no p2 yet: nothing
    products.pipeInput('p2', 'pear')
    products.pipeInput('p1', 'green apple')
    orders.pipeInput('o1', { product: 'p2', qty: 3 }) // foreign key change
    assert.equal(subscriptions(), 2) // o1 left p1
    products.pipeInput('p1', 'red apple') // o1 no longer follows p1: nothing
    products.pipeInput('p2', null) // right deleted: both rows go
    orders.pipeInput('o2', null) // already gone: nothing
    products.pipeInput('p2', 'pear2') // only o1 still follows p2
    orders.pipeInput('o1', null)
    assert.equal(subscriptions(), 0)
    assert.deepEqual(out.readKeyValuesToList(), [
      ['o1', '2xapple'],
      ['o2', '1xpear'],
      ['o1', '2xgreen apple'],
      ['o1', '3xpear'],
      ['o1', null],
      ['o2', null],
      ['o1', '3xpear2'],
      ['o1', null],
    ])
    assert.equal(driver.getKeyValueStore('enriched').approximateNumEntries(), 0)
    driver.close()
  })

  it('inner join: a foreign key change to a missing row removes the old result', () => {
    const { driver, orders, products, out } = fkDriver(false)
    products.pipeInput('p1', 'apple')
    orders.pipeInput('o1', { product: 'p1', qty: 1 })
    orders.pipeInput('o1', { product: 'nope', qty: 1 })
    orders.pipeInput('o1', { product: null, qty: 1 }) // null foreign key: no match, already gone
    assert.deepEqual(out.readKeyValuesToList(), [
      ['o1', '1xapple'],
      ['o1', null],
    ])
    driver.close()
  })

  it('left join: a row without a match joins null, and follows foreign key changes', () => {
    const { driver, orders, products, out, subscriptions } = fkDriver(true)
    orders.pipeInput('o1', { product: 'p1', qty: 2 })
    products.pipeInput('p1', 'apple')
    orders.pipeInput('o1', { product: 'p9', qty: 2 }) // to a missing row
    products.pipeInput('p1', 'x') // o1 does not follow p1 any more
    orders.pipeInput('o1', { product: null, qty: 5 }) // null foreign key: settled locally
    assert.equal(subscriptions(), 0)
    products.pipeInput('p9', 'kiwi') // nobody follows p9 now
    orders.pipeInput('o1', null)
    assert.deepEqual(out.readKeyValuesToList(), [
      ['o1', '2xnull'],
      ['o1', '2xapple'],
      ['o1', '2xnull'],
      ['o1', '5xnull'],
      ['o1', null],
    ])
    driver.close()
  })

  it('routes through subscription and response topics co-partitioned with each side', () => {
    const { topology, driver, orders, products } = fkDriver(false)
    const internal = [...topology.internalTopics.keys()]
    assert.equal(internal.length, 2)
    const subscription = internal.find((t) => t.endsWith('-subscription-registration-topic'))!
    const response = internal.find((t) => t.endsWith('-subscription-response-topic'))!
    assert.deepEqual(topology.copartitionGroups, [
      [subscription, 'products'],
      [response, 'orders'],
    ])
    assert.equal(topology.subTopologies().length, 2)
    products.pipeInput('p1', 'apple')
    orders.pipeInput('o1', { product: 'p1', qty: 2 })
    assert.deepEqual(
      driver.producedTopicNames().sort(),
      ['out', `test-driver-${response}`, `test-driver-${subscription}`].sort(),
    )
    driver.close()
  })

  it('drops a response computed for an outdated left value (hash check)', () => {
    const current: Order = { product: 'p1', qty: 7 }
    const outdated: Order = { product: 'p1', qty: 1 }
    const forwarded: Array<StreamRecord<string, string | null>> = []
    const processor = fkRespond<string, Order, string, string>(
      storeValueGetter('orders-store'),
      orderSerde,
      'base',
      joiner,
      false,
    )()
    const store = { get: (k: string) => (k === 'o1' ? current : undefined) }
    processor.init?.({
      getStateStore: () => store,
      forward: (r: StreamRecord<string, string | null>) => forwarded.push(r),
    } as never)
    const respond = (key: string, order: Order, value: string | null): void =>
      processor.process({
        key,
        value: { hash: valueHash(orderSerde.serialize(order, 'base')), value },
        timestamp: 0,
        headers: {},
      })
    respond('o1', outdated, 'apple') // stale: dropped
    respond('o2', current, 'apple') // left row gone: dropped
    respond('o1', current, 'apple')
    respond('o1', current, null) // inner join, right gone: tombstone
    assert.deepEqual(
      forwarded.map((r) => [r.key, r.value]),
      [
        ['o1', '7xapple'],
        ['o1', null],
      ],
    )
  })
})
