import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
interface Order {
  readonly user: string
  readonly amount: number
}
const orderSerde = Serdes.json<Order>()

/** Stream `orders` joined with global table `users` (store `users-store`) by the order's user, output to `out`. */
export function globalTopology(left: boolean) {
  const builder = new StreamsBuilder()
  const users = builder.globalTable('users', { key: str, value: str }, { name: 'users-store' })
  const orders = builder.stream('orders', { key: str, value: orderSerde })
  const joiner = (o: Order, region: string | null): string => `${o.amount}@${region}`
  const joined = left
    ? orders.leftJoin(users, (_k, o) => o.user, joiner)
    : orders.join(users, (_k, o) => o.user, joiner)
  joined.to('out', { key: str, value: str })
  return builder.build()
}

async function globalDriver(kind: DriverKind, left: boolean) {
  const topology = globalTopology(left)
  const driver = await kind.make(topology)
  return {
    topology,
    driver,
    users: driver.createInputTopic('users', str, str),
    orders: driver.createInputTopic('orders', str, orderSerde),
    out: driver.createOutputTopic('out', str, str),
  }
}

export function joinsGlobalTableCases(kind: DriverKind): void {
  describe(`KStream-GlobalKTable join (${kind.name})`, () => {
    it('inner join: looks the table up by the selected key; unmatched records are dropped', async () => {
      const { driver, users, orders, out } = await globalDriver(kind, false)
      await users.pipeInput('u1', 'eu')
      await orders.pipeInput('o1', { user: 'u1', amount: 10 })
      await orders.pipeInput('o2', { user: 'u2', amount: 20 }) // no such user
      await users.pipeInput('u2', 'us') // table update: no output, visible at once
      await orders.pipeInput('o3', { user: 'u2', amount: 30 })
      await users.pipeInput('u1', null) // delete
      await orders.pipeInput('o4', { user: 'u1', amount: 40 })
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['o1', '10@eu'],
        ['o3', '30@us'],
      ])
      assert.equal(driver.getKeyValueStore<string, string>('users-store').get('u2'), 'us')
      await driver.close()
    })

    it('left join: an unmatched record or a null selected key is joined with null; the key may come from a null-key record', async () => {
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
      const driver = await kind.make(builder.build())
      const u = driver.createInputTopic('users', str, str)
      const o = driver.createInputTopic('orders', str, orderSerde)
      const out = driver.createOutputTopic('out', str, str)
      await u.pipeInput('u1', 'eu')
      await o.pipeInput('o1', { user: 'u1', amount: 1 })
      await o.pipeInput('o2', { user: 'nobody', amount: 2 })
      await o.pipeInput('o3', { user: '', amount: 3 }) // selector returns null: a left join joins null
      await o.pipeInput(null, { user: 'u1', amount: 4 }) // null stream key: the selector finds u1
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['o1', '1@eu'],
        ['o2', '2@null'],
        ['o3', '3@null'],
        [null, '4@eu'],
      ])
      await driver.close()
    })
  })
}
