import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable, type KeyValueStore } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

const storeContents = <K, V>(store: KeyValueStore<K, V>): Array<[K, V]> =>
  [...store.all()].map(({ key, value }) => [key, value])

export function tablesCases(kind: DriverKind): void {
  /** A table over topic `t` (string → number), transformed by `build`, its updates written to `out`. */
  async function tableDriver<V>(
    build: (table: KTable<string, number>) => KTable<string, V>,
    outValue = Serdes.json<V>(),
  ) {
    const builder = new StreamsBuilder()
    build(builder.table('t', { key: str, value: num }, { name: 'source-store' }))
      .toStream()
      .to('out', { key: str, value: outValue })
    const driver = await kind.make(builder.build())
    const input = driver.createInputTopic('t', str, num)
    const output = driver.createOutputTopic('out', str, outValue)
    return { driver, input, output }
  }

  describe(`KTable (${kind.name})`, () => {
    describe('builder.table()', () => {
      it('keeps the latest value per key in its store', async () => {
        const builder = new StreamsBuilder()
        builder.table('t', { key: str, value: num }, { name: 'prices' })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        await input.pipeInput('apple', 1)
        await input.pipeInput('pear', 2)
        await input.pipeInput('apple', 3)
        const store = driver.getKeyValueStore<string, number>('prices')
        assert.equal(store.get('apple'), 3)
        assert.equal(store.get('pear'), 2)
        assert.equal(store.approximateNumEntries(), 2)
        await driver.close()
      })

      it('deletes a key on a tombstone (null value)', async () => {
        const builder = new StreamsBuilder()
        builder.table('t', { key: str, value: num }, { name: 'prices' })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        await input.pipeInput('apple', 1)
        await input.pipeInput('pear', 2)
        await input.pipeInput('apple', null)
        const store = driver.getKeyValueStore<string, number>('prices')
        assert.equal(store.get('apple'), undefined)
        assert.deepEqual(storeContents(store), [['pear', 2]])
        await driver.close()
      })

      it('emits every update downstream and a tombstone for a delete', async () => {
        const { driver, input, output } = await tableDriver((t) => t, num)
        await input.pipeInput('a', 1, 10)
        await input.pipeInput('a', 2, 20)
        await input.pipeInput('b', 5, 30)
        await input.pipeInput('a', null, 40)
        const out = await output.readRecordsToList()
        assert.deepEqual(
          out.map((r) => [r.key, r.value, r.timestamp]),
          [
            ['a', 1, 10],
            ['a', 2, 20],
            ['b', 5, 30],
            ['a', null, 40],
          ],
        )
        await driver.close()
      })

      it('forwards a tombstone for a key it does not hold, as Kafka Streams does', async () => {
        const { driver, input, output } = await tableDriver((t) => t, num)
        await input.pipeInput('ghost', null)
        assert.deepEqual(await output.readKeyValuesToList(), [['ghost', null]])
        await driver.close()
      })

      it('ignores records with a null key', async () => {
        const { driver, input, output } = await tableDriver((t) => t, num)
        await input.pipeInput(null, 1)
        assert.ok(await output.isEmpty())
        assert.equal(driver.getKeyValueStore('source-store').approximateNumEntries(), 0)
        await driver.close()
      })
    })

    describe('filter and filterNot', () => {
      it('filter forwards values that pass and retracts a key whose new value fails', async () => {
        const { driver, input, output } = await tableDriver((t) => t.filter((_k, v) => v > 10), num)
        await input.pipeInput('a', 5) // fails: a tombstone (Kafka Streams forwards it even if a never passed)
        await input.pipeInput('a', 20) // passes
        await input.pipeInput('b', 30) // passes
        await input.pipeInput('a', 7) // passed before, fails now: tombstone
        await input.pipeInput('b', null) // deleted: tombstone
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', null],
          ['a', 20],
          ['b', 30],
          ['a', null],
          ['b', null],
        ])
        await driver.close()
      })

      it('filterNot forwards values the predicate rejects', async () => {
        const { driver, input, output } = await tableDriver((t) => t.filterNot((_k, v) => v > 10), num)
        await input.pipeInput('a', 5)
        await input.pipeInput('a', 20)
        await input.pipeInput('b', 30)
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', 5],
          ['a', null],
          ['b', null],
        ])
        await driver.close()
      })

      it('materializes the filtered table into a named, queryable store', async () => {
        const builder = new StreamsBuilder()
        const filtered = builder
          .table('t', { key: str, value: num })
          .filter((_k, v) => v > 10, { name: 'big', value: num })
        assert.equal(filtered.queryableStoreName, 'big')
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        await input.pipeInput('a', 20)
        await input.pipeInput('b', 30)
        await input.pipeInput('c', 1)
        await input.pipeInput('a', 2)
        assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('big')), [['b', 30]])
        await input.pipeInput('b', null)
        assert.equal(driver.getKeyValueStore<string, number>('big').approximateNumEntries(), 0)
        await driver.close()
      })
    })

    describe('mapValues', () => {
      it('maps new values and forwards tombstones as they are', async () => {
        const { driver, input, output } = await tableDriver((t) => t.mapValues((v, k) => `${k}:${v * 2}`))
        await input.pipeInput('a', 1)
        await input.pipeInput('a', 4)
        await input.pipeInput('a', null)
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', 'a:2'],
          ['a', 'a:8'],
          ['a', null],
        ])
        await driver.close()
      })

      it('materializes the mapped table into a named, queryable store', async () => {
        const builder = new StreamsBuilder()
        builder
          .table('t', { key: str, value: num })
          .mapValues((v) => ({ doubled: v * 2 }), { name: 'doubled' })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        await input.pipeInput('a', 3)
        await input.pipeInput('b', null)
        assert.deepEqual(storeContents(driver.getKeyValueStore('doubled')), [['a', { doubled: 6 }]])
        await driver.close()
      })

      it('chains after a filter, so a key filtered out is deleted downstream', async () => {
        const builder = new StreamsBuilder()
        builder
          .table('t', { key: str, value: num })
          .filter((_k, v) => v >= 0)
          .mapValues((v) => v + 100, { name: 'shifted', value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        await input.pipeInput('a', -1)
        assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('shifted')), [['b', 102]])
        await driver.close()
      })
    })

    describe('toStream', () => {
      it('turns updates into records, tombstones into null values, keeping timestamps', async () => {
        const builder = new StreamsBuilder()
        builder
          .table('t', { key: str, value: num })
          .toStream()
          .mapValues((v) => (v === null ? 'deleted' : `set ${v}`))
          .to('out', { key: str, value: str })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('t', str, num)
        const output = driver.createOutputTopic('out', str, str)
        await input.pipeInput('a', 1, 100)
        await input.pipeInput('a', null, 200)
        const out = await output.readRecordsToList()
        assert.deepEqual(
          out.map((r) => [r.key, r.value, r.timestamp]),
          [
            ['a', 'set 1', 100],
            ['a', 'deleted', 200],
          ],
        )
        await driver.close()
      })
    })

    describe('stream.toTable()', () => {
      it('upserts each record and deletes on a null value', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('s', { key: str, value: num })
          .toTable({ name: 'latest' })
          .toStream()
          .to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('s', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        await input.pipeInput('a', 3)
        await input.pipeInput('b', null)
        assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('latest')), [['a', 3]])
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', 1],
          ['b', 2],
          ['a', 3],
          ['b', null],
        ])
        await driver.close()
      })

      it('repartitions first when the key was changed upstream', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('s', { key: str, value: num })
          .selectKey((k) => k.toUpperCase())
          .toTable({ name: 'upper', key: str, value: num })
        const driver = await kind.make(builder.build(), { applicationId: 'app' })
        const input = driver.createInputTopic('s', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        assert.deepEqual(await driver.producedTopicNames(), ['app-upper-repartition'])
        assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('upper')), [
          ['A', 1],
          ['B', 2],
        ])
        await driver.close()
      })
    })
  })
}
