import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, Suppressed, TributaryError, isTributaryError } from 'tributary-streams'
import { TopologyTestDriver, type TestDriverConfig } from 'tributary-streams/testing'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { errorHandlingCases, notADouble, silent, throwOnOdd } from './cases/error-handling.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

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

for (const kind of [topologyTestDriver, embeddedLogDriver]) errorHandlingCases(kind)

describe('deserialization errors', () => {
  // TopologyTestDriver only: 'fail' makes pipeRaw throw synchronously; on a log the app fails in the background.
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
  // TopologyTestDriver only: 'fail' makes pipeInput throw synchronously; on a log the app fails in the background.
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
})

describe('a processing error while suppress emits', () => {
  it("with 'continue', skips the failed entry and emits the other due ones on the next record", () => {
    const builder = new StreamsBuilder()
    builder
      .table('in', { key: str, value: num })
      .suppress(Suppressed.untilTimeLimit(10))
      .toStream()
      .mapValues((v, k) => {
        if (k === 'a') throw new RangeError('a fails downstream')
        return v
      })
      .to('out', { key: str, value: num })
    const driver = new TopologyTestDriver(builder.build(), { logger: silent, processingErrors: 'continue' })
    const input = driver.createInputTopic('in', str, num)
    const output = driver.createOutputTopic('out', str, num)
    for (const key of ['a', 'b', 'c']) input.pipeInput(key, 1, 0)
    input.pipeInput('d', 1, 20) // all three due: a's emit throws and ends that scan
    input.pipeInput('b', 2, 21) // an update of a buffered key: the scan must run again
    assert.deepEqual(output.readKeyValuesToList(), [
      ['b', 2],
      ['c', 1],
    ])
    driver.close()
  })
})
