import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, isTributaryError } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
interface Order {
  readonly user: string
  readonly amount: number
}
const orderSerde = Serdes.json<Order>()

function globalDriver(left: boolean) {
  const builder = new StreamsBuilder()
  const users = builder.globalTable('users', { key: str, value: str }, { name: 'users-store' })
  const orders = builder.stream('orders', { key: str, value: orderSerde })
  const joiner = (o: Order, region: string | null): string => `${o.amount}@${region}`
  const joined = left
    ? orders.leftJoin(users, (_k, o) => o.user, joiner)
    : orders.join(users, (_k, o) => o.user, joiner)
  joined.to('out', { key: str, value: str })
  const topology = builder.build()
  const driver = new TopologyTestDriver(topology)
  return {
    topology,
    driver,
    users: driver.createInputTopic('users', str, str),
    orders: driver.createInputTopic('orders', str, orderSerde),
    out: driver.createOutputTopic('out', str, str),
  }
}

describe('KStream-GlobalKTable join', () => {
  it('inner join: looks the table up by the selected key; unmatched records are dropped', () => {
    const { driver, users, orders, out } = globalDriver(false)
    users.pipeInput('u1', 'eu')
    orders.pipeInput('o1', { user: 'u1', amount: 10 })
    orders.pipeInput('o2', { user: 'u2', amount: 20 }) // no such user
    users.pipeInput('u2', 'us') // table update: no output, visible at once
    orders.pipeInput('o3', { user: 'u2', amount: 30 })
    users.pipeInput('u1', null) // delete
    orders.pipeInput('o4', { user: 'u1', amount: 40 })
    assert.deepEqual(out.readKeyValuesToList(), [
      ['o1', '10@eu'],
      ['o3', '30@us'],
    ])
    assert.equal(driver.getKeyValueStore<string, string>('users-store').get('u2'), 'us')
    driver.close()
  })

  it('left join: an unmatched record is joined with null; a null selected key is dropped', () => {
    const builder = new StreamsBuilder()
    const users = builder.globalTable('users', { key: str, value: str })
    builder
      .stream('orders', { key: str, value: orderSerde })
      .leftJoin(
        users,
        (_k, o) => (o.user === '' ? null : o.user),
        (o, region) => `${o.amount}@${region}`,
      )
      .to('out', { key: str, value: str })
    const driver = new TopologyTestDriver(builder.build())
    const u = driver.createInputTopic('users', str, str)
    const o = driver.createInputTopic('orders', str, orderSerde)
    const out = driver.createOutputTopic('out', str, str)
    u.pipeInput('u1', 'eu')
    o.pipeInput('o1', { user: 'u1', amount: 1 })
    o.pipeInput('o2', { user: 'nobody', amount: 2 })
    o.pipeInput('o3', { user: '', amount: 3 }) // selector returns null: dropped
    o.pipeInput(null, { user: 'u1', amount: 4 }) // null stream key, left join: joined with null
    assert.deepEqual(out.readKeyValuesToList(), [
      ['o1', '1@eu'],
      ['o2', '2@null'],
      [null, '4@null'],
    ])
    driver.close()
  })

  it('needs no co-partitioning or repartitioning, and keeps the global store out of sub-topologies', () => {
    const { topology, driver } = globalDriver(false)
    assert.deepEqual(topology.copartitionGroups, [])
    assert.equal(topology.internalTopics.size, 0)
    assert.deepEqual(
      topology.subTopologies().map((s) => s.stores),
      [[]],
    )
    assert.ok(topology.globalStores.has('users-store'))
    driver.close()
  })

  it('refuses a global table on a topic a stream already reads', () => {
    const builder = new StreamsBuilder()
    builder.stream('users', { key: str, value: str })
    assert.throws(
      () => builder.globalTable('users', { key: str, value: str }),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })
})
