import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder } from 'tributary-streams'
import type { TestDriverConfig } from 'tributary-streams/testing'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
interface Order {
  readonly product: string | null
  readonly qty: number
}
const orderSerde = Serdes.json<Order>()
const joiner = (o: Order, name: string | null): string => `${o.qty}x${name}`

async function fkDriver(kind: DriverKind, left: boolean, config?: TestDriverConfig) {
  const builder = new StreamsBuilder()
  const orders = builder.table('orders', { key: str, value: orderSerde })
  const products = builder.table('products', { key: str, value: str })
  const joined = left
    ? orders.leftJoin(products, (o) => o.product, joiner, { name: 'enriched', value: str })
    : orders.join(products, (o) => o.product, joiner, { name: 'enriched', value: str })
  joined.toStream().to('out', { key: str, value: str })
  const topology = builder.build()
  const driver = await kind.make(topology, config)
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

export function joinsForeignKeyCases(kind: DriverKind): void {
  describe(`KTable-KTable foreign-key join (${kind.name})`, () => {
    it('inner join: follows both sides, moves with a foreign key change, and emits tombstones on deletes', async () => {
      const { driver, orders, products, out, subscriptions } = await fkDriver(kind, false)
      await products.pipeInput('p1', 'apple')
      await orders.pipeInput('o1', { product: 'p1', qty: 2 })
      await orders.pipeInput('o2', { product: 'p2', qty: 1 }) // no p2 yet: nothing
      await products.pipeInput('p2', 'pear')
      await products.pipeInput('p1', 'green apple')
      await orders.pipeInput('o1', { product: 'p2', qty: 3 }) // foreign key change
      assert.equal(subscriptions(), 2) // o1 left p1
      await products.pipeInput('p1', 'red apple') // o1 no longer follows p1: nothing
      await products.pipeInput('p2', null) // right deleted: both rows go
      await orders.pipeInput('o2', null) // already gone: nothing
      await products.pipeInput('p2', 'pear2') // only o1 still follows p2
      await orders.pipeInput('o1', null)
      assert.equal(subscriptions(), 0)
      assert.deepEqual(await out.readKeyValuesToList(), [
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
      await driver.close()
    })

    it('inner join: a foreign key change to a missing row removes the old result', async () => {
      const { driver, orders, products, out } = await fkDriver(kind, false)
      await products.pipeInput('p1', 'apple')
      await orders.pipeInput('o1', { product: 'p1', qty: 1 })
      await orders.pipeInput('o1', { product: 'nope', qty: 1 })
      await orders.pipeInput('o1', { product: null, qty: 1 }) // null foreign key: no match, already gone
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['o1', '1xapple'],
        ['o1', null],
      ])
      await driver.close()
    })

    it('left join: a row without a match joins null, and follows foreign key changes', async () => {
      const { driver, orders, products, out, subscriptions } = await fkDriver(kind, true)
      await orders.pipeInput('o1', { product: 'p1', qty: 2 })
      await products.pipeInput('p1', 'apple')
      await orders.pipeInput('o1', { product: 'p9', qty: 2 }) // to a missing row
      await products.pipeInput('p1', 'x') // o1 does not follow p1 any more
      await orders.pipeInput('o1', { product: null, qty: 5 }) // null foreign key: settled locally
      assert.equal(subscriptions(), 0)
      await products.pipeInput('p9', 'kiwi') // nobody follows p9 now
      await orders.pipeInput('o1', null)
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['o1', '2xnull'],
        ['o1', '2xapple'],
        ['o1', '2xnull'],
        ['o1', '5xnull'],
        ['o1', null],
      ])
      await driver.close()
    })

    it('routes through subscription and response topics co-partitioned with each side', async () => {
      const applicationId = 'fk-join-app'
      const { topology, driver, orders, products } = await fkDriver(kind, false, { applicationId })
      const internal = [...topology.internalTopics.keys()]
      assert.equal(internal.length, 2)
      const subscription = internal.find((t) => t.endsWith('-subscription-registration-topic'))!
      const response = internal.find((t) => t.endsWith('-subscription-response-topic'))!
      assert.deepEqual(topology.copartitionGroups, [
        [subscription, 'products'],
        [response, 'orders'],
      ])
      assert.equal(topology.subTopologies().length, 2)
      await products.pipeInput('p1', 'apple')
      await orders.pipeInput('o1', { product: 'p1', qty: 2 })
      assert.deepEqual(
        (await driver.producedTopicNames()).sort(),
        ['out', `${applicationId}-${response}`, `${applicationId}-${subscription}`].sort(),
      )
      await driver.close()
    })
  })
}
