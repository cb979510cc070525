import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, isTributaryError, type KStream, type StreamPartitioner } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

/** Builds `in` (string → number) through `build`, runs `records` through a driver and returns what reached `out`. */
function run<K, V>(
  build: (input: KStream<string, number>) => KStream<K, V>,
  records: ReadonlyArray<readonly [string | null, number | null]>,
  outKey = Serdes.json<K>(),
  outValue = Serdes.json<V>(),
): Array<[K, V]> {
  const builder = new StreamsBuilder()
  build(builder.stream('in', { key: str, value: num })).to('out', { key: outKey, value: outValue })
  const driver = new TopologyTestDriver(builder.build())
  try {
    const input = driver.createInputTopic('in', str, num)
    for (const [k, v] of records) input.pipeInput(k, v)
    return driver.createOutputTopic('out', outKey, outValue).readKeyValuesToList()
  } finally {
    driver.close()
  }
}

const sample = [
  ['a', 1],
  ['b', 2],
  ['c', 3],
  ['d', 4],
] as const

describe('stateless KStream operations', () => {
  describe('filter and filterNot', () => {
    it('filter keeps only the records the predicate accepts', () => {
      assert.deepEqual(
        run((s) => s.filter((_k, v) => v % 2 === 0), sample),
        [
          ['b', 2],
          ['d', 4],
        ],
      )
    })

    it('filterNot keeps only the records the predicate rejects', () => {
      assert.deepEqual(
        run((s) => s.filterNot((_k, v) => v % 2 === 0), sample),
        [
          ['a', 1],
          ['c', 3],
        ],
      )
    })

    it('filter sees the key as well as the value', () => {
      assert.deepEqual(
        run((s) => s.filter((k) => k === 'c'), sample),
        [['c', 3]],
      )
    })
  })

  describe('map, mapValues and selectKey', () => {
    it('map replaces both key and value', () => {
      assert.deepEqual(
        run((s) => s.map((k, v) => [v, k.toUpperCase()] as const), sample),
        [
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
          [4, 'D'],
        ],
      )
    })

    it('mapValues replaces the value, keeps the key and passes the key to the mapper', () => {
      assert.deepEqual(
        run((s) => s.mapValues((v, k) => `${k}=${v * 10}`), sample.slice(0, 2)),
        [
          ['a', 'a=10'],
          ['b', 'b=20'],
        ],
      )
    })

    it('selectKey replaces the key and keeps the value', () => {
      assert.deepEqual(
        run((s) => s.selectKey((k, v) => `${k}${v}`), sample.slice(0, 2)),
        [
          ['a1', 1],
          ['b2', 2],
        ],
      )
    })
  })

  describe('flatMap and flatMapValues', () => {
    it('flatMap emits every pair the mapper returns, in order, and nothing for an empty result', () => {
      assert.deepEqual(
        run(
          (s) => s.flatMap((k, v) => Array.from({ length: v - 1 }, (_, i) => [`${k}${i}`, i] as const)),
          sample.slice(0, 3),
        ),
        [
          ['b0', 0],
          ['c0', 0],
          ['c1', 1],
        ],
      )
    })

    it('flatMapValues emits one record per value under the original key', () => {
      assert.deepEqual(
        run((s) => s.flatMapValues((v) => [v, -v]), sample.slice(1, 3)),
        [
          ['b', 2],
          ['b', -2],
          ['c', 3],
          ['c', -3],
        ],
      )
    })

    it('flatMapValues accepts any iterable, such as a generator', () => {
      assert.deepEqual(
        run(
          (s) =>
            s.flatMapValues(function* (v) {
              for (let i = 1; i <= v; i++) yield i
            }),
          [['x', 3]],
        ),
        [
          ['x', 1],
          ['x', 2],
          ['x', 3],
        ],
      )
    })
  })

  describe('peek and foreach', () => {
    it('peek calls the action for each record and passes the record on unchanged', () => {
      const seen: Array<[string, number]> = []
      const out = run((s) => s.peek((k, v) => seen.push([k, v])), sample.slice(0, 2))
      assert.deepEqual(seen, [
        ['a', 1],
        ['b', 2],
      ])
      assert.deepEqual(out, seen)
    })

    it('foreach calls the action for each record and produces nothing', () => {
      const builder = new StreamsBuilder()
      const seen: Array<[string, number]> = []
      builder.stream('in', { key: str, value: num }).foreach((k, v) => seen.push([k, v]))
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('in', str, num)
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      assert.deepEqual(seen, [
        ['a', 1],
        ['b', 2],
      ])
      assert.deepEqual(driver.producedTopicNames(), [])
      driver.close()
    })
  })

  describe('split', () => {
    function splitDriver(withDefault: boolean) {
      const builder = new StreamsBuilder()
      const split = builder
        .stream('in', { key: str, value: num })
        .split({ name: 'route-' })
        .branch((_k, v) => v < 0, { name: 'negative' })
        .branch((_k, v) => v % 2 === 0, { name: 'even' })
      const branches = withDefault ? split.defaultBranch({ name: 'rest' }) : split.noDefaultBranch()
      for (const [name, stream] of Object.entries(branches))
        stream.to(`out-${name}`, { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('in', str, num)
      input.pipeKeyValueList([
        ['a', -2], // negative and even: goes to the first matching branch only
        ['b', 4],
        ['c', 5],
        ['d', -1],
      ])
      const read = (name: string) => driver.createOutputTopic(`out-${name}`, str, num).readKeyValuesToList()
      return { branches, driver, read }
    }

    it('names branch streams by the split name followed by the branch name', () => {
      const { branches, driver } = splitDriver(true)
      assert.deepEqual(Object.keys(branches).sort(), ['route-even', 'route-negative', 'route-rest'])
      driver.close()
    })

    it('sends each record to the first branch whose predicate matches', () => {
      const { read, driver } = splitDriver(true)
      assert.deepEqual(read('route-negative'), [
        ['a', -2],
        ['d', -1],
      ])
      assert.deepEqual(read('route-even'), [['b', 4]])
      driver.close()
    })

    it('sends records no predicate matches to the default branch', () => {
      const { read, driver } = splitDriver(true)
      assert.deepEqual(read('route-rest'), [['c', 5]])
      driver.close()
    })

    it('drops records no predicate matches when there is no default branch', () => {
      const { branches, read, driver } = splitDriver(false)
      assert.deepEqual(Object.keys(branches).sort(), ['route-even', 'route-negative'])
      assert.deepEqual(read('route-negative'), [
        ['a', -2],
        ['d', -1],
      ])
      assert.deepEqual(read('route-even'), [['b', 4]])
      assert.deepEqual(driver.producedTopicNames().sort(), ['out-route-even', 'out-route-negative'])
      driver.close()
    })

    it('numbers unnamed branches from 1 and names an unnamed default branch 0', () => {
      const builder = new StreamsBuilder()
      const branches = builder
        .stream('in', { key: str, value: num })
        .split({ name: 's-' })
        .branch((_k, v) => v > 10)
        .branch((_k, v) => v > 5)
        .defaultBranch()
      assert.deepEqual(Object.keys(branches).sort(), ['s-0', 's-1', 's-2'])
      branches['s-1']!.to('big', { key: str, value: num })
      branches['s-2']!.to('medium', { key: str, value: num })
      branches['s-0']!.to('small', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['x', 20],
        ['y', 7],
        ['z', 1],
      ])
      assert.deepEqual(driver.createOutputTopic('big', str, num).readValuesToList(), [20])
      assert.deepEqual(driver.createOutputTopic('medium', str, num).readValuesToList(), [7])
      assert.deepEqual(driver.createOutputTopic('small', str, num).readValuesToList(), [1])
      driver.close()
    })

    it('refuses a branch added after the split is closed, and keeps routing as before', () => {
      const builder = new StreamsBuilder()
      const split = builder.stream('in', { key: str, value: num }).split({ name: 's-' })
      const branches = split.branch((_k, v) => v > 0, { name: 'positive' }).noDefaultBranch()
      branches['s-positive']!.to('out')
      assert.throws(
        () => split.branch(() => true, { name: 'late' }),
        (err) => isTributaryError(err, 'TOPOLOGY') && /s- is already closed/.test(err.message),
      )
      const driver = new TopologyTestDriver(builder.build(), { processingErrors: 'fail' })
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', -1],
        ['b', 1],
      ])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [['b', 1]])
      driver.close()
    })

    it('refuses a branch name used twice without changing the routing', () => {
      const builder = new StreamsBuilder()
      const split = builder.stream('in', { key: str, value: num }).split({ name: 's-' })
      split.branch((_k, v) => v > 0, { name: 'x' })
      assert.throws(
        () => split.branch(() => true, { name: 'x' }),
        (err) => isTributaryError(err, 'TOPOLOGY'),
      )
      split.noDefaultBranch()['s-x']!.to('out')
      const driver = new TopologyTestDriver(builder.build(), { processingErrors: 'fail' })
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', -1],
        ['b', 1],
      ])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [['b', 1]])
      driver.close()
    })
  })

  describe('merge', () => {
    it('merges two streams into one, in the order records arrive', () => {
      const builder = new StreamsBuilder()
      const left = builder.stream('left', { key: str, value: num })
      const right = builder.stream('right', { key: str, value: num }).mapValues((v) => v * 100)
      left.merge(right).to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      const l = driver.createInputTopic('left', str, num)
      const r = driver.createInputTopic('right', str, num)
      l.pipeInput('a', 1)
      r.pipeInput('b', 2)
      l.pipeInput('c', 3)
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [
        ['a', 1],
        ['b', 200],
        ['c', 3],
      ])
      driver.close()
    })

    it('merges branches of one stream back together', () => {
      const builder = new StreamsBuilder()
      const input = builder.stream('in', { key: str, value: num })
      const small = input.filter((_k, v) => v < 10).mapValues((v) => v + 1000)
      const big = input.filter((_k, v) => v >= 10)
      small.merge(big).to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', 1],
        ['b', 20],
      ])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [
        ['a', 1001],
        ['b', 20],
      ])
      driver.close()
    })
  })

  describe('to', () => {
    it('writes to a fixed topic with the given serdes', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 42)
      assert.deepEqual(driver.producedTopicNames(), ['out'])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValue(), ['k', 42])
      driver.close()
    })

    it('falls back to the stream serdes when Produced names none', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).to('out')
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 42)
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValue(), ['k', 42])
      driver.close()
    })

    it('falls back to JSON when the stream no longer knows its serdes', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .map((k, v) => [{ id: k }, [v, v]] as const)
        .to('out')
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 4)
      const [record] = driver.createOutputTopic('out', str, str).readRecordsToList()
      assert.equal(record!.key, '{"id":"k"}')
      assert.equal(record!.value, '[4,4]')
      driver.close()
    })

    it('writes each record to the topic the extractor chooses, and gives the extractor the record origin', () => {
      const builder = new StreamsBuilder()
      const origins: Array<string | undefined> = []
      builder.stream('in', { key: str, value: num }).to(
        (key, value, origin) => {
          origins.push(origin && `${origin.topic}/${origin.partition}/${origin.offset}`)
          return value % 2 === 0 ? `even-${key}` : 'odd'
        },
        { key: str, value: num },
      )
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ])
      assert.deepEqual(driver.producedTopicNames().sort(), ['even-b', 'odd'])
      assert.deepEqual(driver.createOutputTopic('odd', str, num).readKeyValuesToList(), [
        ['a', 1],
        ['c', 3],
      ])
      assert.deepEqual(driver.createOutputTopic('even-b', str, num).readKeyValuesToList(), [['b', 2]])
      assert.deepEqual(origins, ['in/0/0', 'in/0/1', 'in/0/2'])
      driver.close()
    })

    it('accepts a custom partitioner and calls it with the topic, key, value and partition count', () => {
      const builder = new StreamsBuilder()
      const calls: unknown[] = []
      const partitioner: StreamPartitioner<string, number> = (topic, key, value, partitions) => {
        calls.push([topic, key, value, partitions])
        return 0
      }
      builder.stream('in', { key: str, value: num }).to('out', { key: str, value: num, partitioner })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 7)
      assert.deepEqual(calls, [['out', 'k', 7, 1]])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [['k', 7]])
      driver.close()
    })

    it('feeds records written to a topic the topology also reads back in, and lists that topic as produced', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .mapValues((v) => v + 1)
        .to('middle', { key: str, value: num })
      builder
        .stream('middle', { key: str, value: num })
        .mapValues((v) => v * 10)
        .to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 1)
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [['k', 20]])
      assert.deepEqual(driver.createOutputTopic('middle', str, num).readKeyValuesToList(), [['k', 2]])
      assert.deepEqual(driver.producedTopicNames().sort(), ['middle', 'out'])
      driver.close()
    })

    it('writes the same stream to several topics', () => {
      const builder = new StreamsBuilder()
      const s = builder.stream('in', { key: str, value: num })
      s.to('one', { key: str, value: num })
      s.mapValues((v) => v * 2).to('two', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('k', 3)
      assert.deepEqual(driver.createOutputTopic('one', str, num).readValuesToList(), [3])
      assert.deepEqual(driver.createOutputTopic('two', str, num).readValuesToList(), [6])
      driver.close()
    })
  })

  describe('repartition', () => {
    it('writes through <applicationId>-<name>-repartition and passes records on', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .selectKey((_k, v) => `k${v % 2}`)
        .repartition({ name: 'by-parity', key: str, value: num })
        .mapValues((v) => v + 1)
        .to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build(), { applicationId: 'my-app' })
      driver.createInputTopic('in', str, num).pipeKeyValueList([
        ['a', 1],
        ['b', 2],
      ])
      assert.deepEqual(driver.producedTopicNames().sort(), ['my-app-by-parity-repartition', 'out'])
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [
        ['k1', 2],
        ['k0', 3],
      ])
      assert.deepEqual(
        driver.createOutputTopic('my-app-by-parity-repartition', str, num).readKeyValuesToList(),
        [
          ['k1', 1],
          ['k0', 2],
        ],
      )
      driver.close()
    })

    it('starts a new sub-topology at the repartition topic', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).repartition({ name: 'r' }).to('out')
      const subs = builder.build().subTopologies()
      assert.equal(subs.length, 2)
      assert.deepEqual(subs[0]!.sourceTopics, ['in'])
      assert.deepEqual(subs[0]!.sinkTopics, ['r-repartition'])
      assert.deepEqual(subs[1]!.sourceTopics, ['r-repartition'])
      assert.deepEqual(subs[1]!.sinkTopics, ['out'])
    })

    it('generates a topic name when none is given', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).repartition().to('out')
      const driver = new TopologyTestDriver(builder.build())
      driver.createInputTopic('in', str, num).pipeInput('a', 1)
      const names = driver.producedTopicNames()
      assert.equal(names.length, 2)
      assert.ok(
        names.some((n) => /^test-driver-KSTREAM-REPARTITION-\d{10}-repartition$/.test(n)),
        names.join(),
      )
      assert.deepEqual(driver.createOutputTopic('out', str, num).readKeyValuesToList(), [['a', 1]])
      driver.close()
    })
  })

  describe('timestamps and headers', () => {
    it('keep the input record timestamp and headers through stateless steps, repartition and sinks', () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .filter(() => true)
        .map((k, v) => [k.toUpperCase(), v] as const)
        .flatMapValues((v) => [v, v + 1])
        .repartition({ name: 'r', key: str, value: num })
        .peek(() => {})
        .to('out', { key: str, value: num })
      const driver = new TopologyTestDriver(builder.build())
      const headers = { trace: Buffer.from('abc'), tenant: Buffer.from('t1') }
      driver.createInputTopic('in', str, num).pipeInput('a', 1, 12_345, headers)
      const out = driver.createOutputTopic('out', str, num).readRecordsToList()
      assert.equal(out.length, 2)
      for (const [i, record] of out.entries()) {
        assert.equal(record.key, 'A')
        assert.equal(record.value, 1 + i)
        assert.equal(record.timestamp, 12_345)
        assert.deepEqual(record.headers, headers)
      }
      driver.close()
    })

    it('come from the Consumed timestamp extractor when one is given, and a negative one skips the record', () => {
      const builder = new StreamsBuilder()
      const partitionTimes: number[] = []
      builder
        .stream('in', {
          key: str,
          value: num,
          timestampExtractor: (record, partitionTime) => {
            partitionTimes.push(partitionTime)
            return record.value
          },
        })
        .to('out')
      const driver = new TopologyTestDriver(builder.build(), {
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      })
      const input = driver.createInputTopic('in', str, num)
      input.pipeInput('a', 500, 1)
      input.pipeInput('b', -1, 2)
      input.pipeInput('c', 300, 3)
      const out = driver.createOutputTopic('out', str, num).readRecordsToList()
      assert.deepEqual(
        out.map((r) => [r.key, r.timestamp]),
        [
          ['a', 500],
          ['c', 300],
        ],
      )
      assert.deepEqual(partitionTimes, [-Infinity, 500, 500])
      driver.close()
    })

    it('use the TestInputTopic start timestamp and auto-advance when no timestamp is given', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).to('out')
      const driver = new TopologyTestDriver(builder.build())
      const input = driver.createInputTopic('in', str, num, { startTimestampMs: 1000, autoAdvanceMs: 10 })
      input.pipeInput('a', 1)
      input.pipeInput('b', 2)
      input.advanceTime(100)
      input.pipeInput('c', 3)
      input.pipeInput('d', 4, 5)
      const out = driver.createOutputTopic('out', str, num).readRecordsToList()
      assert.deepEqual(
        out.map((r) => r.timestamp),
        [1000, 1010, 1120, 5],
      )
      driver.close()
    })
  })

  describe('null keys and values', () => {
    it('pass through stateless steps untouched', () => {
      assert.deepEqual(
        run(
          (s) => s.peek(() => {}),
          [
            [null, 1],
            ['b', null],
          ],
        ),
        [
          [null, 1],
          ['b', null],
        ],
      )
    })
  })
})
