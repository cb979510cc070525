import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog, TributaryError, type Log, type Producer } from 'tributary-streams'
import { topicNames, type AppContext } from '../../src/context.ts'
import { runProducer } from '../../src/generator/producer.ts'
import { readTopic } from '../../src/replay/read-topic.ts'

/** `log` whose producers' n-th commits and n-th creations (counted over all of them) fail with code LOG. */
function failingLog(log: Log, failingCommits: number[], failingOpens: number[]): Log {
  let commits = 0
  let opens = 0
  return {
    admin: log.admin,
    consumer: (options) => log.consumer(options),
    close: () => log.close(),
    producer: async (options) => {
      if (failingOpens.includes(++opens)) throw new TributaryError('LOG', 'broker unreachable (simulated)')
      const p = await log.producer(options)
      const wrapped: Producer = {
        send: (records) => p.send(records),
        beginTransaction: () => p.beginTransaction(),
        sendOffsets: (group, offsets) => p.sendOffsets(group, offsets),
        commitTransaction: async () => {
          if (failingCommits.includes(++commits))
            throw new TributaryError('LOG', 'broker restarting (simulated)')
          await p.commitTransaction()
        },
        abortTransaction: () => p.abortTransaction(),
        close: () => p.close(),
      }
      return wrapped
    },
  }
}

async function produced(failingCommits: number[], failingOpens: number[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'oa-producer-retry-'))
  const base = await EmbeddedLog.open()
  const ctx: AppContext = {
    log: failingLog(base, failingCommits, failingOpens),
    topics: topicNames(''),
    partitions: 2,
    dataDir,
    applicationId: 'oa-retry',
    port: 0,
    databaseUrl: undefined,
  }
  const retries: unknown[] = []
  try {
    const state = await runProducer(ctx, {
      rate: 100, // 20 orders a tick: the 300 take 3 s, so a stalled tick cannot make one transaction of them
      seed: 7,
      maxOrders: 300,
      initialUsers: 20,
      onRetry: (err) => retries.push(err),
    })
    const keys = async (topic: string) => (await readTopic(base, topic)).map((r) => r.key!.toString()).sort()
    return {
      state,
      retries,
      orders: await keys(ctx.topics.ordersRaw),
      users: await keys(ctx.topics.usersRaw),
    }
  } finally {
    await base.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

describe('the order producer on a failing log', () => {
  it('resumes from its committed state after log failures: every order and user written exactly once', async () => {
    const clean = await produced([], [])
    const flaky = await produced([2, 3, 4], [3])
    assert.equal(clean.retries.length, 0)
    assert.equal(flaky.retries.length, 4, 'commits 2, 3 and 4 and the second reopen failed and were retried')
    assert.deepEqual(flaky.state, clean.state)
    assert.ok(clean.orders.length >= 300)
    assert.deepEqual(flaky.orders, clean.orders, 'the same orders, none lost, none doubled')
    assert.deepEqual(flaky.users, clean.users)
  })
})
