import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { coarseClock } from '../../src/observe/coarse-clock.ts'

describe('coarseClock', () => {
  it('reads the clock once per `reads` calls within one synchronous run', () => {
    let reads = 0
    const clock = coarseClock(3, () => ++reads * 1000)
    assert.deepEqual(
      Array.from({ length: 7 }, () => clock()),
      [1000, 1000, 1000, 2000, 2000, 2000, 3000],
    )
    assert.equal(reads, 3)
  })

  it('never reuses a value after the run that read it (a later turn reads again)', async () => {
    let time = 0
    const clock = coarseClock(64, () => time)
    assert.equal(clock(), 0)
    time = 5000
    await Promise.resolve()
    assert.equal(clock(), 5000)
    time = 9000
    await new Promise((r) => setTimeout(r, 1))
    assert.equal(clock(), 9000)
  })
})
