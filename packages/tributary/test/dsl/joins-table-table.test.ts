import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable } from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

type Join = (l: KTable<string, number>, r: KTable<string, string>) => KTable<string, string>

/**
 * Tables `l` (string → number) and `r` (string → string) joined by `build`; the result's updates go
 * to `out`, and a re-grouping sums the numeric prefix of every current row into store `sum` (which
 * is only right if every update carries the correct old value).
 */
function tablesDriver(build: Join) {
  const builder = new StreamsBuilder()
  const l = builder.table('l', { key: str, value: num })
  const r = builder.table('r', { key: str, value: str })
  const joined = build(l, r)
  joined.toStream().to('out', { key: str, value: str })
  joined
    .groupBy((_k, v) => ['all', Number(v.split('/')[0]) || 0] as const, { key: str, value: num })
    .reduce(
      (a, b) => a + b,
      (a, b) => a - b,
      { name: 'sum', value: num },
    )
  const driver = new TopologyTestDriver(builder.build())
  return {
    driver,
    l: driver.createInputTopic('l', str, num),
    r: driver.createInputTopic('r', str, str),
    out: driver.createOutputTopic('out', str, str),
    sum: () => driver.getKeyValueStore<string, number>('sum').get('all'),
  }
}

const joiner = (a: number | null, b: string | null): string => `${a}/${b}`

describe('KTable-KTable join', () => {
  it('inner join: emits when both sides exist and a tombstone when either side is deleted', () => {
    const { driver, l, r, out, sum } = tablesDriver((a, b) => a.join(b, joiner))
    l.pipeInput('a', 1) // right absent: nothing
    assert.ok(out.isEmpty())
    r.pipeInput('a', 'x')
    l.pipeInput('a', 2)
    assert.equal(sum(), 2)
    r.pipeInput('a', 'y')
    r.pipeInput('a', null) // right deleted: tombstone
    assert.equal(sum(), 0)
    r.pipeInput('a', 'z')
    l.pipeInput('a', null) // left deleted: tombstone
    r.pipeInput('a', null) // neither side now: nothing
    assert.deepEqual(out.readKeyValuesToList(), [
      ['a', '1/x'],
      ['a', '2/x'],
      ['a', '2/y'],
      ['a', null],
      ['a', '2/z'],
      ['a', null],
    ])
    assert.equal(sum(), 0)
    driver.close()
  })

  it('left join: every left key has a row, the right value null when absent', () => {
    const { driver, l, r, out, sum } = tablesDriver((a, b) => a.leftJoin(b, joiner))
    l.pipeInput('a', 1)
    r.pipeInput('a', 'x')
    r.pipeInput('a', null) // right deleted: back to a null right side
    r.pipeInput('b', 'q') // no left b: nothing
    l.pipeInput('b', 5)
    assert.equal(sum(), 6)
    l.pipeInput('a', null) // left deleted: tombstone
    r.pipeInput('a', 'late') // no left a: nothing
    assert.deepEqual(out.readKeyValuesToList(), [
      ['a', '1/null'],
      ['a', '1/x'],
      ['a', '1/null'],
      ['b', '5/q'],
      ['a', null],
    ])
    assert.equal(sum(), 5)
    driver.close()
  })

  it('outer join: a row while either side exists, a tombstone when both are gone', () => {
    const { driver, l, r, out, sum } = tablesDriver((a, b) => a.outerJoin(b, joiner))
    r.pipeInput('a', 'x')
    l.pipeInput('a', 1)
    r.pipeInput('a', null)
    assert.equal(sum(), 1)
    l.pipeInput('a', 3)
    l.pipeInput('a', null) // both gone: tombstone
    r.pipeInput('a', null) // already gone in r: the source forwards nothing
    r.pipeInput('b', 'y')
    assert.deepEqual(out.readKeyValuesToList(), [
      ['a', 'null/x'],
      ['a', '1/x'],
      ['a', '1/null'],
      ['a', '3/null'],
      ['a', null],
      ['b', 'null/y'],
    ])
    assert.equal(sum(), 0)
    driver.close()
  })

  it('materializes the result when asked', () => {
    const builder = new StreamsBuilder()
    const l = builder.table('l', { key: str, value: num })
    const r = builder.table('r', { key: str, value: str })
    const joined = l.join(r, joiner, { name: 'joined', value: str })
    assert.equal(joined.queryableStoreName, 'joined')
    const driver = new TopologyTestDriver(builder.build())
    const li = driver.createInputTopic('l', str, num)
    const ri = driver.createInputTopic('r', str, str)
    li.pipeInput('a', 1)
    ri.pipeInput('a', 'x')
    li.pipeInput('b', 2)
    ri.pipeInput('b', 'y')
    ri.pipeInput('a', null)
    const store = driver.getKeyValueStore<string, string>('joined')
    assert.deepEqual(
      [...store.all()].map((e) => [e.key, e.value]),
      [['b', '2/y']],
    )
    driver.close()
  })

  it('an unmaterialized join result can be joined by a stream (value getter over both sides)', () => {
    for (const mode of ['inner', 'left', 'outer'] as const) {
      const builder = new StreamsBuilder()
      const l = builder.table('l', { key: str, value: num })
      const r = builder.table('r', { key: str, value: str })
      const joined =
        mode === 'inner'
          ? l.join(r, joiner)
          : mode === 'left'
            ? l.leftJoin(r, joiner)
            : l.outerJoin(r, joiner)
      builder
        .stream('s', { key: str, value: str })
        .leftJoin(joined, (v, j) => `${v}=${j}`)
        .to('out', { key: str, value: str })
      const topology = builder.build()
      assert.equal(topology.subTopologies().length, 1)
      const driver = new TopologyTestDriver(topology)
      const li = driver.createInputTopic('l', str, num)
      const ri = driver.createInputTopic('r', str, str)
      const s = driver.createInputTopic('s', str, str)
      const out = driver.createOutputTopic('out', str, str)
      li.pipeInput('a', 1)
      ri.pipeInput('b', 'y')
      li.pipeInput('c', 3)
      ri.pipeInput('c', 'z')
      for (const k of ['a', 'b', 'c', 'd']) s.pipeInput(k, k)
      const expected = {
        inner: ['a=null', 'b=null', 'c=3/z', 'd=null'],
        left: ['a=1/null', 'b=null', 'c=3/z', 'd=null'],
        outer: ['a=1/null', 'b=null/y', 'c=3/z', 'd=null'],
      }[mode]
      assert.deepEqual(out.readValuesToList(), expected, mode)
      driver.close()
    }
  })

  it('records both tables as co-partitioned and merges their sub-topologies', () => {
    const builder = new StreamsBuilder()
    const l = builder.table('l', { key: str, value: num })
    const r = builder.table('r', { key: str, value: str })
    l.join(r, joiner)
    const topology = builder.build()
    assert.deepEqual(topology.copartitionGroups, [['l', 'r']])
    assert.equal(topology.subTopologies().length, 1)
  })
})
