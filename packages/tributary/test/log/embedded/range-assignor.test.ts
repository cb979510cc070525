import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { rangeAssignor } from '../../../src/log/embedded/index.ts'

describe('range assignor', () => {
  it('gives consecutive ranges per topic, extra partitions to the first members', () => {
    const result = rangeAssignor.assign(
      [
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'a', topics: ['t'] },
      ],
      new Map([
        ['t', 5],
        ['u', 2],
      ]),
    )
    assert.deepEqual(
      result.get('a'),
      [0, 1, 2].map((partition) => ({ topic: 't', partition })),
    )
    assert.deepEqual(result.get('b'), [
      { topic: 't', partition: 3 },
      { topic: 't', partition: 4 },
      { topic: 'u', partition: 0 },
      { topic: 'u', partition: 1 },
    ])
  })

  it('leaves members beyond the partition count empty', () => {
    const result = rangeAssignor.assign(
      ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, topics: ['t'] })),
      new Map([['t', 2]]),
    )
    assert.deepEqual(
      [...result.values()].map((tps) => tps.length),
      [1, 1, 0],
    )
  })
})
