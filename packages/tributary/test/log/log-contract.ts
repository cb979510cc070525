import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe } from 'node:test'
import type { CleanupPolicy, Log } from '../../src/log/log.ts'
import { adminContract } from './contract/admin-contract.ts'
import { compactionContract } from './contract/compaction-contract.ts'
import { groupContract } from './contract/group-contract.ts'
import type { ContractContext, LogUnderTest } from './contract/harness.ts'
import { produceConsumeContract } from './contract/produce-consume-contract.ts'
import { transactionContract } from './contract/transaction-contract.ts'

export type { LogUnderTest } from './contract/harness.ts'

/**
 * The behaviour every `Log` implementation must have (sections in ./contract/). Uses only the
 * `Log` interface, fresh topic and group names per test, and never assumes offsets are
 * contiguous (transaction markers and compaction leave gaps). `open` is called before each test
 * and its `cleanup` after it.
 */
export function logContract(name: string, open: () => Promise<LogUnderTest>): void {
  describe(`Log contract: ${name}`, () => {
    let subject: LogUnderTest | undefined
    const current = (): LogUnderTest => {
      if (subject === undefined) throw new Error('no log open outside a test')
      return subject
    }
    const ctx: ContractContext = {
      get log(): Log {
        return current().log
      },
      get subject(): LogUnderTest {
        return current()
      },
      unique: (prefix) => `${prefix}-${randomUUID().slice(0, 12)}`,
      async topic(partitions = 1, cleanupPolicy: CleanupPolicy = 'delete') {
        const topicName = ctx.unique('topic')
        await current().log.admin.createTopics([{ name: topicName, partitions, cleanupPolicy }])
        return topicName
      },
    }

    beforeEach(async () => {
      subject = await open()
    })
    afterEach(async () => {
      await subject?.cleanup()
      subject = undefined
    })

    adminContract(ctx)
    produceConsumeContract(ctx)
    groupContract(ctx)
    transactionContract(ctx)
    compactionContract(ctx)
  })
}
