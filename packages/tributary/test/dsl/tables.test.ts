import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable, type KeyValueStore } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

const storeContents = <K, V>(store: KeyValueStore<K, V>): Array<[K, V]> =>
  [...store.all()].map(({ key, value }) => [key, value])

/** A table over topic `t` (string → number), transformed by `build`, its updates written to `out`. */
function tableDriver<V>(
  build: (table: KTable<string, number>) => KTable<string, V>,
  outValue = Serdes.json<V>(),
) {
  const builder = new StreamsBuilder()
  build(builder.table('t', { key: str, value: num }, { name: 'source-store' }))
    .toStream()
    .to('out', { key: str, value: outValue })
  const driver = new TopologyTestDriver(builder.build())
  const input = driver.createInputTopic('t', str, num)
  const output = driver.createOutputTopic('out', str, outValue)
  return { driver, input, output }
}

describe('KTable', () => {
  describe('builder.table()', () => {
    it('keeps the latest value per key in its store', () => {
      const builder = new StreamsBuilder()
      builder.table('t', { key: str, value: num }, { name: 'prices' })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('apple', 1)
      input.pipeInput('pear', 2)
      input.pipeInput('apple', 3)
      const store = driver.getKeyValueStore<string, number>('prices')
      assert.equal(store.get('apple'), 3)
      assert.equal(store.get('pear'), 2)
      assert.equal(store.approximateNumEntries(), 2)
      driver.close()
    })

    it('deletes a key on a tombstone (null value)', () => {
      const builder = new StreamsBuilder()
      builder.table('t', { key: str, value: num }, { name: 'prices' })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('apple', 1)
      input.pipeInput('pear', 2)
      input.pipeInput('apple', null)
      const store = driver.getKeyValueStore<string, number>('prices')
      assert.equal(store.get('apple'), undefined)
      assert.deepEqual(storeContents(store), [['pear', 2]])
      driver.close()
    })

    it('emits every update downstream and a tombstone for a delete', () => {
      const { driver, input, output } = tableDriver((t) => t, num)
      input.pipeInput('a', 1, 10)
      input.pipeInput('a', 2, 20)
      input.pipeInput('b', 5, 30)
      input.pipeInput('a', null, 40)
      const out = output.readRecordsToList()
      assert.deepEqual(
        out.map((r) => [r.key, r.value, r.timestamp]),
        [
          ['a', 1, 10],
          ['a', 2, 20],
          ['b', 5, 30],
          ['a', null, 40],
        ],
      )
      driver.close()
    })

    it('ignores a tombstone for a key it does not hold', () => {
      const { driver, input, output } = tableDriver((t) => t, num)
      input.pipeInput('ghost', null)
      assert.ok(output.isEmpty())
      driver.close()
    })

    it('ignores records with a null key', () => {
      const { driver, input, output } = tableDriver((t) => t, num)
      input.pipeInput(null, 1)
      assert.ok(output.isEmpty())
      assert.equal(driver.getKeyValueStore('source-store').approximateNumEntries(), 0)
      driver.close()
    })

    it('gets a generated store name when none is given, visible in describe()', () => {
      const builder = new StreamsBuilder()
      const table = builder.table('t', { key: str, value: num })
      assert.match(table.queryableStoreName ?? '', /^KSTREAM-TOTABLE-STATE-STORE-\d{10}$/)
      assert.match(builder.build().describe(), new RegExp(`stores: \\[${table.queryableStoreName}\\]`))
    })
  })

  describe('filter and filterNot', () => {
    it('filter forwards values that pass and retracts a key whose new value fails', () => {
      const { driver, input, output } = tableDriver((t) => t.filter((_k, v) => v > 10), num)
      input.pipeInput('a', 5) // never passed: nothing
      input.pipeInput('a', 20) // passes
      input.pipeInput('b', 30) // passes
      input.pipeInput('a', 7) // passed before, fails now: tombstone
      input.pipeInput('b', null) // deleted: tombstone
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', 20],
        ['b', 30],
        ['a', null],
        ['b', null],
      ])
      driver.close()
    })

    it('filterNot forwards values the predicate rejects', () => {
      const { driver, input, output } = tableDriver((t) => t.filterNot((_k, v) => v > 10), num)
      input.pipeInput('a', 5)
      input.pipeInput('a', 20)
      input.pipeInput('b', 30)
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', 5],
        ['a', null],
      ])
      driver.close()
    })

    it('materializes the filtered table into a named, queryable store', () => {
      const builder = new StreamsBuilder()
      const filtered = builder
        .table('t', { key: str, value: num })
        .filter((_k, v) => v > 10, { name: 'big', value: num })
      assert.equal(filtered.queryableStoreName, 'big')
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('a', 20)
      input.pipeInput('b', 30)
      input.pipeInput('c', 1)
      input.pipeInput('a', 2)
      const store = driver.getKeyValueStore<string, number>('big')
      assert.deepEqual(storeContents(store), [['b', 30]])
      input.pipeInput('b', null)
      assert.equal(store.approximateNumEntries(), 0)
      driver.close()
    })

    it('leaves the table unmaterialized when no Materialized is given', () => {
      const builder = new StreamsBuilder()
      const filtered = builder.table('t', { key: str, value: num }).filter(() => true)
      assert.equal(filtered.queryableStoreName, undefined)
    })
  })

  describe('mapValues', () => {
    it('maps new values and forwards tombstones as they are', () => {
      const { driver, input, output } = tableDriver((t) => t.mapValues((v, k) => `${k}:${v * 2}`))
      input.pipeInput('a', 1)
      input.pipeInput('a', 4)
      input.pipeInput('a', null)
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', 'a:2'],
        ['a', 'a:8'],
        ['a', null],
      ])
      driver.close()
    })

    it('materializes the mapped table into a named, queryable store', () => {
      const builder = new StreamsBuilder()
      builder.table('t', { key: str, value: num }).mapValues((v) => ({ doubled: v * 2 }), { name: 'doubled' })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      input.pipeInput('a', 3)
      input.pipeInput('b', null)
      assert.deepEqual(storeContents(driver.getKeyValueStore('doubled')), [['a', { doubled: 6 }]])
      driver.close()
    })

    it('chains after a filter, so a key filtered out is deleted downstream', () => {
      const builder = new StreamsBuilder()
      builder
        .table('t', { key: str, value: num })
        .filter((_k, v) => v >= 0)
        .mapValues((v) => v + 100, { name: 'shifted', value: num })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      input.pipeInput('a', -1)
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('shifted')), [['b', 102]])
      driver.close()
    })
  })

  describe('toStream', () => {
    it('turns updates into records, tombstones into null values, keeping timestamps', () => {
      const builder = new StreamsBuilder()
      builder
        .table('t', { key: str, value: num })
        .toStream()
        .mapValues((v) => (v === null ? 'deleted' : `set ${v}`))
        .to('out', { key: str, value: str })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('t', str, num)
      input.pipeInput('a', 1, 100)
      input.pipeInput('a', null, 200)
      const out = driver.createOutputTopic('out', str, str).readRecordsToList()
      assert.deepEqual(
        out.map((r) => [r.key, r.value, r.timestamp]),
        [
          ['a', 'set 1', 100],
          ['a', 'deleted', 200],
        ],
      )
      driver.close()
    })
  })

  describe('stream.toTable()', () => {
    it('upserts each record and deletes on a null value', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('s', { key: str, value: num })
        .toTable({ name: 'latest' })
        .toStream()
        .to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('s', str, num)
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      input.pipeInput('a', 3)
      input.pipeInput('b', null)
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('latest')), [['a', 3]])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [
        ['a', 1],
        ['b', 2],
        ['a', 3],
        ['b', null],
      ])
      driver.close()
    })

    it('repartitions first when the key was changed upstream', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('s', { key: str, value: num })
        .selectKey((k) => k.toUpperCase())
        .toTable({ name: 'upper', key: str, value: num })
      const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' })
      const input = driver.createInputTopic('s', str, num)
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      assert.deepEqual(driver.producedTopicNames(), ['app-upper-repartition'])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('upper')), [
        ['A', 1],
        ['B', 2],
      ])
      driver.close()
    })
  })
})
