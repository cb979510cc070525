import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
  type Windowed,
} from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()
const label = (w: Windowed<string>): string => `${w.key}@${w.window.start}-${w.window.end}`

async function windowedCounts(kind: DriverKind, windows: TimeWindows, late?: { topic: string }) {
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: num })
    .groupByKey()
    .windowedBy(windows)
    .count({ name: 'counts', ...(late ? { lateRecords: late } : {}) })
    .toStream()
    .to('out', { key: WindowedSerdes.timeWindowed(str, windows.sizeMs), value: num })
  const driver = await kind.make(builder.build())
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', WindowedSerdes.timeWindowed(str, windows.sizeMs), num),
  }
}

async function sessions(kind: DriverKind, graceMs = 0) {
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: num })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, graceMs))
    .aggregate(
      () => 0,
      (_k, v, sum) => sum + v,
      (_k, a, b) => a + b,
      { name: 'sessions', value: num },
    )
    .toStream()
    .to('out', { key: WindowedSerdes.sessionWindowed(str), value: num })
  const driver = await kind.make(builder.build())
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', WindowedSerdes.sessionWindowed(str), num),
  }
}

export function windowsCases(kind: DriverKind): void {
  describe(`tumbling windows (${kind.name})`, () => {
    it('count per key and window, updating on every record', async () => {
      const { driver, input, output } = await windowedCounts(kind, TimeWindows.ofSizeAndGrace(10, 0))
      try {
        await input.pipeInput('a', 1, 0)
        await input.pipeInput('a', 1, 9)
        await input.pipeInput('b', 1, 5)
        await input.pipeInput('a', 1, 10)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@0-10', 1],
            ['a@0-10', 2],
            ['b@0-10', 1],
            ['a@10-20', 1],
          ],
        )
        assert.equal(driver.getWindowStore<string, number>('counts').fetch('a', 10), 1)
      } finally {
        await driver.close()
      }
    })

    it('accept out-of-order records within grace and count the ones past it as late', async () => {
      const { driver, input, output } = await windowedCounts(kind, TimeWindows.ofSizeAndGrace(10, 5), {
        topic: 'late',
      })
      try {
        const late = driver.createOutputTopic('late', str, num)
        await input.pipeInput('a', 1, 12) // stream time 12
        await input.pipeInput('a', 2, 3) // window [0,10) closes at 15: still open
        await input.pipeInput('a', 3, 15) // stream time 15: [0,10) is now closed
        await input.pipeInput('a', 4, 9) // late
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@10-20', 1],
            ['a@0-10', 1],
            ['a@10-20', 2],
          ],
        )
        assert.deepEqual(await late.readKeyValuesToList(), [['a', 4]])
        assert.equal(driver.metrics().lateRecords, 1)
      } finally {
        await driver.close()
      }
    })

    it('hand late records to a handler when one is given', async () => {
      const seen: Array<[string, number, number]> = []
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count({ lateRecords: { handler: (r, w) => seen.push([r.key, r.value, w.start]) } })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('in', str, num)
        await input.pipeInput('a', 1, 20)
        await input.pipeInput('a', 7, 5)
        assert.deepEqual(seen, [['a', 7, 0]])
      } finally {
        await driver.close()
      }
    })
  })

  describe(`hopping windows (${kind.name})`, () => {
    it('put each record into every window that contains it', async () => {
      const { driver, input, output } = await windowedCounts(
        kind,
        TimeWindows.ofSizeAndGrace(10, 0).advanceBy(5),
      )
      try {
        await input.pipeInput('a', 1, 7)
        await input.pipeInput('a', 1, 12)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@0-10', 1],
            ['a@5-15', 1],
            ['a@5-15', 2],
            ['a@10-20', 1],
          ],
        )
      } finally {
        await driver.close()
      }
    })
  })

  describe(`session windows (${kind.name})`, () => {
    it('extend a session with records inside the gap and start a new one after it', async () => {
      const { driver, input, output } = await sessions(kind)
      try {
        await input.pipeInput('a', 1, 0)
        await input.pipeInput('a', 2, 5)
        await input.pipeInput('a', 4, 30)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [
            ['a@0-0', 1],
            ['a@0-0', null],
            ['a@0-5', 3],
            ['a@30-30', 4],
          ],
        )
      } finally {
        await driver.close()
      }
    })

    it('merge two sessions when a record falls between them', async () => {
      const { driver, input, output } = await sessions(kind, 20) // retention gap + grace keeps [0,0] until stream time 30
      try {
        await input.pipeInput('a', 1, 0)
        await input.pipeInput('a', 2, 20)
        await input.pipeInput('a', 4, 10) // within 10 of both: merges [0,0] and [20,20]
        const updates = (await output.readRecordsToList()).map((r) => [label(r.key), r.value])
        assert.deepEqual(updates.slice(2), [
          ['a@0-0', null],
          ['a@20-20', null],
          ['a@0-20', 7],
        ])
        assert.deepEqual(
          [...driver.getSessionStore<string, number>('sessions').all()].map((e) => [label(e.key), e.value]),
          [['a@0-20', 7]],
        )
      } finally {
        await driver.close()
      }
    })

    it('drop a record whose merged session closed before it arrived', async () => {
      const { driver, input, output } = await sessions(kind)
      try {
        await input.pipeInput('a', 1, 100)
        await input.pipeInput('b', 1, 50) // its session [50,50] ends before 100 - 0 grace: late
        assert.deepEqual((await output.readKeyValuesToList()).length, 1)
        assert.equal(driver.metrics().lateRecords, 1)
      } finally {
        await driver.close()
      }
    })
  })

  describe(`suppress (${kind.name})`, () => {
    it('untilWindowCloses emits one final result per window once stream time passes end + grace', async () => {
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count()
        .suppress(Suppressed.untilWindowCloses())
        .toStream()
        .to('out', { key: WindowedSerdes.timeWindowed(str, 10), value: num })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 10), num)
        await input.pipeInput('a', 1, 1)
        await input.pipeInput('a', 1, 8)
        await input.pipeInput('b', 1, 12)
        await input.pipeInput('a', 1, 3) // out of order, within grace
        assert.equal(await output.getQueueSize(), 0)
        await input.pipeInput('b', 1, 15) // stream time 15 = end 10 + grace 5: [0,10) closes
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [['a@0-10', 3]],
        )
        await input.pipeInput('c', 1, 40)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [['b@10-20', 2]],
        )
      } finally {
        await driver.close()
      }
    })

    it('untilWindowCloses emits an earlier window first buffered after a later one', async () => {
      // The buffer skips its scan while stream time is below the earliest deadline it knows;
      // a key of an older window arriving late must lower that deadline.
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 30))
        .count()
        .suppress(Suppressed.untilWindowCloses())
        .toStream()
        .to('out', { key: WindowedSerdes.timeWindowed(str, 10), value: num })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('in', str, num)
        const output = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(str, 10), num)
        await input.pipeInput('a', 1, 25) // [20,30) closes at 60
        await input.pipeInput('b', 1, 5) // [0,10) closes at 40; within grace at stream time 25
        await input.pipeInput('c', 1, 41)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [['b@0-10', 1]],
        )
        await input.pipeInput('c', 1, 60)
        assert.deepEqual(
          (await output.readRecordsToList()).map((r) => [label(r.key), r.value]),
          [['a@20-30', 1]],
        )
      } finally {
        await driver.close()
      }
    })

    it('untilTimeLimit emits the latest value of a key after it waited that long', async () => {
      const builder = new StreamsBuilder()
      builder
        .table('t', { key: str, value: num })
        .suppress(Suppressed.untilTimeLimit(10))
        .toStream()
        .to('out', { key: str, value: num })
      const driver = await kind.make(builder.build())
      try {
        const input = driver.createInputTopic('t', str, num)
        const output = driver.createOutputTopic('out', str, num)
        await input.pipeInput('a', 1, 0)
        await input.pipeInput('a', 2, 5)
        await input.pipeInput('b', 7, 6)
        assert.equal(await output.getQueueSize(), 0)
        await input.pipeInput('c', 0, 10)
        assert.deepEqual(await output.readKeyValuesToList(), [['a', 2]])
        await input.pipeInput('c', 1, 16)
        assert.deepEqual(await output.readKeyValuesToList(), [['b', 7]])
      } finally {
        await driver.close()
      }
    })
  })
}
