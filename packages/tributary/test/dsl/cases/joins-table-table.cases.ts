import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, type KTable } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

type Join = (l: KTable<string, number>, r: KTable<string, string>) => KTable<string, string>

/**
 * Tables `l` (string → number) and `r` (string → string) joined by `build`; the result's updates go
 * to `out`, and a re-grouping sums the numeric prefix of every current row into store `sum` (which
 * is only right if every update carries the correct old value).
 */
async function tablesDriver(kind: DriverKind, build: Join) {
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
  const driver = await kind.make(builder.build())
  return {
    driver,
    l: driver.createInputTopic('l', str, num),
    r: driver.createInputTopic('r', str, str),
    out: driver.createOutputTopic('out', str, str),
    sum: () => driver.getKeyValueStore<string, number>('sum').get('all'),
  }
}

const joiner = (a: number | null, b: string | null): string => `${a}/${b}`

export function joinsTableTableCases(kind: DriverKind): void {
  describe(`KTable-KTable join (${kind.name})`, () => {
    it('inner join: emits when both sides exist and a tombstone when either side is deleted', async () => {
      const { driver, l, r, out, sum } = await tablesDriver(kind, (a, b) => a.join(b, joiner))
      await l.pipeInput('a', 1) // right absent: nothing
      assert.ok(await out.isEmpty())
      await r.pipeInput('a', 'x')
      await l.pipeInput('a', 2)
      assert.equal(sum(), 2)
      await r.pipeInput('a', 'y')
      await r.pipeInput('a', null) // right deleted: tombstone
      assert.equal(sum(), 0)
      await r.pipeInput('a', 'z')
      await l.pipeInput('a', null) // left deleted: tombstone
      await r.pipeInput('a', null) // neither side now: nothing
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['a', '1/x'],
        ['a', '2/x'],
        ['a', '2/y'],
        ['a', null],
        ['a', '2/z'],
        ['a', null],
      ])
      assert.equal(sum(), 0)
      await driver.close()
    })

    it('left join: every left key has a row, the right value null when absent', async () => {
      const { driver, l, r, out, sum } = await tablesDriver(kind, (a, b) => a.leftJoin(b, joiner))
      await l.pipeInput('a', 1)
      await r.pipeInput('a', 'x')
      await r.pipeInput('a', null) // right deleted: back to a null right side
      await r.pipeInput('b', 'q') // no left b: nothing
      await l.pipeInput('b', 5)
      assert.equal(sum(), 6)
      await l.pipeInput('a', null) // left deleted: tombstone
      await r.pipeInput('a', 'late') // no left a: nothing
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['a', '1/null'],
        ['a', '1/x'],
        ['a', '1/null'],
        ['b', '5/q'],
        ['a', null],
      ])
      assert.equal(sum(), 5)
      await driver.close()
    })

    it('outer join: a row while either side exists, a tombstone when both are gone', async () => {
      const { driver, l, r, out, sum } = await tablesDriver(kind, (a, b) => a.outerJoin(b, joiner))
      await r.pipeInput('a', 'x')
      await l.pipeInput('a', 1)
      await r.pipeInput('a', null)
      assert.equal(sum(), 1)
      await l.pipeInput('a', 3)
      await l.pipeInput('a', null) // both gone: tombstone
      await r.pipeInput('a', null) // already gone in r: the source forwards nothing
      await r.pipeInput('b', 'y')
      assert.deepEqual(await out.readKeyValuesToList(), [
        ['a', 'null/x'],
        ['a', '1/x'],
        ['a', '1/null'],
        ['a', '3/null'],
        ['a', null],
        ['b', 'null/y'],
      ])
      assert.equal(sum(), 0)
      await driver.close()
    })

    it('materializes the result when asked', async () => {
      const builder = new StreamsBuilder()
      const l = builder.table('l', { key: str, value: num })
      const r = builder.table('r', { key: str, value: str })
      const joined = l.join(r, joiner, { name: 'joined', value: str })
      assert.equal(joined.queryableStoreName, 'joined')
      const driver = await kind.make(builder.build())
      const li = driver.createInputTopic('l', str, num)
      const ri = driver.createInputTopic('r', str, str)
      await li.pipeInput('a', 1)
      await ri.pipeInput('a', 'x')
      await li.pipeInput('b', 2)
      await ri.pipeInput('b', 'y')
      await ri.pipeInput('a', null)
      const store = driver.getKeyValueStore<string, string>('joined')
      assert.deepEqual(
        [...store.all()].map((e) => [e.key, e.value]),
        [['b', '2/y']],
      )
      await driver.close()
    })

    it('an unmaterialized join result can be joined by a stream (value getter over both sides)', async () => {
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
        const driver = await kind.make(topology)
        const li = driver.createInputTopic('l', str, num)
        const ri = driver.createInputTopic('r', str, str)
        const s = driver.createInputTopic('s', str, str)
        const out = driver.createOutputTopic('out', str, str)
        await li.pipeInput('a', 1)
        await ri.pipeInput('b', 'y')
        await li.pipeInput('c', 3)
        await ri.pipeInput('c', 'z')
        for (const k of ['a', 'b', 'c', 'd']) await s.pipeInput(k, k)
        const expected = {
          inner: ['a=null', 'b=null', 'c=3/z', 'd=null'],
          left: ['a=1/null', 'b=null', 'c=3/z', 'd=null'],
          outer: ['a=1/null', 'b=null/y', 'c=3/z', 'd=null'],
        }[mode]
        assert.deepEqual(await out.readValuesToList(), expected, mode)
        await driver.close()
      }
    })
  })
}
