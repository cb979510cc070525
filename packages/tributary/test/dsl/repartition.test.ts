import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KStream } from 'tributary-streams'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { orders, repartitionCases, shape } from './cases/repartition.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

for (const kind of [topologyTestDriver, embeddedLogDriver]) repartitionCases(kind)

// The tests below inspect the built topology without running it: they need no driver.
describe('repartitioning before stateful operations', () => {
  it('writes through a repartition topic and starts a new sub-topology when the key changed before an aggregation', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .selectKey((_k, v) => String(v))
      .groupByKey({ key: str, value: num })
      .count({ name: 'counts' })
    assert.deepEqual(shape(builder), [
      { sources: ['orders'], sinks: ['counts-repartition'], stores: [] },
      { sources: ['counts-repartition'], sinks: [], stores: ['counts'] },
    ])
  })

  for (const [what, rekey] of [
    ['map', (s: KStream<string, number>) => s.map((k, v) => [k, v] as const)],
    ['flatMap', (s: KStream<string, number>) => s.flatMap((k, v) => [[k, v] as const])],
    ['selectKey', (s: KStream<string, number>) => s.selectKey((k) => k)],
    ['process', (s: KStream<string, number>) => s.process<string, number>(() => ({ process() {} }))],
  ] as const) {
    it(`repartitions after ${what}, even with stateless steps in between`, () => {
      const builder = new StreamsBuilder()
      rekey(orders(builder))
        .filter(() => true)
        .mapValues((v) => v)
        .flatMapValues((v) => [v])
        .peek(() => {})
        .groupByKey({ key: str, value: num })
        .count({ name: 'c' })
      assert.equal(builder.build().subTopologies().length, 2)
    })
  }

  it('does not repartition when only the value changed', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .mapValues((v) => v * 2)
      .flatMapValues((v) => [v])
      .filter(() => true)
      .groupByKey()
      .count({ name: 'c' })
    assert.deepEqual(shape(builder), [{ sources: ['orders'], sinks: [], stores: ['c'] }])
  })

  it('does not repartition a key change that reaches no stateful operation', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .selectKey((_k, v) => v)
      .to('out', { key: num, value: num })
    assert.deepEqual(shape(builder), [{ sources: ['orders'], sinks: ['out'], stores: [] }])
  })

  it('does not repartition again after an explicit repartition()', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .selectKey((_k, v) => String(v))
      .repartition({ name: 'rekeyed', key: str, value: num })
      .groupByKey()
      .count({ name: 'c' })
    assert.deepEqual(shape(builder), [
      { sources: ['orders'], sinks: ['rekeyed-repartition'], stores: [] },
      { sources: ['rekeyed-repartition'], sinks: [], stores: ['c'] },
    ])
  })

  it('repartitions a merge when either side changed its key', () => {
    const builder = new StreamsBuilder()
    const a = orders(builder)
    const b = builder.stream('returns', { key: str, value: num }).selectKey((k) => k)
    a.merge(b).groupByKey({ key: str, value: num }).count({ name: 'c' })
    const subs = shape(builder)
    assert.equal(subs.length, 2)
    assert.deepEqual([...subs[0]!.sources].sort(), ['orders', 'returns'])
    assert.deepEqual(subs[1], { sources: ['c-repartition'], sinks: [], stores: ['c'] })
  })

  it('repartitions before toTable() when the key changed', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .selectKey((_k, v) => String(v))
      .toTable({ name: 'latest', key: str, value: num })
    assert.deepEqual(shape(builder), [
      { sources: ['orders'], sinks: ['latest-repartition'], stores: [] },
      { sources: ['latest-repartition'], sinks: [], stores: ['latest'] },
    ])
  })

  it('gives each aggregation of an unnamed grouping its own repartition topic, named after its store', () => {
    const builder = new StreamsBuilder()
    const grouped = orders(builder)
      .selectKey((_k, v) => String(v))
      .groupByKey({ key: str, value: num })
    grouped.count({ name: 'c' })
    grouped.reduce((a, b) => a + b, { name: 'r' })
    assert.deepEqual(
      shape(builder).map((s) => s.sources),
      [['orders'], ['c-repartition'], ['r-repartition']],
    )
  })
})

describe('topology.describe()', () => {
  it('lists sub-topologies with their sources, processors and stores, and sinks, linked both ways', () => {
    const builder = new StreamsBuilder()
    orders(builder)
      .filter((_k, v) => v > 0, { name: 'positive' })
      .selectKey((_k, v) => String(v), { name: 'by-amount' })
      .groupByKey({ key: str, value: num, name: 'amounts' })
      .count({ name: 'amount-counts' })
      .toStream({ name: 'changes' })
      .to('amount-counts-out', { key: str, value: num, name: 'write-counts' })
    assert.equal(
      builder.build().describe(),
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [orders])',
        '      --> positive',
        '    Processor: positive (stores: [])',
        '      --> by-amount',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: by-amount (stores: [])',
        '      --> amounts-repartition-sink',
        '      <-- positive',
        '    Sink: amounts-repartition-sink (topic: amounts-repartition)',
        '      <-- by-amount',
        '   Sub-topology: 1',
        '    Source: amounts-repartition-source (topics: [amounts-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [amount-counts])',
        '      --> changes',
        '      <-- amounts-repartition-source',
        '    Processor: changes (stores: [])',
        '      --> write-counts',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: write-counts (topic: amount-counts-out)',
        '      <-- changes',
        '',
      ].join('\n'),
    )
  })

  it('shows a table aggregation as a select step, a repartition and an aggregate with its store', () => {
    const builder = new StreamsBuilder()
    builder
      .table('users', { key: str, value: str }, { name: 'users' })
      .groupBy((user, region) => [region, user] as const, { key: str, value: str })
      .count({ name: 'users-per-region' })
    const text = builder.build().describe()
    assert.match(text, /Sub-topology: 0\n {4}Source: KSTREAM-SOURCE-\d+ \(topics: \[users\]\)\n/)
    assert.match(text, /Processor: KSTREAM-TOTABLE-\d+ \(stores: \[users\]\)\n {6}--> KTABLE-SELECT-\d+\n/)
    assert.match(text, /Sink: users-per-region-repartition-sink \(topic: users-per-region-repartition\)\n/)
    assert.match(
      text,
      /Sub-topology: 1\n {4}Source: users-per-region-repartition-source \(topics: \[users-per-region-repartition\]\)\n/,
    )
    assert.match(text, /Processor: KTABLE-AGGREGATE-\d+ \(stores: \[users-per-region\]\)\n {6}--> none\n/)
  })

  it('describes a sink with a topic extractor as such', () => {
    const builder = new StreamsBuilder()
    orders(builder).to((k) => `orders-${k}`, { name: 'route' })
    assert.match(
      builder.build().describe(),
      /Sink: route \(topic extractor\)\n {6}<-- KSTREAM-SOURCE-0000000000\n/,
    )
  })

  it('puts processors that share a store into one sub-topology', () => {
    const builder = new StreamsBuilder()
    const a = orders(builder)
    const b = builder.stream('returns', { key: str, value: num })
    a.groupByKey().count({ name: 'shared' })
    b.process<string, number>(() => ({ process() {} }), { name: 'reader', stores: ['shared'] })
    const subs = builder.build().subTopologies()
    assert.equal(subs.length, 1)
    assert.deepEqual([...subs[0]!.sourceTopics].sort(), ['orders', 'returns'])
  })
})
