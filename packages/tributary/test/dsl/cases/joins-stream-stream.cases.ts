import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JoinWindows, Serdes, StreamsBuilder, type KStream } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
type Mode = 'inner' | 'left' | 'outer'
const joiner = (a: string | null, b: string | null): string => `${a}+${b}`

async function streamsDriver(kind: DriverKind, mode: Mode, windows: JoinWindows, rekey = false) {
  const builder = new StreamsBuilder()
  let l: KStream<string, string> = builder.stream('l', { key: str, value: str })
  const r = builder.stream('r', { key: str, value: str })
  if (rekey) l = l.selectKey((k) => k.toUpperCase())
  const options = { key: str, value: str, otherValue: str, persistent: false, name: 'j' }
  const joined =
    mode === 'inner'
      ? l.join(r, joiner, windows, options)
      : mode === 'left'
        ? l.leftJoin(r, joiner, windows, options)
        : l.outerJoin(r, joiner, windows, options)
  joined.to('out', { key: str, value: str })
  const topology = builder.build()
  const driver = await kind.make(topology)
  const out = driver.createOutputTopic('out', str, str)
  return {
    topology,
    driver,
    l: driver.createInputTopic('l', str, str),
    r: driver.createInputTopic('r', str, str),
    results: async () => (await out.readRecordsToList()).map((x) => [x.value, x.timestamp]),
  }
}

export function joinsStreamStreamCases(kind: DriverKind): void {
  describe(`KStream-KStream windowed join (${kind.name})`, () => {
    it('inner join: joins within the time difference, takes out-of-order records within grace; late ones only meet what the other store still holds', async () => {
      const { driver, l, r, results } = await streamsDriver(
        kind,
        'inner',
        JoinWindows.ofTimeDifferenceAndGrace(10, 20),
      )
      await l.pipeInput('k', 'a', 0)
      await r.pipeInput('k', 'x', 5)
      await r.pipeInput('k', 'y', 20) // 20 - 0 > 10: no match
      await r.pipeInput('other', 'o', 20) // another key: no match
      await l.pipeInput('k', 'b', 15) // matches x@5 and y@20
      await l.pipeInput('k', 'c', 4) // out of order, within grace (4 + 10 + 20 >= 20): matches x@5
      await r.pipeInput('k', 'z', 100)
      await l.pipeInput('k', 'd', 60) // late (60 + 10 + 20 < 100): x and y expired from the store
      await l.pipeInput('k', 'e', 95)
      assert.deepEqual(await results(), [
        ['a+x', 5],
        ['b+x', 15],
        ['b+y', 20],
        ['c+x', 5],
        ['e+z', 100],
      ])
      assert.equal(driver.metrics().lateRecords, 0, 'a late record is not dropped (as in Kafka Streams)')
      await driver.close()
    })

    it('inner join: keeps duplicates (same key and time) apart', async () => {
      const { driver, l, r, results } = await streamsDriver(
        kind,
        'inner',
        // Difference 0 with some grace (without, Kafka Streams' join stores keep nothing: no match at all).
        JoinWindows.ofTimeDifferenceAndGrace(0, 1),
      )
      await l.pipeInput('k', 'a1', 7)
      await l.pipeInput('k', 'a2', 7)
      await r.pipeInput('k', 'x', 7)
      await r.pipeInput('k', 'y', 8) // diff 0: no match
      assert.deepEqual(await results(), [
        ['a1+x', 7],
        ['a2+x', 7],
      ])
      await driver.close()
    })

    it('before/after make the window asymmetric', async () => {
      const { driver, l, r, results } = await streamsDriver(
        kind,
        'inner',
        JoinWindows.ofTimeDifferenceAndGrace(0, 100).after(5),
      )
      await l.pipeInput('k', 'a', 10)
      await r.pipeInput('k', 'early', 9) // before the left record: outside [10, 15]
      await r.pipeInput('k', 'late', 15)
      assert.deepEqual(await results(), [['a+late', 15]])
      await driver.close()
    })

    it('left join: an unmatched left record is emitted with null once its window has closed, never twice', async () => {
      const { driver, l, r, results } = await streamsDriver(
        kind,
        'left',
        JoinWindows.ofTimeDifferenceAndGrace(10, 20),
      )
      await l.pipeInput('k', 'a', 0)
      await r.pipeInput('k', 'x', 5) // matches a: a is never emitted unmatched
      await l.pipeInput('k', 'b', 30) // no match yet: held
      await l.pipeInput('k', 'c', 50) // held; b's window closes after 30 + 10 + 20 = 60
      await r.pipeInput('k', 'y', 45) // out of order, matches c@50 only
      assert.deepEqual(await results(), [
        ['a+x', 5],
        ['c+y', 50],
      ])
      await l.pipeInput('k', 'd', 61) // stream time 61 > 60: b is emitted unmatched
      assert.deepEqual(await results(), [['b+null', 30]])
      await r.pipeInput('k', 'w', 200) // closes d's window; w (right side) has no unmatched output
      // Late, yet b is still in the left store: joined (as Kafka Streams does); b+null stays emitted once.
      await r.pipeInput('k', 'late', 31)
      assert.deepEqual(await results(), [
        ['d+null', 61],
        ['b+late', 31],
      ])
      await driver.close()
    })

    it('outer join: unmatched records of both sides are emitted with null after their window closed', async () => {
      const { driver, l, r, results } = await streamsDriver(
        kind,
        'outer',
        JoinWindows.ofTimeDifferenceWithNoGrace(10),
      )
      await l.pipeInput('k', 'a', 0)
      await r.pipeInput('k', 'x', 30) // no match; closes a's window (0 + 10 < 30)
      await l.pipeInput('k', 'b', 35) // matches x: x is never emitted unmatched
      await r.pipeInput('k', 'y', 50)
      await l.pipeInput('k', 'c', 70) // closes y's window (50 + 10 < 70) but not b's (b matched) or c's
      assert.deepEqual(await results(), [
        ['a+null', 0],
        ['b+x', 35],
        ['null+y', 50],
      ])
      await driver.close()
    })

    it('null keys: dropped by an inner join, joined with null at once by left and outer joins', async () => {
      for (const mode of ['inner', 'left', 'outer'] as const) {
        const { driver, l, r, results } = await streamsDriver(
          kind,
          mode,
          JoinWindows.ofTimeDifferenceWithNoGrace(10),
        )
        await l.pipeInput(null, 'a', 1)
        await r.pipeInput(null, 'x', 2)
        const expected = {
          inner: [],
          left: [['a+null', 1]],
          outer: [
            ['a+null', 1],
            ['null+x', 2],
          ],
        }[mode]
        assert.deepEqual(await results(), expected, mode)
        await driver.close()
      }
    })

    it('repartitions a re-keyed side and records the co-partitioned topics', async () => {
      const { topology, driver, l, r, results } = await streamsDriver(
        kind,
        'inner',
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
        true,
      )
      assert.ok(topology.internalTopics.has('j-left-repartition'))
      assert.deepEqual(topology.copartitionGroups, [['j-left-repartition', 'r']])
      assert.ok(topology.stores.has('j-this-store') && topology.stores.has('j-other-store'))
      await r.pipeInput('K', 'x', 1)
      await l.pipeInput('k', 'a', 2)
      assert.deepEqual(await results(), [['a+x', 2]])
      await driver.close()
    })
  })
}
