import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, SlidingWindows, StreamsBuilder, WindowedSerdes, type Windowed } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()
const label = (w: Windowed<string>): string => `${w.key}@${w.window.start}-${w.window.end}`

async function slidingSums(kind: DriverKind, differenceMs: number, graceMs: number) {
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: num })
    .groupByKey()
    .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(differenceMs, graceMs))
    .reduce((a, b) => a + b, { name: 'sums', value: num })
    .toStream()
    .to('out', { key: WindowedSerdes.timeWindowed(str, differenceMs), value: num })
  const driver = await kind.make(builder.build())
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', WindowedSerdes.timeWindowed(str, differenceMs), num),
  }
}

export function windowsSlidingCases(kind: DriverKind): void {
  describe(`sliding windows (${kind.name})`, () => {
    it('create a window ending at each record and one starting just after it when records follow', async () => {
      const { driver, input, output } = await slidingSums(kind, 10, 100)
      try {
        await input.pipeInput('a', 1, 5) // [0,10] = 1 (early record: window starts at 0)
        // The right window of 5, [6,16] = 2, is created before 12's own window [2,12] = 3 (Kafka Streams' order).
        await input.pipeInput('a', 2, 12)
        await input.pipeInput('a', 4, 30) // [20,30] = 4
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@0-10', 1],
            ['a@6-16', 2],
            ['a@2-12', 3],
            ['a@20-30', 4],
          ],
        )
      } finally {
        await driver.close()
      }
    })

    it('update the windows an out-of-order record falls into', async () => {
      const { driver, input, output } = await slidingSums(kind, 10, 100)
      try {
        await input.pipeInput('a', 1, 20) // [10,20] = 1
        // Existing windows holding 15 first ([10,20] now 3), then its own [5,15] = 2 and right window [16,26] = 1.
        await input.pipeInput('a', 2, 15)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@10-20', 1],
            ['a@10-20', 3],
            ['a@5-15', 2],
            ['a@16-26', 1],
          ],
        )
      } finally {
        await driver.close()
      }
    })

    it('drop records older than difference + grace behind stream time as late', async () => {
      const { driver, input, output } = await slidingSums(kind, 10, 5)
      try {
        await input.pipeInput('a', 1, 100)
        await input.pipeInput('a', 1, 84) // 84 + 10 + 5 < 100: every window holding it is closed
        assert.equal((await output.readRecordsToList()).length, 1)
        assert.equal(driver.metrics().lateRecords, 1)
      } finally {
        await driver.close()
      }
    })
  })
}
