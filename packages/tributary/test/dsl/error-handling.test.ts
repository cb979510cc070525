import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, TributaryError, isTributaryError } from 'tributary-streams'
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
