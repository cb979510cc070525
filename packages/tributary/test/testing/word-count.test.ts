import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamsBuilder, Serdes } from 'tributary-streams'
import { TopologyTestDriver } from 'tributary-streams/testing'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { wordCountCases } from './cases/word-count.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) wordCountCases(kind)

describe('the word-count example from the README', () => {
  // TopologyTestDriver only: the README snippet as written, synchronous, without await.
  it('runs the README snippet as written, synchronously', () => {
    const builder = new StreamsBuilder()
    builder
      .stream('text-lines', { key: Serdes.string(), value: Serdes.string() })
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_key, word) => word, { key: Serdes.string(), value: Serdes.string() })
      .count({ name: 'word-counts' })
      .toStream()
      .to('word-counts-out', { key: Serdes.string(), value: Serdes.number() })
    const driver = new TopologyTestDriver(builder.build())
    const input = driver.createInputTopic('text-lines', Serdes.string(), Serdes.string())
    const output = driver.createOutputTopic('word-counts-out', Serdes.string(), Serdes.number())
    input.pipeInput('line-1', 'Hello world, hello streams')
    assert.deepEqual(
      output.readKeyValuesToMap(),
      new Map([
        ['hello', 2],
        ['world', 1],
        ['streams', 1],
      ]),
    )
    assert.equal(driver.getKeyValueStore('word-counts').get('hello'), 2)
    driver.close()
  })

  // Inspects topology.describe() without running it: needs no driver.
  it('repartitions after the key change, in a second sub-topology', () => {
    const builder = new StreamsBuilder()
    builder
      .stream('text-lines', { key: Serdes.string(), value: Serdes.string() })
      .flatMapValues((line) => line.split(' '))
      .groupBy((_key, word) => word, { key: Serdes.string(), value: Serdes.string() })
      .count({ name: 'word-counts' })
    const description = builder.build().describe()
    assert.match(
      description,
      /Sub-topology: 0[\s\S]*Sink: word-counts-repartition-sink \(topic: word-counts-repartition\)/,
    )
    assert.match(
      description,
      /Sub-topology: 1[\s\S]*Source: word-counts-repartition-source \(topics: \[word-counts-repartition\]\)/,
    )
    assert.match(description, /Processor: KSTREAM-AGGREGATE-\d+ \(stores: \[word-counts\]\)/)
  })
})
