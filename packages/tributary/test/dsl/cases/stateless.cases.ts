import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  Serdes,
  StreamsBuilder,
  isTributaryError,
  type KStream,
  type StreamPartitioner,
} from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

const sample = [
  ['a', 1],
  ['b', 2],
  ['c', 3],
  ['d', 4],
] as const

export function statelessCases(kind: DriverKind): void {
  /** Builds `in` (string → number) through `build`, runs `records` through a driver and returns what reached `out`. */
  async function run<K, V>(
    build: (input: KStream<string, number>) => KStream<K, V>,
    records: ReadonlyArray<readonly [string | null, number | null]>,
    outKey = Serdes.json<K>(),
    outValue = Serdes.json<V>(),
  ): Promise<Array<[K, V]>> {
    const builder = new StreamsBuilder()
    build(builder.stream('in', { key: str, value: num })).to('out', { key: outKey, value: outValue })
    const driver = await kind.make(builder.build())
    try {
      const input = driver.createInputTopic('in', str, num)
      const output = driver.createOutputTopic('out', outKey, outValue)
      for (const [k, v] of records) await input.pipeInput(k, v)
      return await output.readKeyValuesToList()
    } finally {
      await driver.close()
    }
  }

  describe(`stateless KStream operations (${kind.name})`, () => {
    describe('filter and filterNot', () => {
      it('filter keeps only the records the predicate accepts', async () => {
        assert.deepEqual(await run((s) => s.filter((_k, v) => v % 2 === 0), sample), [
          ['b', 2],
          ['d', 4],
        ])
      })

      it('filterNot keeps only the records the predicate rejects', async () => {
        assert.deepEqual(await run((s) => s.filterNot((_k, v) => v % 2 === 0), sample), [
          ['a', 1],
          ['c', 3],
        ])
      })

      it('filter sees the key as well as the value', async () => {
        assert.deepEqual(await run((s) => s.filter((k) => k === 'c'), sample), [['c', 3]])
      })
    })

    describe('map, mapValues and selectKey', () => {
      it('map replaces both key and value', async () => {
        assert.deepEqual(await run((s) => s.map((k, v) => [v, k.toUpperCase()] as const), sample), [
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
          [4, 'D'],
        ])
      })

      it('mapValues replaces the value, keeps the key and passes the key to the mapper', async () => {
        assert.deepEqual(await run((s) => s.mapValues((v, k) => `${k}=${v * 10}`), sample.slice(0, 2)), [
          ['a', 'a=10'],
          ['b', 'b=20'],
        ])
      })

      it('selectKey replaces the key and keeps the value', async () => {
        assert.deepEqual(await run((s) => s.selectKey((k, v) => `${k}${v}`), sample.slice(0, 2)), [
          ['a1', 1],
          ['b2', 2],
        ])
      })
    })

    describe('flatMap and flatMapValues', () => {
      it('flatMap emits every pair the mapper returns, in order, and nothing for an empty result', async () => {
        assert.deepEqual(
          await run(
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

      it('flatMapValues emits one record per value under the original key', async () => {
        assert.deepEqual(await run((s) => s.flatMapValues((v) => [v, -v]), sample.slice(1, 3)), [
          ['b', 2],
          ['b', -2],
          ['c', 3],
          ['c', -3],
        ])
      })

      it('flatMapValues accepts any iterable, such as a generator', async () => {
        assert.deepEqual(
          await run(
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
      it('peek calls the action for each record and passes the record on unchanged', async () => {
        const seen: Array<[string, number]> = []
        const out = await run((s) => s.peek((k, v) => seen.push([k, v])), sample.slice(0, 2))
        assert.deepEqual(seen, [
          ['a', 1],
          ['b', 2],
        ])
        assert.deepEqual(out, seen)
      })

      it('foreach calls the action for each record and produces nothing', async () => {
        const builder = new StreamsBuilder()
        const seen: Array<[string, number]> = []
        builder.stream('in', { key: str, value: num }).foreach((k, v) => seen.push([k, v]))
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        assert.deepEqual(seen, [
          ['a', 1],
          ['b', 2],
        ])
        assert.deepEqual(await driver.producedTopicNames(), [])
        await driver.close()
      })
    })

    describe('split', () => {
      async function splitDriver(withDefault: boolean) {
        const builder = new StreamsBuilder()
        const split = builder
          .stream('in', { key: str, value: num })
          .split({ name: 'route-' })
          .branch((_k, v) => v < 0, { name: 'negative' })
          .branch((_k, v) => v % 2 === 0, { name: 'even' })
        const branches = withDefault ? split.defaultBranch({ name: 'rest' }) : split.noDefaultBranch()
        for (const [name, stream] of Object.entries(branches))
          stream.to(`out-${name}`, { key: str, value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const outputs = new Map(
          Object.keys(branches).map((name) => [name, driver.createOutputTopic(`out-${name}`, str, num)]),
        )
        await input.pipeKeyValueList([
          ['a', -2], // negative and even: goes to the first matching branch only
          ['b', 4],
          ['c', 5],
          ['d', -1],
        ])
        const read = async (name: string) => await outputs.get(name)!.readKeyValuesToList()
        return { branches, driver, read }
      }

      it('names branch streams by the split name followed by the branch name', async () => {
        const { branches, driver } = await splitDriver(true)
        assert.deepEqual(Object.keys(branches).sort(), ['route-even', 'route-negative', 'route-rest'])
        await driver.close()
      })

      it('sends each record to the first branch whose predicate matches', async () => {
        const { read, driver } = await splitDriver(true)
        assert.deepEqual(await read('route-negative'), [
          ['a', -2],
          ['d', -1],
        ])
        assert.deepEqual(await read('route-even'), [['b', 4]])
        await driver.close()
      })

      it('sends records no predicate matches to the default branch', async () => {
        const { read, driver } = await splitDriver(true)
        assert.deepEqual(await read('route-rest'), [['c', 5]])
        await driver.close()
      })

      it('drops records no predicate matches when there is no default branch', async () => {
        const { branches, read, driver } = await splitDriver(false)
        assert.deepEqual(Object.keys(branches).sort(), ['route-even', 'route-negative'])
        assert.deepEqual(await read('route-negative'), [
          ['a', -2],
          ['d', -1],
        ])
        assert.deepEqual(await read('route-even'), [['b', 4]])
        assert.deepEqual((await driver.producedTopicNames()).sort(), ['out-route-even', 'out-route-negative'])
        await driver.close()
      })

      it('numbers unnamed branches from 1 and names an unnamed default branch 0', async () => {
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
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const big = driver.createOutputTopic('big', str, num)
        const medium = driver.createOutputTopic('medium', str, num)
        const small = driver.createOutputTopic('small', str, num)
        await input.pipeKeyValueList([
          ['x', 20],
          ['y', 7],
          ['z', 1],
        ])
        assert.deepEqual(await big.readValuesToList(), [20])
        assert.deepEqual(await medium.readValuesToList(), [7])
        assert.deepEqual(await small.readValuesToList(), [1])
        await driver.close()
      })

      it('refuses a branch added after the split is closed, and keeps routing as before', async () => {
        const builder = new StreamsBuilder()
        const split = builder.stream('in', { key: str, value: num }).split({ name: 's-' })
        const branches = split.branch((_k, v) => v > 0, { name: 'positive' }).noDefaultBranch()
        branches['s-positive']!.to('out')
        assert.throws(
          () => split.branch(() => true, { name: 'late' }),
          (err) => isTributaryError(err, 'TOPOLOGY') && /s- is already closed/.test(err.message),
        )
        const driver = await kind.make(builder.build(), { processingErrors: 'fail' })
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeKeyValueList([
          ['a', -1],
          ['b', 1],
        ])
        assert.deepEqual(await output.readKeyValuesToList(), [['b', 1]])
        await driver.close()
      })

      it('refuses a branch name used twice without changing the routing', async () => {
        const builder = new StreamsBuilder()
        const split = builder.stream('in', { key: str, value: num }).split({ name: 's-' })
        split.branch((_k, v) => v > 0, { name: 'x' })
        assert.throws(
          () => split.branch(() => true, { name: 'x' }),
          (err) => isTributaryError(err, 'TOPOLOGY'),
        )
        split.noDefaultBranch()['s-x']!.to('out')
        const driver = await kind.make(builder.build(), { processingErrors: 'fail' })
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeKeyValueList([
          ['a', -1],
          ['b', 1],
        ])
        assert.deepEqual(await output.readKeyValuesToList(), [['b', 1]])
        await driver.close()
      })
    })

    describe('merge', () => {
      it('merges two streams into one, in the order records arrive', async () => {
        const builder = new StreamsBuilder()
        const left = builder.stream('left', { key: str, value: num })
        const right = builder.stream('right', { key: str, value: num }).mapValues((v) => v * 100)
        left.merge(right).to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const l = driver.createInputTopic('left', str, num)
        const r = driver.createInputTopic('right', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await l.pipeInput('a', 1)
        await r.pipeInput('b', 2)
        await l.pipeInput('c', 3)
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', 1],
          ['b', 200],
          ['c', 3],
        ])
        await driver.close()
      })

      it('merges branches of one stream back together', async () => {
        const builder = new StreamsBuilder()
        const input = builder.stream('in', { key: str, value: num })
        const small = input.filter((_k, v) => v < 10).mapValues((v) => v + 1000)
        const big = input.filter((_k, v) => v >= 10)
        small.merge(big).to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const inTopic = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await inTopic.pipeKeyValueList([
          ['a', 1],
          ['b', 20],
        ])
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['a', 1001],
          ['b', 20],
        ])
        await driver.close()
      })
    })

    describe('to', () => {
      it('writes to a fixed topic with the given serdes', async () => {
        const builder = new StreamsBuilder()
        builder.stream('in', { key: str, value: num }).to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('k', 42)
        assert.deepEqual(await driver.producedTopicNames(), ['out'])
        assert.deepEqual(await output.readKeyValue(), ['k', 42])
        await driver.close()
      })

      it('falls back to the stream serdes when Produced names none', async () => {
        const builder = new StreamsBuilder()
        builder.stream('in', { key: str, value: num }).to('out')
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('k', 42)
        assert.deepEqual(await output.readKeyValue(), ['k', 42])
        await driver.close()
      })

      it('falls back to JSON when the stream no longer knows its serdes', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .map((k, v) => [{ id: k }, [v, v]] as const)
          .to('out')
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, str)
        await input.pipeInput('k', 4)
        const [record] = await output.readRecordsToList()
        assert.equal(record!.key, '{"id":"k"}')
        assert.equal(record!.value, '[4,4]')
        await driver.close()
      })

      it('writes each record to the topic the extractor chooses, and gives the extractor the record origin', async () => {
        const builder = new StreamsBuilder()
        const origins: Array<string | undefined> = []
        builder.stream('in', { key: str, value: num }).to(
          (key, value, origin) => {
            origins.push(origin && `${origin.topic}/${origin.partition}/${origin.offset}`)
            return value % 2 === 0 ? `even-${key}` : 'odd'
          },
          { key: str, value: num },
        )
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const odd = driver.createOutputTopic('odd', str, num)
        const evenB = driver.createOutputTopic('even-b', str, num)
        await input.pipeKeyValueList([
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ])
        assert.deepEqual((await driver.producedTopicNames()).sort(), ['even-b', 'odd'])
        assert.deepEqual(await odd.readKeyValuesToList(), [
          ['a', 1],
          ['c', 3],
        ])
        assert.deepEqual(await evenB.readKeyValuesToList(), [['b', 2]])
        assert.deepEqual(origins, ['in/0/0', 'in/0/1', 'in/0/2'])
        await driver.close()
      })

      it('accepts a custom partitioner and calls it with the topic, key, value and partition count', async () => {
        const builder = new StreamsBuilder()
        const calls: unknown[] = []
        const partitioner: StreamPartitioner<string, number> = (topic, key, value, partitions) => {
          calls.push([topic, key, value, partitions])
          return 0
        }
        builder.stream('in', { key: str, value: num }).to('out', { key: str, value: num, partitioner })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('k', 7)
        assert.deepEqual(calls, [['out', 'k', 7, 1]])
        assert.deepEqual(await output.readKeyValuesToList(), [['k', 7]])
        await driver.close()
      })

      it('feeds records written to a topic the topology also reads back in, and lists that topic as produced', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .mapValues((v) => v + 1)
          .to('middle', { key: str, value: num })
        builder
          .stream('middle', { key: str, value: num })
          .mapValues((v) => v * 10)
          .to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        const middle = driver.createOutputTopic('middle', str, num)
        await input.pipeInput('k', 1)
        assert.deepEqual(await output.readKeyValuesToList(), [['k', 20]])
        assert.deepEqual(await middle.readKeyValuesToList(), [['k', 2]])
        assert.deepEqual((await driver.producedTopicNames()).sort(), ['middle', 'out'])
        await driver.close()
      })

      it('writes the same stream to several topics', async () => {
        const builder = new StreamsBuilder()
        const s = builder.stream('in', { key: str, value: num })
        s.to('one', { key: str, value: num })
        s.mapValues((v) => v * 2).to('two', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num)
        const one = driver.createOutputTopic('one', str, num)
        const two = driver.createOutputTopic('two', str, num)
        await input.pipeInput('k', 3)
        assert.deepEqual(await one.readValuesToList(), [3])
        assert.deepEqual(await two.readValuesToList(), [6])
        await driver.close()
      })
    })

    describe('repartition', () => {
      it('writes through <applicationId>-<name>-repartition and passes records on', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .selectKey((_k, v) => `k${v % 2}`)
          .repartition({ name: 'by-parity', key: str, value: num })
          .mapValues((v) => v + 1)
          .to('out', { key: str, value: num })
        const driver = await kind.make(builder.build(), { applicationId: 'my-app' })
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        const repartition = driver.createOutputTopic('my-app-by-parity-repartition', str, num)
        await input.pipeKeyValueList([
          ['a', 1],
          ['b', 2],
        ])
        assert.deepEqual((await driver.producedTopicNames()).sort(), ['my-app-by-parity-repartition', 'out'])
        assert.deepEqual(await output.readKeyValuesToList(), [
          ['k1', 2],
          ['k0', 3],
        ])
        assert.deepEqual(await repartition.readKeyValuesToList(), [
          ['k1', 1],
          ['k0', 2],
        ])
        await driver.close()
      })

      it('generates a topic name when none is given', async () => {
        const builder = new StreamsBuilder()
        builder.stream('in', { key: str, value: num }).repartition().to('out')
        // TopologyTestDriver's default application id, named so every driver prefixes internal topics with it
        const driver = await kind.make(builder.build(), { applicationId: 'test-driver' })
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 1)
        const names = await driver.producedTopicNames()
        assert.equal(names.length, 2)
        assert.ok(
          names.some((n) => /^test-driver-KSTREAM-REPARTITION-\d{10}-repartition$/.test(n)),
          names.join(),
        )
        assert.deepEqual(await output.readKeyValuesToList(), [['a', 1]])
        await driver.close()
      })
    })

    describe('timestamps and headers', () => {
      it('keep the input record timestamp and headers through stateless steps, repartition and sinks', async () => {
        const builder = new StreamsBuilder()
        builder
          .stream('in', { key: str, value: num })
          .filter(() => true)
          .map((k, v) => [k.toUpperCase(), v] as const)
          .flatMapValues((v) => [v, v + 1])
          .repartition({ name: 'r', key: str, value: num })
          .peek(() => {})
          .to('out', { key: str, value: num })
        const driver = await kind.make(builder.build())
        const headers = { trace: Buffer.from('abc'), tenant: Buffer.from('t1') }
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 1, 12_345, headers)
        const out = await output.readRecordsToList()
        assert.equal(out.length, 2)
        for (const [i, record] of out.entries()) {
          assert.equal(record.key, 'A')
          assert.equal(record.value, 1 + i)
          assert.equal(record.timestamp, 12_345)
          assert.deepEqual(record.headers, headers)
        }
        await driver.close()
      })

      it('come from the Consumed timestamp extractor when one is given, and a negative one skips the record', async () => {
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
        const driver = await kind.make(builder.build(), {
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        })
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 500, 1)
        await input.pipeInput('b', -1, 2)
        await input.pipeInput('c', 300, 3)
        const out = await output.readRecordsToList()
        assert.deepEqual(
          out.map((r) => [r.key, r.timestamp]),
          [
            ['a', 500],
            ['c', 300],
          ],
        )
        assert.deepEqual(partitionTimes, [-Infinity, 500, 500])
        await driver.close()
      })

      it('use the TestInputTopic start timestamp and auto-advance when no timestamp is given', async () => {
        const builder = new StreamsBuilder()
        builder.stream('in', { key: str, value: num }).to('out')
        const driver = await kind.make(builder.build())
        const input = driver.createInputTopic('in', str, num, { startTimestampMs: 1000, autoAdvanceMs: 10 })
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 1)
        await input.pipeInput('b', 2)
        input.advanceTime(100)
        await input.pipeInput('c', 3)
        await input.pipeInput('d', 4, 5)
        const out = await output.readRecordsToList()
        assert.deepEqual(
          out.map((r) => r.timestamp),
          [1000, 1010, 1120, 5],
        )
        await driver.close()
      })
    })

    describe('null keys and values', () => {
      it('pass through stateless steps untouched', async () => {
        assert.deepEqual(
          await run(
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
}
