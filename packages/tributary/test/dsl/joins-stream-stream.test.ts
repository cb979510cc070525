import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JoinWindows, Serdes, StreamsBuilder, type KStream } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
type Mode = 'inner' | 'left' | 'outer'
const joiner = (a: string | null, b: string | null): string => `${a}+${b}`

function streamsDriver(mode: Mode, windows: JoinWindows, rekey = false) {
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
  const driver = new TopologyTestDriver(topology)
  const out = driver.createOutputTopic('out', str, str)
  return {
    topology,
    driver,
    l: driver.createInputTopic('l', str, str),
    r: driver.createInputTopic('r', str, str),
    results: () => out.readRecordsToList().map((x) => [x.value, x.timestamp]),
  }
}

describe('KStream-KStream windowed join', () => {
  it('inner join: joins within the time difference, takes out-of-order records within grace, drops late ones', () => {
    const { driver, l, r, results } = streamsDriver('inner', JoinWindows.ofTimeDifferenceAndGrace(10, 20))
    l.pipeInput('k', 'a', 0)
    r.pipeInput('k', 'x', 5)
    r.pipeInput('k', 'y', 20) // 20 - 0 > 10: no match
    r.pipeInput('other', 'o', 20) // another key: no match
    l.pipeInput('k', 'b', 15) // matches x@5 and y@20
    l.pipeInput('k', 'c', 4) // out of order, within grace (4 + 10 + 20 >= 20): matches x@5
    r.pipeInput('k', 'z', 100)
    l.pipeInput('k', 'd', 60) // late: 60 + 10 + 20 < 100
    l.pipeInput('k', 'e', 95)
    assert.deepEqual(results(), [
      ['a+x', 5],
      ['b+x', 15],
      ['b+y', 20],
      ['c+x', 5],
      ['e+z', 100],
    ])
    assert.equal(driver.metrics().lateRecords, 1)
    driver.close()
  })

  it('inner join: keeps duplicates (same key and time) apart', () => {
    const { driver, l, r, results } = streamsDriver('inner', JoinWindows.ofTimeDifferenceWithNoGrace(0))
    l.pipeInput('k', 'a1', 7)
    l.pipeInput('k', 'a2', 7)
    r.pipeInput('k', 'x', 7)
    r.pipeInput('k', 'y', 8) // diff 0: no match
    assert.deepEqual(results(), [
      ['a1+x', 7],
      ['a2+x', 7],
    ])
    driver.close()
  })

  it('before/after make the window asymmetric', () => {
    const { driver, l, r, results } = streamsDriver(
      'inner',
      JoinWindows.ofTimeDifferenceAndGrace(0, 100).after(5),
    )
    l.pipeInput('k', 'a', 10)
    r.pipeInput('k', 'early', 9) // before the left record: outside [10, 15]
    r.pipeInput('k', 'late', 15)
    assert.deepEqual(results(), [['a+late', 15]])
    driver.close()
  })

  it('left join: an unmatched left record is emitted with null once its window has closed, never twice', () => {
    const { driver, l, r, results } = streamsDriver('left', JoinWindows.ofTimeDifferenceAndGrace(10, 20))
    l.pipeInput('k', 'a', 0)
    r.pipeInput('k', 'x', 5) // matches a: a is never emitted unmatched
    l.pipeInput('k', 'b', 30) // no match yet: held
    l.pipeInput('k', 'c', 50) // held; b's window closes after 30 + 10 + 20 = 60
    r.pipeInput('k', 'y', 45) // out of order, matches c@50 only
    assert.deepEqual(results(), [
      ['a+x', 5],
      ['c+y', 50],
    ])
    l.pipeInput('k', 'd', 61) // stream time 61 > 60: b is emitted unmatched
    assert.deepEqual(results(), [['b+null', 30]])
    r.pipeInput('k', 'w', 200) // closes d's window; w (right side) has no unmatched output
    r.pipeInput('k', 'late', 31) // late: dropped, b stays emitted once
    assert.deepEqual(results(), [['d+null', 61]])
    driver.close()
  })

  it('outer join: unmatched records of both sides are emitted with null after their window closed', () => {
    const { driver, l, r, results } = streamsDriver('outer', JoinWindows.ofTimeDifferenceWithNoGrace(10))
    l.pipeInput('k', 'a', 0)
    r.pipeInput('k', 'x', 30) // no match; closes a's window (0 + 10 < 30)
    l.pipeInput('k', 'b', 35) // matches x: x is never emitted unmatched
    r.pipeInput('k', 'y', 50)
    l.pipeInput('k', 'c', 70) // closes y's window (50 + 10 < 70) but not b's (b matched) or c's
    assert.deepEqual(results(), [
      ['a+null', 0],
      ['b+x', 35],
      ['null+y', 50],
    ])
    driver.close()
  })

  it('null keys: dropped by an inner join, joined with null at once by left and outer joins', () => {
    for (const mode of ['inner', 'left', 'outer'] as const) {
      const { driver, l, r, results } = streamsDriver(mode, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      l.pipeInput(null, 'a', 1)
      r.pipeInput(null, 'x', 2)
      const expected = {
        inner: [],
        left: [['a+null', 1]],
        outer: [
          ['a+null', 1],
          ['null+x', 2],
        ],
      }[mode]
      assert.deepEqual(results(), expected, mode)
      driver.close()
    }
  })

  it('repartitions a re-keyed side and records the co-partitioned topics', () => {
    const { topology, driver, l, r, results } = streamsDriver(
      'inner',
      JoinWindows.ofTimeDifferenceWithNoGrace(5),
      true,
    )
    assert.ok(topology.internalTopics.has('j-left-repartition'))
    assert.deepEqual(topology.copartitionGroups, [['j-left-repartition', 'r']])
    assert.ok(topology.stores.has('j-this-store') && topology.stores.has('j-other-store'))
    r.pipeInput('K', 'x', 1)
    l.pipeInput('k', 'a', 2)
    assert.deepEqual(results(), [['a+x', 2]])
    driver.close()
  })
})
