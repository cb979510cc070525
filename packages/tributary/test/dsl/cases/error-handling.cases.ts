import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DLQ_HEADERS, Serdes, StreamsBuilder, type ErrorPolicy, type Logger } from 'tributary-streams'
import type { TestDriverConfig } from 'tributary-streams/testing'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()
const bytes = Serdes.bytes()

export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Captures warnings so tests can check what was logged. */
const recordingLogger = () => {
  const warnings: Array<{ fields: object; message: string }> = []
  const logger: Logger = { ...silent, warn: (fields, message) => void warnings.push({ fields, message }) }
  return { logger, warnings }
}

const header = (headers: Record<string, Buffer>, name: string): string | undefined =>
  headers[name]?.toString('utf8')

export const notADouble = Buffer.from('oops') // 4 bytes: the number serde wants 8

export const throwOnOdd = (v: number): number => {
  if (v % 2 !== 0) throw new RangeError(`odd value ${v}`)
  return v
}

export function errorHandlingCases(kind: DriverKind): void {
  /** `in` (string → number) → mapValues(`mapper`) → `out`. */
  async function pipeline(config: TestDriverConfig, mapper: (v: number) => number = (v) => v * 2) {
    const builder = new StreamsBuilder()
    builder.stream('in', { key: str, value: num }).mapValues(mapper).to('out', { key: str, value: num })
    const driver = await kind.make(builder.build(), { logger: silent, ...config })
    return {
      driver,
      input: driver.createInputTopic('in', str, num),
      output: driver.createOutputTopic('out', str, num),
    }
  }

  describe(`deserialization errors (${kind.name})`, () => {
    it("fail the pipe by default (as Kafka Streams' TopologyTestDriver), naming the offset", async () => {
      const { driver, input, output } = await pipeline({})
      await input.pipeInput('a', 1, 10)
      assert.deepEqual(await output.readKeyValuesToList(), [['a', 2]])
      await assert.rejects(
        async () => input.pipeRaw(Buffer.from('k'), notADouble, 20),
        /deserialization failed for in-0 at offset 1/,
      )
      await driver.close()
    })

    it("send the raw record to <applicationId>-dlq with 'dead-letter', with headers naming its origin and the error", async () => {
      const { driver, input, output } = await pipeline({
        applicationId: 'shop',
        deserializationErrors: 'dead-letter',
      })
      const dlqTopic = driver.createOutputTopic('shop-dlq', bytes, bytes)
      await input.pipeInput('a', 1, 10)
      await input.pipeRaw(Buffer.from('bad-key'), notADouble, 20, { 'x-trace': Buffer.from('t-1') })
      await input.pipeInput('b', 2, 30)
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['a', 2],
        ['b', 4],
      ])
      assert.ok((await driver.producedTopicNames()).includes('shop-dlq'))
      const dlq = await dlqTopic.readRecordsToList()
      assert.equal(dlq.length, 1)
      const [record] = dlq
      assert.deepEqual(record!.key, Buffer.from('bad-key'))
      assert.deepEqual(record!.value, notADouble)
      assert.equal(record!.timestamp, 20)
      const h = record!.headers
      assert.equal(header(h, DLQ_HEADERS.stage), 'deserialization')
      assert.equal(header(h, DLQ_HEADERS.topic), 'in')
      assert.equal(header(h, DLQ_HEADERS.partition), '0')
      assert.equal(header(h, DLQ_HEADERS.offset), '1')
      assert.equal(header(h, DLQ_HEADERS.errorClass), 'TributaryError')
      assert.equal(header(h, DLQ_HEADERS.errorMessage), 'cannot read a double from 4 bytes')
      assert.match(
        header(h, DLQ_HEADERS.errorStack) ?? '',
        /^TributaryError: cannot read a double from 4 bytes\n\s+at /,
      )
      assert.equal(header(h, 'x-trace'), 't-1', 'the original headers are kept')
      await driver.close()
    })

    it('also dead-letter a key that fails to deserialize', async () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: num, value: str }).to('out', { key: num, value: str })
      // TopologyTestDriver's default application id, named so every driver uses the same dead-letter topic
      const driver = await kind.make(builder.build(), {
        applicationId: 'test-driver',
        logger: silent,
        deserializationErrors: 'dead-letter',
      })
      const input = driver.createInputTopic('in', num, str)
      const dlqTopic = driver.createOutputTopic('test-driver-dlq', bytes, bytes)
      const output = driver.createOutputTopic('out', num, str)
      await input.pipeRaw(Buffer.from([1, 2, 3]), Buffer.from('fine'))
      const dlq = await dlqTopic.readRecordsToList()
      assert.equal(dlq.length, 1)
      assert.deepEqual(dlq[0]!.key, Buffer.from([1, 2, 3]))
      assert.ok(await output.isEmpty())
      await driver.close()
    })

    it('go to the configured dead-letter topic when one is named', async () => {
      const { driver, input } = await pipeline({
        deadLetterTopic: 'bad-orders',
        deserializationErrors: 'dead-letter',
      })
      const dlqTopic = driver.createOutputTopic('bad-orders', bytes, bytes)
      await input.pipeRaw(null, notADouble)
      assert.deepEqual(await driver.producedTopicNames(), ['bad-orders'])
      assert.equal(await dlqTopic.getQueueSize(), 1)
      await driver.close()
    })

    it("are dropped, logged and skipped over with 'continue'", async () => {
      const { logger, warnings } = recordingLogger()
      const { driver, input, output } = await pipeline({ deserializationErrors: 'continue', logger })
      await input.pipeRaw(Buffer.from('k'), notADouble)
      await input.pipeInput('b', 2)
      assert.deepEqual(await output.readKeyValuesToList(), [['b', 4]])
      assert.deepEqual(await driver.producedTopicNames(), ['out'])
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!.message, /deserialization/)
      assert.deepEqual(
        { ...warnings[0]!.fields, err: undefined },
        { task: '0_0', stage: 'deserialization', topic: 'in', partition: 0, offset: 0, err: undefined },
      )
      await driver.close()
    })
  })

  describe(`processing errors (${kind.name})`, () => {
    it('fail the pipe by default, naming the offset', async () => {
      const { driver, input, output } = await pipeline({}, throwOnOdd)
      await input.pipeInput('a', 2)
      assert.deepEqual(await output.readKeyValuesToList(), [['a', 2]])
      await assert.rejects(async () => input.pipeInput('b', 3), /processing failed for in-0 at offset 1/)
      await driver.close()
    })

    it("send the input record to the dead-letter topic with 'dead-letter'", async () => {
      // TopologyTestDriver's default application id, named so every driver uses the same dead-letter topic
      const { driver, input, output } = await pipeline(
        { applicationId: 'test-driver', processingErrors: 'dead-letter' },
        throwOnOdd,
      )
      const dlqTopic = driver.createOutputTopic('test-driver-dlq', str, num)
      await input.pipeInput('a', 2)
      await input.pipeInput('b', 3, 77, { tag: Buffer.from('x') })
      await input.pipeInput('c', 4)
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['a', 2],
        ['c', 4],
      ])
      const dlq = await dlqTopic.readRecordsToList()
      assert.equal(dlq.length, 1)
      const [record] = dlq
      assert.equal(record!.key, 'b')
      assert.equal(record!.value, 3)
      assert.equal(record!.timestamp, 77)
      const h = record!.headers
      assert.equal(header(h, DLQ_HEADERS.stage), 'processing')
      assert.equal(header(h, DLQ_HEADERS.topic), 'in')
      assert.equal(header(h, DLQ_HEADERS.partition), '0')
      assert.equal(header(h, DLQ_HEADERS.offset), '1')
      assert.equal(header(h, DLQ_HEADERS.errorClass), 'RangeError')
      assert.equal(header(h, DLQ_HEADERS.errorMessage), 'odd value 3')
      assert.match(header(h, DLQ_HEADERS.errorStack) ?? '', /^RangeError: odd value 3\n\s+at /)
      assert.equal(header(h, 'tag'), 'x')
      await driver.close()
    })

    it('dead-letter the repartition record, naming the physical repartition topic, when a step after a repartition throws', async () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .selectKey((k) => k.toUpperCase())
        .groupByKey({ key: str, value: num })
        .aggregate(
          () => 0,
          (_k, v, agg) => {
            if (v < 0) throw new Error('negative')
            return agg + v
          },
          { name: 'sums', value: num },
        )
      const driver = await kind.make(builder.build(), {
        applicationId: 'app',
        logger: silent,
        processingErrors: 'dead-letter',
      })
      const input = driver.createInputTopic('in', str, num)
      const dlqTopic = driver.createOutputTopic('app-dlq', str, num)
      // One pipe: on a log both records then reach the repartition topic in one transaction, so
      // no commit marker lies between them (offsets 0 and 1) on any driver.
      await input.pipeKeyValueList([
        ['a', 5],
        ['a', -1],
      ])
      await input.pipeInput('a', 2)
      assert.equal(driver.getKeyValueStore('sums').get('A'), 7)
      const dlq = await dlqTopic.readRecordsToList()
      assert.deepEqual(
        dlq.map((r) => [
          r.key,
          r.value,
          header(r.headers, DLQ_HEADERS.topic),
          header(r.headers, DLQ_HEADERS.offset),
        ]),
        [['A', -1, 'app-sums-repartition', '1']],
      )
      await driver.close()
    })

    it("are dropped, counted in the log and skipped over with 'continue'", async () => {
      const { logger, warnings } = recordingLogger()
      const { driver, input, output } = await pipeline({ processingErrors: 'continue', logger }, throwOnOdd)
      await input.pipeInput('a', 1)
      await input.pipeInput('b', 2)
      assert.deepEqual(await output.readKeyValuesToList(), [['b', 2]])
      assert.deepEqual(await driver.producedTopicNames(), ['out'])
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!.message, /processing/)
      await driver.close()
    })

    it('treat a deserialization policy and a processing policy independently', async () => {
      const { driver, input, output } = await pipeline(
        // TopologyTestDriver's default application id, named so every driver uses the same dead-letter topic
        { applicationId: 'test-driver', deserializationErrors: 'continue', processingErrors: 'dead-letter' },
        throwOnOdd,
      )
      const dlqTopic = driver.createOutputTopic('test-driver-dlq', bytes, bytes)
      await input.pipeRaw(Buffer.from('k'), notADouble)
      await input.pipeInput('b', 3)
      await input.pipeInput('c', 4)
      assert.deepEqual(await output.readKeyValuesToList(), [['c', 4]])
      const dlq = await dlqTopic.readRecordsToList()
      assert.deepEqual(
        dlq.map((r) => header(r.headers, DLQ_HEADERS.stage)),
        ['processing'],
      )
      await driver.close()
    })

    for (const policy of ['continue', 'dead-letter'] as const satisfies readonly ErrorPolicy[]) {
      it(`keep state and later records intact with '${policy}'`, async () => {
        const builder = new StreamsBuilder()
        builder.stream('in', { key: str, value: num }).mapValues(throwOnOdd).groupByKey().count({ name: 'c' })
        const driver = await kind.make(builder.build(), { processingErrors: policy, logger: silent })
        const input = driver.createInputTopic('in', str, num)
        await input.pipeKeyValueList([
          ['a', 2],
          ['a', 3],
          ['a', 4],
        ])
        assert.equal(driver.getKeyValueStore('c').get('a'), 2)
        await driver.close()
      })
    }
  })
}
