import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, type StreamRecord } from 'tributary-streams'
import { fkRespond } from '../../src/dsl/joins/fk-processors.ts'
import { valueHash } from '../../src/dsl/joins/fk-wire.ts'
import { storeValueGetter } from '../../src/dsl/joins/value-getter.ts'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { joinsForeignKeyCases } from './cases/joins-foreign-key.cases.ts'

interface Order {
  readonly product: string | null
  readonly qty: number
}
const orderSerde = Serdes.json<Order>()
const joiner = (o: Order, name: string | null): string => `${o.qty}x${name}`

for (const kind of [topologyTestDriver, embeddedLogDriver]) joinsForeignKeyCases(kind)

describe('KTable-KTable foreign-key join', () => {
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
    // A table's store is timestamped: rows carry their timestamp.
    const store = { get: (k: string) => (k === 'o1' ? { value: current, timestamp: 0 } : undefined) }
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
