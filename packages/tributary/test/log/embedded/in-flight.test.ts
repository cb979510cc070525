import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InFlight } from '../../../src/log/embedded/in-flight.ts'

describe('InFlight', () => {
  it('waits for every tracked operation, whatever its outcome', async () => {
    const inFlight = new InFlight()
    let finish!: () => void
    const slow = inFlight.track(new Promise<void>((resolve) => (finish = resolve)))
    const failed = inFlight.track(Promise.reject(new Error('EIO')))
    failed.catch(() => undefined)
    assert.equal(inFlight.size, 2)
    setTimeout(finish, 10)
    assert.equal(await inFlight.settled(60_000), true)
    await slow
    assert.equal(inFlight.size, 0)
  })

  it('gives up after the timeout when an operation never settles (close must not hang)', async () => {
    const inFlight = new InFlight()
    void inFlight.track(new Promise(() => undefined))
    const started = Date.now()
    assert.equal(await inFlight.settled(20), false)
    assert.ok(Date.now() - started < 10_000)
    assert.equal(inFlight.size, 1)
  })
})
