import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Serdes, StreamsBuilder, type KeyValueStore } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

const storeMap = <K, V>(store: KeyValueStore<K, V>): Map<K, V> =>
  new Map([...store.all()].map(({ key, value }) => [key, value]))

/** The latest value per key of a list of updates. */
const lastPerKey = <K, V>(updates: ReadonlyArray<readonly [K, V]>): Map<K, V> => new Map(updates)

export function aggregationPropertiesCases(kind: DriverKind): void {
  describe(`stream aggregations agree with a plain reference (${kind.name})`, () => {
    const streamRecord = fc.record({
      key: fc.option(fc.constantFrom('a1', 'a2', 'b1', 'c1', 'c2'), { nil: null, freq: 6 }),
      value: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null, freq: 6 }),
      timestamp: fc.nat({ max: 10_000 }),
    })
    type Input = { key: string | null; value: number | null; timestamp: number }

    interface Aggregates {
      count: Map<string, number>
      sum: Map<string, number>
      collect: Map<string, number[]>
      updates: {
        count: Array<[string, number]>
        sum: Array<[string, number]>
        collect: Array<[string, number[]]>
      }
    }

    /** What count, reduce(sum) and aggregate(collect) must produce: records with a null key or value are skipped. */
    function reference(records: readonly Input[], group: (key: string) => string): Aggregates {
      const out: Aggregates = {
        count: new Map(),
        sum: new Map(),
        collect: new Map(),
        updates: { count: [], sum: [], collect: [] },
      }
      for (const { key, value } of records) {
        if (key === null || value === null) continue
        const g = group(key)
        out.count.set(g, (out.count.get(g) ?? 0) + 1)
        out.sum.set(g, out.sum.has(g) ? out.sum.get(g)! + value : value)
        out.collect.set(g, [...(out.collect.get(g) ?? []), value])
        out.updates.count.push([g, out.count.get(g)!])
        out.updates.sum.push([g, out.sum.get(g)!])
        out.updates.collect.push([g, out.collect.get(g)!])
      }
      return out
    }

    /** Runs the three aggregations, grouped by key or (re-keyed, so through a repartition) by the key's first letter. */
    async function runStream(records: readonly Input[], rekey: boolean) {
      const builder = new StreamsBuilder()
      const stream = builder.stream('in', { key: str, value: num })
      const grouped = () =>
        rekey
          ? stream.groupBy((k) => (k === null ? (null as unknown as string) : k.charAt(0)), {
              key: str,
              value: num,
            })
          : stream.groupByKey()
      grouped().count({ name: 'count' }).toStream().to('count-out', { key: str, value: num })
      grouped()
        .reduce((agg, v) => agg + v, { name: 'sum' })
        .toStream()
        .to('sum-out', { key: str, value: num })
      grouped()
        .aggregate(
          () => [] as number[],
          (_k, v, agg) => [...agg, v],
          { name: 'collect' },
        )
        .toStream()
        .to('collect-out', { key: str, value: Serdes.json<number[]>() })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('in', str, num)
        const countOut = driver.createOutputTopic('count-out', str, num)
        const sumOut = driver.createOutputTopic('sum-out', str, num)
        const collectOut = driver.createOutputTopic('collect-out', str, Serdes.json<number[]>())
        for (const r of records) await input.pipeInput(r.key, r.value, r.timestamp)
        const updates = {
          count: await countOut.readKeyValuesToList(),
          sum: await sumOut.readKeyValuesToList(),
          collect: await collectOut.readKeyValuesToList(),
        }
        return {
          count: storeMap(driver.getKeyValueStore<string, number>('count')),
          sum: storeMap(driver.getKeyValueStore<string, number>('sum')),
          collect: storeMap(driver.getKeyValueStore<string, number[]>('collect')),
          updates,
        }
      } finally {
        await driver.close()
      }
    }

    for (const rekey of [false, true]) {
      const how = rekey ? 'groupBy (through a repartition topic)' : 'groupByKey'
      it(`${how}: count, reduce(sum) and aggregate(collect) end with the reference store contents and last updates`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(streamRecord, { maxLength: 60 }), async (records) => {
            const expected = reference(records, rekey ? (k) => k.charAt(0) : (k) => k)
            const actual = await runStream(records, rekey)
            assert.deepEqual(actual.count, expected.count)
            assert.deepEqual(actual.sum, expected.sum)
            assert.deepEqual(actual.collect, expected.collect)
            for (const agg of ['count', 'sum', 'collect'] as const) {
              assert.deepEqual(
                lastPerKey<string, unknown>(actual.updates[agg]),
                lastPerKey<string, unknown>(expected.updates[agg]),
              )
              assert.deepEqual(actual.updates[agg], expected.updates[agg], `every update of ${agg}, in order`)
            }
          }),
          { numRuns: kind.propertyRuns(150) },
        )
      })
    }
  })

  describe(`table aggregations agree with a plain reference (${kind.name})`, () => {
    interface Row {
      readonly group: string
      readonly amount: number
    }
    const rowSerde = Serdes.json<Row>()
    const update = fc.record({
      key: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5'),
      value: fc.option(
        fc.record({ group: fc.constantFrom('g1', 'g2', 'g3'), amount: fc.integer({ min: 0, max: 100 }) }),
        {
          nil: null,
          freq: 3,
        },
      ),
    })
    type Update = { key: string; value: Row | null }

    interface Aggregator<A> {
      readonly init: () => A
      readonly add: (agg: A, key: string, row: Row) => A
      readonly sub: (agg: A, key: string, row: Row) => A
    }
    const count: Aggregator<number> = { init: () => 0, add: (n) => n + 1, sub: (n) => n - 1 }
    const total: Aggregator<number> = {
      init: () => 0,
      add: (s, _k, r) => s + r.amount,
      sub: (s, _k, r) => s - r.amount,
    }
    const members: Aggregator<string[]> = {
      init: () => [],
      add: (m, k) => [...m, k].sort(),
      sub: (m, k) => m.filter((x) => x !== k),
    }

    /**
     * Group aggregates after replaying `updates` on a table: a change retracts the row's old value
     * from its old group and adds its new value to its new group (one update when both are the same
     * group); a delete of an absent key changes nothing. Emptied groups stay, at their empty aggregate.
     */
    function reference<A>(updates: readonly Update[], agg: Aggregator<A>) {
      const table = new Map<string, Row>()
      const groups = new Map<string, A>()
      const emitted: Array<[string, A]> = []
      const apply = (group: string, f: (a: A) => A) => {
        groups.set(group, f(groups.get(group) ?? agg.init()))
        emitted.push([group, groups.get(group)!])
      }
      for (const { key, value } of updates) {
        const old = table.get(key)
        if (old === undefined && value === null) continue
        if (value === null) table.delete(key)
        else table.set(key, value)
        if (old !== undefined && value !== null && old.group === value.group) {
          apply(value.group, (a) => agg.add(agg.sub(a, key, old), key, value))
          continue
        }
        if (old !== undefined) apply(old.group, (a) => agg.sub(a, key, old))
        if (value !== null) apply(value.group, (a) => agg.add(a, key, value))
      }
      return { groups, emitted }
    }

    async function runTable(updates: readonly Update[]) {
      const builder = new StreamsBuilder()
      const table = builder.table('rows', { key: str, value: rowSerde })
      table
        .groupBy((_k, row) => [row.group, row.amount] as const, { key: str, value: num })
        .count({ name: 'count' })
        .toStream()
        .to('count-out', { key: str, value: num })
      table
        .groupBy((_k, row) => [row.group, row.amount] as const, { key: str, value: num })
        .reduce(
          (a, v) => a + v,
          (a, v) => a - v,
          { name: 'total' },
        )
        .toStream()
        .to('total-out', { key: str, value: num })
      table
        .groupBy((k, row) => [row.group, k] as const, { key: str, value: str })
        .aggregate(
          () => [] as string[],
          (_g, k, m) => [...m, k].sort(),
          (_g, k, m) => m.filter((x) => x !== k),
          { name: 'members' },
        )
        .toStream()
        .to('members-out', { key: str, value: Serdes.json<string[]>() })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('rows', str, rowSerde)
        const countOut = driver.createOutputTopic('count-out', str, num)
        const totalOut = driver.createOutputTopic('total-out', str, num)
        const membersOut = driver.createOutputTopic('members-out', str, Serdes.json<string[]>())
        for (const u of updates) await input.pipeInput(u.key, u.value)
        return {
          count: storeMap(driver.getKeyValueStore<string, number>('count')),
          total: storeMap(driver.getKeyValueStore<string, number>('total')),
          members: storeMap(driver.getKeyValueStore<string, string[]>('members')),
          emitted: {
            count: await countOut.readKeyValuesToList(),
            total: await totalOut.readKeyValuesToList(),
            members: await membersOut.readKeyValuesToList(),
          },
        }
      } finally {
        await driver.close()
      }
    }

    it('count, reduce(adder, subtractor) and aggregate(init, adder, subtractor) follow inserts, moves and deletes', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(update, { maxLength: 60 }), async (updates) => {
          const actual = await runTable(updates)
          const expected = {
            count: reference(updates, count),
            total: reference(updates, total),
            members: reference(updates, members),
          }
          for (const agg of ['count', 'total', 'members'] as const) {
            assert.deepEqual(actual[agg], expected[agg].groups, `store of ${agg}`)
            assert.deepEqual(
              lastPerKey<string, unknown>(actual.emitted[agg]),
              lastPerKey<string, unknown>(expected[agg].emitted),
              `last update per group of ${agg}`,
            )
            assert.deepEqual(actual.emitted[agg], expected[agg].emitted, `every update of ${agg}, in order`)
          }
          // and the aggregates agree with the final table itself
          const finalTable = new Map<string, Row>()
          for (const { key, value } of updates) {
            if (value === null) finalTable.delete(key)
            else finalTable.set(key, value)
          }
          for (const [group, n] of actual.count) {
            const rows = [...finalTable].filter(([, r]) => r.group === group)
            assert.equal(n, rows.length)
            assert.equal(
              actual.total.get(group),
              rows.reduce((s, [, r]) => s + r.amount, 0),
            )
            assert.deepEqual(actual.members.get(group), rows.map(([k]) => k).sort())
          }
        }),
        { numRuns: kind.propertyRuns(150) },
      )
    })
  })
}
