import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable, type KStream, type KeyValueStore } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

const storeContents = <K, V>(store: KeyValueStore<K, V>): Array<[K, V]> =>
  [...store.all()].map(({ key, value }) => [key, value])

/** Aggregates stream `in` (string → number) with `build`, its updates written to `out`. */
async function streamAgg<V>(
  kind: DriverKind,
  build: (s: KStream<string, number>) => KTable<string, V>,
  outValue = Serdes.json<V>(),
) {
  const builder = new StreamsBuilder()
  build(builder.stream('in', { key: str, value: num }))
    .toStream()
    .to('out', { key: str, value: outValue })
  const driver = await kind.make(builder.build(), { applicationId: 'agg' })
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', str, outValue),
  }
}

interface Employee {
  readonly dept: string
  readonly salary: number
}

/** Table `employees` (name → Employee) grouped by department with `build`, updates written to `out`. */
async function tableAgg<V>(
  kind: DriverKind,
  build: (t: KTable<string, Employee>) => KTable<string, V>,
  outValue = Serdes.json<V>(),
) {
  const builder = new StreamsBuilder()
  build(builder.table('employees', { key: str, value: Serdes.json<Employee>() }))
    .toStream()
    .to('out', { key: str, value: outValue })
  const driver = await kind.make(builder.build(), { applicationId: 'agg' })
  return {
    driver,
    input: driver.createInputTopic('employees', str, Serdes.json<Employee>()),
    output: driver.createOutputTopic('out', str, outValue),
  }
}

export function aggregationCases(kind: DriverKind): void {
  describe(`aggregating a grouped stream (${kind.name})`, () => {
    describe('groupByKey().count()', () => {
      it('emits the running count per key and stores the latest count', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) => s.groupByKey().count({ name: 'counts' }),
          num,
        )
        try {
          await input.pipeKeyValueList([
            ['a', 1],
            ['b', 1],
            ['a', 1],
            ['a', 1],
          ])
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['a', 1],
            ['b', 1],
            ['a', 2],
            ['a', 3],
          ])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('counts')), [
            ['a', 3],
            ['b', 1],
          ])
        } finally {
          await driver.close()
        }
      })

      it('skips records with a null key or a null value', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) => s.groupByKey().count({ name: 'counts' }),
          num,
        )
        try {
          await input.pipeInput(null, 1)
          await input.pipeInput('a', null)
          await input.pipeInput('a', 1)
          assert.deepEqual(await output.readKeyValuesToList(), [['a', 1]])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('counts')), [['a', 1]])
        } finally {
          await driver.close()
        }
      })

      it('does not repartition when the key is unchanged', async () => {
        const { driver, input } = await streamAgg(
          kind,
          (s) =>
            s
              .mapValues((v) => v * 2)
              .groupByKey()
              .count(),
          num,
        )
        try {
          await input.pipeInput('a', 1)
          assert.deepEqual(await driver.producedTopicNames(), ['out'])
        } finally {
          await driver.close()
        }
      })

      it('keeps the input timestamp on each update', async () => {
        const { driver, input, output } = await streamAgg(kind, (s) => s.groupByKey().count(), num)
        try {
          await input.pipeInput('a', 1, 500)
          await input.pipeInput('a', 1, 700)
          assert.deepEqual(
            (await output.readRecordsToList()).map((r) => r.timestamp),
            [500, 700],
          )
        } finally {
          await driver.close()
        }
      })
    })

    describe('groupByKey().reduce()', () => {
      it('starts from the first value and folds later values in', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) => s.groupByKey().reduce((agg, v) => agg + v, { name: 'sums' }),
          num,
        )
        try {
          await input.pipeKeyValueList([
            ['a', 5],
            ['b', 1],
            ['a', 10],
            ['a', null],
            ['b', 2],
          ])
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['a', 5],
            ['b', 1],
            ['a', 15],
            ['b', 3],
          ])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('sums')), [
            ['a', 15],
            ['b', 3],
          ])
        } finally {
          await driver.close()
        }
      })

      it('uses the reducer arguments in (aggregate, value) order', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) => s.groupByKey().reduce((agg, v) => agg * 10 + v),
          num,
        )
        try {
          await input.pipeKeyValueList([
            ['a', 1],
            ['a', 2],
            ['a', 3],
          ])
          assert.deepEqual(await output.readValuesToList(), [1, 12, 123])
        } finally {
          await driver.close()
        }
      })
    })

    describe('groupByKey().aggregate()', () => {
      it('starts each key from the initializer and passes key, value and aggregate to the aggregator', async () => {
        const { driver, input, output } = await streamAgg(kind, (s) =>
          s.groupByKey().aggregate(
            () => ({ items: [] as string[], total: 0 }),
            (key, value, agg) => ({ items: [...agg.items, `${key}${value}`], total: agg.total + value }),
            { name: 'bags' },
          ),
        )
        try {
          await input.pipeKeyValueList([
            ['a', 1],
            ['b', 2],
            ['a', 3],
          ])
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['a', { items: ['a1'], total: 1 }],
            ['b', { items: ['b2'], total: 2 }],
            ['a', { items: ['a1', 'a3'], total: 4 }],
          ])
          assert.deepEqual(driver.getKeyValueStore('bags').get('a'), { items: ['a1', 'a3'], total: 4 })
        } finally {
          await driver.close()
        }
      })

      it('stores the aggregate with the Materialized value serde when given', async () => {
        const { driver, input } = await streamAgg(
          kind,
          (s) =>
            s.groupByKey().aggregate(
              () => '',
              (_k, v, agg) => agg + String(v),
              { name: 'joined', value: str },
            ),
          str,
        )
        try {
          await input.pipeInput('a', 1)
          await input.pipeInput('a', 2)
          assert.equal(driver.getKeyValueStore<string, string>('joined').get('a'), '12')
        } finally {
          await driver.close()
        }
      })
    })

    describe('groupBy()', () => {
      it('re-keys by the selector, repartitions and counts per new key', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) =>
            s
              .groupBy((_k, v) => (v % 2 === 0 ? 'even' : 'odd'), { key: str, value: num })
              .count({ name: 'parity' }),
          num,
        )
        try {
          await input.pipeKeyValueList([
            ['a', 1],
            ['b', 2],
            ['c', 3],
          ])
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['odd', 1],
            ['even', 1],
            ['odd', 2],
          ])
          assert.deepEqual((await driver.producedTopicNames()).sort(), ['agg-parity-repartition', 'out'])
        } finally {
          await driver.close()
        }
      })

      it('names the repartition topic after Grouped.name when given', async () => {
        const { driver, input } = await streamAgg(
          kind,
          (s) =>
            s
              .groupBy((k) => k.charAt(0), { key: str, value: num, name: 'by-initial' })
              .reduce((a, b) => a + b, { name: 'sums' }),
          num,
        )
        try {
          await input.pipeInput('ab', 1)
          assert.deepEqual((await driver.producedTopicNames()).sort(), ['agg-by-initial-repartition', 'out'])
        } finally {
          await driver.close()
        }
      })

      it('skips records whose selected key is null', async () => {
        const { driver, input, output } = await streamAgg(
          kind,
          (s) =>
            s
              .groupBy((_k, v) => (v > 0 ? 'pos' : (null as unknown as string)), { key: str, value: num })
              .count({ name: 'c' }),
          num,
        )
        try {
          await input.pipeInput('a', -1)
          await input.pipeInput('b', 1)
          assert.deepEqual(await output.readKeyValuesToList(), [['pos', 1]])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('c')), [['pos', 1]])
        } finally {
          await driver.close()
        }
      })

      it('after map, groupByKey repartitions with the JSON serde when no serde is known', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .map((k, v) => [k.length, v] as const)
          .groupByKey()
          .count({ name: 'by-length' })
          .toStream()
          .to('out', { key: num, value: num })
        const driver = await kind.make(builder.build(), { applicationId: 'agg' })
        try {
          const input = driver.createInputTopic('in', str, num)
          const output = driver.createOutputTopic('out', num, num)
          const repartition = driver.createOutputTopic(
            'agg-by-length-repartition',
            Serdes.bytes(),
            Serdes.bytes(),
          )
          await input.pipeKeyValueList([
            ['a', 1],
            ['bb', 1],
            ['c', 1],
          ])
          assert.deepEqual(await output.readKeyValuesToList(), [
            [1, 1],
            [2, 1],
            [1, 2],
          ])
          assert.deepEqual((await repartition.readKeyValuesToList())[0]!.map(String), ['1', '1'])
          assert.equal(driver.getKeyValueStore<number, number>('by-length').get(1), 2)
        } finally {
          await driver.close()
        }
      })
    })
  })

  describe(`aggregating a grouped table (${kind.name})`, () => {
    const byDept = (t: KTable<string, Employee>) =>
      t.groupBy((_name, e) => [e.dept, e.salary] as const, { key: str, value: num })

    describe('count()', () => {
      it('counts rows per group, moves a row when its group changes and retracts it on delete', async () => {
        const { driver, input, output } = await tableAgg(kind, (t) => byDept(t).count({ name: 'heads' }), num)
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          await input.pipeInput('bob', { dept: 'eng', salary: 90 })
          await input.pipeInput('cat', { dept: 'ops', salary: 80 })
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 1],
            ['eng', 2],
            ['ops', 1],
          ])
          await input.pipeInput('bob', { dept: 'ops', salary: 95 }) // moves eng → ops
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 1],
            ['ops', 2],
          ])
          await input.pipeInput('ann', null) // delete: retracted from eng
          assert.deepEqual(await output.readKeyValuesToList(), [['eng', 0]])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('heads')), [
            ['eng', 0],
            ['ops', 2],
          ])
        } finally {
          await driver.close()
        }
      })

      it('emits one update when a row changes within its group', async () => {
        const { driver, input, output } = await tableAgg(kind, (t) => byDept(t).count({ name: 'heads' }), num)
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          await input.pipeInput('ann', { dept: 'eng', salary: 120 })
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 1],
            ['eng', 1],
          ])
        } finally {
          await driver.close()
        }
      })

      it('always repartitions through <applicationId>-<name>-repartition', async () => {
        const { driver, input } = await tableAgg(kind, (t) => byDept(t).count({ name: 'heads' }), num)
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          assert.deepEqual((await driver.producedTopicNames()).sort(), ['agg-heads-repartition', 'out'])
        } finally {
          await driver.close()
        }
      })
    })

    describe('reduce(adder, subtractor)', () => {
      it('sums per group, subtracting the old value when a row changes or moves and on delete', async () => {
        const { driver, input, output } = await tableAgg(
          kind,
          (t) =>
            byDept(t).reduce(
              (agg, v) => agg + v,
              (agg, v) => agg - v,
              { name: 'payroll' },
            ),
          num,
        )
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          await input.pipeInput('bob', { dept: 'eng', salary: 90 })
          await input.pipeInput('ann', { dept: 'eng', salary: 110 }) // raise within eng
          await input.pipeInput('bob', { dept: 'ops', salary: 90 }) // move
          await input.pipeInput('ann', null) // delete
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 100],
            ['eng', 190],
            ['eng', 200],
            ['eng', 110],
            ['ops', 90],
            ['eng', 0],
          ])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('payroll')), [
            ['eng', 0],
            ['ops', 90],
          ])
        } finally {
          await driver.close()
        }
      })
    })

    describe('aggregate(initializer, adder, subtractor)', () => {
      it('keeps a per-group aggregate consistent across inserts, moves and deletes', async () => {
        const { driver, input, output } = await tableAgg(kind, (t) =>
          t
            .groupBy((name, e) => [e.dept, name] as const, { key: str, value: str })
            .aggregate(
              () => [] as string[],
              (_dept, name, names) => [...names, name].sort(),
              (_dept, name, names) => names.filter((n) => n !== name),
              { name: 'members' },
            ),
        )
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          await input.pipeInput('bob', { dept: 'eng', salary: 90 })
          await input.pipeInput('cat', { dept: 'ops', salary: 80 })
          await input.pipeInput('ann', { dept: 'ops', salary: 100 })
          await input.pipeInput('bob', null)
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', ['ann']],
            ['eng', ['ann', 'bob']],
            ['ops', ['cat']],
            ['eng', ['bob']],
            ['ops', ['ann', 'cat']],
            ['eng', []],
          ])
          const store = driver.getKeyValueStore<string, string[]>('members')
          assert.deepEqual(store.get('ops'), ['ann', 'cat'])
          assert.deepEqual(store.get('eng'), [])
        } finally {
          await driver.close()
        }
      })

      it('passes the group key to the adder and subtractor', async () => {
        const seen: string[] = []
        const { driver, input } = await tableAgg(kind, (t) =>
          byDept(t).aggregate(
            () => 0,
            (dept, v, agg) => {
              seen.push(`+${dept}:${v}`)
              return agg + v
            },
            (dept, v, agg) => {
              seen.push(`-${dept}:${v}`)
              return agg - v
            },
          ),
        )
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 1 })
          await input.pipeInput('ann', { dept: 'ops', salary: 2 })
          assert.deepEqual(seen, ['+eng:1', '-eng:1', '+ops:2'])
        } finally {
          await driver.close()
        }
      })
    })
    describe('group keys of other types', () => {
      it('moves a row between bigint groups', async () => {
        const builder = new StreamsBuilder()
        builder
          .table('accounts', { key: str, value: num })
          .groupBy((_account, tier) => [BigInt(tier), 1] as const, { key: Serdes.long(), value: num })
          .count({ name: 'per-tier' })
          .toStream()
          .to('out', { key: Serdes.long(), value: num })
        const driver = await kind.make(builder.build(), { processingErrors: 'fail' })
        try {
          const input = driver.createInputTopic('accounts', str, num)
          const output = driver.createOutputTopic('out', Serdes.long(), num)
          await input.pipeInput('acc-1', 1)
          await input.pipeInput('acc-1', 2)
          await input.pipeInput('acc-1', 2)
          assert.deepEqual(await output.readKeyValuesToList(), [
            [1n, 1],
            [1n, 0],
            [2n, 1],
            [2n, 1],
          ])
        } finally {
          await driver.close()
        }
      })

      it('treats structurally equal object keys as the same group', async () => {
        const builder = new StreamsBuilder()
        builder
          .table('people', { key: str, value: Serdes.json<{ city: string; age: number }>() })
          .groupBy((_name, p) => [{ city: p.city }, p.age] as const, { value: num })
          .reduce(
            (a, v) => a + v,
            (a, v) => a - v,
            { name: 'ages' },
          )
          .toStream()
          .to('out', { key: Serdes.json<{ city: string }>(), value: num })
        const driver = await kind.make(builder.build(), { processingErrors: 'fail' })
        try {
          const input = driver.createInputTopic('people', str, Serdes.json<{ city: string; age: number }>())
          const output = driver.createOutputTopic('out', Serdes.json<{ city: string }>(), num)
          await input.pipeInput('ann', { city: 'Oslo', age: 30 })
          await input.pipeInput('ann', { city: 'Oslo', age: 31 }) // same group: one update
          await input.pipeInput('ann', { city: 'Rome', age: 31 })
          assert.deepEqual(await output.readKeyValuesToList(), [
            [{ city: 'Oslo' }, 30],
            [{ city: 'Oslo' }, 31],
            [{ city: 'Oslo' }, 0],
            [{ city: 'Rome' }, 31],
          ])
        } finally {
          await driver.close()
        }
      })
    })

    describe('after other table operations', () => {
      it('retracts a row from its group when an upstream filter stops passing it', async () => {
        const { driver, input, output } = await tableAgg(
          kind,
          (t) => byDept(t.filter((_name, e) => e.salary >= 50)).count({ name: 'well-paid' }),
          num,
        )
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 100 })
          await input.pipeInput('bob', { dept: 'eng', salary: 10 }) // filtered out: no change
          await input.pipeInput('ann', { dept: 'eng', salary: 20 }) // no longer passes: retracted
          await input.pipeInput('bob', { dept: 'eng', salary: 60 }) // now passes: added
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 1],
            ['eng', 0],
            ['eng', 1],
          ])
        } finally {
          await driver.close()
        }
      })

      it('subtracts the mapped old value when an upstream mapValues changed it', async () => {
        const { driver, input, output } = await tableAgg(
          kind,
          (t) =>
            t
              .mapValues((e) => ({ ...e, salary: e.salary * 2 }))
              .groupBy((_name, e) => [e.dept, e.salary] as const, { key: str, value: num })
              .reduce(
                (a, v) => a + v,
                (a, v) => a - v,
                { name: 'doubled-payroll' },
              ),
          num,
        )
        try {
          await input.pipeInput('ann', { dept: 'eng', salary: 10 })
          await input.pipeInput('bob', { dept: 'eng', salary: 1 })
          await input.pipeInput('ann', { dept: 'eng', salary: 5 })
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['eng', 20],
            ['eng', 22],
            ['eng', 12],
          ])
        } finally {
          await driver.close()
        }
      })

      it('aggregates a table built from a stream with toTable()', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('assignments', { key: str, value: str })
          .toTable({ name: 'assignment' })
          .groupBy((person, team) => [team, person] as const, { key: str, value: str })
          .count({ name: 'team-size' })
        const driver = await kind.make(builder.build())
        try {
          const input = driver.createInputTopic('assignments', str, str)
          await input.pipeInput('ann', 'red')
          await input.pipeInput('bob', 'red')
          await input.pipeInput('ann', 'blue')
          await input.pipeInput('bob', null)
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('team-size')), [
            ['blue', 1],
            ['red', 0],
          ])
        } finally {
          await driver.close()
        }
      })

      it('lets an aggregate table be filtered and mapped like any table', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .groupByKey()
          .count({ name: 'c' })
          .filter((_k, n) => n >= 2)
          .mapValues((n) => `seen ${n} times`, { name: 'frequent', value: str })
          .toStream()
          .to('out', { key: str, value: str })
        const driver = await kind.make(builder.build())
        try {
          const input = driver.createInputTopic('in', str, num)
          const output = driver.createOutputTopic('out', str, str)
          await input.pipeKeyValueList([
            ['a', 0],
            ['b', 0],
            ['a', 0],
            ['a', 0],
          ])
          // As Kafka Streams' KTableFilter (no old values needed downstream): a row that fails the
          // filter is forwarded as a tombstone, even if the key never passed.
          assert.deepEqual(await output.readKeyValuesToList(), [
            ['a', null],
            ['b', null],
            ['a', 'seen 2 times'],
            ['a', 'seen 3 times'],
          ])
          assert.deepEqual(storeContents(driver.getKeyValueStore<string, string>('frequent')), [
            ['a', 'seen 3 times'],
          ])
        } finally {
          await driver.close()
        }
      })
    })
  })
}
