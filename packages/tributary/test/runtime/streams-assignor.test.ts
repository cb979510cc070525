import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { GroupMember } from '../../src/log/log.ts'
import type { TopicPartition } from '../../src/record.ts'
import { decodeMemberTasks, encodeMemberTasks, streamsAssignor } from '../../src/runtime/streams-assignor.ts'

// Sub-topology 0 reads `orders` and `users` (a join), sub-topology 1 reads `app-repartition`.
const assignor = streamsAssignor(
  new Map([
    ['orders', 0],
    ['users', 0],
    ['app-repartition', 1],
  ]),
)
const topics = ['orders', 'users', 'app-repartition']
const partitions = new Map([
  ['orders', 4],
  ['users', 4],
  ['app-repartition', 4],
])

const member = (memberId: string, previous?: string[]): GroupMember =>
  previous === undefined
    ? { memberId, topics }
    : { memberId, topics, userData: encodeMemberTasks(memberId, previous) }

/** member -> sorted task ids, read back from the partitions it got. */
function tasksOf(result: Map<string, TopicPartition[]>): Map<string, string[]> {
  const sub = (t: string): number => (t === 'app-repartition' ? 1 : 0)
  return new Map(
    [...result].map(([m, tps]) => [
      m,
      [...new Set(tps.map((tp) => `${sub(tp.topic)}_${tp.partition}`))].sort(),
    ]),
  )
}

describe('the streams assignor', () => {
  it('gives both sides of a join for one partition number to one member', () => {
    const result = assignor.assign([member('a'), member('b'), member('c')], partitions)
    for (const [, tps] of result) {
      const orders = tps.filter((tp) => tp.topic === 'orders').map((tp) => tp.partition)
      const users = tps.filter((tp) => tp.topic === 'users').map((tp) => tp.partition)
      assert.deepEqual(orders.sort(), users.sort())
    }
    const all = [...result.values()].flat().map((tp) => `${tp.topic}:${tp.partition}`)
    assert.equal(all.length, 12)
    assert.equal(new Set(all).size, 12, 'every partition exactly once')
  })

  it('balances tasks to within one and spreads each sub-topology', () => {
    const counts = [...tasksOf(assignor.assign([member('a'), member('b'), member('c')], partitions)).values()]
    const sizes = counts.map((c) => c.length)
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, JSON.stringify(counts))
    for (const c of counts) assert.ok(c.some((t) => t.startsWith('0_')) && c.some((t) => t.startsWith('1_')))
  })

  it('keeps tasks where they were when a member joins, moving only what balance needs', () => {
    const before = tasksOf(assignor.assign([member('a'), member('b')], partitions))
    const after = tasksOf(
      assignor.assign([member('a', before.get('a')), member('b', before.get('b')), member('c')], partitions),
    )
    const moved = ['a', 'b'].flatMap((m) => before.get(m)!.filter((t) => !after.get(m)!.includes(t)))
    assert.equal(moved.length, after.get('c')!.length, 'only tasks given to the newcomer moved')
    assert.deepEqual([...after.values()].map((t) => t.length).sort(), [2, 3, 3])
  })

  it('hands the tasks of a member that left to the others and keeps theirs', () => {
    const before = tasksOf(assignor.assign([member('a'), member('b'), member('c')], partitions))
    const after = tasksOf(
      assignor.assign([member('a', before.get('a')), member('c', before.get('c'))], partitions),
    )
    for (const m of ['a', 'c'])
      for (const t of before.get(m)!) assert.ok(after.get(m)!.includes(t), `${m} keeps ${t}`)
    assert.deepEqual(
      [...after.values()].map((t) => t.length),
      [4, 4],
    )
  })

  it('round-trips member tasks and ignores foreign user data', () => {
    assert.deepEqual(decodeMemberTasks(encodeMemberTasks('i1', ['1_0', '0_2']))?.previous, ['0_2', '1_0'])
    assert.equal(decodeMemberTasks(Buffer.from([0, 1, 2])), undefined)
    assert.equal(decodeMemberTasks(undefined), undefined)
  })
})
