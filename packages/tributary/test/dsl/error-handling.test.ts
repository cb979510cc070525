import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DLQ_HEADERS,
  Serdes,
  StreamsBuilder,
  TributaryError,
  isTributaryError,
  type ErrorPolicy,
  type Logger,
} from 'tributary'
import { TopologyTestDriver, type TestDriverConfig } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()
const bytes = Serdes.bytes()

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Captures warnings so tests can check what was logged. */
const recordingLogger = () => {
  const warnings: Array<{ fields: object; message: string }> = []
  const logger: Logger = { ...silent, warn: (fields, message) => void warnings.push({ fields, message }) }
  return { logger, warnings }
}

/** `in` (string → number) → mapValues(`mapper`) → `out`. */
function pipeline(config: TestDriverConfig, mapper: (v: number) => number = (v) => v * 2) {
  const builder = new StreamsBuilder()
  builder.stream('in', { key: str, value: num }).mapValues(mapper).to('out', { key: str, value: num })
  const driver = new TopologyTestDriver(builder.build(), { logger: silent, ...config })
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', str, num),
  }
}

const header = (headers: Record<string, Buffer>, name: string): string | undefined =>
  headers[name]?.toString('utf8')

const notADouble = Buffer.from('oops') // 4 bytes: the number serde wants 8

describe('deserialization errors', () => {
  it('send the raw record to <applicationId>-dlq by default, with headers naming its origin and the error', () => {
    const { driver, input, output } = pipeline({ applicationId: 'shop' })
    input.pipeInput('a', 1, 10)
    input.pipeRaw(Buffer.from('bad-key'), notADouble, 20, { 'x-trace': Buffer.from('t-1') })
    input.pipeInput('b', 2, 30)
    assert.deepEqual(output.readKeyValuesToList(), [
      ['a', 2],
      ['b', 4],
    ])
    assert.ok(driver.producedTopicNames().includes('shop-dlq'))
    const dlq = driver.createOutputTopic('shop-dlq', bytes, bytes).readRecordsToList()
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
    driver.close()
  })

  it('also dead-letter a key that fails to deserialize', () => {
    const builder = new StreamsBuilder()
    builder.stream('in', { key: num, value: str }).to('out', { key: num, value: str })
    const driver = new TopologyTestDriver(builder.build(), { logger: silent })
    driver.createInputTopic('in', num, str).pipeRaw(Buffer.from([1, 2, 3]), Buffer.from('fine'))
    const dlq = driver.createOutputTopic('test-driver-dlq', bytes, bytes).readRecordsToList()
    assert.equal(dlq.length, 1)
    assert.deepEqual(dlq[0]!.key, Buffer.from([1, 2, 3]))
    assert.ok(driver.createOutputTopic('out', num, str).isEmpty())
    driver.close()
  })

  it('go to the configured dead-letter topic when one is named', () => {
    const { driver, input } = pipeline({ deadLetterTopic: 'bad-orders' })
    input.pipeRaw(null, notADouble)
    assert.deepEqual(driver.producedTopicNames(), ['bad-orders'])
    assert.equal(driver.createOutputTopic('bad-orders', bytes, bytes).getQueueSize(), 1)
    driver.close()
  })

  it("are dropped, logged and skipped over with 'continue'", () => {
    const { logger, warnings } = recordingLogger()
    const { driver, input, output } = pipeline({ deserializationErrors: 'continue', logger })
    input.pipeRaw(Buffer.from('k'), notADouble)
    input.pipeInput('b', 2)
    assert.deepEqual(output.readKeyValuesToList(), [['b', 4]])
    assert.deepEqual(driver.producedTopicNames(), ['out'])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!.message, /deserialization/)
    assert.deepEqual(
      { ...warnings[0]!.fields, err: undefined },
      { stage: 'deserialization', topic: 'in', partition: 0, offset: 0, err: undefined },
    )
    driver.close()
  })

  it("stop processing with 'fail', throwing a SERDE TributaryError naming topic, partition and offset", () => {
    const { driver, input, output } = pipeline({ deserializationErrors: 'fail' })
    input.pipeInput('a', 1)
    input.pipeInput('b', 2)
    assert.throws(
      () => input.pipeRaw(Buffer.from('k'), notADouble),
      (err) => {
        assert.ok(err instanceof TributaryError)
        assert.equal(err.code, 'SERDE')
        assert.match(err.message, /\bin-0\b/)
        assert.match(err.message, /offset 2\b/)
        assert.ok(isTributaryError(err.cause, 'SERDE'))
        return true
      },
    )
    assert.deepEqual(output.readValuesToList(), [2, 4])
    driver.close()
  })
})

describe('processing errors', () => {
  const throwOnOdd = (v: number): number => {
    if (v % 2 !== 0) throw new RangeError(`odd value ${v}`)
    return v
  }

  it("send the input record to the dead-letter topic with 'dead-letter' (the default)", () => {
    const { driver, input, output } = pipeline({}, throwOnOdd)
    input.pipeInput('a', 2)
    input.pipeInput('b', 3, 77, { tag: Buffer.from('x') })
    input.pipeInput('c', 4)
    assert.deepEqual(output.readKeyValuesToList(), [
      ['a', 2],
      ['c', 4],
    ])
    const dlq = driver.createOutputTopic('test-driver-dlq', str, num).readRecordsToList()
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
    driver.close()
  })

  it('dead-letter the repartition record, naming the physical repartition topic, when a step after a repartition throws', () => {
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
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app', logger: silent })
    const input = driver.createInputTopic('in', str, num)
    input.pipeInput('a', 5)
    input.pipeInput('a', -1)
    input.pipeInput('a', 2)
    assert.equal(driver.getKeyValueStore('sums').get('A'), 7)
    const dlq = driver.createOutputTopic('app-dlq', str, num).readRecordsToList()
    assert.deepEqual(
      dlq.map((r) => [
        r.key,
        r.value,
        header(r.headers, DLQ_HEADERS.topic),
        header(r.headers, DLQ_HEADERS.offset),
      ]),
      [['A', -1, 'app-sums-repartition', '1']],
    )
    driver.close()
  })

  it("are dropped, counted in the log and skipped over with 'continue'", () => {
    const { logger, warnings } = recordingLogger()
    const { driver, input, output } = pipeline({ processingErrors: 'continue', logger }, throwOnOdd)
    input.pipeInput('a', 1)
    input.pipeInput('b', 2)
    assert.deepEqual(output.readKeyValuesToList(), [['b', 2]])
    assert.deepEqual(driver.producedTopicNames(), ['out'])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!.message, /processing/)
    driver.close()
  })

  it("stop processing with 'fail', throwing a PROCESSING TributaryError naming topic, partition and offset with the cause", () => {
    const { driver, input } = pipeline({ processingErrors: 'fail' }, throwOnOdd)
    input.pipeInput('a', 2)
    assert.throws(
      () => input.pipeInput('b', 3),
      (err) => {
        assert.ok(isTributaryError(err, 'PROCESSING'))
        assert.match(err.message, /\bin-0 at offset 1\b/)
        assert.match(err.message, /odd value 3/)
        assert.ok(err.cause instanceof RangeError)
        return true
      },
    )
    driver.close()
  })

  it('treat a deserialization policy and a processing policy independently', () => {
    const { driver, input, output } = pipeline(
      { deserializationErrors: 'continue', processingErrors: 'dead-letter' },
      throwOnOdd,
    )
    input.pipeRaw(Buffer.from('k'), notADouble)
    input.pipeInput('b', 3)
    input.pipeInput('c', 4)
    assert.deepEqual(output.readKeyValuesToList(), [['c', 4]])
    const dlq = driver.createOutputTopic('test-driver-dlq', bytes, bytes).readRecordsToList()
    assert.deepEqual(
      dlq.map((r) => header(r.headers, DLQ_HEADERS.stage)),
      ['processing'],
    )
    driver.close()
  })

  for (const policy of ['continue', 'dead-letter'] as const satisfies readonly ErrorPolicy[]) {
    it(`keep state and later records intact with '${policy}'`, () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).mapValues(throwOnOdd).groupByKey().count({ name: 'c' })
      const driver = new TopologyTestDriver(builder.build(), { processingErrors: policy, logger: silent })
      const input = driver.createInputTopic('in', str, num)
      input.pipeKeyValueList([
        ['a', 2],
        ['a', 3],
        ['a', 4],
      ])
      assert.equal(driver.getKeyValueStore('c').get('a'), 2)
      driver.close()
    })
  }
})
