import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KStream } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

/** Source topics of each sub-topology, and its internal-topic sinks, in sub-topology order. */
export const shape = (builder: StreamsBuilder) =>
  builder
    .build()
    .subTopologies()
    .map((s) => ({ sources: s.sourceTopics, sinks: s.sinkTopics, stores: s.stores }))

export const orders = (builder: StreamsBuilder): KStream<string, number> =>
  builder.stream('orders', { key: str, value: num })

export function repartitionCases(kind: DriverKind): void {
  describe(`repartitioning before stateful operations (${kind.name})`, () => {
    it('shares one repartition topic between aggregations of a grouping named with Grouped.name', async () => {
      const builder = new StreamsBuilder()
      const grouped = orders(builder)
        .selectKey((_k, v) => String(v))
        .groupByKey({ key: str, value: num, name: 'by-value' })
      grouped.count({ name: 'c' }).toStream().to('counts', { key: str, value: num })
      grouped
        .reduce((a, b) => a + b, { name: 'r' })
        .toStream()
        .to('sums', { key: str, value: num })
      assert.deepEqual(shape(builder), [
        { sources: ['orders'], sinks: ['by-value-repartition'], stores: [] },
        { sources: ['by-value-repartition'], sinks: ['counts', 'sums'], stores: ['c', 'r'] },
      ])
      const driver = await kind.make(builder.build())
      const input = driver.createInputTopic('orders', str, num)
      const counts = driver.createOutputTopic('counts', str, num)
      const sums = driver.createOutputTopic('sums', str, num)
      await input.pipeKeyValueList([
        ['a', 2],
        ['b', 2],
      ])
      assert.deepEqual(await counts.readKeyValuesToList(), [
        ['2', 1],
        ['2', 2],
      ])
      assert.deepEqual(await sums.readKeyValuesToList(), [
        ['2', 2],
        ['2', 4],
      ])
      await driver.close()
    })

    it('shares one repartition topic between aggregations of a table grouping named with Grouped.name', async () => {
      const builder = new StreamsBuilder()
      const grouped = builder
        .table('users', { key: str, value: str })
        .groupBy((user, region) => [region, user] as const, { key: str, value: str, name: 'by-region' })
      grouped.count({ name: 'c' })
      grouped.aggregate(
        () => '',
        (_r, u, agg) => agg + u,
        (_r, u, agg) => agg.replace(u, ''),
        { name: 'names', value: str },
      )
      const subs = shape(builder)
      assert.equal(subs.length, 2)
      assert.deepEqual(subs[1], { sources: ['by-region-repartition'], sinks: [], stores: ['c', 'names'] })
      const driver = await kind.make(builder.build())
      const users = driver.createInputTopic('users', str, str)
      await users.pipeInput('ann', 'eu')
      await users.pipeInput('bob', 'eu')
      await users.pipeInput('ann', 'us')
      assert.equal(driver.getKeyValueStore('c').get('eu'), 1)
      assert.equal(driver.getKeyValueStore('names').get('eu'), 'bob')
      assert.equal(driver.getKeyValueStore('names').get('us'), 'ann')
      await driver.close()
    })
  })
}
