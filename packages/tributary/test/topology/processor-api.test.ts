import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, Stores, StreamsBuilder, Topology, isTributaryError } from 'tributary-streams'
import { TopologyTestDriver } from 'tributary-streams/testing'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { processorApiCases, routedTopology } from './cases/processor-api.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

const counterStore = (name = 'x') =>
  Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.string(), Serdes.number())

for (const kind of [topologyTestDriver, embeddedLogDriver]) processorApiCases(kind)

describe('the processor API through KStream.process()', () => {
  it('puts the processor and its store in the description', () => {
    const builder = new StreamsBuilder()
    builder.addStateStore(counterStore())
    builder
      .stream('in', { key: str, value: num })
      .process(() => ({ process() {} }), { stores: ['x'], name: 'p' })
    assert.match(builder.build().describe(), /Processor: p \(stores: \[x\]\)/)
  })

  it('refuses to connect a store that was never added', () => {
    const builder = new StreamsBuilder()
    assert.throws(
      () =>
        builder
          .stream('in', { key: str, value: num })
          .process(() => ({ process() {} }), { stores: ['missing'] }),
      (err) => isTributaryError(err, 'TOPOLOGY') && /missing/.test(err.message),
    )
  })
})

describe('forwarding in a hand-built Topology', () => {
  // TTD-only: expects pipeInput to throw synchronously.
  it('fails with a TOPOLOGY error when the named child does not exist', () => {
    const driver = new TopologyTestDriver(
      routedTopology(() => 'nobody'),
      { processingErrors: 'fail' },
    )
    const input = driver.createInputTopic('in', str, str)
    const upper = driver.createOutputTopic('out-upper', str, str)
    const double = driver.createOutputTopic('out-double', str, str)
    assert.throws(
      () => input.pipeInput('k', 'x'),
      (err) =>
        isTributaryError(err) &&
        isTributaryError((err as Error).cause, 'TOPOLOGY') &&
        /router has no child named nobody/.test(String((err as Error).cause)),
    )
    assert.ok(upper.isEmpty() && double.isEmpty())
    driver.close()
  })

  // TTD-only: inspects topology.describe() without running anything.
  it('describes the hand-built graph', () => {
    const topology = routedTopology(() => undefined)
    const driver = new TopologyTestDriver(topology, { processingErrors: 'fail' })
    assert.equal(
      topology.describe(),
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: src (topics: [in])',
        '      --> router',
        '    Processor: router (stores: [])',
        '      --> upper, double',
        '      <-- src',
        '    Processor: upper (stores: [])',
        '      --> upper-sink',
        '      <-- router',
        '    Processor: double (stores: [])',
        '      --> double-sink',
        '      <-- router',
        '    Sink: upper-sink (topic: out-upper)',
        '      <-- upper',
        '    Sink: double-sink (topic: out-double)',
        '      <-- double',
        '',
      ].join('\n'),
    )
    driver.close()
  })
})

describe('building a Topology by hand', () => {
  const noop = () => ({ process() {} })

  it('refuses a processor whose parent does not exist', () => {
    assert.throws(
      () => new Topology().addProcessor('p', noop, 'ghost'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a node without a parent', () => {
    assert.throws(
      () => new Topology().addProcessor('p', noop),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses two nodes with the same name', () => {
    const t = new Topology().addSource('s', 'in', { key: str, value: str })
    assert.throws(
      () => t.addProcessor('s', noop, 's'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a child under a sink', () => {
    const t = new Topology()
      .addSource('s', 'in', { key: str, value: str })
      .addSink('out', 'out', { key: str, value: str }, 's')
    assert.throws(
      () => t.addProcessor('p', noop, 'out'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a topic read by two sources', () => {
    const t = new Topology().addSource('s1', 'in', { key: str, value: str })
    assert.throws(
      () => t.addSource('s2', ['other', 'in'], { key: str, value: str }),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a store registered twice and a store attached to a source', () => {
    const t = new Topology().addSource('s', 'in', { key: str, value: str }).addProcessor('p', noop, 's')
    t.addStateStore(counterStore(), 'p')
    assert.throws(
      () => t.addStateStore(counterStore()),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
    assert.throws(
      () => t.connectProcessorAndStateStores(['s'], ['x']),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })
})

describe('punctuation', () => {
  // TTD-only: expects the driver's constructor (which inits the processors) to throw.
  it('refuses an interval below 1 ms', () => {
    const builder = new StreamsBuilder()
    builder.stream('in', { key: str, value: num }).process(() => ({
      init(context) {
        context.schedule(0, 'wall-clock', () => {})
      },
      process() {},
    }))
    assert.throws(() => new TopologyTestDriver(builder.build()), RangeError)
  })
})
