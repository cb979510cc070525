import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Serdes, StreamsBuilder, type KStream, type KTable } from 'tributary-streams'
import type { TestDriverConfig } from 'tributary-streams/testing'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

type Build = (stream: KStream<string, string>, table: KTable<string, number>) => KStream<string, string>

/** Stream `s` (string → string) joined by `build` with table `t` (string → number), output to `out`. */
export function joinTopology(build: Build) {
  const builder = new StreamsBuilder()
  const stream = builder.stream('s', { key: str, value: str })
  const table = builder.table('t', { key: str, value: num }, { name: 'table-store' })
  build(stream, table).to('out', { key: str, value: str })
  return builder.build()
}

async function joinDriver(kind: DriverKind, build: Build, config?: TestDriverConfig) {
  const topology = joinTopology(build)
  const driver = await kind.make(topology, config)
  return {
    topology,
    driver,
    stream: driver.createInputTopic('s', str, str),
    table: driver.createInputTopic('t', str, num),
    output: driver.createOutputTopic('out', str, str),
  }
}

export function joinsStreamTableCases(kind: DriverKind): void {
  describe(`KStream-KTable join (${kind.name})`, () => {
    it('inner join: joins with the current table value, drops unmatched records, ignores table updates', async () => {
      const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
        s.join(t, (v, n) => `${v}:${n}`),
      )
      await stream.pipeInput('a', 'x', 1) // no table value: dropped
      await table.pipeInput('a', 1, 2) // table update: no output
      await stream.pipeInput('a', 'y', 3)
      await table.pipeInput('a', 2, 4)
      await stream.pipeInput('a', 'z', 5)
      await table.pipeInput('a', null, 6) // delete
      await stream.pipeInput('a', 'w', 7) // dropped again
      assert.deepEqual(
        (await output.readRecordsToList()).map((r) => [r.key, r.value, r.timestamp]),
        [
          ['a', 'y:1', 3],
          ['a', 'z:2', 5],
        ],
      )
      await driver.close()
    })

    it('left join: an unmatched record is joined with null', async () => {
      const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
        s.leftJoin(t, (v, n) => `${v}:${n}`),
      )
      await stream.pipeInput('a', 'x', 1)
      await table.pipeInput('a', 1, 2)
      await stream.pipeInput('a', 'y', 3)
      await table.pipeInput('a', null, 4)
      await stream.pipeInput('a', 'z', 5)
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['a', 'x:null'],
        ['a', 'y:1'],
        ['a', 'z:null'],
      ])
      await driver.close()
    })

    it('drops null-key records in an inner join and joins them with null in a left join', async () => {
      for (const left of [false, true]) {
        const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
          left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
        )
        await table.pipeInput('a', 1)
        await stream.pipeInput(null, 'x')
        assert.deepEqual(await output.readKeyValuesToList(), left ? [[null, 'x:null']] : [])
        await driver.close()
      }
    })

    it('drops records with a null value in both kinds', async () => {
      for (const left of [false, true]) {
        const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
          left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
        )
        await table.pipeInput('a', 1)
        await stream.pipeInput('a', null)
        assert.ok(await output.isEmpty())
        await driver.close()
      }
    })

    it('reads an unmaterialized filtered and mapped table through its parent (value getter)', async () => {
      const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
        s.leftJoin(
          t.filter((_k, n) => n > 10).mapValues((n) => n * 2),
          (v, n) => `${v}:${n}`,
        ),
      )
      await table.pipeInput('a', 5)
      await table.pipeInput('b', 20)
      await stream.pipeInput('a', 'x') // filtered out
      await stream.pipeInput('b', 'y')
      await stream.pipeInput('c', 'z') // absent
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['a', 'x:null'],
        ['b', 'y:40'],
        ['c', 'z:null'],
      ])
      await driver.close()
    })

    it('joins with an aggregated table, in the same sub-topology as its store', async () => {
      const builder = new StreamsBuilder()
      const counts = builder.stream('clicks', { key: str, value: str }).groupByKey().count({ name: 'counts' })
      builder
        .stream('s', { key: str, value: str })
        .join(counts, (v, n) => `${v}#${n}`)
        .to('out', { key: str, value: str })
      const topology = builder.build()
      assert.equal(topology.subTopologies().length, 1)
      const driver = await kind.make(topology)
      const clicks = driver.createInputTopic('clicks', str, str)
      const s = driver.createInputTopic('s', str, str)
      const out = driver.createOutputTopic('out', str, str)
      await clicks.pipeInput('u', 'c')
      await clicks.pipeInput('u', 'c')
      await s.pipeInput('u', 'hello')
      assert.deepEqual(await out.readKeyValuesToList(), [['u', 'hello#2']])
      await driver.close()
    })

    it('repartitions a re-keyed stream before the join and records the co-partitioned topics', async () => {
      const { topology, driver, stream, table, output } = await joinDriver(
        kind,
        (s, t) =>
          s.selectKey((_k, v) => v).join(t, (v, n) => `${v}:${n}`, { key: str, value: str, name: 'enrich' }),
        { applicationId: 'stream-table-app' },
      )
      assert.ok(topology.internalTopics.has('enrich-repartition'))
      assert.deepEqual(topology.copartitionGroups, [['enrich-repartition', 't']])
      await table.pipeInput('x', 7)
      await stream.pipeInput('ignored', 'x')
      assert.deepEqual(await output.readKeyValuesToList(), [['x', 'x:7']])
      assert.ok((await driver.producedTopicNames()).includes('stream-table-app-enrich-repartition'))
      await driver.close()
    })

    it('property: results equal a reference that replays both inputs in timestamp order', async () => {
      const event = fc.record({
        side: fc.constantFrom('stream', 'table'),
        key: fc.constantFrom('a', 'b', 'c'),
        value: fc.option(fc.integer({ min: 0, max: 99 }), { freq: 5 }),
        timestamp: fc.integer({ min: 0, max: 1000 }),
      })
      await fc.assert(
        fc.asyncProperty(fc.array(event, { maxLength: 40 }), fc.boolean(), async (events, left) => {
          const sorted = [...events].sort((x, y) => x.timestamp - y.timestamp)
          const expected: Array<[string, string]> = []
          const state = new Map<string, number>()
          for (const e of sorted) {
            if (e.side === 'table') {
              if (e.value === null) state.delete(e.key)
              else state.set(e.key, e.value)
            } else if (e.value !== null) {
              const t = state.get(e.key)
              if (t !== undefined || left) expected.push([e.key, `${e.value}:${t ?? null}`])
            }
          }
          const { driver, stream, table, output } = await joinDriver(kind, (s, t) =>
            left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
          )
          try {
            for (const e of sorted) {
              if (e.side === 'table') await table.pipeInput(e.key, e.value, e.timestamp)
              else await stream.pipeInput(e.key, e.value === null ? null : String(e.value), e.timestamp)
            }
            assert.deepEqual(await output.readKeyValuesToList(), expected)
          } finally {
            await driver.close()
          }
        }),
        { numRuns: kind.propertyRuns(100) },
      )
    })
  })
}
