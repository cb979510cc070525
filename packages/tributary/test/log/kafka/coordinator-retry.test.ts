import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCoordinatorError, retryCoordinator } from '../../../src/log/kafka/coordinator-retry.ts'

// Errors shaped as @platformatic/kafka reports them: a protocol error id in `apiId`, retries
// gathered in `errors`.
const protocolError = (apiId: string): Error => Object.assign(new Error(apiId), { apiId })
const retried = (...errors: Error[]): Error => Object.assign(new Error('failed'), { errors })
const fast = { initialMs: 1, maxMs: 4, timeoutMs: 5_000 }

describe('retryCoordinator', () => {
  it('repeats an attempt refused by a moved, loading or missing coordinator until it succeeds', async () => {
    const failures = ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE']
    let calls = 0
    const undone: string[] = []
    const result = await retryCoordinator(
      async () => {
        const failure = failures[calls++]
        if (failure !== undefined) throw retried(protocolError(failure))
        return 'done'
      },
      { backoff: fast, beforeRetry: (err) => void undone.push((err as Error).message) },
    )
    assert.equal(result, 'done')
    assert.equal(calls, 4)
    assert.equal(undone.length, 3)
  })

  it('does not repeat other errors, nor a chain that ends fenced', async () => {
    for (const err of [
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
      retried(protocolError('NOT_COORDINATOR'), protocolError('PRODUCER_FENCED')),
      new Error('socket closed'),
    ]) {
      let calls = 0
      await assert.rejects(
        retryCoordinator(
          async () => {
            calls++
            throw err
          },
          { backoff: fast },
        ),
        (thrown) => thrown === err,
      )
      assert.equal(calls, 1)
      assert.equal(isCoordinatorError(err), false)
    }
  })

  it('gives up with the last error once the backoff timeout has passed', async () => {
    let calls = 0
    const started = Date.now()
    await assert.rejects(
      retryCoordinator(
        async () => {
          calls++
          throw protocolError('NOT_COORDINATOR')
        },
        { backoff: { initialMs: 5, maxMs: 20, timeoutMs: 200 } },
      ),
      /NOT_COORDINATOR/,
    )
    assert.ok(calls > 2, `attempts: ${calls}`)
    assert.ok(Date.now() - started < 2_000)
  })
})
