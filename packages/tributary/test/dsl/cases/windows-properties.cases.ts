import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Serdes, StreamsBuilder, Suppressed, TimeWindows, WindowedSerdes } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()
const SIZE = 100
const GRACE = 20
const FAR_FUTURE = 1_000_000

/** Sums per (key, window start) of the records that arrive before their window closes. */
function reference(
  records: ReadonlyArray<{ key: string; value: number; ts: number }>,
  advance: number,
): Map<string, number> {
  const sums = new Map<string, number>()
  let streamTime = -Infinity
  for (const r of records) {
    streamTime = Math.max(streamTime, r.ts)
    for (let start = Math.floor(r.ts / advance) * advance; start > r.ts - SIZE; start -= advance) {
      if (start < 0) break
      if (start + SIZE + GRACE <= streamTime) continue // closed: late for this window
      const k = `${r.key}@${start}`
      sums.set(k, (sums.get(k) ?? 0) + r.value)
    }
  }
  return sums
}

const disorderedRecords = fc
  .array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      value: fc.integer({ min: 1, max: 9 }),
      jitter: fc.integer({ min: -60, max: 60 }),
    }),
    { maxLength: 60 },
  )
  .map((rs) => rs.map((r, i) => ({ key: r.key, value: r.value, ts: Math.max(0, i * 15 + r.jitter) })))

export function windowsPropertiesCases(kind: DriverKind): void {
  describe(`windowed aggregation with suppress(untilWindowCloses), property (${kind.name})`, () => {
    for (const advance of [SIZE, SIZE / 2]) {
      it(`emits exactly the reference's final sums for random disordered input (advance ${advance})`, async () => {
        await fc.assert(
          fc.asyncProperty(disorderedRecords, async (records) => {
            const builder = new StreamsBuilder()
            builder
              .stream('in', { key: str, value: num })
              .groupByKey()
              .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, GRACE).advanceBy(advance))
              .reduce((a, b) => a + b, { value: num })
              .suppress(Suppressed.untilWindowCloses())
              .toStream()
              .to('out', { key: WindowedSerdes.timeWindowed(str, SIZE), value: num })
            const driver = await kind.make(builder.build())
            let finals: Array<readonly [string, number]>
            try {
              const input = driver.createInputTopic('in', str, num)
              const output = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(str, SIZE), num)
              for (const r of records) await input.pipeInput(r.key, r.value, r.ts)
              await input.pipeInput('flush', 0, FAR_FUTURE) // closes every earlier window
              finals = (await output.readRecordsToList()).map(
                (r) => [`${r.key.key}@${r.key.window.start}`, r.value] as const,
              )
            } finally {
              await driver.close()
            }
            const keys = finals.map(([k]) => k)
            assert.equal(new Set(keys).size, keys.length, 'one final result per window')
            assert.deepEqual(new Map(finals), reference(records, advance))
          }),
          { numRuns: kind.propertyRuns(150) },
        )
      })
    }
  })
}
