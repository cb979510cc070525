import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable, type KStream, type KeyValueStore } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

const storeContents = <K, V>(store: KeyValueStore<K, V>): Array<[K, V]> =>
  [...store.all()].map(({ key, value }) => [key, value])

/** Aggregates stream `in` (string → number) with `build`, its updates written to `out`. */
function streamAgg<V>(build: (s: KStream<string, number>) => KTable<string, V>, outValue = Serdes.json<V>()) {
  const builder = new StreamsBuilder()
  build(builder.stream('in', { key: str, value: num }))
    .toStream()
    .to('out', { key: str, value: outValue })
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'agg' })
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
function tableAgg<V>(build: (t: KTable<string, Employee>) => KTable<string, V>, outValue = Serdes.json<V>()) {
  const builder = new StreamsBuilder()
  build(builder.table('employees', { key: str, value: Serdes.json<Employee>() }))
    .toStream()
    .to('out', { key: str, value: outValue })
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'agg' })
  return {
    driver,
    input: driver.createInputTopic('employees', str, Serdes.json<Employee>()),
    output: driver.createOutputTopic('out', str, outValue),
  }
}

describe('aggregating a grouped stream', () => {
  describe('groupByKey().count()', () => {
    it('emits the running count per key and stores the latest count', () => {
      const { driver, input, output } = streamAgg((s) => s.groupByKey().count({ name: 'counts' }), num)
      input.pipeKeyValueList([
        ['a', 1],
        ['b', 1],
        ['a', 1],
        ['a', 1],
      ])
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['a', 3],
      ])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('counts')), [
        ['a', 3],
        ['b', 1],
      ])
      driver.close()
    })

    it('skips records with a null key or a null value', () => {
      const { driver, input, output } = streamAgg((s) => s.groupByKey().count({ name: 'counts' }), num)
      input.pipeInput(null, 1)
      input.pipeInput('a', null)
      input.pipeInput('a', 1)
      assert.deepEqual(output.readKeyValuesToList(), [['a', 1]])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('counts')), [['a', 1]])
      driver.close()
    })

    it('does not repartition when the key is unchanged', () => {
      const { driver, input } = streamAgg(
        (s) =>
          s
            .mapValues((v) => v * 2)
            .groupByKey()
            .count(),
        num,
      )
      input.pipeInput('a', 1)
      assert.deepEqual(driver.producedTopicNames(), ['out'])
      driver.close()
    })

    it('keeps the input timestamp on each update', () => {
      const { driver, input, output } = streamAgg((s) => s.groupByKey().count(), num)
      input.pipeInput('a', 1, 500)
      input.pipeInput('a', 1, 700)
      assert.deepEqual(
        output.readRecordsToList().map((r) => r.timestamp),
        [500, 700],
      )
      driver.close()
    })
  })

  describe('groupByKey().reduce()', () => {
    it('starts from the first value and folds later values in', () => {
      const { driver, input, output } = streamAgg(
        (s) => s.groupByKey().reduce((agg, v) => agg + v, { name: 'sums' }),
        num,
      )
      input.pipeKeyValueList([
        ['a', 5],
        ['b', 1],
        ['a', 10],
        ['a', null],
        ['b', 2],
      ])
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', 5],
        ['b', 1],
        ['a', 15],
        ['b', 3],
      ])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('sums')), [
        ['a', 15],
        ['b', 3],
      ])
      driver.close()
    })

    it('uses the reducer arguments in (aggregate, value) order', () => {
      const { driver, input, output } = streamAgg((s) => s.groupByKey().reduce((agg, v) => agg * 10 + v), num)
      input.pipeKeyValueList([
        ['a', 1],
        ['a', 2],
        ['a', 3],
      ])
      assert.deepEqual(output.readValuesToList(), [1, 12, 123])
      driver.close()
    })
  })

  describe('groupByKey().aggregate()', () => {
    it('starts each key from the initializer and passes key, value and aggregate to the aggregator', () => {
      const { driver, input, output } = streamAgg((s) =>
        s.groupByKey().aggregate(
          () => ({ items: [] as string[], total: 0 }),
          (key, value, agg) => ({ items: [...agg.items, `${key}${value}`], total: agg.total + value }),
          { name: 'bags' },
        ),
      )
      input.pipeKeyValueList([
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ])
      assert.deepEqual(output.readKeyValuesToList(), [
        ['a', { items: ['a1'], total: 1 }],
        ['b', { items: ['b2'], total: 2 }],
        ['a', { items: ['a1', 'a3'], total: 4 }],
      ])
      assert.deepEqual(driver.getKeyValueStore('bags').get('a'), { items: ['a1', 'a3'], total: 4 })
      driver.close()
    })

    it('stores the aggregate with the Materialized value serde when given', () => {
      const { driver, input } = streamAgg(
        (s) =>
          s.groupByKey().aggregate(
            () => '',
            (_k, v, agg) => agg + String(v),
            { name: 'joined', value: str },
          ),
        str,
      )
      input.pipeInput('a', 1)
      input.pipeInput('a', 2)
      assert.equal(driver.getKeyValueStore<string, string>('joined').get('a'), '12')
      driver.close()
    })
  })

  describe('groupBy()', () => {
    it('re-keys by the selector, repartitions and counts per new key', () => {
      const { driver, input, output } = streamAgg(
        (s) =>
          s
            .groupBy((_k, v) => (v % 2 === 0 ? 'even' : 'odd'), { key: str, value: num })
            .count({ name: 'parity' }),
        num,
      )
      input.pipeKeyValueList([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ])
      assert.deepEqual(output.readKeyValuesToList(), [
        ['odd', 1],
        ['even', 1],
        ['odd', 2],
      ])
      assert.deepEqual(driver.producedTopicNames().sort(), ['agg-parity-repartition', 'out'])
      driver.close()
    })

    it('names the repartition topic after Grouped.name when given', () => {
      const { driver, input } = streamAgg(
        (s) =>
          s
            .groupBy((k) => k.charAt(0), { key: str, value: num, name: 'by-initial' })
            .reduce((a, b) => a + b, { name: 'sums' }),
        num,
      )
      input.pipeInput('ab', 1)
      assert.deepEqual(driver.producedTopicNames().sort(), ['agg-by-initial-repartition', 'out'])
      driver.close()
    })

    it('skips records whose selected key is null', () => {
      const { driver, input, output } = streamAgg(
        (s) =>
          s
            .groupBy((_k, v) => (v > 0 ? 'pos' : (null as unknown as string)), { key: str, value: num })
            .count({ name: 'c' }),
        num,
      )
      input.pipeInput('a', -1)
      input.pipeInput('b', 1)
      assert.deepEqual(output.readKeyValuesToList(), [['pos', 1]])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('c')), [['pos', 1]])
      driver.close()
    })

    it('after map, groupByKey repartitions with the JSON serde when no serde is known', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .map((k, v) => [k.length, v] as const)
        .groupByKey()
        .count({ name: 'by-length' })
        .toStream()
        .to('out', { key: num, value: num })
      const driver = new TopologyTestDriver(builder.build(), { applicationId: 'agg' })
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', 1],
        ['bb', 1],
        ['c', 1],
      ])
      assert.deepEqual(driver.createOutputTopic('out', num, num).readKeyValuesToList(), [
        [1, 1],
        [2, 1],
        [1, 2],
      ])
      assert.deepEqual(
        driver
          .createOutputTopic('agg-by-length-repartition', Serdes.bytes(), Serdes.bytes())
          .readKeyValuesToList()[0]!
          .map(String),
        ['1', '1'],
      )
      assert.equal(driver.getKeyValueStore<number, number>('by-length').get(1), 2)
      driver.close()
    })
  })
})

describe('aggregating a grouped table', () => {
  const byDept = (t: KTable<string, Employee>) =>
    t.groupBy((_name, e) => [e.dept, e.salary] as const, { key: str, value: num })

  describe('count()', () => {
    it('counts rows per group, moves a row when its group changes and retracts it on delete', () => {
      const { driver, input, output } = tableAgg((t) => byDept(t).count({ name: 'heads' }), num)
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      input.pipeInput('bob', { dept: 'eng', salary: 90 })
      input.pipeInput('cat', { dept: 'ops', salary: 80 })
      assert.deepEqual(output.readKeyValuesToList(), [
        ['eng', 1],
        ['eng', 2],
        ['ops', 1],
      ])
      input.pipeInput('bob', { dept: 'ops', salary: 95 }) // moves eng → ops
      assert.deepEqual(output.readKeyValuesToList(), [
        ['eng', 1],
        ['ops', 2],
      ])
      input.pipeInput('ann', null) // delete: retracted from eng
      assert.deepEqual(output.readKeyValuesToList(), [['eng', 0]])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('heads')), [
        ['eng', 0],
        ['ops', 2],
      ])
      driver.close()
    })

    it('emits one update when a row changes within its group', () => {
      const { driver, input, output } = tableAgg((t) => byDept(t).count({ name: 'heads' }), num)
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      input.pipeInput('ann', { dept: 'eng', salary: 120 })
      assert.deepEqual(output.readKeyValuesToList(), [
        ['eng', 1],
        ['eng', 1],
      ])
      driver.close()
    })

    it('always repartitions through <applicationId>-<name>-repartition', () => {
      const { driver, input } = tableAgg((t) => byDept(t).count({ name: 'heads' }), num)
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      assert.deepEqual(driver.producedTopicNames().sort(), ['agg-heads-repartition', 'out'])
      driver.close()
    })
  })

  describe('reduce(adder, subtractor)', () => {
    it('sums per group, subtracting the old value when a row changes or moves and on delete', () => {
      const { driver, input, output } = tableAgg(
        (t) =>
          byDept(t).reduce(
            (agg, v) => agg + v,
            (agg, v) => agg - v,
            { name: 'payroll' },
          ),
        num,
      )
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      input.pipeInput('bob', { dept: 'eng', salary: 90 })
      input.pipeInput('ann', { dept: 'eng', salary: 110 }) // raise within eng
      input.pipeInput('bob', { dept: 'ops', salary: 90 }) // move
      input.pipeInput('ann', null) // delete
      assert.deepEqual(output.readKeyValuesToList(), [
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
      driver.close()
    })
  })

  describe('aggregate(initializer, adder, subtractor)', () => {
    it('keeps a per-group aggregate consistent across inserts, moves and deletes', () => {
      const { driver, input, output } = tableAgg((t) =>
        t
          .groupBy((name, e) => [e.dept, name] as const, { key: str, value: str })
          .aggregate(
            () => [] as string[],
            (_dept, name, names) => [...names, name].sort(),
            (_dept, name, names) => names.filter((n) => n !== name),
            { name: 'members' },
          ),
      )
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      input.pipeInput('bob', { dept: 'eng', salary: 90 })
      input.pipeInput('cat', { dept: 'ops', salary: 80 })
      input.pipeInput('ann', { dept: 'ops', salary: 100 })
      input.pipeInput('bob', null)
      assert.deepEqual(output.readKeyValuesToList(), [
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
      driver.close()
    })

    it('passes the group key to the adder and subtractor', () => {
      const seen: string[] = []
      const { driver, input } = tableAgg((t) =>
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
      input.pipeInput('ann', { dept: 'eng', salary: 1 })
      input.pipeInput('ann', { dept: 'ops', salary: 2 })
      assert.deepEqual(seen, ['+eng:1', '-eng:1', '+ops:2'])
      driver.close()
    })
  })
  describe('group keys of other types', () => {
    it('moves a row between bigint groups', () => {
      const builder = new StreamsBuilder()
      builder
        .table('accounts', { key: str, value: num })
        .groupBy((_account, tier) => [BigInt(tier), 1] as const, { key: Serdes.long(), value: num })
        .count({ name: 'per-tier' })
        .toStream()
        .to('out', { key: Serdes.long(), value: num })
      const driver = new TopologyTestDriver(builder.build(), { processingErrors: 'fail' })
      const input = driver.createInputTopic('accounts', str, num)
      input.pipeInput('acc-1', 1)
      input.pipeInput('acc-1', 2)
      input.pipeInput('acc-1', 2)
      assert.deepEqual(driver.createOutputTopic('out', Serdes.long(), num).readKeyValuesToList(), [
        [1n, 1],
        [1n, 0],
        [2n, 1],
        [2n, 1],
      ])
      driver.close()
    })

    it('treats structurally equal object keys as the same group', () => {
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
      const driver = new TopologyTestDriver(builder.build(), { processingErrors: 'fail' })
      const input = driver.createInputTopic('people', str, Serdes.json<{ city: string; age: number }>())
      input.pipeInput('ann', { city: 'Oslo', age: 30 })
      input.pipeInput('ann', { city: 'Oslo', age: 31 }) // same group: one update
      input.pipeInput('ann', { city: 'Rome', age: 31 })
      assert.deepEqual(
        driver.createOutputTopic('out', Serdes.json<{ city: string }>(), num).readKeyValuesToList(),
        [
          [{ city: 'Oslo' }, 30],
          [{ city: 'Oslo' }, 31],
          [{ city: 'Oslo' }, 0],
          [{ city: 'Rome' }, 31],
        ],
      )
      driver.close()
    })
  })

  describe('after other table operations', () => {
    it('retracts a row from its group when an upstream filter stops passing it', () => {
      const { driver, input, output } = tableAgg(
        (t) => byDept(t.filter((_name, e) => e.salary >= 50)).count({ name: 'well-paid' }),
        num,
      )
      input.pipeInput('ann', { dept: 'eng', salary: 100 })
      input.pipeInput('bob', { dept: 'eng', salary: 10 }) // filtered out: no change
      input.pipeInput('ann', { dept: 'eng', salary: 20 }) // no longer passes: retracted
      input.pipeInput('bob', { dept: 'eng', salary: 60 }) // now passes: added
      assert.deepEqual(output.readKeyValuesToList(), [
        ['eng', 1],
        ['eng', 0],
        ['eng', 1],
      ])
      driver.close()
    })

    it('subtracts the mapped old value when an upstream mapValues changed it', () => {
      const { driver, input, output } = tableAgg(
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
      input.pipeInput('ann', { dept: 'eng', salary: 10 })
      input.pipeInput('bob', { dept: 'eng', salary: 1 })
      input.pipeInput('ann', { dept: 'eng', salary: 5 })
      assert.deepEqual(output.readKeyValuesToList(), [
        ['eng', 20],
        ['eng', 22],
        ['eng', 12],
      ])
      driver.close()
    })

    it('aggregates a table built from a stream with toTable()', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('assignments', { key: str, value: str })
        .toTable({ name: 'assignment' })
        .groupBy((person, team) => [team, person] as const, { key: str, value: str })
        .count({ name: 'team-size' })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('assignments', str, str)
      input.pipeInput('ann', 'red')
      input.pipeInput('bob', 'red')
      input.pipeInput('ann', 'blue')
      input.pipeInput('bob', null)
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, number>('team-size')), [
        ['blue', 1],
        ['red', 0],
      ])
      driver.close()
    })

    it('lets an aggregate table be filtered and mapped like any table', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .groupByKey()
        .count({ name: 'c' })
        .filter((_k, n) => n >= 2)
        .mapValues((n) => `seen ${n} times`, { name: 'frequent', value: str })
        .toStream()
        .to('out', { key: str, value: str })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', 0],
        ['b', 0],
        ['a', 0],
        ['a', 0],
      ])
      assert.deepEqual(driver.createOutputTopic('out', str, str).readKeyValuesToList(), [
        ['a', 'seen 2 times'],
        ['a', 'seen 3 times'],
      ])
      assert.deepEqual(storeContents(driver.getKeyValueStore<string, string>('frequent')), [
        ['a', 'seen 3 times'],
      ])
      driver.close()
    })
  })
})
