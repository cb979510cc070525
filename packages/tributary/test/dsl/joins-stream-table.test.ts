import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Serdes, StreamsBuilder, type KStream, type KTable } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

/** Stream `s` (string → string) joined by `build` with table `t` (string → number), output to `out`. */
function joinDriver(
  build: (stream: KStream<string, string>, table: KTable<string, number>) => KStream<string, string>,
) {
  const builder = new StreamsBuilder()
  const stream = builder.stream('s', { key: str, value: str })
  const table = builder.table('t', { key: str, value: num }, { name: 'table-store' })
  build(stream, table).to('out', { key: str, value: str })
  const topology = builder.build()
  const driver = new TopologyTestDriver(topology)
  return {
    topology,
    driver,
    stream: driver.createInputTopic('s', str, str),
    table: driver.createInputTopic('t', str, num),
    output: driver.createOutputTopic('out', str, str),
  }
}

describe('KStream-KTable join', () => {
  it('inner join: joins with the current table value, drops unmatched records, ignores table updates', () => {
    const { driver, stream, table, output } = joinDriver((s, t) => s.join(t, (v, n) => `${v}:${n}`))
    stream.pipeInput('a', 'x', 1) // no table value: dropped
    table.pipeInput('a', 1, 2) // table update: no output
    stream.pipeInput('a', 'y', 3)
    table.pipeInput('a', 2, 4)
    stream.pipeInput('a', 'z', 5)
    table.pipeInput('a', null, 6) // delete
    stream.pipeInput('a', 'w', 7) // dropped again
    assert.deepEqual(
      output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
      [
        ['a', 'y:1', 3],
        ['a', 'z:2', 5],
      ],
    )
    driver.close()
  })

  it('left join: an unmatched record is joined with null', () => {
    const { driver, stream, table, output } = joinDriver((s, t) => s.leftJoin(t, (v, n) => `${v}:${n}`))
    stream.pipeInput('a', 'x', 1)
    table.pipeInput('a', 1, 2)
    stream.pipeInput('a', 'y', 3)
    table.pipeInput('a', null, 4)
    stream.pipeInput('a', 'z', 5)
    assert.deepEqual(output.readKeyValuesToList(), [
      ['a', 'x:null'],
      ['a', 'y:1'],
      ['a', 'z:null'],
    ])
    driver.close()
  })

  it('drops null-key records in an inner join and joins them with null in a left join', () => {
    for (const left of [false, true]) {
      const { driver, stream, table, output } = joinDriver((s, t) =>
        left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
      )
      table.pipeInput('a', 1)
      stream.pipeInput(null, 'x')
      assert.deepEqual(output.readKeyValuesToList(), left ? [[null, 'x:null']] : [])
      driver.close()
    }
  })

  it('drops records with a null value in both kinds', () => {
    for (const left of [false, true]) {
      const { driver, stream, table, output } = joinDriver((s, t) =>
        left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
      )
      table.pipeInput('a', 1)
      stream.pipeInput('a', null)
      assert.ok(output.isEmpty())
      driver.close()
    }
  })

  it('reads an unmaterialized filtered and mapped table through its parent (value getter)', () => {
    const { driver, stream, table, output } = joinDriver((s, t) =>
      s.leftJoin(
        t.filter((_k, n) => n > 10).mapValues((n) => n * 2),
        (v, n) => `${v}:${n}`,
      ),
    )
    table.pipeInput('a', 5)
    table.pipeInput('b', 20)
    stream.pipeInput('a', 'x') // filtered out
    stream.pipeInput('b', 'y')
    stream.pipeInput('c', 'z') // absent
    assert.deepEqual(output.readKeyValuesToList(), [
      ['a', 'x:null'],
      ['b', 'y:40'],
      ['c', 'z:null'],
    ])
    driver.close()
  })

  it('joins with an aggregated table, in the same sub-topology as its store', () => {
    const builder = new StreamsBuilder()
    const counts = builder.stream('clicks', { key: str, value: str }).groupByKey().count({ name: 'counts' })
    builder
      .stream('s', { key: str, value: str })
      .join(counts, (v, n) => `${v}#${n}`)
      .to('out', { key: str, value: str })
    const topology = builder.build()
    assert.equal(topology.subTopologies().length, 1)
    const driver = new TopologyTestDriver(topology)
    const clicks = driver.createInputTopic('clicks', str, str)
    const s = driver.createInputTopic('s', str, str)
    const out = driver.createOutputTopic('out', str, str)
    clicks.pipeInput('u', 'c')
    clicks.pipeInput('u', 'c')
    s.pipeInput('u', 'hello')
    assert.deepEqual(out.readKeyValuesToList(), [['u', 'hello#2']])
    driver.close()
  })

  it('repartitions a re-keyed stream before the join and records the co-partitioned topics', () => {
    const { topology, driver, stream, table, output } = joinDriver((s, t) =>
      s.selectKey((_k, v) => v).join(t, (v, n) => `${v}:${n}`, { key: str, value: str, name: 'enrich' }),
    )
    assert.ok(topology.internalTopics.has('enrich-repartition'))
    assert.deepEqual(topology.copartitionGroups, [['enrich-repartition', 't']])
    table.pipeInput('x', 7)
    stream.pipeInput('ignored', 'x')
    assert.deepEqual(output.readKeyValuesToList(), [['x', 'x:7']])
    assert.ok(driver.producedTopicNames().includes('test-driver-enrich-repartition'))
    driver.close()
  })

  it('without a key change joins in place and records the source topics as co-partitioned', () => {
    const { topology, driver } = joinDriver((s, t) => s.join(t, (v, n) => `${v}:${n}`))
    assert.equal(topology.internalTopics.size, 0)
    assert.deepEqual(topology.copartitionGroups, [['s', 't']])
    assert.equal(topology.subTopologies().length, 1)
    driver.close()
  })

  it('property: results equal a reference that replays both inputs in timestamp order', () => {
    const event = fc.record({
      side: fc.constantFrom('stream', 'table'),
      key: fc.constantFrom('a', 'b', 'c'),
      value: fc.option(fc.integer({ min: 0, max: 99 }), { freq: 5 }),
      timestamp: fc.integer({ min: 0, max: 1000 }),
    })
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.boolean(), (events, left) => {
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
        const { driver, stream, table, output } = joinDriver((s, t) =>
          left ? s.leftJoin(t, (v, n) => `${v}:${n}`) : s.join(t, (v, n) => `${v}:${n}`),
        )
        for (const e of sorted) {
          if (e.side === 'table') table.pipeInput(e.key, e.value, e.timestamp)
          else stream.pipeInput(e.key, e.value === null ? null : String(e.value), e.timestamp)
        }
        assert.deepEqual(output.readKeyValuesToList(), expected)
        driver.close()
      }),
      { numRuns: 100 },
    )
  })
})
